from django.apps import AppConfig


class BenchSignaturesConfig(AppConfig):
    name = "bench.signatures.benchapp"
    label = "bench_signatures"
    verbose_name = "Benchmark: signing ceiling and naive counter"
    default_auto_field = "django.db.models.BigAutoField"

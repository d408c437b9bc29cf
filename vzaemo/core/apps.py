from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(*, using: str, **_signal: Any) -> None:
    """The database cache's table comes with `migrate`, wherever migrations run (the demo, test databases, the
    benchmarks, production), so no script needs a second command; with Redis configured there is nothing to do."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "vzaemo.core"
    label = "core"
    verbose_name = _("Core: calendar, legal rules, audit")

    def ready(self) -> None:
        # checks and rate_limits register system checks
        from vzaemo.core import audit, audit_witness, checks, chronograph, idempotency, rate_limits  # noqa: F401

        chronograph.register("audit_seal", every=settings.VZAEMO_AUDIT_SEAL_INTERVAL_SECONDS, func=audit.run_sealer)
        chronograph.register(
            "audit_witness", every=settings.VZAEMO_AUDIT_SEAL_INTERVAL_SECONDS, func=audit_witness.publish
        )
        chronograph.register("idempotency_purge", every=60 * 60, func=idempotency.purge)
        post_migrate.connect(create_cache_table, sender=self)

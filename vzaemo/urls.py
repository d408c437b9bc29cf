from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("vzaemo.web.urls")),
]

# Benchmark hook (bench/README.md): only with VZAEMO_BENCH=1.
if settings.VZAEMO_BENCH:
    urlpatterns.append(path("bench/", include("bench.signatures.benchapp.urls")))

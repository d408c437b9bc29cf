from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from vzaemo.broker_api.api import api as broker_api

# allauth answers its own rate-limit refusals with this view (429, Retry-After, the platform's page).
handler429 = "vzaemo.web.rate_limits.allauth_too_many_requests"
# Every uncaught exception ends here, wherever it was raised (a view or a middleware): a database outage is
# answered 503 with Retry-After, anything else with the 500 page (vzaemo/web/outage.py).
handler500 = "vzaemo.web.outage.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login asks for the password alone; allauth's adds the second factor (MFA stage).
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/broker/v1/", broker_api.urls),
    path("", include("vzaemo.web.urls")),
]

# Benchmark hook (bench/README.md): only with VZAEMO_BENCH=1.
if settings.VZAEMO_BENCH:
    urlpatterns.append(path("bench/", include("bench.signatures.benchapp.urls")))

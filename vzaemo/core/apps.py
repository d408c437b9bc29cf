from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vzaemo.core"
    label = "core"
    verbose_name = _("Core: calendar, legal rules, audit")

    def ready(self) -> None:
        from vzaemo.core import audit, checks, chronograph, idempotency  # noqa: F401 - checks registers the system checks

        chronograph.register("audit_seal", every=settings.VZAEMO_AUDIT_SEAL_INTERVAL_SECONDS, func=audit.run_sealer)
        chronograph.register("idempotency_purge", every=60 * 60, func=idempotency.purge)

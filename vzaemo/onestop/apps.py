from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    name = "vzaemo.onestop"
    label = "onestop"
    verbose_name = _("One stop")

    def ready(self) -> None:
        from vzaemo.core import chronograph
        from vzaemo.onestop import digests, projection

        chronograph.register(
            "onestop.index", every=settings.VZAEMO_ONESTOP_INTERVAL_SECONDS, func=projection.index_refresh
        )
        chronograph.register("onestop.digests", every=settings.VZAEMO_DIGEST_INTERVAL_SECONDS, func=digests.enqueue_due)

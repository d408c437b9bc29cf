from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "vzaemo.live"
    label = "live"
    verbose_name = _("Live auctions")

    def ready(self) -> None:
        from vzaemo.core import chronograph
        from vzaemo.live import services

        # Every second: a stage boundary is a moment, and the result should follow the end promptly.
        chronograph.register("live.open", every=1, func=services.live_sessions_open)
        chronograph.register("live.finish", every=1, func=services.live_sessions_finish)

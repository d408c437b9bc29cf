from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuctionsConfig(AppConfig):
    name = "vzaemo.auctions"
    label = "auctions"
    verbose_name = _("Arrested-asset auctions")

    def ready(self) -> None:
        from vzaemo.auctions import services
        from vzaemo.auctions.participation import AuctionSource
        from vzaemo.core import chronograph, participation

        participation.register(AuctionSource())

        chronograph.register("auctions.deadlines", every=10, func=services.auction_deadlines_apply)

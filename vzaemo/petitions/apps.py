from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "vzaemo.petitions"
    label = "petitions"
    verbose_name = _("E-petitions")

    def ready(self) -> None:
        from vzaemo.core import chronograph, participation
        from vzaemo.petitions import services
        from vzaemo.petitions.participation import PetitionSource

        participation.register(PetitionSource())

        chronograph.register(
            "petitions.counts", every=settings.VZAEMO_COUNT_INTERVAL_SECONDS, func=services.signature_counts_refresh
        )
        chronograph.register("petitions.deadlines", every=30, func=services.petition_deadlines_apply)

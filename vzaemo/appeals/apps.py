from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "vzaemo.appeals"
    label = "appeals"
    verbose_name = _("Citizens' e-appeals")

    def ready(self) -> None:
        from vzaemo.appeals.participation import AppealSource
        from vzaemo.core import participation

        participation.register(AppealSource())

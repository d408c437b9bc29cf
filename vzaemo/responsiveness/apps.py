from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsivenessConfig(AppConfig):
    name = "vzaemo.responsiveness"
    label = "responsiveness"
    verbose_name = _("Responsiveness index")

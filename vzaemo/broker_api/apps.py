from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrokerApiConfig(AppConfig):
    name = "vzaemo.broker_api"
    label = "broker_api"
    verbose_name = _("broker API")
    default_auto_field = "django.db.models.BigAutoField"

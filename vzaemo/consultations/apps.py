from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "vzaemo.consultations"
    label = "consultations"
    verbose_name = _("E-consultations")

    def ready(self) -> None:
        from vzaemo.consultations import services
        from vzaemo.consultations.participation import ConsultationSource
        from vzaemo.core import chronograph, participation

        participation.register(ConsultationSource())

        chronograph.register("consultations.deadlines", every=30, func=services.consultation_deadlines_apply)

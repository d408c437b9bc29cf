"""Email notifications to subscribers, sent by the task worker after the transaction that caused them commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from vzaemo.consultations.models import Consultation
from vzaemo.consultations.selectors import subscribers_emails

BATCH = 500


def _link(name: str, consultation: Consultation) -> str:
    return settings.VZAEMO_SITE_URL.rstrip("/") + reverse(name, args=[consultation.pk])


def _send(template: str, consultation: Consultation, link: str) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"consultation": consultation, "link": link}
        subject = render_to_string(f"consultations/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"consultations/email/{template}.txt", context)
    sent = 0
    emails = subscribers_emails(consultation=consultation)
    for start in range(0, len(emails), BATCH):
        sent += send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in emails[start : start + BATCH]]
        )
    return sent


@task()
def notify_opened(consultation_id: int) -> int:
    consultation = Consultation.objects.select_related("authority").get(pk=consultation_id)
    return _send("opened", consultation, _link("web:consultation_detail", consultation))


@task()
def notify_report_published(consultation_id: int) -> int:
    consultation = Consultation.objects.select_related("authority").get(pk=consultation_id)
    return _send("report_published", consultation, _link("web:consultation_report", consultation))

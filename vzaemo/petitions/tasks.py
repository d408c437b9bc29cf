"""Email notifications, sent by the task worker after the transaction that caused them commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from vzaemo.petitions.models import Petition, Signature

SIGNER_BATCH = 500


def _link(petition: Petition) -> str:
    return settings.VZAEMO_SITE_URL.rstrip("/") + reverse("web:petition_detail", args=[petition.pk])


def _message(template: str, petition: Petition, to: list[str]) -> tuple[str, str, str, list[str]]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"petition": petition, "link": _link(petition)}
        subject = render_to_string(f"petitions/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"petitions/email/{template}.txt", context)
    return subject, body, settings.DEFAULT_FROM_EMAIL, to


@task()
def notify_threshold_reached(petition_id: int) -> int:
    petition = Petition.objects.select_related("authority").get(pk=petition_id)
    recipients = [petition.author_email] + ([petition.authority.email] if petition.authority.email else [])
    return send_mass_mail([_message("threshold_reached", petition, [r]) for r in recipients])


@task()
def notify_answered(petition_id: int) -> int:
    """The author and every signer learn the answer (one message each; the law makes the answer public)."""
    petition = Petition.objects.select_related("authority").get(pk=petition_id)
    sent = send_mass_mail([_message("answered", petition, [petition.author_email])])
    emails = Signature.objects.filter(petition_id=petition_id).exclude(signer__email=petition.author_email)
    batch: list[tuple[str, str, str, list[str]]] = []
    for email in emails.values_list("signer__email", flat=True).iterator(chunk_size=SIGNER_BATCH):
        batch.append(_message("answered", petition, [email]))
        if len(batch) >= SIGNER_BATCH:
            sent += send_mass_mail(batch)
            batch = []
    if batch:
        sent += send_mass_mail(batch)
    return sent

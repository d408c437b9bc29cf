"""Notices to the applicant (art. 7 forwarding, art. 20 extension, the answer or refusal), sent by
the task worker after the transaction that caused them commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from vzaemo.appeals.models import Appeal


def _link(appeal: Appeal) -> str:
    return settings.VZAEMO_SITE_URL.rstrip("/") + reverse("web:appeal_detail", args=[appeal.pk])


def _send(template: str, appeal: Appeal, **extra: object) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"appeal": appeal, "link": _link(appeal), **extra}
        subject = " ".join(render_to_string(f"appeals/email/{template}_subject.txt", context).split())
        body = render_to_string(f"appeals/email/{template}.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [appeal.email])


@task()
def notify_forwarded(appeal_id: int) -> int:
    appeal = Appeal.objects.select_related("authority").get(pk=appeal_id)
    received = Appeal.objects.select_related("authority").get(forwarded_from=appeal)
    # The link goes to the row the applicant can follow from now on.
    return _send("forwarded", received, previous=appeal)


@task()
def notify_extended(appeal_id: int) -> int:
    return _send("extended", Appeal.objects.select_related("authority").get(pk=appeal_id))


@task()
def notify_decided(appeal_id: int) -> int:
    """The answer or the written refusal with its reasons."""
    return _send("decided", Appeal.objects.select_related("authority").get(pk=appeal_id))

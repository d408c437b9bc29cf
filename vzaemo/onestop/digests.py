"""Email digests of notifications: the chronograph finds the people with notices due, the task worker sends.

At least once: a batch marks its notices `emailed_at` in the transaction that sends, so a crash before the
commit sends that person's digest again on the next run; a crash never loses one. Each email carries a
one-click unsubscribe (RFC 8058: `List-Unsubscribe` + `List-Unsubscribe-Post`) as a signed link that works
without signing in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from vzaemo.core import clock, participation
from vzaemo.onestop.models import Notification

logger = logging.getLogger("vzaemo.onestop")

_UNSUBSCRIBE_SALT = "vzaemo.onestop.unsubscribe"
_FEED_SALT = "vzaemo.onestop.feed"


def unsubscribe_token(user_id: int) -> str:
    # No expiry: a digest read a year later must still stop the email.
    return signing.dumps(user_id, salt=_UNSUBSCRIBE_SALT)


def feed_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=_FEED_SALT)


def _user_of(token: str, salt: str) -> int | None:
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_user_id(token: str) -> int | None:
    return _user_of(token, _UNSUBSCRIBE_SALT)


def feed_user_id(token: str) -> int | None:
    return _user_of(token, _FEED_SALT)


def absolute(path: str) -> str:
    return settings.VZAEMO_SITE_URL.rstrip("/") + path


def event_text(notification: Notification) -> str:
    """The notice in the reader's language, from its stored codes."""
    source = participation.source(notification.kind)
    kind = str(source.label) if source else notification.kind
    status = str(source.status_label(notification.status)) if source else notification.status
    if notification.event == "opened":
        return translation.gettext("New: %(kind)s, %(status)s") % {"kind": kind, "status": status}
    return translation.gettext("%(kind)s: now %(status)s") % {"kind": kind, "status": status}


def due_people(*, limit: int) -> list[int]:
    """The ids of people with digest notices due now, oldest due first."""
    rows = (
        Notification.objects.filter(emailed_at__isnull=True, email_due_at__lte=clock.now())
        .order_by("email_due_at")
        .values_list("user_id", flat=True)
    )
    people: dict[int, None] = {}  # ordered and O(1) to test
    for user_id in rows.iterator(chunk_size=limit):
        people.setdefault(user_id)
        if len(people) >= limit:
            break
    return list(people)


def enqueue_due() -> int:
    """The chronograph's step: hand the people with due digests to the task worker in batches."""
    batch = settings.VZAEMO_DIGEST_BATCH
    people = due_people(limit=batch * 10)
    for start in range(0, len(people), batch):
        send_digests.enqueue(people[start : start + batch])
    return len(people)


def _send_one(user_id: int) -> bool:
    with transaction.atomic():
        # Another worker sending the same person's digest holds these rows: skip them, never send twice.
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, emailed_at__isnull=True, email_due_at__lte=clock.now())
            .order_by("created_at", "id")
        )
        if not due:
            return False
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            Notification.objects.filter(pk__in=[n.pk for n in due]).update(email_due_at=None)
            return False
        shown = due[: settings.VZAEMO_DIGEST_MAX_ITEMS]
        unsubscribe = absolute(reverse("web:unsubscribe", args=[unsubscribe_token(user_id)]))
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "user": user,
                "lines": [(event_text(n), n.title, absolute(n.url)) for n in shown],
                "more": len(due) - len(shown),
                "notifications_url": absolute(reverse("web:notifications")),
                "subscriptions_url": absolute(reverse("web:subscriptions")),
                "unsubscribe_url": unsubscribe,
            }
            subject = " ".join(render_to_string("onestop/email/digest_subject.txt", context).split())
            body = render_to_string("onestop/email/digest.txt", context)
        message = EmailMultiAlternatives(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.send()
        Notification.objects.filter(pk__in=[n.pk for n in due]).update(emailed_at=clock.now())
    return True


@task()
def send_digests(user_ids: Sequence[int]) -> int:
    """Send the due digest of each person in the batch; returns how many emails left."""
    sent = 0
    for user_id in user_ids:
        try:
            sent += _send_one(user_id)
        except Exception:
            # One person's failure (a mail server refusing an address) must not hold up the batch.
            logger.exception("digest for user %s not sent; it stays due", user_id)
    return sent

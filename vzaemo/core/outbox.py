"""The embedded demo's fake SMTP server: an email backend that keeps every message in `OutboxMessage`.

The demo (`VZAEMO_DEMO=1`) has no mail server, and a console backend buries a verification link among
thousands of log lines; the /outbox/ page (vzaemo/web/outbox) lists what this backend kept, so whoever tries
the demo can follow the links a real person would get by email. Production sets `EMAIL_BACKEND` to SMTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.header import decode_header, make_header

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from vzaemo.core import clock
from vzaemo.core.models import OutboxMessage


def _html(message: EmailMessage) -> str:
    if message.content_subtype == "html":
        return str(message.body)
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                return str(content)
    return ""


def _header(value: str) -> str:
    """A header as a person reads it: RFC 2047 encoded words decoded."""
    return str(make_header(decode_header(value)))


def _row(message: EmailMessage) -> OutboxMessage:
    return OutboxMessage(
        sent_at=clock.now(),
        from_email=_header(str(message.from_email or "")),
        to=[*message.to, *message.cc, *message.bcc],
        subject=str(message.subject),
        body="" if message.content_subtype == "html" else str(message.body),
        html_body=_html(message),
        headers={str(k): str(v) for k, v in (message.extra_headers or {}).items()},
    )


class EmailBackend(BaseEmailBackend):
    """Stores the messages instead of sending them; never fails on a message (there is no server to refuse)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        rows = [_row(m) for m in email_messages if m.recipients()]
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)

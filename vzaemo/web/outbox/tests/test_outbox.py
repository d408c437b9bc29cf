"""The demo's fake SMTP: what the outbox backend keeps, who may read it at /outbox/, and the site's name in mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

OUTBOX = "vzaemo.core.outbox.EmailBackend"
LINK = "http://127.0.0.1:8000/accounts/confirm-email/Mg:abc/"


@pytest.fixture
def outbox_backend(settings: Any) -> None:
    settings.EMAIL_BACKEND = OUTBOX


def test_the_backend_keeps_each_message_with_its_text_and_html(outbox_backend: None) -> None:
    message = EmailMultiAlternatives(
        "Підтвердіть адресу", f"Перейдіть за посиланням: {LINK}", "Vzaemo <no-reply@vzaemo.example>", ["a@example.org"]
    )
    message.attach_alternative(f'<p><a href="{LINK}">link</a></p>', "text/html")
    message.extra_headers["List-Unsubscribe"] = "<https://vzaemo.example/u/1>"
    assert mail.get_connection().send_messages([message]) == 1
    kept = OutboxMessage.objects.get()
    assert (kept.subject, kept.to, kept.from_email) == (
        "Підтвердіть адресу",
        ["a@example.org"],
        "Vzaemo <no-reply@vzaemo.example>",
    )
    assert LINK in kept.body
    assert LINK in kept.html_body
    assert kept.headers == {"List-Unsubscribe": "<https://vzaemo.example/u/1>"}


def test_a_message_without_recipients_is_not_kept(outbox_backend: None) -> None:
    assert mail.get_connection().send_messages([EmailMultiAlternatives("s", "b", "x@example.org", [])]) == 0
    assert not OutboxMessage.objects.exists()


def test_the_outbox_page_is_a_404_outside_the_demo_for_everyone_but_staff(settings: Any) -> None:
    settings.VZAEMO_DEMO = False
    settings.VZAEMO_STAFF_MFA_REQUIRED = False  # the staff session's second factor is not what is tested here
    OutboxMessage.objects.create(sent_at="2026-05-04T10:00:00Z", from_email="x", to=["a@example.org"], subject="S")
    assert Client().get("/outbox/").status_code == 404
    citizen = Client()
    citizen.force_login(UserFactory())
    assert citizen.get("/outbox/").status_code == 404
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert staff.get("/outbox/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_in_the_demo_anyone_reads_the_outbox_with_clickable_links_and_can_search_it(settings: Any) -> None:
    settings.VZAEMO_DEMO = True
    OutboxMessage.objects.create(
        sent_at="2026-05-04T10:00:00Z",
        from_email="Vzaemo <no-reply@vzaemo.example>",
        to=["olena@example.org"],
        subject="Confirm your email",
        body=f"Open {LINK} to confirm.\nThank you <team>",
    )
    OutboxMessage.objects.create(
        sent_at="2026-05-04T11:00:00Z", from_email="x", to=["ivan@example.org"], subject="Petition answered"
    )
    page = Client().get("/outbox/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<a href="{LINK}" rel="nofollow">{LINK}</a>' in html
    assert "&lt;team&gt;" in html  # the text is escaped; only links become markup
    assert html.index("Petition answered") < html.index("Confirm your email")  # newest first
    assert 'href="/outbox/"' in html  # the footer points at it in the demo
    found = Client().get("/outbox/", {"q": "olena@"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirm your email" in found
    assert "Petition answered" not in found


def test_allauth_names_the_platform_and_its_host_not_the_requests_host(
    settings: Any,
    no_rate_limits: None,
) -> None:
    settings.EMAIL_BACKEND = OUTBOX
    settings.VZAEMO_SITE_URL = "https://vzaemo.example.org"
    Client().post(
        "/accounts/signup/",
        {
            "email": "olena@example.org",
            "full_name": "Коваленко Олена",
            "password1": "x-Vz4emo-pw!",
            "password2": "x-Vz4emo-pw!",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    kept = OutboxMessage.objects.get(to=["olena@example.org"])
    assert kept.subject.startswith("[Vzaemo] ")
    assert "Hello from Vzaemo!" in kept.body
    assert "vzaemo.example.org" in kept.body
    assert "testserver" not in kept.subject

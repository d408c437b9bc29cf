"""Email notifications: who gets which message, exactly once (Django's locmem outbox is the fake SMTP)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.core.errors import NotAllowed
from vzaemo.petitions import services, tasks
from vzaemo.petitions.models import Petition
from vzaemo.petitions.states import AnswerDecision, PetitionStatus
from vzaemo.petitions.tests.factories import ANSWER_TEXT, PetitionFactory, responder_of, sign_by

pytestmark = pytest.mark.django_db

S = PetitionStatus
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def recipients() -> Counter[str]:
    """How many messages each address got (each message has exactly one recipient)."""
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mail.outbox)
    return Counter(message.to[0] for message in mail.outbox)


def link(petition: Petition) -> str:
    return "http://vzaemo.test" + reverse("web:petition_detail", args=[petition.pk])


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.VZAEMO_SITE_URL = "http://vzaemo.test/"
    settings.LANGUAGE_CODE = "en"


def test_threshold_reached_goes_to_the_author_and_the_authority() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED, title="Укриття в гімназії")
    mail.outbox.clear()

    assert tasks.notify_threshold_reached.call(petition.pk) == 2

    assert recipients() == Counter({petition.author_email: 1, petition.authority.email: 1})
    message = mail.outbox[0]
    assert "Укриття в гімназії" in message.subject
    assert "threshold" in message.subject
    assert "\n" not in message.subject
    assert "2 signatures" in message.body
    assert petition.authority.name_uk in message.body
    assert link(petition) in message.body


def test_threshold_reached_without_an_authority_email_goes_to_the_author_only() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED, authority__email="")
    mail.outbox.clear()
    assert tasks.notify_threshold_reached.call(petition.pk) == 1
    assert recipients() == Counter({petition.author_email: 1})


def test_the_answer_goes_to_the_author_and_every_signer_exactly_once() -> None:
    petition = PetitionFactory(state=S.PUBLISHED, threshold=3)
    signers = sign_by(petition, 4)
    services.petition_sign(petition_id=petition.pk, signer=petition.author)  # the author signed too
    services.signature_counts_recount()
    services.petition_answer(
        petition_id=petition.pk,
        official=responder_of(petition.authority),
        decision=AnswerDecision.SUPPORTED,
        text=ANSWER_TEXT,
    )
    mail.outbox.clear()

    assert tasks.notify_answered.call(petition.pk) == 5

    assert recipients() == Counter({petition.author_email: 1, **{s.email: 1 for s in signers}})
    body = mail.outbox[0].body
    assert ANSWER_TEXT in body
    assert "supported" in body
    assert link(petition) in body


def test_the_answer_reaches_signers_beyond_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "SIGNER_BATCH", 2)
    petition = PetitionFactory(state=S.ANSWERED, signers=5)
    mail.outbox.clear()
    assert tasks.notify_answered.call(petition.pk) == 6
    assert sum(recipients().values()) == 6
    assert set(recipients().values()) == {1}


def test_the_answer_is_enqueued_after_commit_and_not_before(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    official = responder_of(petition.authority)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.petition_answer(petition_id=petition.pk, official=official, decision="supported", text=ANSWER_TEXT)
    assert not DBTaskResult.objects.exists()  # nothing is queued until the transaction commits
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "vzaemo.petitions.tasks.notify_answered"
    assert queued.args_kwargs == {"args": [petition.pk], "kwargs": {}}


def test_a_refused_answer_sends_nothing(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(NotAllowed):
        services.petition_answer(
            petition_id=petition.pk, official=UserFactory(), decision="supported", text=ANSWER_TEXT
        )
    assert callbacks == []
    assert mail.outbox == []


def test_the_whole_flow_through_the_immediate_backend(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    petition = PetitionFactory(state=S.PUBLISHED, threshold=2)
    signers = sign_by(petition, 2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.signature_counts_refresh()
    assert recipients() == Counter({petition.author_email: 1, petition.authority.email: 1})

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_answer(
            petition_id=petition.pk,
            official=responder_of(petition.authority),
            decision="not_supported",
            text=ANSWER_TEXT,
        )
    assert recipients() == Counter({petition.author_email: 1, **{s.email: 1 for s in signers}})


def test_plain_text_emails_are_not_html_escaped() -> None:
    # An apostrophe is an everyday letter in Ukrainian: it must not arrive as &#x27;.
    petition = PetitionFactory(state=S.ANSWERED, title="Пам'ятник «Героям» & сквер")
    mail.outbox.clear()
    tasks.notify_answered.call(petition.pk)
    message = mail.outbox[0]
    assert "Пам'ятник «Героям» & сквер" in message.subject
    assert "&#x27;" not in message.body
    assert "&amp;" not in message.body

"""Subscribers' emails: who gets which message, exactly once (Django's locmem outbox is the fake SMTP)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core import mail

from vzaemo.accounts.tests.factories import UnverifiedUserFactory, UserFactory
from vzaemo.consultations import services, tasks
from vzaemo.consultations.states import ConsultationStatus, Topic
from vzaemo.consultations.tests.factories import AuthorityFactory, ConsultationFactory

pytestmark = pytest.mark.django_db

S = ConsultationStatus
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.VZAEMO_SITE_URL = "http://vzaemo.test/"
    settings.LANGUAGE_CODE = "en"


def recipients() -> Counter[str]:
    assert all(len(message.to) == 1 for message in mail.outbox)
    return Counter(message.to[0] for message in mail.outbox)


def test_opening_mails_subscribers_of_the_authority_the_topic_or_both_once() -> None:
    consultation = ConsultationFactory(topic=Topic.ENVIRONMENT)
    authority = consultation.authority
    by_authority, by_topic, by_both = UserFactory(), UserFactory(), UserFactory()
    services.subscription_add(user=by_authority, authority=authority)
    services.subscription_add(user=by_topic, topic=Topic.ENVIRONMENT)
    services.subscription_add(user=by_both, authority=authority, topic=Topic.ENVIRONMENT)
    services.subscription_add(user=by_both, authority=authority)  # two matches, one email
    services.subscription_add(user=UserFactory(), authority=AuthorityFactory())  # another authority
    services.subscription_add(user=UserFactory(), topic=Topic.NAMES)  # another topic
    services.subscription_add(user=UserFactory(), authority=authority, topic=Topic.NAMES)  # pair not matching
    mail.outbox.clear()

    services.consultation_open(consultation_id=consultation.pk, official=consultation.created_by)
    sent = tasks.notify_opened.call(consultation.pk)

    assert sent == 3
    assert recipients() == Counter({by_authority.email: 1, by_topic.email: 1, by_both.email: 1})
    message = mail.outbox[0]
    assert consultation.title in message.subject
    assert f"http://vzaemo.test/consultations/{consultation.pk}/" in message.body


def test_unverified_subscribers_get_nothing() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    user = UnverifiedUserFactory()
    from vzaemo.consultations.models import Subscription
    from vzaemo.core import clock

    Subscription.objects.create(user=user, authority=consultation.authority, created_at=clock.now())
    assert tasks.notify_opened.call(consultation.pk) == 0


def test_the_whole_flow_through_the_immediate_backend(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = IMMEDIATE
    authority = AuthorityFactory()
    watcher = UserFactory()
    services.subscription_add(user=watcher, authority=authority)
    with django_capture_on_commit_callbacks(execute=True):
        consultation = ConsultationFactory(state=S.REPORT_PUBLISHED, authority=authority)
    subjects = [m.subject for m in mail.outbox if m.to == [watcher.email]]
    assert len(subjects) == 2
    assert subjects[0].startswith("Consultation opened")
    assert subjects[1].startswith("Consultation report")
    assert f"/consultations/{consultation.pk}/report/" in mail.outbox[-1].body


def test_a_refused_report_sends_nothing(django_capture_on_commit_callbacks: Any) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Exception):  # noqa: B017, PT011
        services.consultation_publish_report(
            consultation_id=consultation.pk, official=consultation.created_by, summary="Звіт без закриття консультації."
        )
    assert callbacks == []

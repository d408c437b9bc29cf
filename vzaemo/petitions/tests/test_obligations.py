"""The duties a petition creates for its authority, as the responsiveness index will read them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from vzaemo.core.models import Obligation, ObligationOutcome
from vzaemo.petitions import services
from vzaemo.petitions.states import AnswerDecision
from vzaemo.petitions.states import PetitionStatus as S
from vzaemo.petitions.tests.factories import PetitionFactory, responder_of

pytestmark = pytest.mark.django_db


def _obligation(petition: object, kind: str) -> Obligation:
    return Obligation.objects.get(kind=kind, subject_type="petitions.petition", subject_id=str(petition.pk))  # type: ignore[attr-defined]


def test_submitting_opens_the_moderation_duty_and_publishing_fulfils_it() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    duty = _obligation(petition, services.MODERATION)
    assert duty.outcome == ObligationOutcome.OPEN
    assert duty.authority_id == petition.authority_id
    assert duty.due_at == petition.moderation_due_at
    assert duty.rule["key"] == "petition.publication_term"
    published = PetitionFactory(state=S.PUBLISHED)
    assert _obligation(published, services.MODERATION).outcome == ObligationOutcome.FULFILLED


def test_a_rejection_with_reasons_also_fulfils_the_moderation_duty() -> None:
    petition = PetitionFactory(state=S.REJECTED)
    assert _obligation(petition, services.MODERATION).outcome == ObligationOutcome.FULFILLED


def test_the_threshold_opens_the_answer_duty_and_a_late_answer_closes_it_late() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    duty = _obligation(petition, services.ANSWER)
    assert duty.outcome == ObligationOutcome.OPEN
    assert duty.due_at == petition.answer_due_at
    assert [r["key"] for r in duty.rule] == ["petition.consideration_start_term", "petition.consideration_term"]
    assert petition.answer_due_at is not None
    with time_machine.travel(petition.answer_due_at + dt.timedelta(days=2), tick=False):
        services.petition_answer(
            petition_id=petition.pk,
            official=responder_of(petition.authority),
            decision=AnswerDecision.SUPPORTED,
            text="Підтримуємо петицію й діємо.",
        )
    duty.refresh_from_db()
    assert duty.outcome == ObligationOutcome.FULFILLED
    assert duty.closed_at is not None
    assert duty.closed_at > duty.due_at
    assert duty.original_due_at == petition.answer_due_at


def test_an_early_start_brings_the_answer_deadline_forward_but_keeps_the_original() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    original = _obligation(petition, services.ANSWER).due_at
    services.petition_start_consideration(petition_id=petition.pk, official=responder_of(petition.authority))
    duty = _obligation(petition, services.ANSWER)
    assert duty.due_at <= original
    assert duty.original_due_at == original
    petition.refresh_from_db()
    assert duty.due_at == petition.answer_due_at

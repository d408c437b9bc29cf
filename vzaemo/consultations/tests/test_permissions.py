"""`consultation_actions` and `proposal_actions`: for each state and each kind of person, exactly
the buttons a page may show. Consultations are walked to their state through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from vzaemo.accounts.models import Role
from vzaemo.accounts.tests.factories import UnverifiedUserFactory, UserFactory
from vzaemo.consultations import permissions, services
from vzaemo.consultations.models import Consultation
from vzaemo.consultations.permissions import ConsultationAction as C
from vzaemo.consultations.permissions import ProposalAction as P
from vzaemo.consultations.states import Decision, ModerationReason
from vzaemo.consultations.tests.factories import ConsultationFactory, official_of, propose
from vzaemo.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db

ROLES: dict[str, Callable[[Consultation], Any]] = {
    "anonymous": lambda c: AnonymousUser(),
    "unverified": lambda c: UnverifiedUserFactory(),
    "nameless": lambda c: UserFactory(full_name=""),
    "citizen": lambda c: UserFactory(),
    "moderator": lambda c: official_of(c.authority, Role.MODERATOR),
    "official": lambda c: official_of(c.authority),
}

TABLE: dict[str, dict[str, set[C]]] = {
    "draft": {"official": {C.EDIT, C.OPEN}},
    "open": {
        "citizen": {C.PROPOSE},
        "moderator": {C.PROPOSE, C.HIDE_PROPOSALS},
        "official": {C.PROPOSE, C.HIDE_PROPOSALS},
    },
    "closed": {
        "moderator": {C.HIDE_PROPOSALS},
        "official": {C.HIDE_PROPOSALS, C.DECIDE_PROPOSALS, C.PUBLISH_REPORT},
    },
    "report_published": {},
}


@pytest.mark.parametrize("state", TABLE)
def test_what_each_person_may_do_in_each_state(state: str) -> None:
    consultation = ConsultationFactory(state=state)
    got = {role: permissions.consultation_actions(make(consultation), consultation) for role, make in ROLES.items()}
    assert got == {role: TABLE[state].get(role, set()) for role in ROLES}


def refusal(check: Callable[[], None]) -> DomainError:
    with pytest.raises(DomainError) as info:
        check()
    return info.value


def test_a_proposal_is_hidden_while_open_and_decided_once_closed() -> None:
    consultation = ConsultationFactory(state="open")
    official = official_of(consultation.authority)
    moderator = official_of(consultation.authority, Role.MODERATOR)
    proposal = propose(consultation)
    assert permissions.proposal_actions(official, proposal) == {P.HIDE}
    assert permissions.proposal_actions(moderator, proposal) == {P.HIDE}
    assert permissions.proposal_actions(UserFactory(), proposal) == set()
    error = refusal(lambda: permissions.proposal_check(official, proposal, P.DECIDE))
    assert (type(error), error.code) == (InvalidTransition, "consultation_cannot_decide")
    error = refusal(lambda: permissions.proposal_check(UserFactory(), proposal, P.HIDE))
    assert (type(error), error.code) == (NotAllowed, "not_moderator")


def test_a_decided_proposal_cannot_be_hidden_and_a_hidden_one_needs_no_decision() -> None:
    consultation = ConsultationFactory(state="closed", proposals=2)
    official = official_of(consultation.authority)
    first, second = consultation.proposals.order_by("pk")
    assert permissions.proposal_actions(official, first) == {P.HIDE, P.DECIDE}
    services.proposal_decide(proposal_id=first.pk, official=official, decision=Decision.ACCEPTED)
    services.proposal_hide(proposal_id=second.pk, moderator=official, reason=ModerationReason.ADVERTISING)
    first.refresh_from_db()
    second.refresh_from_db()
    assert permissions.proposal_actions(official, first) == {P.DECIDE}
    assert permissions.proposal_actions(official, second) == set()
    error = refusal(lambda: permissions.proposal_check(official, first, P.HIDE))
    assert (type(error), error.code) == (Conflict, "proposal_already_decided")
    error = refusal(lambda: permissions.proposal_check(official, second, P.HIDE))
    assert (type(error), error.code) == (InvalidTransition, "proposal_cannot_hide")
    error = refusal(lambda: permissions.proposal_check(official, second, P.DECIDE))
    assert (type(error), error.code) == (InvalidTransition, "proposal_cannot_decide")


def test_proposing_refusals_carry_the_services_codes() -> None:
    consultation = ConsultationFactory(state="open")
    people: list[tuple[Any, type[DomainError], str]] = [
        (AnonymousUser(), NotAllowed, "sign_in_required"),
        (UnverifiedUserFactory(), NotAllowed, "email_not_verified"),
        (UserFactory(full_name=""), ValidationFailed, "author_name_required"),
    ]
    for user, kind, code in people:
        with pytest.raises(DomainError) as info:
            permissions.consultation_check(user, consultation, C.PROPOSE)
        assert (type(info.value), info.value.code) == (kind, code)
    draft = ConsultationFactory(state="draft")
    error = refusal(lambda: permissions.consultation_check(UserFactory(), draft, C.PROPOSE))
    assert (type(error), error.code) == (NotAllowed, "consultation_not_open")

"""`appeal_actions`: for each state and each kind of person, exactly the buttons a page may show.

The appeals are walked to their state through the services (the factory), so the table also proves
that the services and the page agree on every state an appeal can really be in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from vzaemo.accounts.models import Role
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory, member_of
from vzaemo.appeals import permissions, services
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.permissions import AppealAction as A
from vzaemo.appeals.tests.factories import AppealFactory
from vzaemo.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db

ROLES: dict[str, Callable[[Appeal], Any]] = {
    "anonymous": lambda a: AnonymousUser(),
    "citizen": lambda a: UserFactory(),
    "applicant": lambda a: a.applicant,
    "moderator": lambda a: member_of(a.authority, Role.MODERATOR),
    "responder": lambda a: member_of(a.authority, Role.RESPONDER),
    "official": lambda a: member_of(a.authority, Role.OFFICIAL),
}

# state -> role -> actions; a role not named may do nothing. The authority here has no higher body,
# so nobody may complain (see the test below for one that has).
TABLE: dict[str, dict[str, set[A]]] = {
    "submitted": {"moderator": {A.REGISTER, A.FORWARD}, "official": {A.REGISTER, A.FORWARD}},
    "registered": {
        "moderator": {A.FORWARD, A.REFUSE},
        "responder": {A.START, A.ANSWER, A.REFUSE},
        "official": {A.FORWARD, A.START, A.EXTEND, A.ANSWER, A.REFUSE},
    },
    "in_progress": {
        "moderator": {A.FORWARD, A.REFUSE},
        "responder": {A.ANSWER, A.REFUSE},
        "official": {A.FORWARD, A.EXTEND, A.ANSWER, A.REFUSE},
    },
    "extended": {
        "moderator": {A.REFUSE},
        "responder": {A.ANSWER, A.REFUSE},
        "official": {A.EXTEND, A.ANSWER, A.REFUSE},
    },
    "answered": {"applicant": {A.MARK_UNSATISFACTORY}},
    "refused": {},
    "forwarded": {},
}


@pytest.mark.parametrize("state", TABLE)
def test_what_each_person_may_do_in_each_state(state: str) -> None:
    appeal = AppealFactory(state=state)
    got = {role: permissions.appeal_actions(make(appeal), appeal) for role, make in ROLES.items()}
    assert got == {role: TABLE[state].get(role, set()) for role in ROLES}


def refusal(user: Any, appeal: Appeal, action: A) -> DomainError:
    with pytest.raises(DomainError) as info:
        permissions.appeal_check(user, appeal, action)
    return info.value


def test_the_applicant_complains_to_the_higher_body_once_the_answer_is_in() -> None:
    appeal = AppealFactory(state="answered", authority=AuthorityFactory(parent=AuthorityFactory()))
    assert permissions.appeal_actions(appeal.applicant, appeal) == {A.MARK_UNSATISFACTORY, A.COMPLAIN}
    services.appeal_mark_unsatisfactory(appeal_id=appeal.pk, applicant=appeal.applicant)
    appeal.refresh_from_db()
    assert permissions.appeal_actions(appeal.applicant, appeal) == {A.COMPLAIN}
    error = refusal(appeal.applicant, appeal, A.MARK_UNSATISFACTORY)
    assert (type(error), error.code) == (Conflict, "already_unsatisfactory")


def test_check_carries_the_services_codes() -> None:
    submitted = AppealFactory(state="submitted")
    error = refusal(member_of(submitted.authority, Role.RESPONDER), submitted, A.REGISTER)
    assert (type(error), error.code) == (NotAllowed, "not_registry")
    error = refusal(member_of(submitted.authority, Role.OFFICIAL), submitted, A.ANSWER)
    assert (type(error), error.code) == (InvalidTransition, "appeal_cannot_answer")
    error = refusal(member_of(submitted.authority, Role.RESPONDER), submitted, A.EXTEND)
    assert (type(error), error.code) == (NotAllowed, "not_head")
    error = refusal(UserFactory(), submitted, A.COMPLAIN)
    assert (type(error), error.code) == (NotAllowed, "not_applicant")
    error = refusal(submitted.applicant, submitted, A.COMPLAIN)
    assert (type(error), error.code) == (NotAllowed, "appeal_not_decided")
    answered = AppealFactory(state="answered")
    error = refusal(answered.applicant, answered, A.COMPLAIN)
    assert (type(error), error.code) == (ValidationFailed, "no_higher_body")

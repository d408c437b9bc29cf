"""`petition_actions`: for each state and each kind of person, exactly the buttons a page may show.

The petitions are walked to their state through the services (the factory), so the table also proves
that the services and the page agree on every state a petition can really be in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from vzaemo.accounts.tests.factories import UnverifiedUserFactory, UserFactory
from vzaemo.core import clock
from vzaemo.core.errors import DomainError, InvalidTransition, NotAllowed
from vzaemo.petitions import permissions
from vzaemo.petitions.models import Petition
from vzaemo.petitions.permissions import PetitionAction as A
from vzaemo.petitions.tests.factories import PetitionFactory, moderator_of, responder_of

pytestmark = pytest.mark.django_db

ROLES: dict[str, Callable[[Petition], Any]] = {
    "anonymous": lambda p: AnonymousUser(),
    "unverified": lambda p: UnverifiedUserFactory(),
    "citizen": lambda p: UserFactory(),
    "author": lambda p: p.author,
    "moderator": lambda p: moderator_of(p.authority),
    "responder": lambda p: responder_of(p.authority),
}

SIGNERS = {"citizen", "author", "moderator", "responder"}

# state -> role -> actions; a role not named may do nothing.
TABLE: dict[str, dict[str, set[A]]] = {
    "draft": {"author": {A.EDIT, A.SUBMIT}},
    "submitted": {"moderator": {A.PUBLISH, A.REJECT}},
    "rejected": {},
    "published": {role: {A.SIGN} for role in SIGNERS},
    "threshold_reached": {
        **{role: {A.SIGN} for role in SIGNERS},
        "responder": {A.SIGN, A.START_CONSIDERATION, A.ANSWER},
    },
    "under_consideration": {"responder": {A.ANSWER}},
    "answered": {},
    "closed": {},
    # Published, but the collection term is over and the job has not closed it yet: no more signing.
    "expired": {},
}


@pytest.mark.parametrize("state", TABLE)
def test_what_each_person_may_do_in_each_state(state: str) -> None:
    petition = PetitionFactory(state=state)
    got = {role: permissions.petition_actions(make(petition), petition) for role, make in ROLES.items()}
    assert got == {role: TABLE[state].get(role, set()) for role in ROLES}


def refusal(user: Any, petition: Petition, action: A) -> DomainError:
    with pytest.raises(DomainError) as info:
        permissions.petition_check(user, petition, action)
    return info.value


def test_check_names_the_person_before_the_state() -> None:
    """Someone who may never publish hears so, even when the petition is also in the wrong state."""
    draft = PetitionFactory(state="draft")
    error = refusal(UserFactory(), draft, A.PUBLISH)
    assert (type(error), error.code) == (NotAllowed, "not_moderator")
    error = refusal(moderator_of(draft.authority), draft, A.PUBLISH)
    assert (type(error), error.code) == (InvalidTransition, "petition_cannot_publish")
    error = refusal(draft.author, PetitionFactory(state="submitted", author=draft.author), A.EDIT)
    assert (type(error), error.code) == (NotAllowed, "petition_not_draft")


def test_signing_refusals_carry_the_services_codes() -> None:
    published = PetitionFactory(state="published")
    assert refusal(AnonymousUser(), published, A.SIGN).code == "sign_in_required"
    assert refusal(UnverifiedUserFactory(), published, A.SIGN).code == "email_not_verified"
    assert published.collection_ends_at is not None
    with time_machine.travel(published.collection_ends_at, tick=False):
        assert clock.now() == published.collection_ends_at
        assert refusal(UserFactory(), published, A.SIGN).code == "petition_not_collecting"
    permissions.petition_check(UserFactory(), published, A.SIGN)  # allowed: no error

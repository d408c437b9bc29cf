"""The state-machine helper every states.py uses: allowed transitions as data, refusals readable."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from vzaemo.core.errors import DomainError, InvalidTransition
from vzaemo.core.state_machine import StateMachine
from vzaemo.petitions.states import PETITION_MACHINE, PetitionStatus


class Door(models.TextChoices):
    OPEN = "open", "open"
    CLOSED = "closed", "closed"
    LOCKED = "locked", "locked"


DOOR = StateMachine.build(
    "door",
    {"close": ([Door.OPEN], Door.CLOSED), "lock": ([Door.CLOSED], Door.LOCKED), "open": ([Door.CLOSED], Door.OPEN)},
)


def test_target_of_an_allowed_transition() -> None:
    assert DOOR.target("close", Door.OPEN) == Door.CLOSED
    assert DOOR.can("lock", Door.CLOSED)
    assert not DOOR.can("lock", Door.OPEN)


def test_a_refused_transition_raises_invalid_transition_with_a_readable_message() -> None:
    with translation.override("en"), pytest.raises(InvalidTransition) as info:
        DOOR.target("lock", Door.OPEN)
    error = info.value
    assert isinstance(error, DomainError)
    assert error.code == "door_cannot_lock"
    assert str(error.message) == "This action is not possible while the door is “open”."


def test_an_unknown_verb_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="door: unknown transition 'paint'"):
        DOOR.target("paint", Door.OPEN)


def test_verbs_from_and_states() -> None:
    assert sorted(DOOR.verbs_from(Door.CLOSED)) == ["lock", "open"]
    assert DOOR.verbs_from(Door.LOCKED) == []
    assert DOOR.states() == {Door.OPEN, Door.CLOSED, Door.LOCKED}


def test_the_machine_is_immutable_data() -> None:
    with pytest.raises(AttributeError):
        DOOR.name = "gate"  # type: ignore[misc]


S = PetitionStatus

# The petition lifecycle (Law 393/96 art. 23-1), written out independently of states.py.
PETITION_ALLOWED = {
    ("submit", S.DRAFT),
    ("publish", S.SUBMITTED),
    ("reject", S.SUBMITTED),
    ("reach_threshold", S.PUBLISHED),
    ("close", S.PUBLISHED),
    ("start_consideration", S.THRESHOLD_REACHED),
    ("answer", S.THRESHOLD_REACHED),
    ("answer", S.UNDER_CONSIDERATION),
}


@pytest.mark.parametrize("verb", sorted(PETITION_MACHINE.transitions))
@pytest.mark.parametrize("state", list(S))
def test_the_petition_machine_allows_exactly_the_lifecycle(verb: str, state: PetitionStatus) -> None:
    if (verb, state) in PETITION_ALLOWED:
        PETITION_MACHINE.target(verb, state)
    else:
        with pytest.raises(InvalidTransition) as info:
            PETITION_MACHINE.target(verb, state)
        assert info.value.code == f"petition_cannot_{verb}"
        assert str(state.label) in str(info.value.message)


def test_every_petition_state_is_reachable_and_final_states_have_no_way_out() -> None:
    assert PETITION_MACHINE.states() == set(S)
    for final in (S.REJECTED, S.ANSWERED, S.CLOSED):
        assert PETITION_MACHINE.verbs_from(final) == []

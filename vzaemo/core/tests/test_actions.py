"""The allowed-actions helper every permissions.py uses: one table, read by pages and checked by services."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest
from django.db import models

from vzaemo.core.actions import Policy, rule, transition, when, who
from vzaemo.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from vzaemo.core.state_machine import StateMachine


class Door(models.TextChoices):
    OPEN = "open", "open"
    CLOSED = "closed", "closed"
    LOCKED = "locked", "locked"


DOOR = StateMachine.build("door", {"close": ([Door.OPEN], Door.CLOSED), "lock": ([Door.CLOSED], Door.LOCKED)})


@dataclass
class House:
    status: str
    painted: bool = False

    @property
    def status_enum(self) -> Door:
        return Door(self.status)


class DoorAction(StrEnum):
    CLOSE = "close"
    LOCK = "lock"
    PAINT = "paint"


asked: list[str] = []


def is_keeper(person: str, house: House) -> bool:
    asked.append(person)
    return person == "keeper"


POLICY: Policy[DoorAction, House] = Policy(
    {
        DoorAction.CLOSE: rule(when=[transition(DOOR, "close")]),
        DoorAction.LOCK: rule(
            who=[who(is_keeper, "Only the keeper locks.", "not_keeper")], when=[transition(DOOR, "lock")]
        ),
        DoorAction.PAINT: rule(
            who=[who(is_keeper, "Only the keeper paints.", "not_keeper")],
            when=[when(lambda h: not h.painted, "It is painted already.", "painted", error=Conflict)],
        ),
    }
)


def refusal(person: Any, house: House, action: DoorAction, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        POLICY.check(person, house, action, **kwargs)
    return info.value


def test_actions_are_those_no_refusal_stops() -> None:
    assert POLICY.actions("keeper", House(Door.OPEN)) == {DoorAction.CLOSE, DoorAction.PAINT}
    assert POLICY.actions("keeper", House(Door.CLOSED, painted=True)) == {DoorAction.LOCK}
    assert POLICY.actions("guest", House(Door.CLOSED)) == set()
    # A StrEnum set answers a template's `"lock" in actions`.
    assert "lock" in POLICY.actions("keeper", House(Door.CLOSED))


def test_check_raises_the_person_refusal_before_the_state_refusal() -> None:
    error = refusal("guest", House(Door.OPEN), DoorAction.LOCK)
    assert (type(error), error.code, error.message) == (NotAllowed, "not_keeper", "Only the keeper locks.")
    error = refusal("keeper", House(Door.OPEN), DoorAction.LOCK)
    assert (type(error), error.code) == (InvalidTransition, "door_cannot_lock")
    error = refusal("keeper", House(Door.OPEN, painted=True), DoorAction.PAINT)
    assert (type(error), error.code) == (Conflict, "painted")
    POLICY.check("keeper", House(Door.CLOSED), DoorAction.LOCK)  # allowed: returns quietly


def test_who_only_judges_the_person_alone() -> None:
    POLICY.check("keeper", House(Door.OPEN), DoorAction.LOCK, who_only=True)
    error = refusal("guest", House(Door.CLOSED), DoorAction.LOCK, who_only=True)
    assert error.code == "not_keeper"


def test_listing_actions_asks_about_the_person_only_when_the_state_allows() -> None:
    """Roles cost a query; the state is in memory, so it is judged first when listing."""
    asked.clear()
    POLICY.actions("keeper", House(Door.LOCKED, painted=True))
    assert asked == []

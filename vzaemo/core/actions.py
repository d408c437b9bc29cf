"""What may this person do with this object now: one answer per entity, for buttons and for services.

Each app's `permissions.py` lists its actions (a StrEnum) and, per action, the refusals that stop it:
`who` (the person: role, ownership, a confirmed email) and `when` (the object: its state machine or
a condition on its fields). `Policy.actions` is the set a page renders buttons from; `Policy.check`
is what a service calls under its row lock before it acts (check, then execute), raising the first
refusal with its stable code, so a page and a service can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django.utils.functional import Promise

from vzaemo.core.errors import DomainError, InvalidTransition, NotAllowed
from vzaemo.core.state_machine import StateMachine

A = TypeVar("A", bound=StrEnum)
T = TypeVar("T")  # the object an action is about

# Given the person and the object: None if this does not stop the action, else the error to raise.
Refusal = Callable[[Any, T], DomainError | None]


def who(allowed: Callable[[Any, T], bool], message: str | Promise, code: str) -> Refusal[T]:
    """A refusal about the person: `NotAllowed(message, code)` unless `allowed(user, obj)`."""

    def refusal(user: Any, obj: T) -> DomainError | None:
        return None if allowed(user, obj) else NotAllowed(str(message), code=code)

    return refusal


def when(
    allowed: Callable[[T], bool],
    message: str | Promise,
    code: str,
    *,
    error: type[DomainError] = NotAllowed,
) -> Refusal[T]:
    """A refusal about the object's state that is not a transition (editing a draft, a proposal window)."""

    def refusal(_user: Any, obj: T) -> DomainError | None:
        return None if allowed(obj) else error(str(message), code=code)

    return refusal


def transition(machine: StateMachine[Any], verb: str, *, status: Callable[[Any], Any] | None = None) -> Refusal[Any]:
    """A refusal from the state machine: the object's status (`status(obj)`, by default
    `obj.status_enum`) must allow `verb`."""

    def refusal(_user: Any, obj: Any) -> DomainError | None:
        try:
            machine.target(verb, status(obj) if status else obj.status_enum)
        except InvalidTransition as error:
            return error
        return None

    return refusal


@dataclass(frozen=True)
class Rule(Generic[T]):
    """What stops one action: refusals about the person, then about the object, each in order."""

    who: tuple[Refusal[T], ...] = ()
    when: tuple[Refusal[T], ...] = ()


def rule(*, who: Iterable[Refusal[T]] = (), when: Iterable[Refusal[T]] = ()) -> Rule[T]:
    return Rule(who=tuple(who), when=tuple(when))


@dataclass(frozen=True)
class Policy(Generic[A, T]):
    rules: Mapping[A, Rule[T]] = field(default_factory=dict)

    def refusal(self, user: Any, obj: T, action: A, *, who_only: bool = False) -> DomainError | None:
        """The error that stops `action`, or None. The person is judged first: someone who may never
        do this hears so, not that the object happens to be in the wrong state. `who_only` judges the
        person alone: a page that holds a form lets the service explain a wrong state on submit."""
        rule = self.rules[action]
        for refuse in rule.who if who_only else (*rule.who, *rule.when):
            error = refuse(user, obj)
            if error is not None:
                return error
        return None

    def check(self, user: Any, obj: T, action: A, *, who_only: bool = False) -> None:
        error = self.refusal(user, obj, action, who_only=who_only)
        if error is not None:
            raise error

    def actions(self, user: Any, obj: T) -> set[A]:
        # The object's state first: it is read from memory, while the person's roles take a query.
        return {
            action
            for action, rule in self.rules.items()
            if not any(refuse(user, obj) for refuse in rule.when) and not any(refuse(user, obj) for refuse in rule.who)
        }

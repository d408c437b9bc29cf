"""A small helper every `states.py` uses: the allowed transitions as data, checked in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from vzaemo.core.errors import InvalidTransition

S = TypeVar("S", bound=Enum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """`transitions` maps a verb (the service's name for the change) to (sources, target)."""

    name: str
    transitions: Mapping[str, tuple[frozenset[S], S]]
    # What people call the object, translated; `name` stays in the stable error codes.
    label: str | Promise = ""

    @classmethod
    def build(
        cls, name: str, transitions: Mapping[str, tuple[Iterable[S], S]], *, label: str | Promise = ""
    ) -> StateMachine[S]:
        return cls(
            name=name,
            transitions={verb: (frozenset(src), dst) for verb, (src, dst) in transitions.items()},
            label=label or name,
        )

    def can(self, verb: str, current: S) -> bool:
        sources, _target = self.transitions[verb]
        return current in sources

    def target(self, verb: str, current: S) -> S:
        """The state `verb` leads to from `current`, or InvalidTransition with a readable message."""
        if verb not in self.transitions:
            raise KeyError(f"{self.name}: unknown transition {verb!r}")
        sources, target = self.transitions[verb]
        if current not in sources:
            raise InvalidTransition(
                _("This action is not possible while the %(object)s is “%(state)s”.")
                % {"object": self.label or self.name, "state": getattr(current, "label", current)},
                code=f"{self.name}_cannot_{verb}".replace(" ", "_"),
            )
        return target

    def verbs_from(self, current: S) -> list[str]:
        return [verb for verb, (sources, _t) in self.transitions.items() if current in sources]

    def states(self) -> set[S]:
        found: set[S] = set()
        for sources, target in self.transitions.values():
            found |= sources
            found.add(target)
        return found

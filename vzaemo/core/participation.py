"""The one-stop registry of participation items (docs/design.md rule 11, ADR 0019).

Every participation module says once what it contributes to the one stop (the personal cabinet,
search, the participation calendar, subscriptions): it implements a `Source` in its own
`<app>/participation.py` and calls `register()` from its AppConfig.ready(). The one-stop app and the
pages read only this interface, so a new module (competitions, councils, information requests...)
joins them by adding that file and that call, and nothing else.

The interface lives in `core` so that a domain app can register without importing a higher app;
`core` itself knows no module.

An `Item` is what anyone may know about one object in the lists: a petition, an appeal, a
consultation, an auction attempt. Private objects (appeals) are items too, with `is_public=False`:
the cabinet shows them to the people involved, and the one-stop index never stores them, so no
public list can leak one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from django.utils.functional import Promise


class Whose(StrEnum):
    """Who must act by an item's next deadline."""

    # Anyone may still take part until then: sign, send a proposal, register to bid.
    PUBLIC = "public"
    # The authority owes something: moderation, registration, an answer, a report, a protocol.
    AUTHORITY = "authority"
    # The author or applicant must act (finish a draft, pay, sign).
    AUTHOR = "author"


class Party(StrEnum):
    """On whose behalf a person is involved: their own, a CSO they represent, an authority they serve."""

    PERSON = "person"
    CSO = "cso"
    AUTHORITY = "authority"


@dataclass(frozen=True)
class Item:
    """One object as the one stop lists it. Plain data: built by a `Source`, stored by the index."""

    kind: str  # the source's key, e.g. "petition"
    object_id: int
    title: str
    url: str  # the object's page (absolute path, no host)
    is_public: bool
    status: str  # the module's status code; `Source.status_label()` translates it
    updated_at: dt.datetime
    summary: str = ""  # a short text shown under the title
    # More words for search only (authority names are added by the index); never shown.
    search_text: str = ""
    authority_id: int | None = None
    region: str = ""  # an accounts.Region code; "" when the module does not know it
    # Topic or category codes, prefixed by the module's vocabulary: "topic:environment", "category:vehicle".
    subjects: tuple[str, ...] = ()
    opens_at: dt.datetime | None = None
    # The next deadline that matters to the public list, and who must act by then.
    deadline: dt.datetime | None = None
    deadline_whose: Whose | None = None


@dataclass(frozen=True)
class Involvement:
    """A person's part in one item, for the cabinet: what they (or their organisation) do there and by when."""

    object_id: int
    role: str  # a module's code: "author", "signer", "applicant", "moderator", "responder", ...
    role_label: str | Promise
    party: Party = Party.PERSON
    party_id: int | None = None  # the CSO's or the authority's id; None for the person
    deadline: dt.datetime | None = None
    deadline_whose: Whose | None = None
    # Still in progress for this party (a closed petition a person signed is history, not work).
    in_progress: bool = True


@runtime_checkable
class Source(Protocol):
    """What a module implements, once per kind of item it contributes."""

    # Read-only members, so that a module declares them as plain class attributes.
    @property
    def kind(self) -> str:
        """The stable key, stored in the index and in URLs: lower case, no spaces ("petition")."""
        ...

    @property
    def label(self) -> str | Promise:
        """One item, translated: "Petition"."""
        ...

    @property
    def label_plural(self) -> str | Promise:
        """The kind as a filter and a tile: "Petitions"."""
        ...

    @property
    def answered_statuses(self) -> frozenset[str]:
        """The statuses in which the authority has given its answer (the home page's "latest answers")."""
        ...

    def items(self, object_ids: Collection[int] | None = None) -> Iterator[Item]:
        """Every item (object_ids None: a full rebuild) or those of the given ids that still exist."""
        ...

    def statuses(self) -> list[tuple[str, str | Promise]]:
        """The status codes its public items can have, with their labels, in the module's order."""
        ...

    def status_label(self, status: str) -> str | Promise:
        """The translated label of one status code (codes the module no longer knows come back as they are)."""
        ...

    def subject_label(self, code: str) -> str | Promise | None:
        """A subject code this module uses ("topic:environment"), translated; None for a code it does not know."""
        ...

    def involvements(self, user: Any) -> Iterator[Involvement]:
        """The person's part in items of this kind: as themselves, for each CSO, for each authority."""
        ...

    def affected(self, subjects: Collection[tuple[str, str]]) -> set[int]:
        """The ids of the items that audit entries about these (subject_type, subject_id) pairs change.

        A batch, so that a module whose audit subjects are parts of an item (a proposal of a
        consultation, an award of an auction) maps them with one query, not one per entry.
        """
        ...


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add a module's source. Registering the same kind twice with another class is a programming error."""
    current = _sources.get(source.kind)
    if current is not None and type(current) is not type(source):
        raise ValueError(f"participation kind {source.kind!r} is already registered by {type(current).__name__}")
    _sources[source.kind] = source


def sources() -> list[Source]:
    """Every registered source, in registration order (the order of INSTALLED_APPS)."""
    return list(_sources.values())


def source(kind: str) -> Source | None:
    return _sources.get(kind)


def kinds() -> list[str]:
    return list(_sources)

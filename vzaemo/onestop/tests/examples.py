"""One example per registered kind of participation item, built through the modules' own services.

The one-stop tests run over `EXAMPLES`, and `test_every_registered_source_has_an_example` fails when a module
registers a source without adding its example here: a new module is covered by the cabinet, search and
calendar tests as soon as it says how to make one of its items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vzaemo.accounts.models import Region, User
from vzaemo.core.participation import Party

# The word every example's title or text carries, so that one search finds each of them.
MARKER = "Калинівка"


@dataclass(frozen=True)
class Example:
    object_id: int
    title: str
    is_public: bool
    # Someone who must see it in their cabinet, and on whose behalf.
    involved: User
    party: Party
    authority_id: int
    region: str
    # Someone unrelated: sees public items in lists, never private ones.
    outsider: User


def petition() -> Example:
    from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
    from vzaemo.petitions.tests.factories import PetitionFactory

    authority = AuthorityFactory(region=Region.POLTAVA, accepts_petitions=True)
    made = PetitionFactory(state="published", authority=authority, title=f"Сквер у селі {MARKER}")
    return Example(made.pk, made.title, True, made.author, Party.PERSON, authority.pk, Region.POLTAVA, UserFactory())


def appeal() -> Example:
    from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
    from vzaemo.appeals.tests.factories import AppealFactory

    authority = AuthorityFactory(region=Region.POLTAVA)
    made = AppealFactory(authority=authority, essence=f"Прошу відремонтувати дорогу в селі {MARKER}.")
    title = f"{made.get_kind_display()} № {made.pk}"
    return Example(made.pk, title, False, made.applicant, Party.PERSON, authority.pk, Region.POLTAVA, UserFactory())


def consultation() -> Example:
    from vzaemo.accounts.tests.factories import CsoFactory, UserFactory, representative_of
    from vzaemo.consultations.tests.factories import AuthorityFactory, ConsultationFactory, propose

    authority = AuthorityFactory(region=Region.POLTAVA)
    made = ConsultationFactory(state="open", authority=authority, title=f"Про громаду {MARKER}")
    cso = CsoFactory()
    person = representative_of(cso)
    propose(made, author=person, cso=cso)
    return Example(made.pk, made.title, True, person, Party.CSO, authority.pk, Region.POLTAVA, UserFactory())


def auction() -> Example:
    from vzaemo.accounts.tests.factories import UserFactory
    from vzaemo.auctions import services
    from vzaemo.auctions.tests import factories

    w = factories.world()
    lot = factories.lot(w)
    services.lot_update(broker=w.owner, lot_id=lot.pk, title=f"Трактор з {MARKER}", region=Region.POLTAVA)
    made = factories.auction(w, lot_=lot)
    return Example(
        made.pk, f"Трактор з {MARKER}", True, w.official, Party.AUTHORITY, w.organiser.pk, Region.POLTAVA, UserFactory()
    )


EXAMPLES: dict[str, Callable[[], Example]] = {
    "petition": petition,
    "appeal": appeal,
    "consultation": consultation,
    "auction": auction,
}

"""The cabinet: each party's part in each module, live from the sources (private items included, for those involved)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.appeals.tests.factories import AppealFactory
from vzaemo.appeals.tests.factories import official_of as appeals_official_of
from vzaemo.auctions.tests import factories as auction_factories
from vzaemo.core import participation
from vzaemo.core.participation import Party
from vzaemo.onestop import selectors
from vzaemo.onestop.models import IndexedItem
from vzaemo.onestop.tests.conftest import index_all
from vzaemo.petitions.tests.factories import PetitionFactory, sign_by

pytestmark = pytest.mark.django_db


def _lines(user: object, party: Party) -> list[selectors.CabinetLine]:
    return [line for group in selectors.cabinet(user) if group.party == party for line in group.lines]


def test_a_signer_follows_the_petition_they_signed() -> None:
    petition = PetitionFactory(state="published")
    (signer,) = sign_by(petition, 1)
    (line,) = _lines(signer, Party.PERSON)
    assert line.item.object_id == petition.pk
    assert line.involvement.role == "signer"
    assert line.involvement.deadline == petition.collection_ends_at


def test_an_appeal_is_in_the_cabinet_of_its_applicant_and_its_authority_only() -> None:
    authority = AuthorityFactory()
    official = appeals_official_of(authority)
    appeal = AppealFactory(authority=authority)
    other_official = appeals_official_of(AuthorityFactory())
    assert [line.item.object_id for line in _lines(appeal.applicant, Party.PERSON)] == [appeal.pk]
    (line,) = _lines(official, Party.AUTHORITY)
    assert line.item.object_id == appeal.pk
    assert line.involvement.party_id == authority.pk
    assert line.involvement.role == "registry"
    assert not _lines(other_official, Party.AUTHORITY)
    assert not _lines(UserFactory(), Party.PERSON)


def test_the_cabinet_is_live_and_lot_entries_map_to_their_auctions() -> None:
    w = auction_factories.world()
    made = auction_factories.auction(w)
    # The organiser sees it before any indexing.
    assert [line.item.object_id for line in _lines(w.official, Party.AUTHORITY)] == [made.pk]
    source = participation.source("auction")
    assert source is not None
    assert source.affected({("auctions.lot", str(made.lot_id))}) == {made.pk}
    assert source.affected({("auctions.auction", str(made.pk)), ("petitions.petition", "1")}) == {made.pk}
    assert source.affected({("auctions.lot", "not-a-number")}) == set()
    index_all()
    assert IndexedItem.objects.filter(kind="auction", object_id=made.pk).exists()


def test_the_cabinet_page_in_both_languages() -> None:
    petition = PetitionFactory(state="draft")
    client = Client()
    client.force_login(petition.author)
    en = client.get(reverse("web:cabinet"), headers={"Accept-Language": "en"}).content.decode()
    uk = client.get(reverse("web:cabinet"), headers={"Accept-Language": "uk"}).content.decode()
    assert petition.title in en
    assert petition.title in uk
    assert "My cabinet" in en
    assert "Мій кабінет" in uk
    assert "Mine" not in uk


def test_a_long_inbox_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "LINES_SHOWN", 2)
    authority = AuthorityFactory()
    official = appeals_official_of(authority)
    for _ in range(3):
        AppealFactory(authority=authority)
    (group,) = [g for g in selectors.cabinet(official) if g.party == Party.AUTHORITY]
    assert len(group.lines) == 2
    assert group.more == 1

"""The front page as the one stop: what is open near me, every module in one tap, answers, responsiveness."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Region
from vzaemo.accounts.tests.factories import AuthorityFactory, CsoFactory, representative_of
from vzaemo.onestop.tests.conftest import index_all
from vzaemo.petitions.tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db


def test_every_module_is_one_tap_away() -> None:
    page = Client().get(reverse("web:home")).content.decode()
    for name in ["petition_list", "appeal_create", "consultation_list", "auction_list", "calendar", "search"]:
        assert f'href="{reverse(f"web:{name}")}"' in page or f'action="{reverse(f"web:{name}")}"' in page, name


def test_open_now_near_me_follows_the_chosen_region_and_remembers_it() -> None:
    poltava = PetitionFactory(
        state="published", authority=AuthorityFactory(accepts_petitions=True, region=Region.POLTAVA)
    )
    national = PetitionFactory(state="published", authority=AuthorityFactory(accepts_petitions=True))
    index_all()
    client = Client()
    everywhere = client.get(reverse("web:home")).content.decode()
    assert poltava.title in everywhere
    assert national.title in everywhere
    lviv = client.get(reverse("web:home"), {"region": Region.LVIV}).content.decode()
    assert poltava.title not in lviv
    assert national.title in lviv  # national items concern every region
    again = client.get(reverse("web:home")).content.decode()
    assert poltava.title not in again
    # A region that does not exist is ignored, not an error.
    assert client.get(reverse("web:home"), {"region": "atlantis"}).status_code == 200


def test_a_cso_representative_sees_their_region_without_choosing() -> None:
    cso = CsoFactory(region=Region.LVIV)
    person = representative_of(cso)
    poltava = PetitionFactory(
        state="published", authority=AuthorityFactory(accepts_petitions=True, region=Region.POLTAVA)
    )
    index_all()
    client = Client()
    client.force_login(person)
    page = client.get(reverse("web:home"))
    assert page.context["region"] == Region.LVIV
    assert poltava.title not in page.content.decode()


def test_latest_answers_and_the_most_responsive() -> None:
    answered = PetitionFactory(state="answered")
    index_all()
    page = Client().get(reverse("web:home"), headers={"Accept-Language": "en"}).content.decode()
    assert answered.title in page
    assert "Latest answers from authorities" in page
    assert "Most responsive" in page
    assert answered.authority.name_en in page

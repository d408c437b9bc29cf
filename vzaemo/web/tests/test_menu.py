"""The main menu offers each person only the pages they may open, and "Appeals" leads to a page that files one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Role
from vzaemo.accounts.tests.factories import AuthorityFactory, CsoFactory, UserFactory, member_of, representative_of

pytestmark = pytest.mark.django_db

OFFICES = ("web:petition_inbox", "web:appeal_inbox", "web:consultation_office")


def menu_links(client: Client) -> list[str]:
    html = client.get(reverse("web:home")).content.decode()
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.DOTALL)
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(1))


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_cso_representative_is_offered_no_officials_pages_and_opens_every_link() -> None:
    client = signed_in(representative_of(CsoFactory()))
    links = menu_links(client)
    assert not {reverse(name) for name in OFFICES} & set(links)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_an_official_is_offered_the_pages_of_their_roles_and_opens_every_link() -> None:
    authority = AuthorityFactory()
    responder = member_of(authority, Role.RESPONDER)
    client = signed_in(responder)
    links = menu_links(client)
    assert reverse("web:petition_inbox") in links
    assert reverse("web:appeal_inbox") in links
    # Consultations are prepared by officials, not by responders.
    assert reverse("web:consultation_office") not in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_citizen_is_offered_no_officials_pages() -> None:
    links = menu_links(signed_in(UserFactory()))
    assert not {reverse(name) for name in OFFICES} & set(links)


def test_appeals_in_the_menu_lead_to_filing_one_and_to_the_statistics() -> None:
    client = Client()
    assert reverse("web:appeal_index") in menu_links(client)
    page = client.get(reverse("web:appeal_index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{reverse("web:appeal_create")}"' in html
    assert f'href="{reverse("web:appeal_statistics")}"' in html

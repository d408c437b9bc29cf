"""The index in the admin: listed for administrators, never edited there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.onestop.tests.conftest import index_all
from vzaemo.petitions.tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db


def test_the_index_is_read_only_in_the_admin(settings: Any) -> None:
    settings.VZAEMO_STAFF_MFA_REQUIRED = False
    petition = PetitionFactory(state="published")
    index_all()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    listing = client.get(reverse("admin:onestop_indexeditem_changelist"))
    assert listing.status_code == 200
    assert petition.title in listing.content.decode()
    assert client.get(reverse("admin:onestop_indexeditem_add")).status_code == 403
    assert client.get(reverse("admin:onestop_indexcursor_changelist")).status_code == 200

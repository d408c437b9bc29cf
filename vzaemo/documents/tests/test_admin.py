"""The document admin is read-only: it shows documents and refuses every change."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import User
from vzaemo.documents.tests.conftest import SHA, uploaded

pytestmark = pytest.mark.django_db

Unchanged = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def admin_client(client: Client, settings: Any) -> Client:
    settings.VZAEMO_STAFF_MFA_REQUIRED = False
    user = User.objects.create_superuser(email="admin@vzaemo.example", password="a-long-admin-password")
    client.force_login(user)
    return client


def test_the_admin_shows_documents_but_cannot_change_them(admin_client: Client, unchanged: Unchanged) -> None:
    document = uploaded()
    change_url = reverse("admin:documents_document_change", args=[document.pk])

    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert SHA in page.content.decode()
    with unchanged():
        assert admin_client.post(change_url, {"title": "Підмінений"}).status_code == 403
        assert admin_client.get(reverse("admin:documents_document_add")).status_code == 403
        assert (
            admin_client.post(
                reverse("admin:documents_document_delete", args=[document.pk]), {"post": "yes"}
            ).status_code
            == 403
        )

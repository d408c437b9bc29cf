"""The broker accreditation screen: an administrator's change leaves its audit record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import User
from vzaemo.auctions.models import Broker
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.models import AuditEntry


@pytest.mark.django_db
def test_accrediting_a_broker_in_the_admin_is_audited(settings: Any) -> None:
    settings.VZAEMO_STAFF_MFA_REQUIRED = False  # the admin's session, past the second factor
    admin = User.objects.create_superuser(email="root@example.test", password=None, full_name="Адмін")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:auctions_broker_add"),
        {"name": "Platform", "edrpou": "12345678", "can_create": "on", "is_active": "on"},
    )
    assert response.status_code == 302, response.content
    broker = Broker.objects.get()
    entry = AuditEntry.objects.get(tag=AuditTag.ADMIN_BROKER)
    assert (entry.subject_type, entry.subject_id, entry.actor) == ("auctions.broker", str(broker.pk), admin)
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["edrpou"] == "12345678"

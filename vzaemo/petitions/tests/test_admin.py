"""The signature admin: nothing is added, edited or deleted directly; removal is an audited service call."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Role, User
from vzaemo.accounts.tests.factories import MembershipFactory
from vzaemo.core.models import AuditEntry
from vzaemo.core.testing import Unchanged
from vzaemo.petitions.models import Signature
from vzaemo.petitions.states import PetitionStatus
from vzaemo.petitions.tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:petitions_signature_changelist"


@pytest.fixture
def admin_user(settings: Any) -> User:
    settings.VZAEMO_STAFF_MFA_REQUIRED = False
    return User.objects.create_superuser(email="admin@example.test", password=None, full_name="Адмін Тестовий")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def remove(client: Client, signature: Signature, **extra: str) -> Any:
    data = {"action": "remove_selected", "_selected_action": [str(signature.pk)], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_signatures_cannot_be_added_changed_or_deleted_in_the_admin(admin_user: User, unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED, signers=1)
    signature = petition.signatures.get()
    client = logged_in(admin_user)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    with unchanged():
        delete = reverse("admin:petitions_signature_delete", args=[signature.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert client.get(reverse("admin:petitions_signature_add")).status_code == 403
        # The bulk delete action is not offered: the admin answers "no action selected".
        response = client.post(
            reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [str(signature.pk)], "post": "yes"}
        )
        assert response.status_code == 302


def test_the_remove_action_asks_for_a_reason_then_removes_through_the_service(
    admin_user: User, unchanged: Unchanged
) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED, signers=2)
    MembershipFactory(user=admin_user, authority=petition.authority, role=Role.MODERATOR)
    signature = petition.signatures.order_by("pk").first()
    assert signature is not None
    client = logged_in(admin_user)

    with unchanged():
        asked = remove(client, signature)
        assert asked.status_code == 200
        assert 'name="reason"' in asked.content.decode()
        blank = remove(client, signature, confirm="yes", reason="   ")
        assert blank.status_code == 200
        assert 'name="reason"' in blank.content.decode()

    done = remove(client, signature, confirm="yes", reason="Підписи одного бота.")
    assert done.status_code == 302
    assert not Signature.objects.filter(pk=signature.pk).exists()
    petition.refresh_from_db()
    assert petition.signature_count == 1
    entry = AuditEntry.objects.get(tag="petition:signature-remove", subject_id=str(signature.pk))
    assert (entry.actor, entry.after) == (admin_user, {"reason": "Підписи одного бота."})


def test_the_remove_action_refuses_an_administrator_who_is_not_a_moderator(
    admin_user: User, unchanged: Unchanged
) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED, signers=1)
    signature = petition.signatures.get()
    client = logged_in(admin_user)
    with unchanged():
        response = remove(client, signature, confirm="yes", reason="Бот.")
        assert response.status_code == 302
    messages = [str(m) for m in client.get(reverse(CHANGELIST)).context["messages"]]
    # The admin speaks the site's default language, Ukrainian.
    assert any("може лише модератор" in message for message in messages), messages

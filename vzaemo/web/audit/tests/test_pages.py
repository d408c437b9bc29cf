"""The public audit pages: the chain's hashes and checkpoints for anyone, never the entries' payloads."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from vzaemo.core import audit
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.models import AuditCheckpoint, AuditEntry
from vzaemo.core.tests.test_audit import make_chain, signing_key  # noqa: F401 (signing_key: an autouse fixture)

# The sealer reads behind a server-wide watermark: no other test worker may hold a transaction open.
pytestmark = [pytest.mark.django_db, pytest.mark.serial]


def test_public_page_shows_hashes_but_never_payloads(client: Client) -> None:
    entries = make_chain(3)
    response = client.get(reverse("web:audit_log"))

    assert response.status_code == 200
    body = response.content.decode()
    assert entries[-1].entry_hash in body
    assert AuditCheckpoint.objects.get().signature in body
    assert "Олена" not in body
    assert "published" not in body
    assert reverse("web:audit_verify") in body
    assert "<script>" not in body
    assert "style=" not in body


def test_public_page_paginates_by_fifty(client: Client) -> None:
    make_chain(51)
    first = client.get(reverse("web:audit_log")).context["page_obj"]
    second = client.get(reverse("web:audit_log"), {"page": 2}).context["page_obj"]

    assert [e.position for e in first.object_list][:2] == [51, 50]
    assert len(first.object_list) == 50
    assert [e.position for e in second.object_list] == [1]


def test_verify_endpoint(client: Client) -> None:
    make_chain(3)
    data = client.get(reverse("web:audit_verify")).json()

    assert data["ok"] is True
    assert data["entries_checked"] == 3
    assert data["first_broken_position"] is None
    assert data["reason"] is None
    assert data["head"]["size"] == 3
    assert data["head"]["signature_valid"] is True

    cache.clear()
    AuditEntry.objects.filter(position=2).update(after={"forged": True})
    broken = client.get(reverse("web:audit_verify")).json()
    assert (broken["ok"], broken["first_broken_position"]) == (False, 2)


def test_public_key_endpoint_lets_anyone_check_a_checkpoint(client: Client) -> None:
    make_chain(2)
    data = client.get(reverse("web:audit_public_key")).json()
    head = client.get(reverse("web:audit_verify")).json()["head"]

    keys = {k["key_id"]: k["public_key"] for k in data["keys"]}
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys[head["key_id"]]))
    message = f"vzaemo-audit-checkpoint\n{head['size']}\n{head['head_hash']}\n{head['created_at']}".encode()
    public.verify(base64.b64decode(head["signature"]), message)  # raises when invalid


def test_public_endpoints_refuse_writes(client: Client) -> None:
    assert client.post(reverse("web:audit_verify")).status_code == 405


def test_public_page_names_actions_and_objects_in_words_and_dates_as_the_site_does(client: Client) -> None:
    audit.record(actor=None, subject=("petitions.petition", 7), tag=AuditTag.PETITION_SIGN, before=None, after=None)
    assert audit.seal() == 1
    assert audit.publish_checkpoint(min_interval=0) is not None
    client.cookies["django_language"] = "uk"
    body = client.get(reverse("web:audit_log")).content.decode()
    assert "Петицію підписано" in body
    assert "Петиція №7" in body
    assert "petitions.petition" not in body
    assert ">petition:sign<" not in body
    # The site's date format ("3 грудня 2026 19:05:00"), not an ISO stamp.
    assert "T" not in body.split("<dd><time")[1].split("</time>")[0].split(">", 1)[1]

"""/audit/checkpoints.json: every signed checkpoint, for witnesses to keep and open data to include (ADR 0015)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.core import signing
from vzaemo.core.tests.test_audit import make_chain, signing_key  # noqa: F401 (signing_key: an autouse fixture)
from vzaemo.core.tests.test_audit_witness import grow, verify_command, witness_log  # noqa: F401 (autouse)
from vzaemo.web.audit import views

# The sealer reads behind a server-wide watermark: no other test worker may hold a transaction open.
pytestmark = [pytest.mark.django_db, pytest.mark.serial]


def test_the_published_checkpoints_document_is_accepted_as_saved(client: Client, tmp_path: Path) -> None:
    make_chain(2)
    grow(1)
    response = client.get(reverse("web:audit_checkpoints"))
    assert response.status_code == 200
    document = response.json()
    assert [item["size"] for item in document["checkpoints"]] == [2, 3]
    assert document["next"] is None
    assert document["public_keys"]["current_key_id"] == signing.current_key_id()
    saved = tmp_path / "checkpoints.json"
    saved.write_bytes(response.content)
    grow(1)

    assert "2 witnessed checkpoints" in verify_command("--witness", str(saved))
    assert [i["size"] for i in client.get(reverse("web:audit_checkpoints"), {"after": 2}).json()["checkpoints"]] == [
        3,
        4,
    ]


def test_the_checkpoints_document_pages(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "CHECKPOINTS_PER_PAGE", 2)
    make_chain(1)
    grow(1)
    grow(1)

    first = client.get(reverse("web:audit_checkpoints")).json()
    assert [i["size"] for i in first["checkpoints"]] == [1, 2]
    assert first["next"].endswith(reverse("web:audit_checkpoints") + "?after=2")
    assert [i["size"] for i in client.get(first["next"]).json()["checkpoints"]] == [3]


def test_the_checkpoints_document_refuses_a_bad_cursor(client: Client) -> None:
    response = client.get(reverse("web:audit_checkpoints"), {"after": "x"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "after"

"""Shared fixtures of the document tests: a signing key, a documents root and `unchanged()` per test."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import time_machine

from vzaemo.core import testing
from vzaemo.core.testing import Unchanged
from vzaemo.documents import conf

if TYPE_CHECKING:
    from vzaemo.documents import services
    from vzaemo.documents.models import Document

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
CONTENT = "Протокол електронного аукціону № 1\n".encode() * 100
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "ed25519.pem"
    settings.VZAEMO_SIGNING_KEY_PATH = str(path)
    settings.VZAEMO_SIGNING_RETIRED_KEYS = []
    return path


@pytest.fixture(autouse=True)
def documents_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VZAEMO_SITE_URL = "https://vzaemo.example"
    return conf.root()


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def register(**overrides: Any) -> services.Registration:
    from vzaemo.documents import services

    data: dict[str, Any] = {
        "sha256": SHA,
        "title": "Протокол аукціону",
        "format": "application/pdf",
        "owner_type": "broker",
        "owner_id": "7",
        **overrides,
    }
    return services.document_register(**data)


def uploaded(content: bytes = CONTENT, **overrides: Any) -> Document:
    from django.core.files.base import ContentFile

    from vzaemo.documents import services

    registration = register(sha256=hashlib.sha256(content).hexdigest(), **overrides)
    return services.document_upload(document_id=registration.document.pk, file=ContentFile(content))


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def unchanged(db: None, documents_root: Path) -> Unchanged:
    """`with unchanged(), pytest.raises(...)`: the refusal left the database and the disk exactly as they were
    (the files, staging included)."""
    return functools.partial(testing.unchanged, lambda: files_under(documents_root))

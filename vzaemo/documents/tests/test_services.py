"""Registering and uploading documents: each write leaves its record and its file; each refusal says why
(error type and code) and changes nothing, neither a row nor a file (docs/design.md rule 10)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from vzaemo.core.errors import Conflict, NotAllowed, ValidationFailed
from vzaemo.core.models import AuditEntry
from vzaemo.core.testing import Unchanged
from vzaemo.documents import services, storage
from vzaemo.documents.models import Document, DocumentMode
from vzaemo.documents.tests.conftest import CONTENT, NOW, SHA, files_under, register, uploaded

pytestmark = pytest.mark.django_db


def test_register_stores_the_declared_metadata_and_records_it() -> None:
    registration = register(sha256=SHA.upper(), title="  Протокол \n аукціону ", format="Application/PDF")
    document = Document.objects.get()

    assert registration.document == document
    assert (document.sha256, document.title, document.format) == (SHA, "Протокол аукціону", "application/pdf")
    assert (document.owner_type, document.owner_id, document.mode) == ("broker", "7", DocumentMode.REAL)
    assert document.registered_at == NOW
    assert not document.is_uploaded
    assert document.size is None
    assert len(document.storage_name.rsplit("/", 1)[-1]) == 32  # random, not from the client
    assert registration.upload_url.startswith(f"/documents/{document.pk}/upload?expires=")
    assert registration.url.startswith(f"https://vzaemo.example/documents/{document.pk}?KeyID=")
    entry = AuditEntry.objects.get()
    assert (entry.tag, entry.subject_type, entry.subject_id) == (
        "document:register",
        "documents.document",
        str(document.pk),
    )
    assert entry.actor_label == "broker:7"
    assert entry.after is not None
    assert entry.after["sha256"] == SHA


def test_upload_stores_the_file_once_and_records_it(documents_root: Path) -> None:
    document = register().document

    result = services.document_upload(document_id=document.pk, file=SimpleUploadedFile("a.pdf", CONTENT))

    document.refresh_from_db()
    assert result.size == document.size == len(CONTENT)
    assert document.uploaded_at == NOW
    assert storage.path_of(document.storage_name).read_bytes() == CONTENT
    assert files_under(documents_root) == [document.storage_name]  # staging is empty
    assert list(AuditEntry.objects.order_by("pk").values_list("tag", flat=True)) == [
        "document:register",
        "document:upload",
    ]


def test_upload_accepts_a_plain_binary_stream() -> None:
    document = register().document
    services.document_upload(document_id=document.pk, file=io.BytesIO(CONTENT))
    assert Document.objects.get().size == len(CONTENT)


def test_a_new_version_is_a_new_document() -> None:
    first = uploaded()
    second = register(previous_id=first.pk, title="Протокол (виправлений)").document

    assert second.pk != first.pk
    assert second.previous == first
    assert list(first.next_versions.all()) == [second]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"sha256": "abc"}, "sha256_invalid"),
        ({"sha256": "g" * 64}, "sha256_invalid"),
        ({"sha256": "md5:" + "0" * 32}, "sha256_invalid"),
        ({"title": "   "}, "title_required"),
        ({"title": "x" * 256}, "title_invalid"),
        ({"title": "a\x00b"}, "title_invalid"),
        ({"format": "pdf"}, "format_invalid"),
        ({"format": "text/html; charset=utf-8"}, "format_invalid"),
        ({"owner_type": ""}, "owner_invalid"),
        ({"owner_id": "7 or 1=1"}, "owner_invalid"),
        ({"mode": "sandbox"}, "mode_invalid"),
    ],
)
def test_register_refuses_bad_input(unchanged: Unchanged, overrides: dict[str, Any], code: str) -> None:
    with unchanged(), pytest.raises(ValidationFailed) as caught:
        register(**overrides)
    assert caught.value.code == code


def test_a_version_must_have_an_existing_predecessor_of_the_same_owner_and_mode(unchanged: Unchanged) -> None:
    first = uploaded()
    with unchanged():
        with pytest.raises(NotAllowed) as foreign:
            register(previous_id=first.pk, owner_id="8")
        with pytest.raises(ValidationFailed) as mode:
            register(previous_id=first.pk, mode=DocumentMode.TEST)
        with pytest.raises(ValidationFailed) as missing:
            register(previous_id="00000000-0000-4000-8000-000000000000")
    assert (foreign.value.code, mode.value.code, missing.value.code) == (
        "previous_not_owned",
        "previous_mode_mismatch",
        "previous_not_found",
    )


def test_a_file_with_another_hash_is_refused_and_nothing_is_stored(unchanged: Unchanged) -> None:
    document = register().document
    with unchanged(), pytest.raises(ValidationFailed) as caught:
        services.document_upload(document_id=document.pk, file=ContentFile(CONTENT + b"!"))
    assert caught.value.code == "document_hash_mismatch"
    assert not Document.objects.get().is_uploaded


def test_an_oversized_file_is_refused_while_streaming(unchanged: Unchanged, settings: Any) -> None:
    settings.VZAEMO_DOCUMENT_MAX_BYTES = len(CONTENT) - 1
    document = register().document
    with unchanged(), pytest.raises(ValidationFailed) as caught:
        services.document_upload(document_id=document.pk, file=ContentFile(CONTENT))
    assert caught.value.code == "document_too_large"


def test_a_file_of_exactly_the_limit_is_accepted(settings: Any) -> None:
    settings.VZAEMO_DOCUMENT_MAX_BYTES = len(CONTENT)
    assert uploaded().size == len(CONTENT)


def test_an_empty_file_is_refused(unchanged: Unchanged) -> None:
    document = register(sha256=hashlib.sha256(b"").hexdigest()).document
    with unchanged(), pytest.raises(ValidationFailed) as caught:
        services.document_upload(document_id=document.pk, file=ContentFile(b""))
    assert caught.value.code == "document_empty"


def test_a_second_upload_is_refused_and_keeps_the_first(unchanged: Unchanged) -> None:
    document = uploaded()
    with unchanged(), pytest.raises(Conflict) as caught:
        services.document_upload(document_id=document.pk, file=ContentFile(CONTENT))
    assert caught.value.code == "document_already_uploaded"


def test_an_upload_that_loses_the_race_is_refused_after_streaming(unchanged: Unchanged, monkeypatch: Any) -> None:
    """Two uploads streamed at once: the compare-and-set lets exactly one record its file."""
    document = register().document
    stage = storage.stage

    def stage_then_lose_the_race(*args: Any, **kwargs: Any) -> storage.Staged:
        staged = stage(*args, **kwargs)
        monkeypatch.setattr(storage, "stage", stage)
        services.document_upload(document_id=document.pk, file=ContentFile(CONTENT))  # the competitor wins
        return staged

    monkeypatch.setattr(storage, "stage", stage_then_lose_the_race)
    with pytest.raises(Conflict) as caught:
        services.document_upload(document_id=document.pk, file=ContentFile(CONTENT))
    assert caught.value.code == "document_already_uploaded"
    assert AuditEntry.objects.filter(tag="document:upload").count() == 1


def test_an_unknown_document_cannot_be_uploaded(unchanged: Unchanged) -> None:
    with unchanged(), pytest.raises(NotAllowed) as caught:
        services.document_upload(document_id="00000000-0000-4000-8000-000000000000", file=ContentFile(CONTENT))  # type: ignore[arg-type]
    assert caught.value.code == "document_not_found"


def test_a_failed_rename_records_no_upload(unchanged: Unchanged, monkeypatch: Any) -> None:
    document = register().document

    def broken_disk(*args: Any, **kwargs: Any) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(storage, "place", broken_disk)
    with unchanged(), pytest.raises(OSError, match="disk full"):
        services.document_upload(document_id=document.pk, file=ContentFile(CONTENT))


# --- immutability ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Інший протокол"},
        {"sha256": "0" * 64},
        {"format": "text/html"},
        {"owner_id": "8"},
        {"mode": "test"},
        {"storage_name": "../../etc/passwd"},
        {"size": 1},
        {"uploaded_at": NOW.replace(year=2027)},
    ],
)
def test_the_database_refuses_to_change_an_uploaded_document(unchanged: Unchanged, change: dict[str, Any]) -> None:
    document = uploaded()
    with unchanged(), pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(**change)


def test_save_cannot_rewrite_a_registered_document(unchanged: Unchanged) -> None:
    document = register().document
    document.title = "Підмінений"
    with unchanged(), pytest.raises(IntegrityError), transaction.atomic():
        document.save()


def test_no_service_changes_a_document_after_upload() -> None:
    """The services module offers registration and upload only; a change is a new version."""
    writers = {name for name in vars(services) if name.startswith("document_") and callable(getattr(services, name))}
    assert writers == {
        "document_register",
        "document_upload",
        "document_upload_url",
        "document_permanent_url",
        "document_download_url",
    }

"""Every write to documents (docs/design.md rule 1): register a hash, then upload the file once.

1. `document_register(*, sha256, title, format, owner_type, owner_id, ...)` inserts the document with its
   declared hash and returns it with a signed upload link (expiring) and its permanent URL (signed with
   Ed25519; the broker API refuses it until the file is uploaded).
2. `document_upload(*, document_id, file)` streams the file into staging while computing size and sha256,
   refuses it when it is too large, empty or not the registered hash (nothing is stored), then records
   the upload once: a compare-and-set UPDATE on `uploaded_at IS NULL`, so two concurrent uploads cannot
   both win (no check-then-act).

3. `image_store(*, file, title, owner_type, owner_id, ...)` is both steps for an image people upload to the
   platform itself (a lot photo): the content is checked and re-encoded without metadata first
   (`images.prepare`), then the image and its thumbnail are registered and uploaded as two documents.

Nothing else ever writes a document: its metadata is immutable (models.py). Both writes leave an audit
record in their transaction. Permission to upload is the upload link, checked by the edge
(`selectors.document_for_upload`).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from vzaemo.core import audit, clock
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vzaemo.documents import conf, images, links, storage
from vzaemo.documents.errors import DocumentError
from vzaemo.documents.models import Document, DocumentMode

TITLE_MAX = 255
FORMAT_MAX = 100
OWNER_TYPE_MAX = 40
OWNER_ID_MAX = 64

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
# type "/" subtype, RFC 6838 restricted names, without parameters.
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
_OWNER = re.compile(r"^[A-Za-z0-9_.:-]+$")


@dataclass(frozen=True)
class Registration:
    document: Document
    upload_url: str  # path of the expiring upload link (POST the file as multipart field "file")
    url: str  # the permanent, signed URL


def _clean(*, sha256: str, title: str, format: str, owner_type: str, owner_id: str, mode: str) -> tuple[str, str, str]:
    if not _SHA256.match(sha256 or ""):
        raise ValidationFailed(
            _("The hash must be 64 hexadecimal digits of SHA-256."), code=DocumentError.SHA256_INVALID, field="sha256"
        )
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed(_("Give the document a title."), code=DocumentError.TITLE_REQUIRED, field="title")
    if len(title) > TITLE_MAX or not title.isprintable():
        raise ValidationFailed(
            _("The title is too long or has control characters."), code=DocumentError.TITLE_INVALID, field="title"
        )
    format = (format or "").strip().lower()
    if len(format) > FORMAT_MAX or not _MIME.match(format):
        raise ValidationFailed(
            _("The format must be a MIME type such as application/pdf."),
            code=DocumentError.FORMAT_INVALID,
            field="format",
        )
    for value, limit, field in ((owner_type, OWNER_TYPE_MAX, "owner_type"), (owner_id, OWNER_ID_MAX, "owner_id")):
        if not value or len(value) > limit or not _OWNER.match(value):
            raise ValidationFailed(
                _("The document needs a valid owner."), code=DocumentError.OWNER_INVALID, field=field
            )
    if mode not in DocumentMode.values:
        raise ValidationFailed(_("The mode must be real or test."), code=DocumentError.MODE_INVALID, field="mode")
    return sha256.lower(), title, format


def _registered_data(document: Document) -> dict[str, Any]:
    return {
        "sha256": document.sha256,
        "title": document.title,
        "format": document.format,
        "owner": f"{document.owner_type}:{document.owner_id}",
        "mode": document.mode,
        "previous": str(document.previous_id) if document.previous_id else None,
    }


def document_upload_url(document: Document) -> str:
    return links.expiring_path(links.UPLOAD, document.id, document.sha256, lifetime=conf.upload_link_seconds())


def document_permanent_url(document: Document) -> str:
    """The absolute permanent URL of `document`, signed by the current key (see links.py)."""
    return links.permanent_url(document.id, document.sha256)


def document_download_url(document: Document) -> str:
    """A download link valid for `VZAEMO_DOCUMENT_DOWNLOAD_LINK_SECONDS` from now."""
    return links.expiring_path(links.DOWNLOAD, document.id, document.sha256, lifetime=conf.download_link_seconds())


@transaction.atomic
def document_register(
    *,
    sha256: str,
    title: str,
    format: str,
    owner_type: str,
    owner_id: str,
    mode: str = DocumentMode.REAL,
    previous_id: uuid.UUID | None = None,
    actor: Any = None,
) -> Registration:
    """Register a file by its hash before it is uploaded. `previous_id` makes it a new version of a
    document of the same owner and mode (documents never change; versions are new documents)."""
    sha256, title, format = _clean(
        sha256=sha256, title=title, format=format, owner_type=owner_type, owner_id=owner_id, mode=mode
    )
    previous = None
    if previous_id is not None:
        previous = Document.objects.filter(pk=previous_id).first()
        if previous is None:
            raise ValidationFailed(
                _("There is no such previous document."), code=DocumentError.PREVIOUS_NOT_FOUND, field="previous"
            )
        if (previous.owner_type, previous.owner_id) != (owner_type, owner_id):
            raise NotAllowed(
                _("Only the owner may add a version of a document."), code=DocumentError.PREVIOUS_NOT_OWNED
            )
        if previous.mode != mode:
            raise ValidationFailed(
                _("A version must have the mode of its predecessor."), code=DocumentError.PREVIOUS_MODE_MISMATCH
            )
    now = clock.now()
    document = Document.objects.create(
        sha256=sha256,
        title=title,
        format=format,
        owner_type=owner_type,
        owner_id=owner_id,
        mode=mode,
        previous=previous,
        storage_name=storage.new_storage_name(now.year, now.month),
        registered_at=now,
    )
    audit.record(
        actor=actor if actor is not None else f"{owner_type}:{owner_id}",
        subject=document,
        tag=AuditTag.DOCUMENT_REGISTER,
        before=None,
        after=_registered_data(document),
    )
    return Registration(
        document=document, upload_url=document_upload_url(document), url=document_permanent_url(document)
    )


def _uploadable(document_id: uuid.UUID) -> Document:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("There is no such document."), code=DocumentError.DOCUMENT_NOT_FOUND)
    if document.is_uploaded:
        raise Conflict(
            _("This document has been uploaded already; a new version is a new document."),
            code=DocumentError.DOCUMENT_ALREADY_UPLOADED,
        )
    return document


def document_upload(*, document_id: uuid.UUID, file: File[bytes] | BinaryIO, actor: Any = None) -> Document:
    """Store the file of a registered document, if it is exactly the registered hash and not too large.

    The file is streamed before any row is locked, so a slow 50 MB upload holds no database lock.
    """
    document = _uploadable(document_id)  # fail fast, before reading a byte
    limit = conf.max_bytes()
    try:
        staged = storage.stage(file, max_bytes=limit)
    except storage.TooLarge:
        raise ValidationFailed(
            _("The file is larger than %(limit)d bytes.") % {"limit": limit},
            code=DocumentError.DOCUMENT_TOO_LARGE,
            field="file",
        ) from None
    try:
        if staged.size == 0:
            raise ValidationFailed(_("The file is empty."), code=DocumentError.DOCUMENT_EMPTY, field="file")
        if staged.sha256 != document.sha256:
            raise ValidationFailed(
                _("The file is not the one registered: its SHA-256 differs."),
                code=DocumentError.DOCUMENT_HASH_MISMATCH,
                field="file",
            )
        with transaction.atomic():
            now = clock.now()
            updated = Document.objects.filter(pk=document.pk, uploaded_at__isnull=True).update(
                size=staged.size, uploaded_at=now
            )
            if updated != 1:
                raise Conflict(
                    _("This document has been uploaded already."), code=DocumentError.DOCUMENT_ALREADY_UPLOADED
                )
            document.size, document.uploaded_at = staged.size, now
            audit.record(
                actor=actor if actor is not None else f"{document.owner_type}:{document.owner_id}",
                subject=document,
                tag=AuditTag.DOCUMENT_UPLOAD,
                before=None,
                after={"sha256": document.sha256, "size": staged.size},
            )
            # Last inside the transaction: if the rename fails, the upload is not recorded.
            storage.place(staged, document.storage_name)
    finally:
        storage.discard(staged)  # a no-op once placed
    return document


@dataclass(frozen=True)
class StoredImage:
    image: Document
    thumbnail: Document
    width: int
    height: int
    thumbnail_width: int
    thumbnail_height: int


def _store_bytes(
    *, encoded: images.Encoded, title: str, owner_type: str, owner_id: str, mode: str, actor: Any
) -> Document:
    registration = document_register(
        sha256=hashlib.sha256(encoded.content).hexdigest(),
        title=title,
        format=encoded.format,
        owner_type=owner_type,
        owner_id=owner_id,
        mode=mode,
        actor=actor,
    )
    return document_upload(document_id=registration.document.pk, file=io.BytesIO(encoded.content), actor=actor)


@transaction.atomic
def image_store(
    *,
    file: File[bytes] | BinaryIO,
    title: str,
    owner_type: str,
    owner_id: str,
    mode: str = DocumentMode.REAL,
    actor: Any = None,
) -> StoredImage:
    """Check an uploaded image by its content and store it, re-encoded without metadata, with its thumbnail.

    A refused file (not an image, too large, too many pixels) is refused before anything is written.
    """
    prepared = images.prepare(file)
    image = _store_bytes(
        encoded=prepared.image, title=title, owner_type=owner_type, owner_id=owner_id, mode=mode, actor=actor
    )
    thumbnail = _store_bytes(
        encoded=prepared.thumbnail,
        title=f"{title} (thumbnail)",
        owner_type=owner_type,
        owner_id=owner_id,
        mode=mode,
        actor=actor,
    )
    return StoredImage(
        image=image,
        thumbnail=thumbnail,
        width=prepared.image.width,
        height=prepared.image.height,
        thumbnail_width=prepared.thumbnail.width,
        thumbnail_height=prepared.thumbnail.height,
    )

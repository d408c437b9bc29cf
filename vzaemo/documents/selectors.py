"""Reads of documents that depend on a signed URL: the capability is the permission.

`document_verify_url` is what the broker API calls on every document URL a broker sends: it accepts only a
permanent URL this service signed (openprocurement's `check_document`: "Can add document only from document
service"), of an uploaded document, and returns that document. The broker API should store
`services.document_permanent_url(document)`, the canonical form, rather than the string it received.

Each refusal is a `DomainError` with a stable code:

| code | when |
|---|---|
| `document_url_foreign` | another origin, another path, a fragment: not a URL of this service |
| `document_url_invalid` | `KeyID` / `Signature` missing, repeated, or other parameters present |
| `document_key_unknown` | `KeyID` is neither the current nor a retired key |
| `document_signature_invalid` | the signature is malformed or does not cover this id and the stored hash |
| `document_not_found` | no document has this id |
| `document_not_uploaded` | signed, but its file has not been uploaded yet |
| `document_hash_mismatch` | the caller's claimed sha256 differs from the registered one |
| `document_not_owned` / `document_mode_mismatch` | another owner's document / a test document in a real object or back |
| `link_invalid` / `link_expired` | a download or upload link that this service did not sign / that has expired |
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.utils.translation import gettext as _

from vzaemo.core import signing
from vzaemo.core.errors import NotAllowed, NotFound, ValidationFailed
from vzaemo.documents import links
from vzaemo.documents.errors import DocumentError
from vzaemo.documents.models import Document

SIGNATURE_BYTES = 64
SIGNED_URL_PARAMS = frozenset({"KeyID", "Signature"})


def _foreign() -> NotAllowed:
    return NotAllowed(
        _("Only documents from the Vzaemo document service are accepted."), code=DocumentError.DOCUMENT_URL_FOREIGN
    )


def _parse(url: str) -> tuple[uuid.UUID, str, bytes]:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _foreign() from None
    origin = urlsplit(links.site_origin())
    if (parts.scheme or parts.netloc) and (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        raise _foreign()
    if parts.fragment or not parts.path.startswith(links.PATH_PREFIX):
        raise _foreign()
    tail = parts.path.removeprefix(links.PATH_PREFIX)
    try:
        document_id = uuid.UUID(tail)
    except ValueError:
        raise _foreign() from None
    if str(document_id) != tail:  # one spelling: lowercase, hyphenated
        raise _foreign()
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        pairs = []
    params = dict(pairs)
    if len(pairs) != len(SIGNED_URL_PARAMS) or set(params) != SIGNED_URL_PARAMS:
        raise NotAllowed(
            _("The document URL must carry exactly KeyID and Signature."), code=DocumentError.DOCUMENT_URL_INVALID
        )
    key_id = params["KeyID"]
    if key_id not in signing.public_keys():
        raise NotAllowed(_("The document URL is signed by an unknown key."), code=DocumentError.DOCUMENT_KEY_UNKNOWN)
    signature = links.from_b64url(params["Signature"])
    if signature is None or len(signature) != SIGNATURE_BYTES:
        raise NotAllowed(_("The document URL's signature is not valid."), code=DocumentError.DOCUMENT_SIGNATURE_INVALID)
    return document_id, key_id, signature


def document_verify_url(
    url: str,
    *,
    sha256: str | None = None,
    owner: tuple[str, str] | None = None,
    mode: str | None = None,
) -> Document:
    """The uploaded document a permanent URL names, if this service signed it (with any key of the ring).

    Optional expectations of the caller: the `sha256` the broker declared, the `owner` (type, id) that must
    have registered it, the `mode` (real/test) of the object it is attached to.
    """
    document_id, key_id, signature = _parse(url)
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("There is no such document."), code=DocumentError.DOCUMENT_NOT_FOUND)
    if not links.verify_permanent(document.id, document.sha256, key_id=key_id, signature=signature):
        raise NotAllowed(_("The document URL's signature is not valid."), code=DocumentError.DOCUMENT_SIGNATURE_INVALID)
    if not document.is_uploaded:
        raise NotAllowed(_("The document's file has not been uploaded yet."), code=DocumentError.DOCUMENT_NOT_UPLOADED)
    if sha256 is not None and sha256.lower() != document.sha256:
        raise ValidationFailed(
            _("The hash does not match the document's."), code=DocumentError.DOCUMENT_HASH_MISMATCH, field="hash"
        )
    if owner is not None and (document.owner_type, document.owner_id) != owner:
        raise NotAllowed(_("This document belongs to someone else."), code=DocumentError.DOCUMENT_NOT_OWNED)
    if mode is not None and document.mode != mode:
        raise ValidationFailed(
            _("The document's mode (real/test) does not match."), code=DocumentError.DOCUMENT_MODE_MISMATCH
        )
    return document


def _by_link(purpose: str, *, document_id: Any, expires: str, sig: str) -> Document:
    invalid = NotAllowed(_("This link is not valid."), code=DocumentError.LINK_INVALID)
    expiry = links.parse_expires(expires)
    document = Document.objects.filter(pk=document_id).first() if isinstance(document_id, uuid.UUID) else None
    if expiry is None or document is None:
        raise invalid
    if not links.expiring_signature_valid(purpose, document.id, document.sha256, expires=expiry, sig=sig or ""):
        raise invalid
    if links.expired(expiry):
        raise NotAllowed(_("This link has expired; ask for a new one."), code=DocumentError.LINK_EXPIRED)
    return document


def document_for_download(*, document_id: uuid.UUID, expires: str, sig: str) -> Document:
    """The uploaded document a download link grants, while the link is valid."""
    document = _by_link(links.DOWNLOAD, document_id=document_id, expires=expires, sig=sig)
    if not document.is_uploaded:
        raise NotAllowed(_("The document's file has not been uploaded yet."), code=DocumentError.DOCUMENT_NOT_UPLOADED)
    return document


def document_for_upload(*, document_id: uuid.UUID, expires: str, sig: str) -> Document:
    """The document an upload link grants, while the link is valid (whether uploaded is the service's check)."""
    return _by_link(links.UPLOAD, document_id=document_id, expires=expires, sig=sig)

"""The stable codes of the document service's refusals: clients and tests match on the code, people read the message."""

from __future__ import annotations

from enum import StrEnum


class DocumentError(StrEnum):
    DOCUMENT_ALREADY_UPLOADED = "document_already_uploaded"
    DOCUMENT_EMPTY = "document_empty"
    DOCUMENT_FILE_MISSING = "document_file_missing"
    DOCUMENT_HASH_MISMATCH = "document_hash_mismatch"
    DOCUMENT_KEY_UNKNOWN = "document_key_unknown"
    DOCUMENT_MODE_MISMATCH = "document_mode_mismatch"
    DOCUMENT_NOT_FOUND = "document_not_found"
    DOCUMENT_NOT_OWNED = "document_not_owned"
    DOCUMENT_NOT_UPLOADED = "document_not_uploaded"
    DOCUMENT_SIGNATURE_INVALID = "document_signature_invalid"
    DOCUMENT_TOO_LARGE = "document_too_large"
    DOCUMENT_URL_FOREIGN = "document_url_foreign"
    DOCUMENT_URL_INVALID = "document_url_invalid"
    FILE_REQUIRED = "file_required"
    FORMAT_INVALID = "format_invalid"
    IMAGE_INVALID = "image_invalid"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    LINK_EXPIRED = "link_expired"
    LINK_INVALID = "link_invalid"
    MODE_INVALID = "mode_invalid"
    OWNER_INVALID = "owner_invalid"
    PREVIOUS_MODE_MISMATCH = "previous_mode_mismatch"
    PREVIOUS_NOT_FOUND = "previous_not_found"
    PREVIOUS_NOT_OWNED = "previous_not_owned"
    SHA256_INVALID = "sha256_invalid"
    TITLE_INVALID = "title_invalid"
    TITLE_REQUIRED = "title_required"

"""The document service's settings, with their defaults in one place.

| Setting | Default | Meaning |
|---|---|---|
| `VZAEMO_DOCUMENTS_ROOT` | `MEDIA_ROOT / "documents"` | where files live; never served directly (no MEDIA_URL route) |
| `VZAEMO_DOCUMENT_MAX_BYTES` | 50 MiB | the largest file `document_upload` accepts |
| `VZAEMO_DOCUMENT_DOWNLOAD_LINK_SECONDS` | 300 | lifetime of a download link (openprocurement's 300 s) |
| `VZAEMO_DOCUMENT_UPLOAD_LINK_SECONDS` | 3600 | lifetime of the upload link `document_register` returns |
| `VZAEMO_IMAGE_MAX_BYTES` | 15 MiB | the largest image file `image_store` reads (a photo from a phone fits) |
| `VZAEMO_IMAGE_MAX_PIXELS` | 40 million | the most pixels an image may declare; more is refused before decoding (a decompression bomb) |
| `VZAEMO_IMAGE_MAX_EDGE` | 2560 | the longest side of a stored image; larger ones are scaled down |
| `VZAEMO_IMAGE_THUMBNAIL_EDGE` | 480 | the longest side of a thumbnail (twice a list's 240 px, for dense screens) |
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_DOWNLOAD_LINK_SECONDS = 300
DEFAULT_UPLOAD_LINK_SECONDS = 3600
DEFAULT_IMAGE_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_IMAGE_MAX_PIXELS = 40_000_000
DEFAULT_IMAGE_MAX_EDGE = 2560
DEFAULT_IMAGE_THUMBNAIL_EDGE = 480


def root() -> Path:
    configured = getattr(settings, "VZAEMO_DOCUMENTS_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "documents"


def max_bytes() -> int:
    return int(getattr(settings, "VZAEMO_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def download_link_seconds() -> int:
    return int(getattr(settings, "VZAEMO_DOCUMENT_DOWNLOAD_LINK_SECONDS", DEFAULT_DOWNLOAD_LINK_SECONDS))


def upload_link_seconds() -> int:
    return int(getattr(settings, "VZAEMO_DOCUMENT_UPLOAD_LINK_SECONDS", DEFAULT_UPLOAD_LINK_SECONDS))


def image_max_bytes() -> int:
    return int(getattr(settings, "VZAEMO_IMAGE_MAX_BYTES", DEFAULT_IMAGE_MAX_BYTES))


def image_max_pixels() -> int:
    return int(getattr(settings, "VZAEMO_IMAGE_MAX_PIXELS", DEFAULT_IMAGE_MAX_PIXELS))


def image_max_edge() -> int:
    return int(getattr(settings, "VZAEMO_IMAGE_MAX_EDGE", DEFAULT_IMAGE_MAX_EDGE))


def image_thumbnail_edge() -> int:
    return int(getattr(settings, "VZAEMO_IMAGE_THUMBNAIL_EDGE", DEFAULT_IMAGE_THUMBNAIL_EDGE))

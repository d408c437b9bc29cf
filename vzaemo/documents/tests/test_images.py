"""Images stored through the document service: checked by content, re-encoded without metadata, thumbnailed
once; a bad file gets a clear error and leaves nothing in the database or on disk."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from vzaemo.core.errors import ValidationFailed
from vzaemo.core.testing import Refused
from vzaemo.documents import services, storage
from vzaemo.documents.errors import DocumentError
from vzaemo.documents.models import Document
from vzaemo.documents.tests.pictures import GPS_IFD, picture, png_declaring

pytestmark = pytest.mark.django_db


def store(content: bytes) -> services.StoredImage:
    return services.image_store(file=io.BytesIO(content), title="Лот 1: фото", owner_type="auction-lot", owner_id="1")


def reopen(document: Document) -> Image.Image:
    with storage.open_document(document.storage_name) as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
        return image


def test_a_jpeg_is_turned_upright_stripped_of_exif_and_thumbnailed_once(settings: Any) -> None:
    settings.VZAEMO_IMAGE_THUMBNAIL_EDGE = 24
    original = picture("JPEG", (64, 48), exif=True)
    assert b"SecretCam" in original
    stored = store(original)
    image, thumbnail = reopen(stored.image), reopen(stored.thumbnail)
    # Orientation 6 applied to the pixels: 64x48 becomes 48x64, and nothing is left to rotate it again.
    assert (image.size, (stored.width, stored.height)) == ((48, 64), (48, 64))
    assert (thumbnail.size, (stored.thumbnail_width, stored.thumbnail_height)) == ((18, 24), (18, 24))
    for kept in (image, thumbnail):
        assert kept.format == "JPEG"
        assert not kept.getexif()
        assert not kept.getexif().get_ifd(GPS_IFD)
        assert "exif" not in kept.info
        assert "icc_profile" not in kept.info
    with storage.open_document(stored.image.storage_name) as file:
        assert b"SecretCam" not in file.read()
    assert (stored.image.format, stored.thumbnail.format) == ("image/jpeg", "image/jpeg")
    assert stored.image.is_uploaded
    assert stored.thumbnail.is_uploaded
    assert Document.objects.count() == 2


def test_a_png_keeps_its_transparency_and_loses_its_text_chunks() -> None:
    stored = store(picture("PNG", (30, 20), mode="RGBA"))
    image = reopen(stored.image)
    assert (image.format, image.mode, stored.image.format) == ("PNG", "RGBA", "image/png")
    assert "Comment" not in image.info
    assert image.getpixel((0, 0)) == (0, 0, 255, 255)


def test_a_webp_is_stored_as_webp() -> None:
    stored = store(picture("WEBP", (40, 40)))
    assert (reopen(stored.image).format, stored.thumbnail.format) == ("WEBP", "image/webp")


def test_a_large_image_is_scaled_down_to_the_longest_edge_allowed(settings: Any) -> None:
    settings.VZAEMO_IMAGE_MAX_EDGE = 50
    stored = store(picture("PNG", (200, 100)))
    assert (stored.width, stored.height) == (50, 25)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", DocumentError.IMAGE_INVALID),
        ("Договір купівлі-продажу".encode(), DocumentError.IMAGE_INVALID),
        (b"%PDF-1.7\n1 0 obj\n", DocumentError.IMAGE_INVALID),
        (picture("GIF"), DocumentError.IMAGE_INVALID),
        (picture("JPEG", (200, 200))[:300], DocumentError.IMAGE_INVALID),
        (png_declaring(100_000, 100_000), DocumentError.IMAGE_TOO_MANY_PIXELS),
        (png_declaring(8_000, 6_000), DocumentError.IMAGE_TOO_MANY_PIXELS),
    ],
    ids=["empty", "text", "pdf", "gif", "truncated", "bomb", "too-many-pixels"],
)
def test_a_bad_image_is_refused_with_its_reason_and_stores_nothing(
    refused: Refused, content: bytes, code: DocumentError
) -> None:
    refused(ValidationFailed, code, lambda: store(content))
    assert not Document.objects.exists()


def test_a_file_over_the_byte_limit_is_refused_before_it_is_decoded(settings: Any, refused: Refused) -> None:
    settings.VZAEMO_IMAGE_MAX_BYTES = 1000
    content = picture("PNG", (300, 300))
    content += b"\0" * max(0, 1001 - len(content))
    refused(ValidationFailed, DocumentError.IMAGE_TOO_LARGE, lambda: store(content))

"""Images people upload (lot photos): checked by their content, re-encoded without metadata, thumbnailed once.

Nothing here trusts the file's name or declared type. Pillow identifies the content among JPEG, PNG and WebP
only; the pixel count the header declares is checked before a single pixel is decoded, so a small file that
unpacks into gigabytes (a decompression bomb) is refused cheaply; then the image is decoded, turned upright by
its EXIF orientation and encoded anew from its pixels alone. Re-encoding is what strips EXIF (GPS position,
camera serial numbers), XMP, ICC profiles and comments: the output carries only what is written here. The
thumbnail is made in the same pass, so a page never resizes anything.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from vzaemo.core.errors import ValidationFailed
from vzaemo.documents import conf
from vzaemo.documents.errors import DocumentError

# Pillow's format name -> the MIME type stored with the document.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
JPEG_QUALITY = 85
WEBP_QUALITY = 82


@dataclass(frozen=True)
class Encoded:
    content: bytes
    format: str  # MIME type
    width: int
    height: int


@dataclass(frozen=True)
class Prepared:
    image: Encoded
    thumbnail: Encoded


def _read(file: File[bytes] | BinaryIO, limit: int) -> bytes:
    if isinstance(file, File) and hasattr(file, "seek"):
        file.seek(0)
    content = file.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(
            _("The image is larger than %(mib).0f MiB.") % {"mib": limit / 1024 / 1024},
            code=DocumentError.IMAGE_TOO_LARGE,
            field="file",
        )
    return bytes(content)


def _not_an_image() -> ValidationFailed:
    return ValidationFailed(
        _("The file is not a JPEG, PNG or WebP image, or it is damaged."),
        code=DocumentError.IMAGE_INVALID,
        field="file",
    )


def _too_many_pixels(limit: int) -> ValidationFailed:
    return ValidationFailed(
        _("The image has more than %(megapixels)d megapixels; take a smaller one.")
        % {"megapixels": limit // 1_000_000},
        code=DocumentError.IMAGE_TOO_MANY_PIXELS,
        field="file",
    )


def _open(content: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; here any bomb is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image() from None
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError):
        raise _not_an_image() from None
    return image


def _encode(image: Image.Image, source_format: str) -> Encoded:
    buffer = io.BytesIO()
    if source_format == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif source_format == "WEBP":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "PNG", optimize=True)
    return Encoded(buffer.getvalue(), FORMATS[source_format], image.width, image.height)


def _pixels_only(image: Image.Image, source_format: str) -> Image.Image:
    """The upright pixels in a mode the format stores, with no metadata left to write."""
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
    mode = "RGBA" if has_alpha and source_format != "JPEG" else "RGB"
    clean = upright.convert(mode)
    clean.info = {}
    return clean


def prepare(file: File[bytes] | BinaryIO) -> Prepared:
    """The image to store and its thumbnail, or a `ValidationFailed` saying what is wrong with the file."""
    max_pixels = conf.image_max_pixels()
    content = _read(file, conf.image_max_bytes())
    if not content:
        raise _not_an_image()
    source = _open(content, max_pixels)
    source_format = str(source.format)
    image = _pixels_only(source, source_format)
    edge = conf.image_max_edge()
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.info = {}
    small = conf.image_thumbnail_edge()
    thumbnail.thumbnail((small, small), Image.Resampling.LANCZOS)
    return Prepared(image=_encode(image, source_format), thumbnail=_encode(thumbnail, source_format))

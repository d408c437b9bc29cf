"""Images made in memory for the tests: with metadata to strip, and broken in the ways uploads break."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
ORIENTATION = 0x0112
ROTATED_90 = 6  # EXIF: the camera was turned; viewers rotate 90° clockwise


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, mode: str = "RGB", exif: bool = False) -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    image.putpixel((0, 0), (0, 0, 255, 255) if mode == "RGBA" else (0, 0, 255))
    buffer = io.BytesIO()
    extra: dict[str, object] = {}
    if exif:
        tags = Image.Exif()
        tags[ORIENTATION] = ROTATED_90
        tags[0x010F] = "SecretCam"  # Make
        tags[0x0131] = "Firmware 1.2.3 serial 998877"  # Software
        tags.get_ifd(GPS_IFD)[2] = (50.0, 27.0, 0.0)  # GPSLatitude
        extra["exif"] = tags.tobytes()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "shot at home, Khreshchatyk 1")
        extra["pnginfo"] = info
    image.save(buffer, fmt, **extra)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels: decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )

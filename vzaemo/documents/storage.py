"""Files of documents on disk, under `conf.root()`.

An upload is streamed into `.staging/` (a private, exclusively created file) while its size and sha256 are
computed; it is moved to its final name only when both are right, with an atomic rename in the same
filesystem. A refused upload therefore leaves no file behind. The final name is random, chosen at
registration, and never comes from the client.

A file whose database transaction rolls back after the rename stays at its name with exactly the
registered content (the hash was checked); a later upload of the same document replaces it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.files import File

from vzaemo.documents import conf

STAGING = ".staging"
CHUNK = 64 * 1024


class TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Staged:
    path: Path
    size: int
    sha256: str


def new_storage_name(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/{secrets.token_hex(16)}"


def path_of(storage_name: str) -> Path:
    root = conf.root().resolve()
    path = (root / storage_name).resolve()
    if root not in path.parents:
        raise ValueError(f"storage name {storage_name!r} leaves the documents root")
    return path


def _chunks(file: File[bytes] | BinaryIO) -> Iterator[bytes]:
    if isinstance(file, File):
        if hasattr(file, "seek"):
            file.seek(0)
        yield from file.chunks(CHUNK)
        return
    while chunk := file.read(CHUNK):
        yield chunk


def stage(file: File[bytes] | BinaryIO, *, max_bytes: int) -> Staged:
    """Copy `file` into the staging area, hashing as it streams; TooLarge as soon as it passes `max_bytes`."""
    directory = conf.root() / STAGING
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / secrets.token_hex(16)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(file):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path=path, size=size, sha256=digest.hexdigest())


def discard(staged: Staged) -> None:
    staged.path.unlink(missing_ok=True)


def place(staged: Staged, storage_name: str) -> Path:
    final = path_of(storage_name)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, final)
    return final


def open_document(storage_name: str) -> BinaryIO:
    return path_of(storage_name).open("rb")

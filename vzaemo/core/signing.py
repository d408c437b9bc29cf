"""Ed25519 signatures for statements the platform publishes (audit checkpoints, documents, links).

One private key signs: `settings.VZAEMO_SIGNING_KEY` when set (the key itself, PEM or base64 of the raw
32 bytes, passed in the environment), otherwise the file `settings.VZAEMO_SIGNING_KEY_PATH` (PEM, PKCS#8).
Either way it can live off the database host (ADR 0015). Verification accepts any key
in the public key ring: the current key plus retired ones (`settings.VZAEMO_SIGNING_RETIRED_KEYS`, a list
of PEM paths, public or private), so statements signed before a rotation stay verifiable. A key is
named by its key id: the first 16 hex characters of sha256 over the raw 32-byte public key.

The demo generates the key when it is absent; a deployment that must never do that (the key is
provisioned by operators) sets `VZAEMO_SIGNING_KEY_AUTOGENERATE = False`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("vzaemo.signing")


@dataclass(frozen=True)
class Signature:
    key_id: str
    value: str  # base64 of the 64-byte Ed25519 signature

    def __str__(self) -> str:
        return self.value


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public_bytes(public_key)).hexdigest()[:16]


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: when two processes start at once, exactly one key wins and the other loads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    logger.warning("generated a new Ed25519 signing key at %s", path)


@cache
def _load_private(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        if not getattr(settings, "VZAEMO_SIGNING_KEY_AUTOGENERATE", True):
            raise ImproperlyConfigured(f"Signing key {file} is missing and autogeneration is off.")
        _generate(file)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{file} is not an Ed25519 private key.")
    return key


@cache
def _load_public(path: str) -> Ed25519PublicKey:
    data = Path(path).read_bytes()
    key: object
    if b"PRIVATE KEY" in data:
        key = serialization.load_pem_private_key(data, password=None).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 key.")
    return key


@cache
def _parse_private(text: str) -> Ed25519PrivateKey:
    """The key given as text: PEM (PKCS#8), or base64 of the raw 32-byte private key."""
    text = text.strip()
    key: object
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as error:
        # The message never repeats the value: it is a secret.
        raise ImproperlyConfigured(f"VZAEMO_SIGNING_KEY is not a readable Ed25519 private key ({error}).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("VZAEMO_SIGNING_KEY is not an Ed25519 private key.")
    return key


def private_key() -> Ed25519PrivateKey:
    inline = getattr(settings, "VZAEMO_SIGNING_KEY", "")
    if inline:
        return _parse_private(inline)
    return _load_private(str(settings.VZAEMO_SIGNING_KEY_PATH))


def current_key_id() -> str:
    return key_id_of(private_key().public_key())


def public_keys() -> dict[str, Ed25519PublicKey]:
    """The key ring by key id: the current key first, then retired ones."""
    current = private_key().public_key()
    ring = {key_id_of(current): current}
    for path in getattr(settings, "VZAEMO_SIGNING_RETIRED_KEYS", []):
        retired = _load_public(str(path))
        ring.setdefault(key_id_of(retired), retired)
    return ring


def load_public_ring(data: bytes) -> dict[str, Ed25519PublicKey]:
    """Keys a verifier pins instead of the platform's ring: a PEM public key, or the JSON the platform publishes
    at /audit/public-key.json (`{"keys": [{"public_key": base64 of the raw key}, ...]}`).

    Raises ValueError with a reason a person can act on."""
    if b"PRIVATE KEY" in data:
        raise ValueError("that is a private key; give the public key (a witness never needs the private one)")
    if b"-----BEGIN" in data:
        key = serialization.load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return {key_id_of(key): key}
    try:
        document = json.loads(data)
        raws = [base64.b64decode(item["public_key"], validate=True) for item in document["keys"]]
        keys = [Ed25519PublicKey.from_public_bytes(raw) for raw in raws]
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise ValueError(f"neither a PEM public key nor the published key ring JSON ({error})") from None
    if not keys:
        raise ValueError("the key ring lists no keys")
    return {key_id_of(key): key for key in keys}


def public_keys_b64() -> dict[str, str]:
    """The key ring as key id -> base64 of the raw 32-byte public key, for publication."""
    return {kid: base64.b64encode(raw_public_bytes(key)).decode() for kid, key in public_keys().items()}


def sign(message: bytes) -> Signature:
    key = private_key()
    return Signature(key_id=key_id_of(key.public_key()), value=base64.b64encode(key.sign(message)).decode())


def verify(message: bytes, *, signature: str, key_id: str, ring: dict[str, Ed25519PublicKey] | None = None) -> bool:
    """True when `signature` (base64) over `message` is valid for `key_id` in `ring` (default: the platform's)."""
    key = (public_keys() if ring is None else ring).get(key_id)
    if key is None:
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True

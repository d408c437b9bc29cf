"""The document service's URLs and their signatures (no database here).

* **Permanent URL** `/documents/<uuid>?KeyID=<kid>&Signature=<sig>`: `sig` is the unpadded base64url of an
  Ed25519 signature by `core.signing`'s current key over `vzaemo-document\\n<uuid>\\n<sha256>`, and `kid` is
  that key's id. It never expires: a key rotation moves the old key to `VZAEMO_SIGNING_RETIRED_KEYS`, where it
  still verifies. Unlike openprocurement's `"{uuid}\\0{md5}"` the message carries a purpose prefix (no
  signature of this key can be replayed as another kind of statement) and sha256, not md5.
* **Download link** `/documents/<uuid>/download?expires=<unix>&sig=<hmac>` and **upload link**
  `/documents/<uuid>/upload?expires=<unix>&sig=<hmac>`: short-lived capabilities that only this deployment
  issues and checks, so they are HMAC-SHA256 under `SECRET_KEY` (Django's `Signer`, which also accepts
  `SECRET_KEY_FALLBACKS` during a secret rotation), each purpose with its own salt. `expires` comes from
  `core.clock`; a link is valid while `now < expires`.

Every signature is checked in canonical form only (one encoding per signature), so a URL the service
signed has exactly one spelling.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.signing import Signer
from django.utils.crypto import constant_time_compare

from vzaemo.core import clock, signing

# Where vzaemo.web.documents.urls is mounted; a test checks that the URLconf agrees.
PATH_PREFIX = "/documents/"
PERMANENT_PREFIX = "vzaemo-document"
DOWNLOAD = "download"
UPLOAD = "upload"

_EXPIRES = re.compile(r"^[0-9]{1,12}$")


def permanent_message(document_id: uuid.UUID, sha256: str) -> bytes:
    return f"{PERMANENT_PREFIX}\n{document_id}\n{sha256}".encode()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# A signature or key in a URL is far shorter; a longer string is refused before it is decoded.
ENCODED_MAX_LENGTH = 200


def from_b64url(text: str) -> bytes | None:
    """The bytes of a canonical unpadded base64url string, else None (no padding, no stray bits)."""
    if not text or len(text) > ENCODED_MAX_LENGTH or "=" in text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if b64url(raw) == text else None


def permanent_path(document_id: uuid.UUID) -> str:
    return f"{PATH_PREFIX}{document_id}"


def permanent_url(document_id: uuid.UUID, sha256: str) -> str:
    """The absolute permanent URL, signed now by the current key."""
    signature = signing.sign(permanent_message(document_id, sha256))
    query = urlencode({"KeyID": signature.key_id, "Signature": b64url(base64.b64decode(signature.value))})
    return f"{site_origin()}{permanent_path(document_id)}?{query}"


def verify_permanent(document_id: uuid.UUID, sha256: str, *, key_id: str, signature: bytes) -> bool:
    return signing.verify(
        permanent_message(document_id, sha256), signature=base64.b64encode(signature).decode(), key_id=key_id
    )


def site_origin() -> str:
    return str(settings.VZAEMO_SITE_URL).rstrip("/")


# --- expiring links (HMAC) ------------------------------------------------------------------------


def _signer() -> Signer:
    return Signer(salt="vzaemo.documents.links", algorithm="sha256")


def _link_message(purpose: str, document_id: uuid.UUID, sha256: str, expires: int) -> str:
    return f"vzaemo-document-{purpose}\n{document_id}\n{sha256}\n{expires}"


def expiring_path(purpose: str, document_id: uuid.UUID, sha256: str, *, lifetime: int) -> str:
    expires = int(clock.now().timestamp()) + lifetime
    sig = _signer().signature(_link_message(purpose, document_id, sha256, expires))
    return f"{permanent_path(document_id)}/{purpose}?{urlencode({'expires': expires, 'sig': sig})}"


def parse_expires(text: str) -> int | None:
    return int(text) if _EXPIRES.match(text or "") else None


def expiring_signature_valid(purpose: str, document_id: uuid.UUID, sha256: str, *, expires: int, sig: str) -> bool:
    signer = _signer()
    message = _link_message(purpose, document_id, sha256, expires)
    return any(
        constant_time_compare(sig, signer.signature(message, key=key)) for key in [signer.key, *signer.fallback_keys]
    )


def expired(expires: int) -> bool:
    return clock.now().timestamp() >= expires

"""Participation links: Ed25519 over ("{auction_id}_{bid_id}"), as openprocurement's bidder links.

The signature is `<key id>.<base64url signature>`, so links issued before a key rotation keep
working while the old public key stays in the ring (core.signing). Only the broker API issues links,
and only to qualified bidders; a link names its bid, so a tampered or foreign link fails here.
"""

from __future__ import annotations

import base64
import binascii

from django.urls import reverse

from vzaemo.core import signing

PURPOSE = "vzaemo-live-bidder"


def _message(auction_id: int, bid_id: int) -> bytes:
    return f"{PURPOSE}\n{auction_id}_{bid_id}".encode()


def sign(auction_id: int, bid_id: int) -> str:
    signature = signing.sign(_message(auction_id, bid_id))
    raw = base64.b64decode(signature.value)
    return f"{signature.key_id}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}"


# An Ed25519 signature is 86 base64url characters; a longer string is refused before it is decoded.
SIGNATURE_MAX_LENGTH = 200


def verify(auction_id: int, bid_id: int, signature: str) -> bool:
    key_id, dot, value = (signature or "").partition(".")
    if not dot or not key_id or not value or len(value) > SIGNATURE_MAX_LENGTH:
        return False
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return False
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != value:  # one spelling per signature
        return False
    return signing.verify(_message(auction_id, bid_id), signature=base64.b64encode(raw).decode(), key_id=key_id)


def participation_path(auction_id: int, bid_id: int) -> str:
    """The bidder page's path with its signature (the origin is the edge's business)."""
    path = reverse("web:live-bidder", kwargs={"auction_id": auction_id, "bid_id": bid_id})
    return f"{path}?sig={sign(auction_id, bid_id)}"

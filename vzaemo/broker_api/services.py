"""Keys and owner tokens: issue, check. Secrets leave this module once and are stored only as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db.models import Q

from vzaemo.auctions.models import Broker
from vzaemo.broker_api.models import ApiKey, OwnerToken
from vzaemo.core import clock

PREFIX_LENGTH = 8


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_fill(key: ApiKey) -> str:
    """Give an unsaved key a fresh secret (prefix, hash, date); return the secret, which is not stored."""
    secret = secrets.token_urlsafe(32)
    key.prefix, key.secret_hash, key.created_at = secret[:PREFIX_LENGTH], _digest(secret), clock.now()
    return secret


def api_key_issue(broker: Broker, *, name: str = "default") -> tuple[ApiKey, str]:
    """A new key for `broker`; the secret is returned here and never again."""
    key = ApiKey(broker=broker, name=name)
    secret = api_key_fill(key)
    key.save()
    return key, secret


def api_key_revoke(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def broker_for_secret(secret: str) -> Broker | None:
    """The active broker of a live key, or None. Hashes are compared in constant time."""
    if len(secret) < PREFIX_LENGTH:
        return None
    digest = _digest(secret)
    candidates = ApiKey.objects.filter(
        prefix=secret[:PREFIX_LENGTH], revoked_at__isnull=True, broker__is_active=True
    ).select_related("broker")
    found = None
    for key in candidates:
        if hmac.compare_digest(key.secret_hash, digest):
            found = key.broker
    return found


def owner_token_issue(*, kind: str, object_id: int, broker: Broker) -> tuple[str, str]:
    """(token, transfer) for a new object; call in the transaction that created the object."""
    token, transfer = secrets.token_hex(16), secrets.token_hex(16)
    OwnerToken.objects.create(
        kind=kind,
        object_id=object_id,
        broker=broker,
        token_hash=_digest(token),
        transfer_hash=_digest(transfer),
        created_at=clock.now(),
    )
    return token, transfer


def owner_token_matches(*, kind: str, object_id: int, broker: Broker, token: str | None) -> bool:
    """True when `token` is the owner token of the object and `broker` holds it."""
    if not token:
        return False
    row = OwnerToken.objects.filter(Q(kind=kind) & Q(object_id=object_id)).first()
    if row is None:
        return False
    return hmac.compare_digest(row.token_hash, _digest(token)) and row.broker_id == broker.pk

"""Keys and owner tokens: issue, check, move. Secrets leave this module once and are stored only as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from vzaemo.auctions import services as auctions
from vzaemo.auctions.models import Auction, Broker
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import ApiKey, IntegrationKey, OwnerToken, SpentTransfer
from vzaemo.core import clock

PREFIX_LENGTH = 8

Key = TypeVar("Key", ApiKey, IntegrationKey)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_fill(key: Key) -> str:
    """Give an unsaved key (a broker's or an integration's) a fresh secret (prefix, hash, date); return the
    secret, which is not stored."""
    secret = secrets.token_urlsafe(32)
    key.prefix, key.secret_hash, key.created_at = secret[:PREFIX_LENGTH], _digest(secret), clock.now()
    return secret


def api_key_issue(broker: Broker, *, name: str = "default") -> tuple[ApiKey, str]:
    """A new key for `broker`; the secret is returned here and never again."""
    key = ApiKey(broker=broker, name=name)
    secret = api_key_fill(key)
    key.save()
    return key, secret


def api_key_revoke(key: ApiKey | IntegrationKey) -> None:
    type(key).objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def integration_key_issue(role: str, *, name: str = "default") -> tuple[IntegrationKey, str]:
    """A new key of an integration (bank feed, auction engine, administrator); the secret is returned once."""
    key = IntegrationKey(role=role, name=name)
    secret = api_key_fill(key)
    key.save()
    return key, secret


def _live_key(keys: QuerySet[Key], secret: str) -> Key | None:
    """The live key whose hash matches, or None. Hashes are compared in constant time."""
    if len(secret) < PREFIX_LENGTH:
        return None
    digest = _digest(secret)
    found = None
    for key in keys.filter(prefix=secret[:PREFIX_LENGTH], revoked_at__isnull=True):
        if hmac.compare_digest(key.secret_hash, digest):
            found = key
    return found


def broker_for_secret(secret: str) -> Broker | None:
    """The active broker of a live key, or None."""
    key = _live_key(ApiKey.objects.filter(broker__is_active=True).select_related("broker"), secret)
    return key.broker if key is not None else None


def integration_for_secret(secret: str) -> IntegrationKey | None:
    """The live integration key, or None."""
    return _live_key(IntegrationKey.objects.all(), secret)


# --- owner tokens ---------------------------------------------------------------------------------------


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


def _token_object_id(kind: str, object_id: int) -> int | None:
    """The object whose token guards `object_id`: itself, or for a later attempt of a lot (created by the
    CDB, not by a broker) the attempt before it, back to the first, whose creator holds the token."""
    if kind != OwnerToken.Kind.AUCTION:
        return object_id
    current: int | None = object_id
    while current is not None:
        if OwnerToken.objects.filter(kind=kind, object_id=current).exists():
            return current
        current = Auction.objects.filter(pk=current).values_list("previous_id", flat=True).first()
    return None


def owner_token_matches(*, kind: str, object_id: int, broker: Broker, token: str | None) -> bool:
    """True when `token` is the owner token of the object (see `_token_object_id`) and `broker` holds it."""
    if not token:
        return False
    guarded = _token_object_id(kind, object_id)
    row = OwnerToken.objects.filter(kind=kind, object_id=guarded).first() if guarded is not None else None
    if row is None:
        return False
    return hmac.compare_digest(row.token_hash, _digest(token)) and row.broker_id == broker.pk


def _bad_transfer(description: str) -> ApiError:
    return ApiError(403, location="body", name="data.transfer", description=description)


@transaction.atomic
def ownership_change(*, kind: str, object_id: int, broker: Broker, transfer: str) -> tuple[str, str]:
    """`broker` takes the object over with its transfer key (reference/auctions.md §1.2): the domain service
    moves the owner (revision and audit), the token row moves to `broker` with a new token and a new transfer
    key, which are returned, and the key used is spent: it never works again. A refusal changes nothing."""
    guarded = _token_object_id(kind, object_id)
    row = (
        OwnerToken.objects.select_for_update().filter(kind=kind, object_id=guarded).first()
        if guarded is not None
        else None
    )
    digest = _digest(transfer or "")
    if row is None or not hmac.compare_digest(row.transfer_hash, digest):
        if SpentTransfer.objects.filter(transfer_hash=digest).exists():
            raise _bad_transfer("This transfer key has been used already; a transfer key works once.")
        raise _bad_transfer("This is not the object's transfer key.")
    if kind == OwnerToken.Kind.LOT:
        auctions.lot_transfer(broker=broker, lot_id=object_id)
    elif kind == OwnerToken.Kind.AUCTION:
        auctions.auction_transfer(broker=broker, auction_id=object_id)
    else:
        auctions.bid_transfer(broker=broker, bid_id=object_id)
    now = clock.now()
    try:
        with transaction.atomic():
            SpentTransfer.objects.create(
                kind=kind,
                object_id=row.object_id,
                transfer_hash=row.transfer_hash,
                from_broker_id=row.broker_id,
                to_broker=broker,
                used_at=now,
            )
    except IntegrityError:  # a 128-bit random key cannot repeat; a concurrent use lost the row lock race
        raise _bad_transfer("This transfer key has been used already; a transfer key works once.") from None
    token, new_transfer = secrets.token_hex(16), secrets.token_hex(16)
    row.broker, row.token_hash, row.transfer_hash = broker, _digest(token), _digest(new_transfer)
    row.save(update_fields=["broker", "token_hash", "transfer_hash"])
    return token, new_transfer

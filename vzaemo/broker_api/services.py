"""Keys and owner tokens: issue, check, move; and the writes that create an object together with its owner
token. Secrets leave this module once and are stored only as SHA-256; the audit log never sees them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from vzaemo.accounts.models import Authority
from vzaemo.auctions import services as auctions
from vzaemo.auctions.models import Auction, Bid, Broker, Lot
from vzaemo.auctions.states import Mode
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import ApiKey, IntegrationKey, OwnerToken, SpentTransfer
from vzaemo.core import audit, clock
from vzaemo.core.audit_tags import AuditTag

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


@transaction.atomic
def api_key_issue(broker: Broker, *, name: str = "default", actor: Any = None) -> tuple[ApiKey, str]:
    """A new key for `broker`; the secret is returned here and never again."""
    key = ApiKey(broker=broker, name=name)
    secret = api_key_fill(key)
    key.save()
    audit.record(
        actor=actor,
        subject=key,
        tag=AuditTag.BROKER_API_API_KEY_ISSUE,
        before=None,
        after={"broker": broker.pk, "name": name},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(key: ApiKey | IntegrationKey, *, actor: Any = None) -> None:
    """The key stops working now; revoking a revoked key changes nothing (and records nothing)."""
    now = clock.now()
    if not type(key).objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now):
        return
    tag = AuditTag.BROKER_API_API_KEY_REVOKE if isinstance(key, ApiKey) else AuditTag.BROKER_API_INTEGRATION_KEY_REVOKE
    audit.record(actor=actor, subject=key, tag=tag, before={"revoked_at": None}, after={"revoked_at": now.isoformat()})


@transaction.atomic
def integration_key_issue(role: str, *, name: str = "default", actor: Any = None) -> tuple[IntegrationKey, str]:
    """A new key of an integration (bank feed, auction engine, administrator); the secret is returned once."""
    key = IntegrationKey(role=role, name=name)
    secret = api_key_fill(key)
    key.save()
    audit.record(
        actor=actor,
        subject=key,
        tag=AuditTag.BROKER_API_INTEGRATION_KEY_ISSUE,
        before=None,
        after={"role": role, "name": name},
    )
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


class Access(NamedTuple):
    """An object's owner token and its transfer key, as the broker gets them (once)."""

    token: str
    transfer: str


def owner_token_issue(*, kind: str, object_id: int, broker: Broker) -> Access:
    """The owner token and transfer key of a new object; call in the transaction that created the object."""
    token, transfer = secrets.token_hex(16), secrets.token_hex(16)
    row = OwnerToken.objects.create(
        kind=kind,
        object_id=object_id,
        broker=broker,
        token_hash=_digest(token),
        transfer_hash=_digest(transfer),
        created_at=clock.now(),
    )
    audit.record(
        actor=broker,
        subject=row,
        tag=AuditTag.BROKER_API_OWNER_TOKEN_ISSUE,
        before=None,
        after={"kind": kind, "object_id": object_id, "broker": broker.pk},
    )
    return Access(token, transfer)


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
def ownership_change(*, kind: str, object_id: int, broker: Broker, transfer: str) -> Access:
    """`broker` takes the object over with its transfer key (docs/reference/auctions.md §1.2): the domain service
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
    return Access(token, new_transfer)


# --- a new object and its owner token, in one transaction ---------------------------------------------------


@transaction.atomic
def lot_create(
    *,
    broker: Broker,
    organiser: Authority,
    organiser_kind: str,
    title: str,
    description: str,
    category: str,
    region: str,
    address: str = "",
    enforcement_proceeding: str,
    encumbrances: str = "",
    start_value: Decimal | str,
    mode: str = Mode.REAL,
) -> tuple[Lot, Access]:
    """The lot (`auctions.services.lot_create`) and the owner token of the broker that listed it."""
    lot = auctions.lot_create(
        broker=broker,
        organiser=organiser,
        organiser_kind=organiser_kind,
        title=title,
        description=description,
        category=category,
        region=region,
        address=address,
        enforcement_proceeding=enforcement_proceeding,
        encumbrances=encumbrances,
        start_value=start_value,
        mode=mode,
    )
    return lot, owner_token_issue(kind=OwnerToken.Kind.LOT, object_id=lot.pk, broker=broker)


@transaction.atomic
def auction_create(
    *, broker: Broker, lot_id: int, procedure: str, auction_start: dt.datetime | None = None
) -> tuple[Auction, Access]:
    """The lot's first attempt as a draft (`auctions.services.auction_create`) and its owner token; the lot's
    later attempts are guarded by this token too (see `_token_object_id`)."""
    auction = auctions.auction_create(broker=broker, lot_id=lot_id, procedure=procedure, auction_start=auction_start)
    return auction, owner_token_issue(kind=OwnerToken.Kind.AUCTION, object_id=auction.pk, broker=broker)


@transaction.atomic
def bid_create(
    *, broker: Broker, auction_id: int, bidder_name: str, bidder_identifier: str, value: Decimal | str | None = None
) -> tuple[Bid, Access]:
    """A draft bid (`auctions.services.bid_create`) and the owner token of the broker that registered it."""
    bid = auctions.bid_create(
        broker=broker,
        auction_id=auction_id,
        bidder_name=bidder_name,
        bidder_identifier=bidder_identifier,
        value=value,
    )
    return bid, owner_token_issue(kind=OwnerToken.Kind.BID, object_id=bid.pk, broker=broker)

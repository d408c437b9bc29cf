"""One-time keys that make a repeated state-changing request return its first result (docs/design.md rule 12).

A double click, a browser's resend or a retry after a timeout sends the same request twice; without a key,
each copy repeats its effect (a second appeal, a second duty in the responsiveness index). With one:

* `issue()` makes a key for one display of a form: random, stamped with the platform time and signed, so
  `verify()` can later tell a key this site issued, and its age, without storing anything at display time.
* A service takes the key with `claim()` inside its own transaction, before its effect: one INSERT into a
  unique (scope, key). The first request goes on and `Claim.settle()`s the row with what it created; a
  repeat, even one racing the first on another connection, collides with that row (PostgreSQL makes it wait
  for the first to commit) and gets the first result back, so the effect happens once. A refused request
  rolls its claim back with everything else, so the corrected form can be sent with the same key.
* `purge()` (a chronograph job) drops rows older than the keys' lifetime: by then `verify()` refuses every
  key they could match.

The live bid path keeps its key on the bid post itself (unique per bidder, ADR 0010): the post is both the
effect and the result, so it needs no row here; it shares `well_formed()` for the keys its clients make.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from vzaemo.core import clock
from vzaemo.core.errors import Conflict, ValidationFailed
from vzaemo.core.models import IdempotencyKey

KEY_MAX_LENGTH = 128
_KEY = re.compile(r"[A-Za-z0-9_.:-]+")
_SALT = "vzaemo.core.idempotency"
DEFAULT_LIFETIME_SECONDS = 24 * 60 * 60

M = TypeVar("M", bound=models.Model)


class IdempotencyError(StrEnum):
    KEY_INVALID = "idempotency_key_invalid"
    KEY_EXPIRED = "idempotency_key_expired"
    KEY_REUSED = "idempotency_key_reused"


def lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "VZAEMO_IDEMPOTENCY_KEY_SECONDS", DEFAULT_LIFETIME_SECONDS)))


def well_formed(key: str, *, max_length: int = KEY_MAX_LENGTH) -> bool:
    """1 to `max_length` letters, digits or `_.:-`: what a client-made key may be, and every issued key is."""
    return 0 < len(key) <= max_length and _KEY.fullmatch(key) is not None


def issue() -> str:
    stamp = signing.b62_encode(int(clock.now().timestamp()))
    return signing.Signer(salt=_SALT).sign(f"{secrets.token_hex(16)}.{stamp}")


def verify(value: str | None) -> str:
    """The key, if this site issued it within its lifetime; otherwise a refusal that says to send the form again."""
    key = (value or "").strip()
    try:
        if not well_formed(key):
            raise signing.BadSignature
        stamp = signing.Signer(salt=_SALT).unsign(key).rpartition(".")[2]
        issued = dt.datetime.fromtimestamp(signing.b62_decode(stamp), tz=dt.UTC)
    except (signing.BadSignature, ValueError, OverflowError, OSError):
        raise ValidationFailed(
            _("This form arrived incomplete. Check it and send it again."),
            code=IdempotencyError.KEY_INVALID,
            field="idempotency_key",
        ) from None
    if clock.now() - issued > lifetime():
        raise ValidationFailed(
            _("This form was opened too long ago. Check it and send it again."),
            code=IdempotencyError.KEY_EXPIRED,
            field="idempotency_key",
        )
    return key


@dataclass(frozen=True)
class Claim(Generic[M]):
    """A key taken for one request: `first` is the first request's result when this one is a repeat."""

    scope: str
    key: str
    first: M | None = None

    def settle(self, result: M) -> M:
        """Record what the first request created, in its transaction; returns `result` for the caller to return."""
        if self.key:
            IdempotencyKey.objects.filter(scope=self.scope, key=self.key).update(
                result_type=result._meta.label_lower, result_id=str(result.pk)
            )
        return result


def _actor_label(actor: object) -> str:
    if isinstance(actor, models.Model):
        return f"{actor._meta.label_lower}:{actor.pk}"
    return str(actor)


def claim(*, scope: str, key: str | None, actor: object, model: type[M]) -> Claim[M]:
    """Take `key` for a request in `scope` (the audit tag of the write it guards), inside the caller's
    transaction and before its effect. No key: nothing is taken and the request is not deduplicated (the
    broker API, the demo and the chronograph call services without one)."""
    if not key:
        return Claim(scope=scope, key="")
    if not connection.in_atomic_block:
        raise RuntimeError("claim() belongs inside the transaction of the effect it guards")
    actor_label = _actor_label(actor)
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(scope=scope, key=key, actor=actor_label, created_at=clock.now())
    except IntegrityError:
        pass
    else:
        return Claim(scope=scope, key=key)
    # A repeat. On PostgreSQL the INSERT above waited for the first request to commit, and this read sees it.
    stored = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if stored is None or stored.actor != actor_label:
        raise ValidationFailed(
            _("This form arrived incomplete. Check it and send it again."),
            code=IdempotencyError.KEY_INVALID,
            field="idempotency_key",
        )
    first: M | None = None
    if stored.result_type == model._meta.label_lower and stored.result_id:
        first = model._default_manager.filter(pk=stored.result_id).first()
    if first is None:
        raise Conflict(
            _("This form was already sent. Open the page again to send a new one."),
            code=IdempotencyError.KEY_REUSED,
        )
    return Claim(scope=scope, key=key, first=first)


def purge() -> int:
    """Chronograph: forget keys past their lifetime (`verify()` refuses them already). Returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=clock.now() - lifetime()).delete()
    return deleted

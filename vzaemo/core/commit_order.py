"""Commit order behind a watermark: read appended rows in a fixed order without skipping late commits.

Ordering appended rows by an id or a timestamp skips rows when readers poll while writers commit: a
transaction that took id 10 can commit after the one that took id 11, so a reader that already moved
past 11 never sees 10 (measured: ≈8% of changes skipped, docs/reference/perf-security.md §7). The fix used
here, built once for the audit sealer and the broker change feed (docs/design.md rule 5):

1. A writer stamps each row with its own transaction id (`txid_expression()`, evaluated *inside* the
   INSERT so it is always the id of the transaction the row commits in, even in autocommit).
2. A reader takes only rows whose stamp is below the watermark (`watermark()` =
   `pg_snapshot_xmin(pg_current_snapshot())`): every transaction with an id below it has finished, and
   every transaction that starts later gets a larger id, so no row can still appear below it.
3. The reader orders by (stamp, id) (`ORDER_FIELDS`). That order is fixed once a row is below the
   watermark, so "everything after (stamp, id) X" is a stable cursor.

Rows appear ≈15–30 ms after commit, and a transaction left open stalls everything stamped after it
(watch for `idle in transaction`; `stalled_by()` names the culprit).

SQLite has one writer at a time, so commit order is id order: there is no stamp, no watermark, and
the order is by id alone. Callers never branch on the vendor themselves; they use `committed()` (rows
appended once) or `changes()` + `Position` (rows rewritten in place, e.g. the broker feed's auctions).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TypeVar

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

_M = TypeVar("_M", bound=models.Model)

STAMP_FIELD = "commit_txid"
ORDER_FIELDS: dict[str, tuple[str, ...]] = {
    "postgresql": (STAMP_FIELD, "id"),
    "sqlite": ("id",),
}

# The ::text::bigint cast matters: comparing or ordering by a text form of xid8 sorts wrongly and
# cannot use the (commit_txid, id) index.
_TXID_SQL = "pg_current_xact_id()::text::bigint"
# The snapshot's xmin counts this session's own transaction too. Rows stamped with our own id are
# visible to us and commit or roll back with whatever we do with them, so when we are the oldest
# running transaction the bound moves one past our id (a sealer called inside a caller's transaction,
# e.g. a test, would otherwise never see the caller's rows).
_WATERMARK_SQL = """
    SELECT CASE WHEN own = xmin THEN xmin + 1 ELSE xmin END
    FROM (
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
               pg_current_xact_id_if_assigned()::text::bigint AS own
    ) AS w
"""


def uses_watermark(using: str = "default") -> bool:
    """True when readers must stay behind the snapshot watermark (concurrent writers)."""
    return connections[using].vendor == "postgresql"


def txid_expression(using: str = "default") -> RawSQL | None:
    """The value to store in a row's stamp field on insert, or None where no stamp is needed.

    Assign it to the field before `save()`/`create()`; the database evaluates it in the INSERT itself.
    """
    if not uses_watermark(using):
        return None
    return RawSQL(_TXID_SQL, [], output_field=models.BigIntegerField())  # noqa: S611 - constant SQL


def current_txid(using: str = "default") -> int | None:
    """This connection's transaction id (assigning one if needed); None on SQLite.

    Only meaningful inside `transaction.atomic()`: in autocommit the id belongs to this statement alone.
    """
    if not uses_watermark(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {_TXID_SQL}")
        row = cursor.fetchone()
    return int(row[0])


def watermark(using: str = "default") -> int | None:
    """The stamp below which no row can still commit; None where there is no bound (SQLite).

    Read it before the rows, in the same transaction or just before it: under READ COMMITTED each
    later statement sees at least every transaction that had finished when the watermark was taken.
    """
    if not uses_watermark(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(_WATERMARK_SQL)
        row = cursor.fetchone()
    return int(row[0])


def committed(queryset: models.QuerySet[_M], *, bound: int | None = None) -> models.QuerySet[_M]:
    """Restrict `queryset` to rows that can no longer be overtaken, in commit order.

    `bound` is a watermark read earlier (pass it when the same bound must apply to several queries);
    by default a fresh one is read. On SQLite the queryset is only ordered by id.
    """
    using = queryset.db
    vendor = connections[using].vendor
    if vendor == "postgresql":
        limit = watermark(using) if bound is None else bound
        queryset = queryset.filter(**{f"{STAMP_FIELD}__lt": limit})
    return queryset.order_by(*ORDER_FIELDS.get(vendor, ("id",)))


def stalled_by(using: str = "default") -> list[dict[str, object]]:
    """Sessions holding the watermark back (oldest first), for the operator when a feed stops moving."""
    if not uses_watermark(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT pid, datname, state, backend_xid::text::bigint, xact_start, left(query, 200)
            FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
            ORDER BY age(backend_xid) DESC
            LIMIT 10
            """
        )
        columns = ["pid", "database", "state", "xid", "transaction_started", "query"]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def try_single_runner_lock(name: str, using: str = "default") -> bool:
    """Take a transaction-scoped lock that at most one sequencer (sealer, feed builder) may hold.

    Call inside `transaction.atomic()`. Returns False at once when another runner holds it, so a
    second sealer skips its turn instead of queueing. On SQLite the IMMEDIATE write lock taken by the
    transaction already serialises runners, so this is always True.
    """
    if not uses_watermark(using):
        return True
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        row = cursor.fetchone()
    return bool(row[0])


# --- feeds of rows rewritten in place ------------------------------------------------------------------
#
# `committed()` serves append-only rows. A feed of rows that are *rewritten* (an auction changes many
# times) orders them by their latest write: on PostgreSQL the stamp of that write's transaction behind the
# watermark; on SQLite, whose single writer commits in the order it writes, the row's modification time
# (an update moves the row forward). A position (stamp, id) is an opaque, versioned cursor for clients.

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR_VERSION = "v1"


class CursorInvalid(ValueError):
    """The client's cursor was not made here (or by an older format): the edge answers 404, as openprocurement."""


@dataclass(frozen=True)
class Position:
    stamp: int  # commit stamp (PostgreSQL) or microseconds since the epoch of the modification time (SQLite)
    pk: int

    def encode(self) -> str:
        raw = f"{_CURSOR_VERSION}:{self.stamp}:{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            version, stamp, pk = raw.split(":")
            if version != _CURSOR_VERSION:
                raise ValueError(version)
            return cls(int(stamp), int(pk))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise CursorInvalid(text) from None


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def changes(
    queryset: models.QuerySet[_M],
    *,
    after: Position | None = None,
    descending: bool = False,
    modified_field: str = "date_modified",
) -> models.QuerySet[_M]:
    """Rewritten rows in the order of their latest committed write, from `after` on (or back from it)."""
    stamped = uses_watermark(queryset.db)
    field = STAMP_FIELD if stamped else modified_field
    ordered = committed(queryset).order_by(field, "id") if stamped else queryset.order_by(field, "id")
    if after is not None:
        if stamped:
            value: object = after.stamp
        else:
            try:
                value = EPOCH + dt.timedelta(microseconds=after.stamp)
            except OverflowError:
                raise CursorInvalid(str(after)) from None
        forward = Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gt": after.pk})
        backward = Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lt": after.pk})
        ordered = ordered.filter(backward if descending else forward)
    return ordered.reverse() if descending else ordered


def position_of(row: models.Model, *, modified_field: str = "date_modified", using: str = "default") -> Position:
    """The cursor just past `row` (loaded from `changes()`: its stamp or modification time is loaded)."""
    if uses_watermark(using):
        return Position(int(getattr(row, STAMP_FIELD) or 0), int(row.pk))
    return Position(_micros(getattr(row, modified_field)), int(row.pk))

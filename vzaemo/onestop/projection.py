"""Keep the one-stop index in step with the modules: a projection of the audit log (ADR 0019).

Every change leaves an audit entry (docs/design.md rule 5), so the log says which objects changed. The
projection reads the *sealed* chain after its stored position: the sealer has already taken those entries
in commit order behind the snapshot watermark (`core.commit_order.committed()`), and their positions are
consecutive and final, so "after position N" never skips an entry that committed late and reads the
chain's unique index instead of scanning the log. For each batch every registered source maps the
entries' subjects to its item ids (`Source.affected`), and those items are rebuilt from the module's
current state: public ones are upserted, the rest deleted. Re-projecting an item twice is harmless.

`index_rebuild()` rebuilds everything (`manage.py onestop_reindex`, the end of `seed_demo`).

The index is derived data, not a change of the platform's state, so writing it leaves no audit entry of
its own (house_rules allowlists this module): the entries it follows already record the changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable
from typing import cast

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from vzaemo.accounts.models import Authority
from vzaemo.core import clock, commit_order, participation
from vzaemo.core.models import AuditEntry
from vzaemo.onestop import notify
from vzaemo.onestop.models import IndexCursor, IndexedItem
from vzaemo.onestop.search import normalise

logger = logging.getLogger("vzaemo.onestop")

LOCK = "vzaemo.onestop.index"
CURSOR = "audit"
BATCH = 2_000
CHUNK = 500
_UPDATED_FIELDS = [
    "title",
    "summary",
    "url",
    "status",
    "authority",
    "region",
    "subjects",
    "opens_at",
    "deadline",
    "deadline_whose",
    "updated_at",
    "search_text",
    "indexed_at",
]


def _authority_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {pk for pk in ids if pk is not None}
    rows = Authority.objects.filter(pk__in=wanted).values_list("pk", "name_uk", "name_en")
    return {pk: f"{uk}\n{en}" for pk, uk, en in rows}


def _rows(items: list[participation.Item], now: dt.datetime) -> list[IndexedItem]:
    names = _authority_names(item.authority_id for item in items)
    return [
        IndexedItem(
            kind=item.kind,
            object_id=item.object_id,
            title=item.title[:500],
            summary=item.summary,
            url=item.url,
            status=item.status,
            authority_id=item.authority_id,
            region=item.region,
            subjects=IndexedItem.subjects_text(item.subjects),
            opens_at=item.opens_at,
            deadline=item.deadline,
            deadline_whose=item.deadline_whose or "",
            updated_at=item.updated_at,
            search_text=normalise(
                "\n".join([item.title, item.summary, item.search_text, names.get(item.authority_id or 0, "")])
            ),
            indexed_at=now,
        )
        for item in items
        if item.is_public
    ]


def _store(kind: str, items: list[participation.Item], now: dt.datetime) -> list[int]:
    """Upsert the public items of one kind; returns their ids."""
    rows = _rows(items, now)
    if not rows:
        return []
    IndexedItem.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=_UPDATED_FIELDS
    )
    ids = [row.object_id for row in rows]
    if connection.vendor == "postgresql":
        IndexedItem.objects.filter(kind=kind, object_id__in=ids).update(
            search_vector=SearchVector("search_text", config="simple")
        )
    return ids


def project(source: participation.Source, object_ids: Collection[int]) -> None:
    """Rebuild the given items of one source from the module: upsert the public ones, drop the rest."""
    now = clock.now()
    wanted = sorted(object_ids)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        before = IndexedItem.objects.filter(kind=source.kind, object_id__in=chunk).values_list("object_id", "status")
        previous = {(source.kind, object_id): status for object_id, status in before}
        items = list(source.items(chunk))
        stored = _store(source.kind, items, now)
        IndexedItem.objects.filter(kind=source.kind, object_id__in=chunk).exclude(object_id__in=stored).delete()
        # Same transaction as the rows: a follower hears of a change exactly when the index shows it.
        notify.fan_out(items, previous)


def _refresh_batch(max_entries: int) -> int | None:
    with transaction.atomic():
        if not commit_order.try_single_runner_lock(LOCK):
            return None
        cursor, _created = IndexCursor.objects.select_for_update().get_or_create(name=CURSOR)
        entries = list(
            AuditEntry.objects.filter(position__gt=cursor.position)
            .order_by("position")
            .values_list("position", "subject_type", "subject_id")[:max_entries]
        )
        if not entries:
            return 0
        subjects = {(subject_type, subject_id) for _position, subject_type, subject_id in entries}
        for source in participation.sources():
            affected = source.affected(subjects)
            if affected:
                project(source, affected)
        cursor.position = cast(int, entries[-1][0])  # filtered on a position above, so never NULL
        cursor.save(update_fields=["position"])
        return len(entries)


def index_refresh(*, max_entries: int = BATCH, max_batches: int | None = None) -> int:
    """Re-project the items changed by sealed audit entries not read yet; returns how many entries were read.

    Each batch is one short transaction; a second runner skips its turn. Safe to run anywhere at any time.
    """
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        read = _refresh_batch(max_entries)
        if read is None:
            logger.info("another one-stop indexer is running; skipping this turn")
            break
        total += read
        batches += 1
        if read < max_entries:
            break
    return total


def index_rebuild() -> int:
    """Rebuild the whole index from every registered source in one transaction; returns the items stored.

    The position is taken first, so an entry sealed while the rebuild runs is projected again afterwards.
    """
    now = clock.now()
    stored = 0
    with transaction.atomic():
        IndexCursor.objects.select_for_update().get_or_create(name=CURSOR)
        head = (
            AuditEntry.objects.filter(position__isnull=False).order_by("-position").values_list("position", flat=True)
        )
        IndexCursor.objects.filter(name=CURSOR).update(position=head.first() or 0)
        # Readers keep seeing the old index until this transaction commits.
        IndexedItem.objects.all().delete()
        for source in participation.sources():
            batch: list[participation.Item] = []
            for item in source.items():
                batch.append(item)
                if len(batch) >= CHUNK:
                    stored += len(_store(source.kind, batch, now))
                    batch = []
            stored += len(_store(source.kind, batch, now))
    return stored

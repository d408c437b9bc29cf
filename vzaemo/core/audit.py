"""The audit chain: every change leaves a record, linked into a tamper-evident hash chain (docs/design.md rule 5).

* `record()` appends an entry inside the caller's transaction. It only INSERTs and takes no shared
  lock, so the signing and bidding paths never queue behind the log.
* `seal()` (one runner at a time, run by the chronograph) takes committed entries in commit order
  behind the watermark (`core.commit_order`), gives them consecutive positions from 1 and links each
  to the previous one: `entry_hash = sha256(canonical JSON of position, previous_hash and the
  entry's content)`. An entry whose transaction commits late is sealed on a later run, never skipped.
* `publish_checkpoint()` signs (size, head hash) with Ed25519, like a signed tree head (RFC 9162).
* `verify()` recomputes the chain and checks every checkpoint against it, and against checkpoints
  that witnesses kept outside the database (`core.audit_witness`, ADR 0015).

Editing, inserting or deleting a sealed entry breaks its own hash or the link of the next one;
rewriting the whole tail consistently breaks the signed checkpoints that cover it. Whoever can also
delete those checkpoints and sign new ones is caught by the checkpoints witnessed earlier: the log
must still hold, at each witnessed size, the witnessed head hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection, models, transaction

from vzaemo.core import clock, commit_order, signing
from vzaemo.core.models import AuditCheckpoint, AuditEntry

logger = logging.getLogger("vzaemo.audit")

GENESIS_HASH = "0" * 64
DEFAULT_BATCH = 5_000
SEAL_LOCK = "vzaemo.core.audit.seal"
CHECKPOINT_PREFIX = "vzaemo-audit-checkpoint"

# The content an entry's hash covers, in hashing order (after position and previous_hash).
HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_label",
    "subject_type",
    "subject_id",
    "tag",
    "before",
    "after",
)


# --- writing ------------------------------------------------------------------------------------


def _subject_ref(subject: models.Model | tuple[str, Any]) -> tuple[str, str]:
    if isinstance(subject, tuple):
        return subject[0], str(subject[1])
    return subject._meta.label_lower, str(subject.pk)


def record(
    *,
    actor: Any,
    subject: models.Model | tuple[str, Any],
    tag: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (one INSERT); the sealer links it within seconds."""
    subject_type, subject_id = _subject_ref(subject)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    stamp = commit_order.txid_expression()
    entry = AuditEntry.objects.create(
        created_at=clock.now(),
        actor=actor if is_user else None,
        actor_label=str(actor) if actor is not None else "system",
        subject_type=subject_type,
        subject_id=subject_id,
        tag=tag,
        before=before,
        after=after,
        # Evaluated by the INSERT itself, so the stamp is the id of the transaction the row commits in.
        commit_txid=stamp,
    )
    if stamp is not None:
        # Defer the field: the stamp is read back from the database only if someone asks for it.
        del entry.commit_txid
    return entry


# --- hashing ------------------------------------------------------------------------------------


def iso_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def compute_entry_hash(position: int, previous_hash: str, content: Sequence[Any]) -> str:
    """sha256 over the canonical JSON array [position, previous_hash, *content] (HASHED_FIELDS order)."""
    created_at, *rest = content
    canonical = json.dumps(
        [position, previous_hash, iso_timestamp(created_at), *rest],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def checkpoint_message(size: int, head_hash: str, created_at: dt.datetime) -> bytes:
    return f"{CHECKPOINT_PREFIX}\n{size}\n{head_hash}\n{iso_timestamp(created_at)}".encode()


# --- sealing ------------------------------------------------------------------------------------


def _head() -> tuple[int, str] | None:
    row = (
        AuditEntry.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", "entry_hash")
        .first()
    )
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def _write_links(links: list[tuple[int, int, str, str]]) -> None:
    """Store (id, position, previous_hash, entry_hash) for a batch in one round trip."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One UPDATE joined to arrays, far faster than bulk_update's CASE WHEN per row. The arrays
            # travel as comma-joined text (numbers and hex only): Django's client-side binding quotes
            # list parameters element by element in Python, which cost more than the UPDATE itself.
            columns = [",".join(map(str, column)) for column in zip(*links, strict=True)]
            cursor.execute(
                f"""
                UPDATE {table} AS e
                SET position = v.position, previous_hash = v.previous_hash, entry_hash = v.entry_hash
                FROM unnest(
                    string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::bigint[],
                    string_to_array(%s, ','), string_to_array(%s, ',')
                ) AS v(id, position, previous_hash, entry_hash)
                WHERE e.id = v.id AND e.position IS NULL
                """,  # noqa: S608 - the table name comes from the model, values are parameters
                columns,
            )
        else:
            sql = f"UPDATE {table} SET position = %s, previous_hash = %s, entry_hash = %s WHERE id = %s AND position IS NULL"  # noqa: S608 - table name from the model
            cursor.executemany(
                sql,
                [(position, prev, digest, pk) for pk, position, prev, digest in links],
            )
        if cursor.rowcount not in (-1, len(links)):
            # Someone sealed these rows under our feet: roll back rather than fork the chain.
            raise RuntimeError("audit sealer lost a race for the chain; is the single-runner lock bypassed?")


def _seal_batch(max_batch: int) -> int | None:
    """Seal up to `max_batch` entries in one transaction; None when another sealer holds the lock."""
    with transaction.atomic():
        if not commit_order.try_single_runner_lock(SEAL_LOCK):
            return None
        bound = commit_order.watermark()
        head = _head()
        position, previous_hash = head if head is not None else (0, GENESIS_HASH)
        pending = commit_order.committed(AuditEntry.objects.filter(position__isnull=True), bound=bound)
        rows = list(pending.values_list("id", *HASHED_FIELDS)[:max_batch])
        links = []
        for pk, *content in rows:
            position += 1
            digest = compute_entry_hash(position, previous_hash, content)
            links.append((pk, position, previous_hash, digest))
            previous_hash = digest
        if links:
            _write_links(links)
        return len(links)


def seal(*, max_batch: int = DEFAULT_BATCH, max_batches: int | None = None) -> int:
    """Link every committed, unsealed entry into the chain; returns how many were sealed.

    Each batch is its own short transaction, so writers never wait long for the sealer and a crash
    loses at most one batch of work (which the next run redoes). Safe to run anywhere at any time.
    """
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        sealed = _seal_batch(max_batch)
        if sealed is None:
            logger.info("another audit sealer is running; skipping this turn")
            break
        total += sealed
        batches += 1
        if sealed < max_batch:
            break
    return total


def publish_checkpoint(*, min_interval: float | None = None) -> AuditCheckpoint | None:
    """Sign the current head when it moved since the last checkpoint and `min_interval` seconds passed.

    Returns the new checkpoint, or None when there was nothing (new) to sign.
    """
    if min_interval is None:
        min_interval = float(
            getattr(settings, "VZAEMO_AUDIT_CHECKPOINT_INTERVAL_SECONDS", settings.VZAEMO_AUDIT_SEAL_INTERVAL_SECONDS)
        )
    with transaction.atomic():
        if not commit_order.try_single_runner_lock(SEAL_LOCK):
            return None
        head = _head()
        if head is None:
            return None
        size, head_hash = head
        now = clock.now()
        last = AuditCheckpoint.objects.order_by("-size").first()
        if last is not None:
            if last.size >= size:
                return None
            if (now - last.created_at).total_seconds() < min_interval:
                return None
        signature = signing.sign(checkpoint_message(size, head_hash, now))
        return AuditCheckpoint.objects.create(
            size=size, head_hash=head_hash, created_at=now, key_id=signature.key_id, signature=signature.value
        )


def run_sealer() -> int:
    """The chronograph job: seal what has committed, then sign the new head."""
    sealed = seal()
    publish_checkpoint()
    return sealed


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    first_broken_position: int | None
    reason: str | None
    checkpoints_checked: int
    witnessed_checked: int = 0


@dataclass(frozen=True)
class CheckpointStatement:
    """A signed checkpoint as published and kept outside the database by a witness.

    `source` says where a verifier read it ("witness.jsonl line 3"), for its messages."""

    size: int
    head_hash: str
    created_at: dt.datetime
    key_id: str
    signature: str
    source: str = ""


def _sealed_rows(chunk: int) -> Iterable[tuple[Any, ...]]:
    # Keyset pages by position: bounded memory, no server-side cursor, same code on both databases.
    last = -(2**63)
    while True:
        page = list(
            AuditEntry.objects.filter(position__isnull=False, position__gt=last)
            .order_by("position")
            .values_list("position", "previous_hash", "entry_hash", *HASHED_FIELDS)[:chunk]
        )
        yield from page
        if len(page) < chunk:
            return
        last = page[-1][0]


def verify_checkpoint(
    checkpoint: AuditCheckpoint | CheckpointStatement, *, ring: dict[str, Ed25519PublicKey] | None = None
) -> bool:
    """True when the checkpoint's signature is valid for a key in `ring` (default: the platform's key ring)."""
    message = checkpoint_message(checkpoint.size, checkpoint.head_hash, checkpoint.created_at)
    return signing.verify(message, signature=checkpoint.signature, key_id=checkpoint.key_id, ring=ring)


def _witnessed_failure(
    statement: CheckpointStatement, *, checked: int, hashes_at: dict[int, str], ring: dict[str, Ed25519PublicKey] | None
) -> tuple[int | None, str] | None:
    """Why the current log does not extend a checkpoint a witness kept, or None when it does."""
    where = statement.source or "witnessed checkpoint"
    if not verify_checkpoint(statement, ring=ring):
        return None, (
            f"{where}: the signature of checkpoint {statement.size} does not verify with key {statement.key_id} "
            "(altered, or signed by a key that is not in the key ring)"
        )
    if statement.size > checked:
        return checked + 1, (
            f"log TRUNCATED: {where} saw {statement.size} entries with head {statement.head_hash}, "
            f"the log now holds {checked}"
        )
    if hashes_at.get(statement.size) != statement.head_hash:
        return statement.size, (
            f"log REWRITTEN: entry {statement.size} no longer has the head hash {where} saw ({statement.head_hash})"
        )
    return None


def verify(  # noqa: PLR0912 - one branch per way the chain can break
    *,
    chunk: int = DEFAULT_BATCH,
    witnessed: Sequence[CheckpointStatement] = (),
    ring: dict[str, Ed25519PublicKey] | None = None,
) -> VerifyResult:
    """Recompute the whole chain and check every checkpoint against it and its signature.

    `witnessed` are checkpoints kept outside the database: the chain recomputing from the genesis and
    holding each one's head hash at its size proves the log extends what the witness saw (a consistency
    proof), whatever happened to the database's own checkpoints. `ring` pins the keys their signatures
    must verify with; by default the platform's ring.
    """
    checkpoint_sizes = set(AuditCheckpoint.objects.values_list("size", flat=True))
    checkpoint_sizes.update(statement.size for statement in witnessed)
    hashes_at: dict[int, str] = {}
    expected = 1
    previous_hash = GENESIS_HASH
    broken: tuple[int, str] | None = None
    for position, stored_previous, stored_hash, *content in _sealed_rows(chunk):
        if position != expected:
            broken = (expected, f"entry at position {expected} is missing (found position {position} next)")
            break
        if stored_previous != previous_hash:
            broken = (position, f"entry {position} does not link to the hash of entry {position - 1}")
            break
        if compute_entry_hash(position, previous_hash, content) != stored_hash:
            broken = (position, f"entry {position} does not match its hash (content or hash altered)")
            break
        if position in checkpoint_sizes:
            hashes_at[position] = stored_hash
        previous_hash = stored_hash
        expected += 1
    checked = expected - 1

    checkpoints = 0
    checkpoint_failure: tuple[int | None, str] | None = None
    for checkpoint in AuditCheckpoint.objects.order_by("size").iterator():
        checkpoints += 1
        failure: tuple[int | None, str] | None = None
        if not verify_checkpoint(checkpoint):
            failure = (None, f"checkpoint {checkpoint.size} has an invalid signature")
        elif broken is not None and checkpoint.size >= broken[0]:
            pass  # covers the break already found; that break is the thing to report
        elif checkpoint.size > checked:
            failure = (checked + 1, f"signed checkpoint {checkpoint.size} covers entries that are missing")
        elif hashes_at.get(checkpoint.size) != checkpoint.head_hash:
            failure = (checkpoint.size, f"entry {checkpoint.size} differs from signed checkpoint (chain rewritten)")
        if failure is not None and checkpoint_failure is None:
            checkpoint_failure = failure

    witness_failure: tuple[int | None, str] | None = None
    for statement in sorted(witnessed, key=lambda s: s.size):
        if broken is not None and statement.size >= broken[0] and verify_checkpoint(statement, ring=ring):
            continue  # covers the break already found; that break is the thing to report
        witness_failure = _witnessed_failure(statement, checked=checked, hashes_at=hashes_at, ring=ring)
        if witness_failure is not None:
            break

    witnesses = len(witnessed)
    for failure in (broken, witness_failure, checkpoint_failure):
        if failure is not None:
            return VerifyResult(False, checked, failure[0], failure[1], checkpoints, witnesses)
    return VerifyResult(True, checked, None, None, checkpoints, witnesses)


def pending_count() -> int:
    """Entries recorded but not yet sealed (committed or not visible to us yet)."""
    return AuditEntry.objects.filter(position__isnull=True).count()

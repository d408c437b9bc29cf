"""Audit log: `record()` appends an entry inside the caller's transaction.

(The sealer, checkpoints and verification are built out in this module; see docs/adr.)
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from vzaemo.core import clock
from vzaemo.core.models import AuditEntry


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
    subject_type, subject_id = _subject_ref(subject)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        created_at=clock.now(),
        actor=actor if is_user else None,
        actor_label=str(actor) if actor is not None else "system",
        subject_type=subject_type,
        subject_id=subject_id,
        tag=tag,
        before=before,
        after=after,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            entry.commit_txid = cursor.fetchone()[0]
    entry.save(force_insert=True)
    return entry

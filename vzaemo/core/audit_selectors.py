"""Public reads of the audit chain: only what anyone may see (no before/after payloads, no actors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vzaemo.core import audit, audit_witness, signing
from vzaemo.core.models import AuditCheckpoint, AuditEntry

PUBLIC_ENTRY_FIELDS = (
    "id",
    "position",
    "created_at",
    "subject_type",
    "subject_id",
    "tag",
    "previous_hash",
    "entry_hash",
)


def public_entries() -> QuerySet[AuditEntry]:
    """Sealed entries, newest first, without the payloads (they may hold personal data)."""
    return AuditEntry.objects.filter(position__isnull=False).order_by("-position").only(*PUBLIC_ENTRY_FIELDS)


def latest_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-size").first()


def checkpoint_data(checkpoint: AuditCheckpoint | None) -> dict[str, Any] | None:
    """A checkpoint as published: enough for anyone to check the signature offline."""
    if checkpoint is None:
        return None
    return {
        "size": checkpoint.size,
        "head_hash": checkpoint.head_hash,
        "created_at": audit.iso_timestamp(checkpoint.created_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "signed_message": audit.checkpoint_message(
            checkpoint.size, checkpoint.head_hash, checkpoint.created_at
        ).decode(),
        "signature_valid": audit.verify_checkpoint(checkpoint),
    }


def public_keys() -> dict[str, Any]:
    return {
        "algorithm": "Ed25519",
        "key_id": "first 16 hex characters of sha256 over the raw public key",
        "current_key_id": signing.current_key_id(),
        "keys": [{"key_id": kid, "public_key": raw} for kid, raw in signing.public_keys_b64().items()],
    }


def checkpoint_statements(*, after: int, limit: int) -> list[dict[str, Any]]:
    """Signed checkpoints larger than `after`, oldest first, as witnesses keep them (ADR 0015)."""
    return [
        audit_witness.statement(checkpoint)
        for checkpoint in AuditCheckpoint.objects.filter(size__gt=after).order_by("size")[:limit]
    ]

"""The audit chain on whichever database DATABASE_URL names (SQLite by default, PostgreSQL in CI)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from vzaemo.core import audit, chronograph, commit_order, signing
from vzaemo.core.models import AuditCheckpoint, AuditEntry

# The sealer reads behind a server-wide watermark: no other test worker may hold a transaction open.
pytestmark = [pytest.mark.django_db, pytest.mark.serial]


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys" / "ed25519.pem"
    settings.VZAEMO_SIGNING_KEY_PATH = str(path)
    settings.VZAEMO_SIGNING_RETIRED_KEYS = []
    cache.clear()
    yield path
    cache.clear()


def make_chain(count: int = 6) -> list[AuditEntry]:
    for index in range(count):
        audit.record(
            actor=None,
            subject=("petitions.petition", index % 3),
            tag=f"petition.step{index}",
            before={"status": "draft", "n": index},
            after={"status": "published", "n": index, "name": "Олена"},
        )
    assert audit.seal() == count
    assert audit.publish_checkpoint(min_interval=0) is not None
    return list(AuditEntry.objects.order_by("position"))


def test_seal_links_entries_in_order_from_position_one() -> None:
    entries = make_chain(5)

    assert [e.position for e in entries] == [1, 2, 3, 4, 5]
    assert [e.tag for e in entries] == [f"petition.step{i}" for i in range(5)]
    assert entries[0].previous_hash == audit.GENESIS_HASH
    for earlier, later in itertools.pairwise(entries):
        assert later.previous_hash == earlier.entry_hash
    result = audit.verify()
    assert result == audit.VerifyResult(True, 5, None, None, 1)


def test_entry_hash_is_sha256_of_the_documented_canonical_json() -> None:
    entry = make_chain(1)[0]
    canonical = json.dumps(
        [
            1,
            "0" * 64,
            entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            None,
            "system",
            "petitions.petition",
            "0",
            "petition.step0",
            {"n": 0, "status": "draft"},
            {"n": 0, "name": "Олена", "status": "published"},
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert entry.entry_hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_sealing_is_idempotent() -> None:
    entries = make_chain(4)

    assert audit.seal() == 0
    assert audit.publish_checkpoint(min_interval=0) is None  # the head did not move
    assert list(AuditEntry.objects.order_by("position")) == entries
    assert [(e.position, e.entry_hash) for e in AuditEntry.objects.order_by("position")] == [
        (e.position, e.entry_hash) for e in entries
    ]
    assert AuditCheckpoint.objects.count() == 1


def test_later_entries_extend_the_chain_and_get_a_new_checkpoint() -> None:
    make_chain(3)
    audit.record(actor=None, subject=("x.y", 1), tag="late", before=None, after=None)

    assert audit.seal() == 1
    checkpoint = audit.publish_checkpoint(min_interval=0)
    assert checkpoint is not None
    assert checkpoint.size == 4
    assert audit.verify().ok
    assert audit.verify().checkpoints_checked == 2


def test_seal_works_in_batches() -> None:
    for index in range(7):
        audit.record(actor=None, subject=("x.y", index), tag="t", before=None, after=None)

    assert audit.seal(max_batch=2, max_batches=1) == 2
    assert audit.seal(max_batch=2) == 5
    assert list(AuditEntry.objects.order_by("id").values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert audit.verify().ok


def test_record_accepts_a_model_instance_and_a_user(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(email="olena@example.org", password="x" * 12, full_name="Олена")
    entry = audit.record(actor=user, subject=user, tag="account.created", before=None, after={"email": user.email})

    assert entry.subject_type == "accounts.user"
    assert entry.subject_id == str(user.pk)
    assert entry.actor_id == user.pk
    assert audit.seal() == 1
    assert audit.verify().ok


def test_record_stamps_the_writers_own_transaction() -> None:
    with transaction.atomic():
        entry = audit.record(actor=None, subject=("x.y", 1), tag="t", before=None, after=None)
        assert entry.commit_txid == commit_order.current_txid()
    if commit_order.uses_watermark():
        assert entry.commit_txid is not None


TAMPERING = [
    ("tag", "petition.forged"),
    ("after", {"status": "rejected"}),
    ("before", None),
    ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ("actor_label", "someone else"),
    ("subject_type", "auctions.lot"),
    ("subject_id", "999"),
    ("previous_hash", "f" * 64),
    ("entry_hash", "e" * 64),
]


@pytest.mark.parametrize(("field", "value"), TAMPERING, ids=[t[0] for t in TAMPERING])
@pytest.mark.parametrize("position", [1, 3, 6])
def test_altering_any_field_of_a_sealed_entry_is_detected(field: str, value: Any, position: int) -> None:
    make_chain(6)
    AuditEntry.objects.filter(position=position).update(**{field: value})

    result = audit.verify()

    assert not result.ok
    assert result.first_broken_position == position
    assert result.entries_checked == position - 1
    assert result.reason


def test_altering_the_actor_is_detected(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(email="a@example.org", password="x" * 12, full_name="A")
    make_chain(4)
    AuditEntry.objects.filter(position=2).update(actor=user)

    result = audit.verify()
    assert (result.ok, result.first_broken_position) == (False, 2)


def test_a_position_gap_is_detected() -> None:
    make_chain(6)
    AuditEntry.objects.filter(position=4).update(position=1000)

    result = audit.verify()
    assert (result.ok, result.first_broken_position) == (False, 4)
    assert "missing" in (result.reason or "")


def test_a_deleted_entry_is_detected() -> None:
    make_chain(6)
    AuditEntry.objects.filter(position=2).delete()

    result = audit.verify()
    assert (result.ok, result.first_broken_position) == (False, 2)


def test_a_deleted_tail_is_detected_by_the_signed_checkpoint() -> None:
    make_chain(6)
    AuditEntry.objects.filter(position__gte=5).delete()

    result = audit.verify()
    assert (result.ok, result.first_broken_position, result.entries_checked) == (False, 5, 4)


def test_a_consistently_rewritten_tail_is_detected_by_the_signed_checkpoint() -> None:
    make_chain(6)
    # An attacker with database access edits entry 4 and recomputes every hash after it.
    AuditEntry.objects.filter(position=4).update(after={"status": "rejected"})
    previous = AuditEntry.objects.get(position=3).entry_hash
    for entry in AuditEntry.objects.filter(position__gte=4).order_by("position"):
        content = [getattr(entry, field) for field in audit.HASHED_FIELDS]
        digest = audit.compute_entry_hash(entry.position or 0, previous, content)
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, entry_hash=digest)
        previous = digest

    result = audit.verify()
    assert (result.ok, result.first_broken_position) == (False, 6)
    assert "checkpoint" in (result.reason or "")


@pytest.mark.parametrize(
    "change",
    [
        {"signature": "A" * 86 + "=="},
        {"signature": "not base64!"},
        {"head_hash": "a" * 64},
        {"size": 5},
        {"created_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)},
        {"key_id": "0123456789abcdef"},
    ],
    ids=["signature", "garbage-signature", "head-hash", "size", "created-at", "key-id"],
)
def test_a_forged_checkpoint_is_detected(change: dict[str, Any]) -> None:
    make_chain(6)
    AuditCheckpoint.objects.update(**change)

    result = audit.verify()
    assert not result.ok
    assert result.checkpoints_checked == 1
    assert "checkpoint" in (result.reason or "")


def test_a_checkpoint_signed_by_an_unknown_key_is_rejected(tmp_path: Path) -> None:
    make_chain(3)
    checkpoint = AuditCheckpoint.objects.get()
    rogue = Ed25519PrivateKey.generate()
    forged = rogue.sign(audit.checkpoint_message(checkpoint.size, checkpoint.head_hash, checkpoint.created_at))
    AuditCheckpoint.objects.update(
        signature=base64.b64encode(forged).decode(), key_id=signing.key_id_of(rogue.public_key())
    )
    assert not audit.verify().ok


def test_checkpoints_signed_before_a_key_rotation_still_verify(settings: Any, tmp_path: Path) -> None:
    make_chain(3)
    old_path = settings.VZAEMO_SIGNING_KEY_PATH
    settings.VZAEMO_SIGNING_KEY_PATH = str(tmp_path / "new" / "ed25519.pem")
    assert not audit.verify().ok  # the old key is not in the ring yet

    settings.VZAEMO_SIGNING_RETIRED_KEYS = [old_path]
    audit.record(actor=None, subject=("x.y", 1), tag="after-rotation", before=None, after=None)
    audit.seal()
    new = audit.publish_checkpoint(min_interval=0)

    assert new is not None
    assert new.key_id == signing.current_key_id()
    assert len(signing.public_keys()) == 2
    assert audit.verify() == audit.VerifyResult(True, 4, None, None, 2)


def test_checkpoints_respect_the_minimum_interval() -> None:
    make_chain(2)
    audit.record(actor=None, subject=("x.y", 1), tag="t", before=None, after=None)
    audit.seal()

    assert audit.publish_checkpoint(min_interval=3600) is None
    assert audit.publish_checkpoint(min_interval=0) is not None


def test_the_seal_job_is_registered_with_the_chronograph() -> None:
    assert "audit_seal" in {job.name for job in chronograph.jobs()}
    audit.record(actor=None, subject=("x.y", 1), tag="t", before=None, after=None)
    assert audit.run_sealer() == 1
    assert AuditCheckpoint.objects.count() == 1


def test_verify_command_exits_non_zero_with_the_broken_position() -> None:
    make_chain(5)
    call_command("audit_verify")
    AuditEntry.objects.filter(position=3).update(tag="forged")

    with pytest.raises(CommandError, match="position 3"):
        call_command("audit_verify")


def test_seal_command_seals_and_signs(capsys: pytest.CaptureFixture[str]) -> None:
    audit.record(actor=None, subject=("x.y", 1), tag="t", before=None, after=None)
    call_command("audit_seal")

    assert "sealed 1 entries" in capsys.readouterr().out
    assert AuditCheckpoint.objects.get().size == 1

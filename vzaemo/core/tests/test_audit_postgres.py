"""The sealer under real concurrency: writers committing out of order while sealers run (PostgreSQL only)."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from vzaemo.core import audit, commit_order
from vzaemo.core.models import AuditCheckpoint, AuditEntry

# The sealer reads behind a server-wide watermark: no other test worker may hold a transaction open.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.serial]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    # Evaluated per test, after pytest-django has set up the database the run actually uses.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row-level concurrency")


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Path) -> None:
    settings.VZAEMO_SIGNING_KEY_PATH = str(tmp_path / "keys" / "ed25519.pem")
    settings.VZAEMO_SIGNING_RETIRED_KEYS = []


class Worker(threading.Thread):
    """A thread with its own database connection that re-raises its failure in join()."""

    def __init__(self, target: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self._work = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # handed to the test thread
            self.error = exc
        finally:
            connections.close_all()

    def join(self, timeout: float | None = 60) -> None:
        super().join(timeout)
        assert not self.is_alive(), "worker thread hung"
        if self.error is not None:
            raise self.error


def record(tag: str, subject_id: int = 0) -> AuditEntry:
    return audit.record(actor=None, subject=("test.subject", subject_id), tag=tag, before=None, after={"tag": tag})


def seal_everything(timeout: float = 20) -> int:
    """Seal until nothing is pending. The watermark is cluster-wide: a transaction open in another
    database on the same server (another test run) can hold it back for a moment."""
    sealed = 0
    deadline = time.monotonic() + timeout
    while True:
        sealed += audit.seal()
        if not AuditEntry.objects.filter(position__isnull=True).exists() or time.monotonic() > deadline:
            return sealed
        time.sleep(0.05)


def test_concurrent_writers_are_each_sealed_exactly_once_without_gaps() -> None:
    writers, transactions_per_writer = 6, 40
    writing = threading.Event()
    writing.set()
    seal_runs = [0]

    def write(writer: int) -> None:
        rng = random.Random(writer)
        for number in range(transactions_per_writer):
            with transaction.atomic():
                for part in range(rng.randint(1, 3)):
                    record(f"w{writer}-t{number}-p{part}", writer)
                if rng.random() < 0.4:
                    time.sleep(rng.uniform(0.005, 0.050))  # commits after later transactions did

    def sealer() -> None:
        while writing.is_set():
            audit.seal(max_batch=50)
            audit.publish_checkpoint(min_interval=0)
            seal_runs[0] += 1
            time.sleep(0.002)

    sealers = [Worker(sealer), Worker(sealer)]  # two sealers: the lock must keep the chain single
    threads = [Worker(functools.partial(write, w)) for w in range(writers)]
    for thread in [*sealers, *threads]:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    for thread in sealers:
        thread.join()
    seal_everything()
    audit.publish_checkpoint(min_interval=0)

    total = AuditEntry.objects.count()
    positions = list(AuditEntry.objects.order_by("position").values_list("position", flat=True))
    tags = list(AuditEntry.objects.values_list("tag", flat=True))
    assert total >= writers * transactions_per_writer
    assert positions == list(range(1, total + 1))  # every entry sealed once, no gap, no duplicate
    assert len(set(tags)) == total
    assert seal_runs[0] > 5
    # Checkpoints signed *during* the run still match the final chain: no sealed prefix ever changed.
    assert AuditCheckpoint.objects.count() > 1
    result = audit.verify()
    assert result.ok, result
    assert result.entries_checked == total
    assert result.checkpoints_checked == AuditCheckpoint.objects.count()


def test_an_entry_that_commits_late_is_sealed_not_skipped() -> None:
    record("before-late")
    started, release = threading.Event(), threading.Event()

    def late_writer() -> None:
        with transaction.atomic():
            record("late")
            started.set()
            assert release.wait(30)

    late = Worker(late_writer)
    late.start()
    assert started.wait(10)
    after_late = [record(f"after-late-{n}") for n in range(3)]  # committed, but stamped after "late"

    runs, deadline = 0, time.monotonic() + 20
    # Several sealer runs while "late" is still open (more if another database holds the watermark).
    while runs < 4 or (AuditEntry.objects.get(tag="before-late").position is None and time.monotonic() < deadline):
        audit.seal()
        audit.publish_checkpoint(min_interval=0)
        runs += 1
        time.sleep(0.02)
    sealed = dict(AuditEntry.objects.values_list("tag", "position"))
    assert sealed["before-late"] == 1
    assert "late" not in sealed  # not visible yet
    # Held back behind the watermark: sealing them now would put "late" after them or skip it.
    assert all(sealed[entry.tag] is None for entry in after_late)

    release.set()
    late.join()
    assert seal_everything() == 4
    audit.publish_checkpoint(min_interval=0)

    order = list(AuditEntry.objects.order_by("position").values_list("tag", flat=True))
    assert order == ["before-late", "late", "after-late-0", "after-late-1", "after-late-2"]
    assert audit.verify() == audit.VerifyResult(True, 5, None, None, 2)


def test_a_writer_that_rolls_back_does_not_stall_or_break_the_chain() -> None:
    def write_then_fail() -> None:
        with transaction.atomic():
            record("rolled-back")
            raise RuntimeError("abort")

    def rolled_back() -> None:
        with pytest.raises(RuntimeError):
            write_then_fail()

    record("kept-1")
    worker = Worker(rolled_back)
    worker.start()
    worker.join()
    record("kept-2")

    assert seal_everything() == 2
    assert list(AuditEntry.objects.order_by("position").values_list("tag", flat=True)) == ["kept-1", "kept-2"]
    assert audit.verify().ok


def test_a_second_sealer_skips_its_turn_instead_of_queueing() -> None:
    record("one")
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with transaction.atomic():
            assert commit_order.try_single_runner_lock(audit.SEAL_LOCK)
            holding.set()
            assert release.wait(30)

    holder = Worker(hold_the_lock)
    holder.start()
    assert holding.wait(10)
    started = time.monotonic()
    assert audit.seal() == 0
    assert audit.publish_checkpoint(min_interval=0) is None
    assert time.monotonic() - started < 1
    release.set()
    holder.join()
    assert seal_everything() == 1

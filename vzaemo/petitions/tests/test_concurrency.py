"""Signing under real concurrency: many threads, each with its own PostgreSQL connection, fire at once.

The guarantees come from the database (a unique constraint, row locks), not from checks in code
(docs/design.md rule 6), so only a real server with real row locks can show them.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connections

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.core.errors import Conflict, DomainError
from vzaemo.core.models import AuditEntry
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.states import PetitionStatus
from vzaemo.petitions.tests.factories import PetitionFactory, moderator_of, set_threshold

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

S = PetitionStatus


@pytest.fixture(autouse=True)
def seeded_rules() -> None:
    """Transactional tests flush the tables between tests, seed data included: put the law back."""
    for module in ("vzaemo.core.migrations.0002_calendar_seed", "vzaemo.petitions.migrations.0002_seed_rules"):
        seed = getattr(importlib.import_module(module), "seed", None)
        if seed is not None:
            seed(django_apps, None)


class Worker(threading.Thread):
    """A thread with its own database connection; it closes the connection when done."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._work()
        except BaseException as exc:  # inspected by the test thread
            self.error = exc
        finally:
            connections.close_all()


def run_all(workers: list[Worker], timeout: float = 60) -> None:
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(max(0.1, deadline - time.monotonic()))
        assert not worker.is_alive(), "a worker thread hung"


def unexpected(workers: list[Worker]) -> list[BaseException]:
    return [w.error for w in workers if w.error is not None and not isinstance(w.error, DomainError)]


def test_one_person_signing_a_hundred_times_at_once_signs_once() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    signer = UserFactory()
    barrier = threading.Barrier(100)

    def sign() -> Any:
        barrier.wait(timeout=30)
        return services.petition_sign(petition_id=petition.pk, signer=signer)

    workers = [Worker(sign) for _ in range(100)]
    run_all(workers)

    assert unexpected(workers) == []
    assert sum(w.error is None for w in workers) == 1
    refusals = [w.error for w in workers if w.error is not None]
    assert len(refusals) == 99
    assert all(type(e) is Conflict and e.code == "already_signed" for e in refusals)
    assert Signature.objects.filter(petition=petition, signer=signer).count() == 1
    assert AuditEntry.objects.filter(tag="petition:sign").count() == 1


def test_fifty_people_signing_at_once_are_all_counted() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    signers = UserFactory.create_batch(50)
    barrier = threading.Barrier(50)

    def sign_as(user: Any) -> Callable[[], Any]:
        def sign() -> Any:
            barrier.wait(timeout=30)
            return services.petition_sign(petition_id=petition.pk, signer=user)

        return sign

    workers = [Worker(sign_as(user)) for user in signers]
    run_all(workers)

    assert [w.error for w in workers if w.error is not None] == []
    assert Signature.objects.filter(petition=petition).count() == 50
    assert AuditEntry.objects.filter(tag="petition:sign").count() == 50
    services.signature_counts_refresh()
    petition.refresh_from_db()
    assert petition.signature_count == 50


def test_the_threshold_is_reached_exactly_once_while_counting_races_signing() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    set_threshold(petition.authority, 10)
    services.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    petition.refresh_from_db()
    assert petition.threshold == 10
    signers = UserFactory.create_batch(20)
    barrier = threading.Barrier(20 + 2)
    signing_done = threading.Event()

    def sign_as(user: Any) -> Callable[[], Any]:
        def sign() -> Any:
            barrier.wait(timeout=30)
            return services.petition_sign(petition_id=petition.pk, signer=user)

        return sign

    def count() -> int:
        barrier.wait(timeout=30)
        runs = 0
        while not signing_done.is_set() or runs < 5:
            services.signature_counts_refresh(since=None)
            services.signature_counts_recount()
            runs += 1
        return runs

    signing = [Worker(sign_as(user)) for user in signers]
    counting = [Worker(count), Worker(count)]
    for worker in counting:
        worker.start()
    run_all(signing)
    signing_done.set()
    for worker in counting:
        worker.join(60)
        assert not worker.is_alive(), "a counting thread hung"

    assert [w.error for w in signing + counting if w.error is not None] == []
    services.signature_counts_refresh()  # the next scheduled run settles the count
    petition.refresh_from_db()
    assert Signature.objects.filter(petition=petition).count() == 20
    assert petition.signature_count == 20
    assert petition.status == S.THRESHOLD_REACHED
    assert petition.threshold_reached_at is not None
    assert petition.answer_due_at is not None
    tags = Counter(
        AuditEntry.objects.filter(subject_type="petitions.petition", subject_id=str(petition.pk)).values_list(
            "tag", flat=True
        )
    )
    assert tags["petition:threshold-reached"] == 1
    assert Petition.objects.filter(pk=petition.pk, status=S.THRESHOLD_REACHED).count() == 1

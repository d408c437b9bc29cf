"""Appeal transitions under real concurrency (PostgreSQL row locks): racing officials and a racing
applicant each get exactly one success; the rest are refused with a domain error."""

from __future__ import annotations

import functools
import importlib
import threading
from typing import Any

import pytest
from django.apps import apps as django_apps

from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.appeals import services
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import AnswerTerm, AppealKind, AppealStatus
from vzaemo.appeals.tests.factories import ANSWER_TEXT, AppealFactory, official_of
from vzaemo.core import idempotency
from vzaemo.core.errors import DomainError
from vzaemo.core.models import AuditEntry, Obligation
from vzaemo.petitions.tests.test_concurrency import Worker, run_all, unexpected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

S = AppealStatus
N = 12


@pytest.fixture(autouse=True)
def seeded_rules() -> None:
    """Transactional tests flush the tables between tests, seed data included: put the law back."""
    for module in ("vzaemo.core.migrations.0002_calendar_seed", "vzaemo.appeals.migrations.0002_seed_rules"):
        seed = getattr(importlib.import_module(module), "seed", None)
        if seed is not None:
            seed(django_apps, None)


def test_racing_registrations_register_once() -> None:
    appeal = AppealFactory()
    officials = [official_of(appeal.authority) for _ in range(N)]
    barrier = threading.Barrier(N)

    def register(who: Any) -> Any:
        barrier.wait(timeout=30)
        return services.appeal_register(appeal_id=appeal.pk, official=who, term=AnswerTerm.SIMPLE)

    workers = [Worker(functools.partial(register, who)) for who in officials]
    run_all(workers)
    assert unexpected(workers) == []
    assert sum(w.error is None for w in workers) == 1
    assert all(isinstance(w.error, DomainError) for w in workers if w.error is not None)
    assert AuditEntry.objects.filter(tag="appeal:register", subject_id=str(appeal.pk)).count() == 1
    assert Obligation.objects.filter(kind=services.ANSWER, subject_id=str(appeal.pk)).count() == 1


def test_answer_and_forward_racing_leave_one_outcome() -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    official = official_of(appeal.authority)
    council = AuthorityFactory()
    barrier = threading.Barrier(2)

    def answer() -> Any:
        barrier.wait(timeout=30)
        return services.appeal_answer(appeal_id=appeal.pk, official=official, text=ANSWER_TEXT)

    def forward() -> Any:
        barrier.wait(timeout=30)
        return services.appeal_forward(appeal_id=appeal.pk, official=official, to=council, note="За належністю.")

    workers = [Worker(answer), Worker(forward)]
    run_all(workers)
    assert unexpected(workers) == []
    assert sum(w.error is None for w in workers) == 1
    appeal.refresh_from_db()
    assert appeal.status in (S.ANSWERED, S.FORWARDED)
    assert Appeal.objects.filter(forwarded_from=appeal).exists() == (appeal.status == S.FORWARDED)


def test_complaining_many_times_at_once_files_one_complaint() -> None:
    parent = AuthorityFactory()
    appeal = AppealFactory(state=S.ANSWERED, authority=AuthorityFactory(parent=parent))
    barrier = threading.Barrier(N)

    def complain() -> Any:
        barrier.wait(timeout=30)
        return services.appeal_file_complaint(
            appeal_id=appeal.pk, applicant=appeal.applicant, essence="Відповідь формальна, прошу розглянути по суті."
        )

    workers = [Worker(complain) for _ in range(N)]
    run_all(workers)
    assert unexpected(workers) == []
    assert sum(w.error is None for w in workers) == 1
    assert Appeal.objects.filter(complaint_about=appeal).count() == 1


def test_a_hundred_resends_at_once_file_one_appeal_with_one_duty() -> None:
    applicant, council = UserFactory(), AuthorityFactory()
    key = idempotency.issue()
    barrier = threading.Barrier(100)

    def submit() -> Any:
        barrier.wait(timeout=30)
        return services.appeal_submit(
            applicant=applicant,
            authority=council,
            kind=AppealKind.STATEMENT,
            essence="Просимо відремонтувати тротуар біля будинку № 12.",
            full_name="Петренко Марія Іванівна",
            place_of_residence="м. Прилуки",
            email="maria@example.test",
            idempotency_key=key,
        )

    workers = [Worker(submit) for _ in range(100)]
    run_all(workers)
    assert [w.error for w in workers if w.error is not None] == []
    appeal = Appeal.objects.get()
    assert {w.result.pk for w in workers} == {appeal.pk}
    assert Obligation.objects.filter(kind=services.REGISTRATION).count() == 1
    assert AuditEntry.objects.filter(tag="appeal:submit").count() == 1

"""The shared test scaffolding checks what it promises: every table, the exact error, and a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.core import obligations, testing
from vzaemo.core.errors import Conflict, DomainError, NotAllowed

pytestmark = pytest.mark.django_db


def test_the_snapshot_covers_every_table_of_every_app() -> None:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed}
    assert set(testing.database_state()) == tables
    # The tables the per-app copies used to forget.
    assert {"core_obligation", "core_auditentry", "accounts_user"} <= tables


def test_unchanged_names_the_table_a_refusal_wrote_to() -> None:
    authority, subject = AuthorityFactory(), UserFactory()
    with pytest.raises(AssertionError, match="core_obligation"), testing.unchanged():
        obligations.open_obligation(
            authority_id=authority.pk,
            kind="test.duty",
            subject=subject,
            due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            rule={},
        )


def test_unchanged_also_compares_what_the_caller_reads() -> None:
    outside: list[str] = []
    with pytest.raises(AssertionError, match="outside the database"), testing.unchanged(lambda: list(outside)):
        outside.append("a file")


def refuse(error: DomainError) -> None:
    raise error


def test_refused_passes_on_the_exact_error_and_returns_it() -> None:
    error = testing.refused(NotAllowed, "not_yours", lambda: refuse(NotAllowed("Not yours.", code="not_yours")))
    assert error.code == "not_yours"


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (Conflict("Taken.", code="not_yours"), "expected NotAllowed, got Conflict"),
        (NotAllowed("Not yours.", code="other"), "expected code 'not_yours'"),
        (NotAllowed("  ", code="not_yours"), "no message"),
    ],
)
def test_refused_fails_on_another_kind_code_or_no_message(raised: DomainError, expected: str) -> None:
    with pytest.raises(AssertionError, match=expected):
        testing.refused(NotAllowed, "not_yours", lambda: refuse(raised))


def test_refused_fails_when_the_call_succeeds() -> None:
    with pytest.raises(pytest.fail.Exception):
        testing.refused(NotAllowed, "not_yours", lambda: None)

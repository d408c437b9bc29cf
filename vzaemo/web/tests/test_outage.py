"""While the database is out, pages answer 503 with Retry-After: a short page in the reader's language, JSON for the
JSON reads, wherever the outage struck (a view, a middleware loading the session), and nothing is stored."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.core import idempotency
from vzaemo.core.models import AuditEntry
from vzaemo.core.testing import Unchanged, database_outage
from vzaemo.petitions.models import Signature
from vzaemo.petitions.states import PetitionStatus
from vzaemo.petitions.tests.factories import PetitionFactory
from vzaemo.web.forms import KEY_FIELD

pytestmark = pytest.mark.django_db

UK_MESSAGE = "Платформа зараз не може звернутися до своєї бази даних. Спробуйте ще раз за хвилину."
EN_MESSAGE = "The platform cannot reach its database right now. Please try again in a minute."


def browser(**headers: str) -> Client:
    # An outage is an uncaught exception inside Django; the test client would raise it again instead of answering.
    return Client(raise_request_exception=False, headers=headers)


def assert_unavailable_page(response: Any, message: str, language: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f'<p role="alert">{message}</p>' in page


def test_a_page_is_503_with_retry_after_in_the_readers_language() -> None:
    with database_outage() as failed:
        default = browser().get("/")
        english = browser(**{"Accept-Language": "en"}).get("/")
    assert failed
    assert_unavailable_page(default, UK_MESSAGE, "uk")
    assert "<h1>Тимчасово недоступно</h1>" in default.content.decode()
    assert_unavailable_page(english, EN_MESSAGE, "en")
    assert '<a href="/">Try again</a>' in english.content.decode()


def test_the_language_cookie_is_read_without_the_session() -> None:
    reader = browser()
    reader.cookies["django_language"] = "en"
    with database_outage():
        assert_unavailable_page(reader.get("/petitions/"), EN_MESSAGE, "en")


def test_an_outage_met_by_a_middleware_loading_the_session_is_503_too() -> None:
    person = browser()
    person.force_login(UserFactory())
    with database_outage() as failed:
        response = person.get(reverse("web:petition_list"))
    assert_unavailable_page(response, UK_MESSAGE, "uk")
    # The first statement that failed read the session (from the shared cache's table), before any view ran.
    assert "vzaemo_cache" in failed[0]


def test_a_form_sent_as_the_database_goes_stores_nothing(unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED)
    person = browser()
    person.force_login(UserFactory())
    key = idempotency.issue()
    audit_insert = f'INSERT INTO "{AuditEntry._meta.db_table}"'
    # The signature is inserted when the database goes, before its audit entry.
    with unchanged(), database_outage(begins=lambda sql: sql.startswith(audit_insert)) as failed:
        response = person.post(reverse("web:petition_sign", args=[petition.pk]), {KEY_FIELD: key})
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert failed[0].startswith(audit_insert)
    # The signature went with its transaction, and the answer wrote nothing (no session, no message).
    assert not Signature.objects.exists()
    # After a POST the way back is the home page, not a GET of the form's address.
    assert '<a href="/">' in response.content.decode()


@pytest.mark.parametrize("path", ["/audit/verify.json", "/responsiveness/index.json"])
def test_a_json_read_answers_the_json_error_body(path: str) -> None:
    with database_outage():
        response = browser(**{"Accept-Language": "en"}).get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {"errors": [{"code": "service_unavailable", "message": EN_MESSAGE, "field": ""}]}


def test_a_client_asking_for_json_gets_json() -> None:
    with database_outage():
        response = browser(Accept="application/json").get("/")
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "service_unavailable"


@pytest.mark.parametrize(
    "driver_error",
    [psycopg.errors.DeadlockDetected("deadlock detected"), sqlite3.OperationalError("no such table: x")],
    ids=["deadlock", "missing-table"],
)
def test_a_database_error_that_is_not_an_outage_is_still_a_server_error(
    monkeypatch: pytest.MonkeyPatch, driver_error: Exception
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(str(driver_error)) from driver_error

    monkeypatch.setattr("vzaemo.web.home.views.render", broken)
    response = browser().get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Помилка сервера" in response.content.decode()

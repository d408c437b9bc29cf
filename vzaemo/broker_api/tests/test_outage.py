"""While the database is out the broker API answers its envelope, 503 `service_unavailable` with Retry-After,
never an HTML page or a 500, and a write that met the outage stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vzaemo.auctions.models import Lot
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.services import api_key_issue
from vzaemo.broker_api.tests.conftest import HOST, Api, state
from vzaemo.broker_api.tests.test_bad_input import lot_body, refused
from vzaemo.core.testing import database_outage

pytestmark = pytest.mark.django_db


def api(secret: str | None = None) -> Api:
    # An outage is an uncaught exception inside Django; the test client would raise it again instead of answering.
    return Api(Client(HTTP_HOST=HOST, raise_request_exception=False), secret=secret)


def assert_unavailable(response: Any) -> None:
    refused(response, 503, "url", "service_unavailable")
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"


def test_a_read_is_503_service_unavailable_with_retry_after() -> None:
    w = f.world()
    lot = f.lot(w)
    with database_outage() as failed:
        assert_unavailable(api().get(f"/lots/{lot.pk}"))
        assert_unavailable(api().get("/auctions"))
    assert failed
    assert api().get(f"/lots/{lot.pk}").status_code == 200


def test_a_write_that_meets_the_outage_stores_nothing() -> None:
    w = f.world()
    _key, secret = api_key_issue(w.owner)
    owner = api(secret)
    before = state()
    lot_insert = f'INSERT INTO "{Lot._meta.db_table}"'
    with database_outage(begins=lambda sql: sql.startswith(lot_insert)) as failed:
        assert_unavailable(owner.post("/lots", lot_body(w)))
    assert failed[0].startswith(lot_insert)
    assert state() == before


def test_an_outage_met_while_authenticating_the_key_is_503_too() -> None:
    w = f.world()
    _key, secret = api_key_issue(w.owner)
    with database_outage() as failed:
        assert_unavailable(api(secret).post("/lots", lot_body(w)))
    assert "broker_api_apikey" in failed[0]

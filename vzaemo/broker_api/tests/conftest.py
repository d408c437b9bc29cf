"""Fixtures of the broker API tests: brokers with keys, a client that speaks the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from vzaemo.auctions.models import Broker
from vzaemo.auctions.tests.conftest import database_state
from vzaemo.broker_api.models import ApiKey, OwnerToken
from vzaemo.broker_api.services import api_key_issue
from vzaemo.core import calendar

BASE = "/api/broker/v1"


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


@dataclass
class Api:
    """A test client with a broker's key (or none)."""

    client: Client
    broker: Broker | None = None
    secret: str | None = None

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {}
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        if token:
            headers["X-Access-Token"] = token
        return headers

    def get(self, path: str, *, token: str | None = None, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self._headers(token))

    def post(self, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return self.client.post(BASE + path, body or {}, content_type="application/json", headers=self._headers(token))


def as_broker(broker: Broker) -> Api:
    _key, secret = api_key_issue(broker)
    return Api(Client(), broker, secret)


def state() -> dict[str, Any]:
    return database_state() | {
        "OwnerToken": list(OwnerToken.objects.order_by("pk").values()),
        "ApiKey": list(ApiKey.objects.order_by("pk").values_list("pk", "revoked_at")),
    }

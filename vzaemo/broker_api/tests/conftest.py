"""Fixtures of the broker API tests: brokers and integrations with keys, a client that speaks the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from vzaemo.auctions.models import Broker
from vzaemo.auctions.tests.conftest import database_state
from vzaemo.broker_api.models import ApiKey, IntegrationKey, OwnerToken, SpentTransfer
from vzaemo.broker_api.services import api_key_issue, integration_key_issue
from vzaemo.core import calendar
from vzaemo.documents.models import Document

BASE = "/api/broker/v1"
HOST = "vzaemo.example"


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


@pytest.fixture(autouse=True)
def _api_settings(settings: Any, tmp_path: Path) -> None:
    """One origin (documents sign their URLs for it), a signing key and a documents root of the test's own,
    and no rate limits (test_rate_limits sets its own)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    settings.VZAEMO_SITE_URL = f"https://{HOST}"
    settings.VZAEMO_SIGNING_KEY_PATH = str(tmp_path / "keys" / "ed25519.pem")
    settings.VZAEMO_SIGNING_RETIRED_KEYS = []
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VZAEMO_DOCUMENTS_ROOT = None
    settings.VZAEMO_BROKER_API_WRITES_PER_SECOND = 0
    settings.VZAEMO_BROKER_API_READS_PER_SECOND = 0
    cache.clear()  # the rate limits count in the cache


def client() -> Client:
    """Requests to https://vzaemo.example (pass `secure=True` on each call)."""
    return Client(HTTP_HOST=HOST)


@dataclass
class Api:
    """A test client with a broker's or an integration's key (or none)."""

    client: Client
    broker: Broker | None = None
    secret: str | None = None

    def headers(self, token: str | None) -> dict[str, str]:
        headers = {}
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        if token:
            headers["X-Access-Token"] = token
        return headers

    def get(self, path: str, *, token: str | None = None, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers(token), secure=True)

    def post(self, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return self.client.post(
            BASE + path, body or {}, content_type="application/json", headers=self.headers(token), secure=True
        )

    def patch(self, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return self.client.patch(
            BASE + path, body or {}, content_type="application/json", headers=self.headers(token), secure=True
        )


def as_broker(broker: Broker) -> Api:
    _key, secret = api_key_issue(broker)
    return Api(client(), broker, secret)


def as_integration(role: str) -> Api:
    _key, secret = integration_key_issue(role)
    return Api(client(), None, secret)


def anonymous() -> Api:
    return Api(client())


def state() -> dict[str, Any]:
    """Everything a broker API request may write."""
    return database_state() | {
        "OwnerToken": list(OwnerToken.objects.order_by("pk").values()),
        "SpentTransfer": list(SpentTransfer.objects.order_by("pk").values()),
        "ApiKey": list(ApiKey.objects.order_by("pk").values_list("pk", "revoked_at")),
        "IntegrationKey": list(IntegrationKey.objects.order_by("pk").values_list("pk", "revoked_at")),
        "Document": list(Document.objects.order_by("pk").values()),
    }

"""Property-based requests from the committed OpenAPI document against the app: no server errors, and
every response conforms to the document (schemathesis)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import IntegrationKey
from vzaemo.broker_api.services import api_key_issue, integration_key_issue

schema = schemathesis.openapi.from_wsgi("/api/broker/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """The raw WSGI app closes the connection after each request; Django's test client does not."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def keys(db: None) -> dict[str, str]:
    """A broker's key, and the integrations' keys for their endpoints."""
    w = f.world()
    a = f.auction(w)
    f.bid(w, a)
    return {
        "broker": api_key_issue(w.owner)[1],
        "bank": integration_key_issue(IntegrationKey.Role.BANK_FEED)[1],
        "engine": integration_key_issue(IntegrationKey.Role.AUCTION_ENGINE)[1],
    }


def key_for(path: str, keys: dict[str, str]) -> str:
    if path.startswith("/bank-feed/"):
        return keys["bank"]
    if path.endswith("/result"):
        return keys["engine"]
    return keys["broker"]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_broker_api_conforms(case: Any, keys: dict[str, str]) -> None:
    # Semantic refusals (422 for a schema-valid but unknown region, say) are by design, so the
    # "schema-valid request accepted" heuristic is off; server errors and schema violations are checked.
    key = key_for(case.operation.path, keys)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=[positive_data_acceptance])

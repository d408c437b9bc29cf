"""`Authorization: Bearer <secret>` -> who calls (django-ninja auth classes).

Two kinds of keys share the header: a broker's `ApiKey` and an `IntegrationKey` (bank feed, auction engine,
CDB administrator). No header or a dead key is 401; a live key of the wrong kind for the endpoint is 403.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from vzaemo.auctions.models import Broker
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import IntegrationKey
from vzaemo.broker_api.services import broker_for_secret, integration_for_secret


def _wrong_key(description: str) -> ApiError:
    return ApiError(403, location="header", name="Authorization", description=description)


class ApiKeyAuth(HttpBearer):
    """A broker's live key."""

    def authenticate(self, request: HttpRequest, token: str) -> Broker | None:  # noqa: ARG002 - ninja's HttpBearer hook
        broker = broker_for_secret(token)
        if broker is None and integration_for_secret(token) is not None:
            raise _wrong_key("This endpoint is for brokers: send a broker's API key.")
        return broker


class IntegrationKeyAuth(HttpBearer):
    """A live integration key of one of `roles`."""

    def __init__(self, *roles: str) -> None:
        super().__init__()
        self.roles = frozenset(roles)

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationKey | None:  # noqa: ARG002 - ninja's HttpBearer hook
        key = integration_for_secret(token)
        if key is not None and key.role in self.roles:
            return key
        if key is not None or broker_for_secret(token) is not None:
            raise _wrong_key(f"This endpoint takes an integration key with the role {' or '.join(sorted(self.roles))}.")
        return None


api_key_auth = ApiKeyAuth()
bank_feed_auth = IntegrationKeyAuth(IntegrationKey.Role.BANK_FEED)
result_auth = IntegrationKeyAuth(IntegrationKey.Role.AUCTION_ENGINE, IntegrationKey.Role.ADMIN)


def optional_broker(request: HttpRequest) -> Broker | None:
    """For public reads: no header is the public, and so is an integration's key; a dead key is still 401."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        raise AuthenticationError()
    secret = secret.strip()
    broker = broker_for_secret(secret)
    if broker is None and integration_for_secret(secret) is None:
        raise AuthenticationError()
    return broker

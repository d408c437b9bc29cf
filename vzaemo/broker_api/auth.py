"""`Authorization: Bearer <secret>` -> the broker (django-ninja auth class)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from vzaemo.auctions.models import Broker
from vzaemo.broker_api.services import broker_for_secret


class ApiKeyAuth(HttpBearer):
    """Required key: anything but a live key of an active broker is 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Broker | None:
        return broker_for_secret(token)


api_key_auth = ApiKeyAuth()


def optional_broker(request: HttpRequest) -> Broker | None:
    """For public reads: no header is the public; a header with a bad key is still 401."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    broker = broker_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
    if broker is None:
        raise AuthenticationError()
    return broker

"""What every router of the broker API shares: the error responses, who calls, the owner token, the 404s.

Every write: the key (auth, 401/403), the object (404), the owner token (403), then ONE service, whose
refusal (403/404/409/422) rolls back everything.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from ninja.params.functions import Header, Query  # the functions; `ninja.Header`/`Query` are typed as generic aliases
from ninja.utils import contribute_operation_args

from vzaemo.auctions import selectors as auctions
from vzaemo.auctions.models import Broker
from vzaemo.broker_api import selectors
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import IntegrationKey, OwnerToken
from vzaemo.broker_api.schemas import ErrorsOut
from vzaemo.broker_api.services import Access, owner_token_matches

ERRORS: dict[int, Any] = {code: ErrorsOut for code in (401, 403, 404, 409, 422, 429)}

OWNERSHIP_DOC = (
    "The new broker (levels `create` in the object's mode and `edit`) sends the transfer key the owner gave it. "
    "The answer carries a new `access` (token and transfer) for the new owner; the old token and the transfer "
    "key used stop working (a transfer key works once)."
)


def broker_of(request: HttpRequest) -> Broker:
    broker = getattr(request, "auth", None)
    assert isinstance(broker, Broker)  # noqa: S101 - guaranteed by api_key_auth
    return broker


def integration_of(request: HttpRequest) -> IntegrationKey:
    key = getattr(request, "auth", None)
    assert isinstance(key, IntegrationKey)  # noqa: S101 - guaranteed by the integration auth
    return key


def not_found(name: str) -> ApiError:
    return ApiError(404, location="path", name=name, description="Not found.")


def set_location(request: HttpRequest, response: HttpResponse, pk: int) -> None:
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{pk}")


def access_body(access: Access) -> dict[str, str]:
    return {"token": access.token, "transfer": access.transfer}


def auction_body(auction_id: int, broker: Broker | None) -> dict[str, Any]:
    """`{"data": ...}`: the public document of an auction known to exist, as `broker` sees it."""
    auction = auctions.auction_get(auction_id=auction_id)
    assert auction is not None  # noqa: S101 - checked by the endpoint before its service ran
    return {"data": auctions.auction_public_document(auction, broker=broker)}


# --- the owner token ----------------------------------------------------------------------------------------

View = TypeVar("View", bound=Callable[..., Any])

_REQUEST_SLOT = "broker_api_owner_token"  # where @owner_token leaves the token for the view
# The parameters' type, as django-ninja takes it (a runtime type object, which mypy does not see as a `type`).
_OPTIONAL_TEXT: Any = str | None


def owner_token(view: View) -> View:
    """The operation takes an object's owner token: django-ninja parses (and the OpenAPI document shows) the
    `X-Access-Token` header and the `acc_token` query, declared here once for every such operation; the view
    checks the token with `require_owner_token`."""

    @wraps(view)
    def with_owner_token(
        request: HttpRequest, *args: Any, x_access_token: str | None = None, acc_token: str | None = None, **kwargs: Any
    ) -> Any:
        setattr(request, _REQUEST_SLOT, x_access_token or acc_token or None)
        return view(request, *args, **kwargs)

    # django-ninja reads the view's parameters from this signature but resolves string annotations in the
    # wrapper's module; resolved here, in the view's.
    with_owner_token.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    description = "The object's owner token (or `acc_token` query)"
    contribute_operation_args(
        with_owner_token,
        "x_access_token",
        _OPTIONAL_TEXT,
        Header(None, alias="X-Access-Token", description=description),
    )
    contribute_operation_args(with_owner_token, "acc_token", _OPTIONAL_TEXT, Query(None))
    return with_owner_token  # type: ignore[return-value]


def require_owner_token(request: HttpRequest, *, kind: str, object_id: int) -> Broker:
    """The calling broker, if it holds the object's owner token and sent it; else 403."""
    if not hasattr(request, _REQUEST_SLOT):
        raise TypeError("The operation checks an owner token but is not decorated with @owner_token.")
    broker = broker_of(request)
    token = getattr(request, _REQUEST_SLOT)
    if not owner_token_matches(kind=kind, object_id=object_id, broker=broker, token=token):
        raise ApiError(
            403,
            location="header",
            name="X-Access-Token",
            description="Send this object's owner token (X-Access-Token header or acc_token query).",
        )
    return broker


def auction_owner(request: HttpRequest, auction_id: int) -> Broker:
    """404 for an unknown auction, then 403 without its owner token (that of the lot's first attempt)."""
    if not selectors.auction_exists(auction_id=auction_id):
        raise not_found("auction_id")
    return require_owner_token(request, kind=OwnerToken.Kind.AUCTION, object_id=auction_id)

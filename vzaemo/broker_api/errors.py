"""The error envelope `{"errors": [{"location", "name", "description"}]}` and what maps to which status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from vzaemo.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed, TooManyRequests

LOCATIONS = {"body", "query", "path", "header"}


class ApiError(Exception):
    """An error raised by the API layer itself (bad offset, bad owner token, unknown object)."""

    def __init__(self, status: int, *, location: str, name: str, description: str) -> None:
        super().__init__(description)
        self.status, self.location, self.name, self.description = status, location, name, description


def error(location: str, name: str, description: str) -> dict[str, str]:
    return {"location": location, "name": name, "description": description}


# A service names the field it refuses by its own name; the API answers with the body's path.
BODY_NAMES = {
    "start_value": "data.value.amount",
    "value": "data.value.amount",
    "amount": "data.value.amount",
    "auction_start": "data.auctionPeriod.startDate",
    "bidder_name": "data.bidder.name",
    "bidder_identifier": "data.bidder.identifier",
    "enforcement_proceeding": "data.enforcementProceeding",
    "organiser": "data.organiser_id",
    "sha256": "data.hash",
    "document": "data.url",
}


def body_name(field: str) -> str:
    return BODY_NAMES.get(field, f"data.{field}")


def status_of(exc: DomainError) -> int:
    if isinstance(exc, NotAllowed):
        return 404 if exc.code.endswith("_not_found") else 403
    if isinstance(exc, Conflict | InvalidTransition):
        return 409
    if isinstance(exc, TooManyRequests):
        return 429
    return 422


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, errors: list[dict[str, str]]) -> HttpResponse:
        return api.create_response(request, {"errors": errors}, status=status)

    @api.exception_handler(DomainError)
    def domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        if exc.field:
            return respond(request, status_of(exc), [error("body", body_name(exc.field), str(exc.message))])
        return respond(request, status_of(exc), [error("url", exc.code, str(exc.message))])

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, [error(exc.location, exc.name, exc.description)])

    @api.exception_handler(AuthenticationError)
    def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:  # noqa: ARG001 - ninja's handler signature
        response = respond(
            request, 401, [error("header", "Authorization", "Send a live API key: Authorization: Bearer <key>.")]
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:  # noqa: ARG001 - ninja's handler signature
        # django-ninja adds `Retry-After` (whole seconds to the next window) to this response.
        description = "Too many requests for this API key; wait for the Retry-After seconds, then repeat."
        return respond(request, 429, [error("header", "rate_limit", description)])

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, [_from_pydantic(item) for item in exc.errors])

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:  # noqa: ARG001 - ninja's handler signature
        return respond(request, 413, [body_too_large()])

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:  # noqa: ARG001 - ninja's handler signature
        return respond(request, 404, [error("url", "request", "Not found.")])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == HTTPStatus.BAD_REQUEST:  # ninja could not parse the body: 422 as in openprocurement
            return respond(request, 422, [error("body", "data", 'Send a JSON object: {"data": {...}}.')])
        return respond(request, exc.status_code, [error("url", "request", str(exc))])


def body_too_large() -> dict[str, str]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error("body", "data", f"The body is larger than {limit} bytes.")


def _from_pydantic(item: dict[str, Any]) -> dict[str, str]:
    loc = [str(part) for part in item.get("loc", ())]
    location = loc[0] if loc and loc[0] in LOCATIONS else "body"
    rest = loc[1:] if loc and loc[0] in LOCATIONS else loc
    if location == "body" and rest and rest[0] == "payload":
        rest = rest[1:]
    return error(location, ".".join(rest) or location, str(item.get("msg", "invalid")))

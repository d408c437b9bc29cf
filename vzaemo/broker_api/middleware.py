"""Every answer under the broker API is its JSON error envelope, whatever failed and wherever.

The API's own handlers (vzaemo.broker_api.errors) cover what goes wrong inside an endpoint. This covers the rest:
input the database cannot take (NUL in the path, query or headers: PostgreSQL refuses it with a server error),
a body over Django's limit (refused from Content-Length before it is read), and an error page Django renders
itself (an unknown URL, an unexpected exception: logged by Django as usual, then answered as JSON here). A 503 is
a database outage (vzaemo/web/outage.py, whatever form it was given there): `service_unavailable` with its
`Retry-After`, so a client knows to repeat the request later.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from vzaemo.broker_api.errors import body_too_large, error

API_PREFIX = "/api/broker/"
NUL = "\x00"


class BrokerApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        refusal = _refuse_before_reading(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code == HTTPStatus.SERVICE_UNAVAILABLE or (
            response.status_code >= HTTPStatus.BAD_REQUEST
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _envelope(response.status_code, [_from_status(response.status_code)], response)
        return response


def _refuse_before_reading(request: HttpRequest) -> HttpResponse | None:
    if NUL in request.path:
        return _envelope(422, [error("path", "path", "The path must not contain the NUL character.")])
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return _envelope(422, [error("query", name.replace(NUL, ""), "Must not contain the NUL character.")])
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            header = key.removeprefix("HTTP_").replace("_", "-").title()
            return _envelope(422, [error("header", header, "Must not contain the NUL character.")])
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if limit is not None and declared > limit:
        return _envelope(413, [body_too_large()])
    return None


def _from_status(status: int) -> dict[str, str]:
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        return error("url", "service_unavailable", "The service is unavailable for a moment; repeat after Retry-After.")
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return error("url", "server_error", "The server could not answer this request; it is logged. Try again.")
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return error("url", "request", f"{phrase}.")


def _envelope(status: int, errors: list[dict[str, str]], original: HttpResponse | None = None) -> HttpResponse:
    response = JsonResponse({"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False})
    if original is not None:
        # What the original answer said beyond its body (Allow on 405, Retry-After) still holds.
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control"):
            if header in original:
                response[header] = original[header]
    return response

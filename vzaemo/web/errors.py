"""Turning a refused service call into what a person sees: a form error, a message, or a JSON body."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url

from vzaemo.accounts.models import User
from vzaemo.core.errors import Conflict, DomainError, NotAllowed, NotFound, TooManyRequests

# The first match wins: NotFound is also a NotAllowed.
STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (Conflict, 409),
    (NotFound, 404),
    (NotAllowed, 403),
    (TooManyRequests, 429),
]


def http_status(error: DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 422


def json_error(error: DomainError, *, status: int | None = None) -> JsonResponse:
    """The one error body of the pages' JSON answers: `{"errors": [{"code", "message", "field"}]}`.

    A list, as in the broker API's envelope, so a client reads every answer the same way; `code` is
    stable (clients match on it), `message` is for people, `field` names the input at fault or is "".
    """
    response = JsonResponse(
        {"errors": [{"code": str(error.code), "message": str(error.message), "field": error.field or ""}]},
        status=status or http_status(error),
        json_dumps_params={"ensure_ascii": False},
    )
    if isinstance(error, TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response


def add_to_form(form: forms.Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def signed_in(request: HttpRequest) -> User:
    """The signed-in person of a view behind login_required; services refuse anyone they must."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request wants a fragment in place, not a whole page."""
    return request.headers.get("HX-Request") == "true"


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def see_other(to: str, *args: object, **kwargs: object) -> HttpResponseSeeOther:
    """After a POST, 303 tells every client to GET the next page (302 lets some repeat the POST)."""
    return HttpResponseSeeOther(resolve_url(to, *args, **kwargs))


def act(request: HttpRequest, call: Callable[[], object], *, success: str, then: str) -> HttpResponseSeeOther:
    """A button that calls one service: its success or its refusal becomes a message, then 303 to `then`."""
    try:
        call()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)
    return see_other(then)

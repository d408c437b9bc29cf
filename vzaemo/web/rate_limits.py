"""Rate limits of the pages' forms: one decorator on each limited view (ADR 0013).

The limit is checked at the edge, not in the service: it is about who sends requests from where (the
signed-in account, the client address behind the trusted proxy), which a service never sees, and services
are also called by the demo seeding and the chronograph, which no limit should stop. A refused request never
reaches the view, so it stores nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus
from typing import Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vzaemo.core import rate_limits
from vzaemo.core.client_ip import client_ip
from vzaemo.core.errors import TooManyRequests
from vzaemo.web.errors import is_htmx

P = ParamSpec("P")
# allauth does not say which of its windows refused; most of its rates are per minute.
ALLAUTH_RETRY_AFTER_SECONDS = 60


def too_many_requests(request: HttpRequest, error: TooManyRequests) -> HttpResponse:
    """429 with `Retry-After` and the reason: the page, or only the message for htmx to put in place."""
    template = "429.html#message" if is_htmx(request) else "429.html"
    response = render(request, template, {"message": error.message}, status=HTTPStatus.TOO_MANY_REQUESTS)
    response["Retry-After"] = str(error.retry_after)
    return response


View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def rate_limited(name: str) -> Callable[[View[P]], View[P]]:
    """Count every POST to the view against the limits `name` of `VZAEMO_RATE_LIMITS`; over one, answer 429."""

    def decorate(view: View[P]) -> View[P]:
        @functools.wraps(view)
        def limited(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if request.method == "POST":
                user = request.user
                try:
                    rate_limits.consume(
                        name, account=user.pk if user.is_authenticated else None, client_ip=client_ip(request)
                    )
                except TooManyRequests as error:
                    return too_many_requests(request, error)
            return view(request, *args, **kwargs)

        return limited

    return decorate


def allauth_too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's refusals (sign-up, sign-in, password reset) as the platform's own (`handler429` in urls)."""
    message = _("Too many attempts in a short time. Please wait a minute and try again.")
    return too_many_requests(request, TooManyRequests(message, retry_after=ALLAUTH_RETRY_AFTER_SECONDS))

"""While the database is out, every request is answered 503 with `Retry-After`, not a server error.

Django turns an exception into a response at the middleware it escaped from (it wraps each one), so no single
middleware position sees them all: a session that cannot be loaded fails inside the authentication and MFA
middleware, a session that cannot be saved inside SessionMiddleware's answer, a query inside the view. Every one
of them reaches the 500 handler (`handler500` in vzaemo/urls.py) while the exception is still being handled, and
that is where an outage is told apart from a bug (`core.outage.is_database_outage`).

The answer touches no database: no session, no user, no messages, no template context processors. Pages get a
short page of their own; the pages' JSON answers their error body (`web.errors.json_error`) with the code
`service_unavailable`; the broker API turns the 503 into its envelope (vzaemo/broker_api/middleware.py). With
DEBUG on, Django shows its technical page instead, as for any other error.
"""

from __future__ import annotations

import sys
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from vzaemo.core.errors import DomainError
from vzaemo.core.outage import is_database_outage
from vzaemo.web.errors import json_error

SERVICE_UNAVAILABLE = "service_unavailable"
# Paths whose answers are JSON for programs, not pages: the document service and the `.json` reads.
JSON_PREFIXES = ("/documents/",)


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: 503 for a database outage, Django's own 500 page for anything else."""
    error = sys.exc_info()[1]
    if error is not None and is_database_outage(error):
        return unavailable(request)
    return defaults.server_error(request)


def unavailable(request: HttpRequest) -> HttpResponse:
    retry_after = settings.VZAEMO_OUTAGE_RETRY_AFTER_SECONDS
    # The language middleware may not have run yet: read the choice from the request itself (cookie, then
    # Accept-Language; never the session, which lives in the database).
    with translation.override(translation.get_language_from_request(request)):
        message = _("The platform cannot reach its database right now. Please try again in a minute.")
        if _wants_json(request):
            response: HttpResponse = json_error(
                DomainError(message, code=SERVICE_UNAVAILABLE), status=HTTPStatus.SERVICE_UNAVAILABLE
            )
        else:
            # A GET can simply be asked again; after a POST the form has to be opened again.
            again = request.get_full_path() if request.method in {"GET", "HEAD"} else "/"
            page = render_to_string("503.html", {"message": message, "retry_after": retry_after, "again": again})
            response = HttpResponse(page, status=HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(retry_after)
    # An answer for this moment only: no browser or proxy (nginx's micro-cache) may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request: HttpRequest) -> bool:
    path = request.path
    if path.endswith(".json") or path.startswith(JSON_PREFIXES):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept

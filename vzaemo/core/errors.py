"""Domain errors: services raise them, the edges (forms, views, API) turn them into messages."""

from __future__ import annotations

from django.http import Http404
from django.utils.functional import Promise


class DomainError(Exception):
    """A refused action. `code` is stable (API clients match on it); `message` is for people."""

    code: str = "refused"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class NotAllowed(DomainError):
    code = "forbidden"


class NotFound(NotAllowed, Http404):
    """No such object, or not one this person may see: the same answer, so existence does not leak.

    A refusal like any other to callers that catch `NotAllowed`; an `Http404` too, so a page that
    lets it propagate answers 404 as `get_object_or_404` would."""

    code = "not_found"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Conflict(DomainError):
    code = "conflict"


class ValidationFailed(DomainError):
    code = "invalid"


class TooManyRequests(DomainError):
    """Refused for its rate: the edge answers 429 with `Retry-After: retry_after`."""

    code = "rate_limited"

    def __init__(self, message: str | Promise, *, code: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after

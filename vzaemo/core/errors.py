"""Domain errors: services raise them, the edges (forms, views, API) turn them into messages."""

from __future__ import annotations

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


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Conflict(DomainError):
    code = "conflict"


class ValidationFailed(DomainError):
    code = "invalid"

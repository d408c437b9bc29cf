"""Admin screens of the shared kernel, one module per concern."""

from vzaemo.core.admin import audit, calendar, rules  # noqa: F401

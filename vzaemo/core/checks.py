"""The secret key: servers refuse to start without a private one, and `check --deploy` names a public one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Keys that were ever published (the repository's old default): anyone can sign sessions and email
# confirmations with them.
PUBLIC_SECRET_KEYS = frozenset({"insecure-demo-key-change-me-in-production-0123456789"})


def secret_key_problem() -> str | None:
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's refusal of an empty key
        return "SECRET_KEY is not set: give every process the same private key in the environment."
    if key in PUBLIC_SECRET_KEYS:
        return "SECRET_KEY is a published default: anyone can forge sessions and email confirmations with it."
    return None


def require_secret_key() -> None:
    """Called by every server before it serves: without a private key it would fail (or be forgeable) later."""
    problem = secret_key_problem()
    if problem and not settings.DEBUG:
        raise ImproperlyConfigured(f"{problem} (The embedded demo makes its own: VZAEMO_DEMO=1.)")


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(**_kwargs: Any) -> list[checks.CheckMessage]:
    problem = secret_key_problem()
    if problem is None:
        return []
    return [
        checks.Error(
            problem, hint="Set SECRET_KEY to a long random value, e.g. secrets.token_urlsafe(50).", id="vzaemo.E001"
        )
    ]

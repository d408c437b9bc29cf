"""Deployment checks: servers refuse to start without a private secret key, and `check --deploy` names a public
one and the proxy settings that would send every request round a redirect loop."""

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


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_settings(**_kwargs: Any) -> list[checks.CheckMessage]:
    """The scheme behind nginx: X-Forwarded-Proto is believed only from TRUSTED_PROXIES (core.client_ip)."""
    problems: list[checks.CheckMessage] = []
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUSTED_PROXIES:
        problems.append(
            checks.Error(
                "SECURE_PROXY_SSL_HEADER is on but TRUSTED_PROXIES is empty: the header is dropped from every "
                "request, so every request looks like plain HTTP.",
                hint="List the proxy's address in TRUSTED_PROXIES, e.g. 127.0.0.1/32 for nginx on the same host.",
                id="vzaemo.E002",
            )
        )
    if settings.SECURE_SSL_REDIRECT and settings.TRUSTED_PROXIES and not settings.SECURE_PROXY_SSL_HEADER:
        problems.append(
            checks.Error(
                "SECURE_SSL_REDIRECT is on behind a proxy (TRUSTED_PROXIES) without SECURE_PROXY_SSL_HEADER: "
                "requests the proxy received over HTTPS look like HTTP and are redirected for ever.",
                hint="Set SECURE_PROXY_SSL_HEADER=1 and let the proxy send X-Forwarded-Proto.",
                id="vzaemo.E003",
            )
        )
    return problems

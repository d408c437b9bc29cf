from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.translation import gettext

from vzaemo.accounts.services import user_mark_email_verified
from vzaemo.core.client_ip import client_ip


@dataclass(frozen=True)
class PlatformSite:
    """What allauth's emails call the site: the platform's name in the reader's language and its public host.

    Without django.contrib.sites allauth names the site after the request's host ("[127.0.0.1:8000] Please
    confirm..."), and a task worker has no request at all; the platform's own name and `VZAEMO_SITE_URL`
    say the same in every email, the demo's included.
    """

    name: str
    domain: str


def platform_site() -> PlatformSite:
    return PlatformSite(name=gettext("Vzaemo"), domain=urlsplit(settings.VZAEMO_SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        prefix: str | None = account_settings.EMAIL_SUBJECT_PREFIX
        if prefix is None:
            prefix = f"[{platform_site().name}] "
        return prefix + force_str(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": platform_site()})

    def confirm_email(self, request: HttpRequest, email_address: Any) -> Any:
        # allauth logs the person in only when this returns its truthy result: pass it on.
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            # Only the account's own address makes a person a verified signer.
            user_mark_email_verified(user=email_address.user, email=email_address.email)
        return confirmed

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (sign-up, sign-in, password reset) count per this address: the platform's one
        # answer, which believes X-Forwarded-For only from a trusted proxy, instead of allauth's own.
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:  # noqa: ARG002 - allauth's hook
        return bool(settings.IDGOVUA_ENABLED)

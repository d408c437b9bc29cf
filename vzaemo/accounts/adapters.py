from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from vzaemo.accounts.services import user_mark_email_verified
from vzaemo.core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
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

"""Staff must use a second factor (TOTP): set it up, then prove it in every session before anything else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# The broker API authenticates with keys, not staff sessions.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.VZAEMO_STAFF_MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            if not _has_totp(user.pk):
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
            # Owning an authenticator proves nothing about this session: a session opened by a password
            # alone (any login view but allauth's, which has the MFA stage) must still enter the code.
            if not _session_passed_mfa(request, user):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)


def _has_totp(user_id: int) -> bool:
    has: bool = Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()
    return has


def _session_passed_mfa(request: HttpRequest, user: object) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))

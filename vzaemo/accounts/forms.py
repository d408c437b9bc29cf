from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.services import user_sign_up_complete

NAME_PARTS_MIN = 2  # a surname and a given name


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth adds email and passwords. The law lists signers by full name."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, help_text=_("As in your passport; shown in petition signer lists.")
    )

    def clean_full_name(self) -> str:
        value = " ".join(self.cleaned_data["full_name"].split())
        if len(value.split(" ")) < NAME_PARTS_MIN:
            raise forms.ValidationError(_("Enter your surname and given name."))
        return value

    def signup(self, request: HttpRequest, user: Any) -> None:  # noqa: ARG002 - allauth's hook
        # allauth's hook after it created the user (local and ID.GOV.UA sign-ups alike).
        user_sign_up_complete(user=user, full_name=self.cleaned_data["full_name"])

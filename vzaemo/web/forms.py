"""What every state-changing form of the site shares: the one-time key that makes a resend harmless."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from vzaemo.core import idempotency
from vzaemo.core.errors import ValidationFailed

KEY_FIELD = "idempotency_key"


class IdempotentForm(forms.Form):
    """A form whose every display carries a fresh key (`vzaemo.core.idempotency`); the page passes
    `cleaned_data["idempotency_key"]` to its service, which returns the first result to a resend.

    A missing, forged or expired key is a form error, and the form comes back with a new key, so sending
    it again works."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per display, not per class: fields are copied for each form instance.
        self.fields[KEY_FIELD].initial = idempotency.issue()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned[KEY_FIELD] = idempotency.verify(self.data.get(self.add_prefix(KEY_FIELD)))
        except ValidationFailed as error:
            self._renew_key()
            # The form's own error, not the hidden field's: a person cannot see or fix that field.
            raise forms.ValidationError(str(error.message), code=str(error.code)) from None
        return cleaned

    def add_error(self, field: str | None, error: forms.ValidationError | str | Any) -> None:
        # A service's refusal of the key (another person's, say) reads as the form's own error, with a new key.
        if field == KEY_FIELD:
            self._renew_key()
            field = None
        super().add_error(field, error)

    def _renew_key(self) -> None:
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix(KEY_FIELD)] = idempotency.issue()
        self.data = data

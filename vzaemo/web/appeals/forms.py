from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Authority
from vzaemo.appeals.rules import TERM_RULE, term_label
from vzaemo.appeals.selectors import addressable_authorities
from vzaemo.appeals.services import ESSENCE_MAX
from vzaemo.appeals.states import AnswerTerm, AppealCategory, AppealKind, RefusalReason
from vzaemo.core import rules as registry
from vzaemo.web.forms import IdempotentForm

DUPLICATE_FIELD = "duplicate_confirmed"


class AppealForm(IdempotentForm):
    kind = forms.ChoiceField(label=_("Type of appeal"), choices=AppealKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=AppealCategory.choices,
        initial=AppealCategory.GENERAL,
        help_text=_("Community-safety appeals go to a police unit and may include a place and a photo."),
    )
    authority = forms.ModelChoiceField(
        label=_("Addressed to"), queryset=Authority.objects.none(), empty_label=_("Choose an authority")
    )
    essence = forms.CharField(
        label=_("Essence of the appeal"), max_length=ESSENCE_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    location_text = forms.CharField(label=_("Location"), max_length=300, required=False)
    photo = forms.FileField(
        label=_("Photo (JPEG or PNG, up to 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    place_of_residence = forms.CharField(label=_("Place of residence"), max_length=300)
    email = forms.EmailField(label=_("Email for the answer"))
    # Shown only when the service finds the same appeal filed recently (see add_error) or it was ticked.
    duplicate_confirmed = forms.BooleanField(
        label=_("Yes, file this appeal again"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = addressable_authorities()  # type: ignore[attr-defined]
        if self.is_bound and self.fields[DUPLICATE_FIELD].to_python(self.data.get(self.add_prefix(DUPLICATE_FIELD))):
            self._ask_to_confirm()

    def add_error(self, field: str | None, error: forms.ValidationError | str | Any) -> None:
        if field == DUPLICATE_FIELD:
            self._ask_to_confirm()
        super().add_error(field, error)

    def _ask_to_confirm(self) -> None:
        self.fields[DUPLICATE_FIELD].widget = forms.CheckboxInput()


class RegisterForm(forms.Form):
    term = forms.ChoiceField(label=_("Answer term"), initial=AnswerTerm.STANDARD, widget=forms.RadioSelect)

    def __init__(self, *args: object, authority: Authority, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Each term with its length as the registry has it for this authority today.
        self.fields["term"].choices = [  # type: ignore[attr-defined]
            (term.value, term_label(term, registry.get(TERM_RULE[term], authority=authority))) for term in AnswerTerm
        ]


class ForwardForm(forms.Form):
    to = forms.ModelChoiceField(
        label=_("Competent body"), queryset=Authority.objects.none(), empty_label=_("Choose an authority")
    )
    note = forms.CharField(label=_("Reason, for the applicant"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, targets: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["to"].queryset = targets  # type: ignore[attr-defined]


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New term ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason, for the applicant"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Legal ground"), choices=RefusalReason.choices)
    text = forms.CharField(label=_("Reasons, in writing"), widget=forms.Textarea(attrs={"rows": 5}))


class ComplaintForm(IdempotentForm):
    essence = forms.CharField(
        label=_("Essence of the complaint"), max_length=ESSENCE_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )

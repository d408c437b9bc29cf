from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Authority
from vzaemo.petitions.selectors import petitionable_authorities
from vzaemo.petitions.services import ESSENCE_MAX, TITLE_MAX
from vzaemo.petitions.states import PUBLIC, AnswerDecision, PetitionStatus, RejectionReason
from vzaemo.web.forms import IdempotentForm


class PetitionForm(IdempotentForm):
    authority = forms.ModelChoiceField(
        label=_("Addressed to"), queryset=Authority.objects.none(), empty_label=_("Choose an authority")
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    essence = forms.CharField(
        label=_("Essence of the petition"),
        max_length=ESSENCE_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What you ask the authority to do, and why."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = petitionable_authorities()  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    note = forms.CharField(
        label=_("Explanation to the author"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=AnswerDecision.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Public answer"), widget=forms.Textarea(attrs={"rows": 8}))


class PetitionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    authority = forms.ChoiceField(label=_("Authority"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + [(s.value, s.label) for s in PetitionStatus if s in PUBLIC],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[("newest", _("newest")), ("signatures", _("most signatures"))]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["authority"].choices = [("", _("All authorities"))] + [  # type: ignore[attr-defined]
            (a.slug, a.name) for a in petitionable_authorities()
        ]

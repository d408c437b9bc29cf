from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Authority
from vzaemo.consultations import selectors
from vzaemo.consultations.models import Consultation
from vzaemo.consultations.services import (
    DRAFT_MAX,
    NOTICE_FIELD_MAX,
    PROPOSAL_MAX,
    PROPOSALS_FORM_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
)
from vzaemo.consultations.states import Decision, ModerationReason, Topic
from vzaemo.web.forms import KEY_FIELD, IdempotentForm

SPLIT_RULE = _(
    "Paste the whole draft. It is split into numbered clauses: if two or more lines start with a number "
    "and a dot or bracket (“1.”, “2)”), each such line starts a clause and any text before the first one "
    "is a clause of its own; otherwise every paragraph (text between blank lines) is a clause. "
    "You can review the clauses before opening the consultation."
)


class ConsultationForm(IdempotentForm):
    """The notice: every item of Cabinet Res. 996 p. 17, and the draft text."""

    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=Authority.objects.none(), empty_label=_("Choose an authority")
    )
    title = forms.CharField(label=_("Title of the draft act"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary of the draft"), max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    affected_groups = forms.CharField(
        label=_("Affected social groups and stakeholders"),
        max_length=NOTICE_FIELD_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consequences = forms.CharField(
        label=_("Possible consequences of the act"),
        max_length=NOTICE_FIELD_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_email = forms.EmailField(label=_("Email address for proposals"))
    proposals_form = forms.CharField(
        label=_("Form of proposals"),
        max_length=PROPOSALS_FORM_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("Written proposals on this page (signed-in users), or by email to the address above."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", _("Choose a topic")), *Topic.choices])
    closes_on = forms.DateField(
        label=_("Deadline for proposals (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    draft_text = forms.CharField(
        label=_("Text of the draft act"),
        max_length=DRAFT_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=SPLIT_RULE,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = selectors.authorities_managed_by(user=user)  # type: ignore[attr-defined]

    def notice(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("authority", None)
        data.pop(KEY_FIELD, None)
        return data


class ProposalForm(IdempotentForm):
    clause = forms.ChoiceField(label=_("On"), required=False)
    on_behalf = forms.ChoiceField(label=_("On behalf of"), required=False)
    text = forms.CharField(label=_("Your proposal"), max_length=PROPOSAL_MAX, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, consultation: Consultation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", _("The draft as a whole"))] + [  # type: ignore[attr-defined]
            (str(c.pk), _("Clause %(n)s") % {"n": c.label} if c.label else _("Title and preamble"))
            for c in consultation.clauses.order_by("number")
        ]
        self.fields["on_behalf"].choices = [("", _("Myself"))] + [  # type: ignore[attr-defined]
            (str(cso.pk), cso.name) for cso in selectors.csos_represented_by(user=user)
        ]


class HideForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ModerationReason.choices)
    note = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the proposal is rejected or accepted in part."),
    )


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Decisions taken after the consultation"), widget=forms.Textarea(attrs={"rows": 6})
    )


class ConsultationFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All")), ("open", _("Open for proposals")), ("past", _("Past"))],
    )
    authority = forms.ChoiceField(label=_("Authority"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("All topics")), *Topic.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [("", _("All authorities"))] + [  # type: ignore[attr-defined]
            (a.slug, a.name) for a in selectors.consulting_authorities()
        ]


class SubscriptionForm(forms.Form):
    authority = forms.ModelChoiceField(
        label=_("Authority"),
        required=False,
        queryset=Authority.objects.filter(is_active=True).order_by("name_uk"),
        empty_label=_("Any authority"),
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("Any topic")), *Topic.choices])

"""The one stop's filters: every value a person can put in the address is checked here, never trusted."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Authority, Region
from vzaemo.onestop import selectors
from vzaemo.onestop.models import FollowTarget, Frequency
from vzaemo.onestop.selectors import Filters

ANY = ("", _("any"))


class ItemFilterForm(forms.Form):
    """Search's filters; the calendar uses the same form without the words and the status."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    # Any authority by its short name, also one whose items are all closed now (a saved link must keep working);
    # the list offers those with public items.
    authority = forms.CharField(label=_("Authority"), required=False, max_length=80)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[ANY, *Region.choices])
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, calendar: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [ANY, *selectors.public_kinds()]
        cast(forms.ChoiceField, self.fields["status"]).choices = [ANY, *selectors.public_statuses()]
        authorities = [(a.slug, a.name) for a in selectors.authorities_with_items()]
        self.fields["authority"].widget = forms.Select(choices=[ANY, *authorities])
        if calendar:
            del self.fields["q"]
            del self.fields["status"]
        self.chosen_authority: Authority | None = None

    def clean_authority(self) -> str:
        slug: str = self.cleaned_data.get("authority", "")
        if slug:
            self.chosen_authority = selectors.authority_by_slug(slug)
            if self.chosen_authority is None:
                raise forms.ValidationError(_("There is no such authority."), code="authority_not_found")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first date is after the last one."), code="dates_reversed")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            query=data.get("q", ""),
            kind=data.get("kind", ""),
            authority_id=self.chosen_authority.pk if self.chosen_authority else None,
            region=data.get("region", ""),
            status=data.get("status", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class FollowForm(forms.Form):
    target = forms.ChoiceField(label=_("Follow"), choices=FollowTarget.choices)
    value = forms.CharField(label=_("What"), max_length=120)
    frequency = forms.ChoiceField(label=_("Email"), choices=Frequency.choices, required=False)

    def clean_frequency(self) -> str:
        return self.cleaned_data.get("frequency") or Frequency.DAILY


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Email"), choices=Frequency.choices)

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from vzaemo.accounts.models import Region
from vzaemo.auctions.states import PUBLIC, AuctionStatus, Category


class AuctionFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("Any category")), *Category.choices],
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Region"), required=False, choices=[("", gettext_lazy("Any region")), *Region.choices]
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status"))] + [(s.value, s.label) for s in AuctionStatus if s in PUBLIC],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by auction date"),
        required=False,
        choices=[("-date", gettext_lazy("latest first")), ("date", gettext_lazy("earliest first"))],
    )

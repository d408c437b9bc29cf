from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from vzaemo.accounts.models import Region
from vzaemo.auctions.states import PUBLIC, AuctionStatus, Category
from vzaemo.web.forms import IdempotentForm


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


class LotPhotoForm(IdempotentForm):
    """One photo and its text alternatives; the service checks the file by its content, not this form."""

    photo = forms.FileField(
        label=gettext_lazy("Photo (JPEG, PNG or WebP)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_uk = forms.CharField(
        label=gettext_lazy("What the photo shows, in Ukrainian"),
        max_length=300,
        help_text=gettext_lazy("Read aloud to people who cannot see the photo."),
    )
    alt_en = forms.CharField(label=gettext_lazy("What the photo shows, in English"), max_length=300)

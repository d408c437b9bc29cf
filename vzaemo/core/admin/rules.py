"""Admin screens of the legal rules registry (DESIGN rule 4); every edit leaves an audit record (rule 5)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vzaemo.core import audit
from vzaemo.core.models import LegalRule, LegalRuleOverride

if TYPE_CHECKING:
    # Generic only for the type checker: Django's classes are not subscriptable at run time.
    _ModelAdmin = admin.ModelAdmin[Any]
    _RuleOverrideModelForm = forms.ModelForm[LegalRuleOverride]
else:
    _ModelAdmin = admin.ModelAdmin
    _RuleOverrideModelForm = forms.ModelForm


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Decimal):
        # Fixed-point without trailing zeros, so the database's 10.0000 and a form's 10 read alike
        # (str(normalize()) alone would give "1E+1").
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_json_safe(item) for item in value]
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The editable fields of `obj` as a JSON-safe dict, for an audit entry's before/after."""
    return {name: _json_safe(value) for name, value in model_to_dict(obj).items()}


class AuditedModelAdmin(_ModelAdmin):
    """A ModelAdmin whose saves and deletes record before/after in the audit log, in the same transaction.

    The admin wraps each change in a transaction, so the entry commits or rolls back with the change.
    """

    audit_tag: str

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # `obj` already carries the form's values, so the previous state comes from the database.
        previous = self.model._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            subject=obj,
            tag=self.audit_tag,
            before=snapshot(previous) if previous is not None else None,
            after=snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # Recorded first, while the subject still has its primary key.
        audit.record(actor=request.user, subject=obj, tag=self.audit_tag, before=snapshot(obj), after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The bulk "delete selected" action bypasses delete_model; each row still needs its record.
        for obj in queryset:
            audit.record(actor=request.user, subject=obj, tag=self.audit_tag, before=snapshot(obj), after=None)
        super().delete_queryset(request, queryset)


@admin.register(LegalRule)
class LegalRuleAdmin(AuditedModelAdmin):
    audit_tag = "core:rule:change"
    list_display = ("key", "value", "unit", "confidence", "effective_from", "overridable")
    list_filter = ("unit", "confidence", "overridable", "effective_from")
    search_fields = ("key", "title_uk", "title_en", "source")
    date_hierarchy = "effective_from"
    fieldsets = (
        (None, {"fields": ("key", "value", "unit", "effective_from", "overridable")}),
        (_("Title"), {"fields": ("title_uk", "title_en")}),
        (_("Source"), {"fields": ("source", "source_url", "confidence")}),
    )


class LegalRuleOverrideForm(_RuleOverrideModelForm):
    class Meta:
        model = LegalRuleOverride
        fields = ("key", "authority", "value", "unit", "effective_from", "source", "source_url")

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        rules = LegalRule.objects.filter(key=key)
        if not rules.exists():
            raise forms.ValidationError(_("There is no legal rule with this key."))
        # rules.get() ignores an override of a rule the law does not let authorities change.
        if not rules.filter(overridable=True).exists():
            raise forms.ValidationError(_("The law does not let authorities override this rule."))
        return key


@admin.register(LegalRuleOverride)
class LegalRuleOverrideAdmin(AuditedModelAdmin):
    audit_tag = "core:rule:change"
    form = LegalRuleOverrideForm
    list_display = ("key", "authority", "value", "unit", "effective_from")
    list_filter = ("unit", "effective_from")
    list_select_related = ("authority",)
    search_fields = ("key", "authority__name_uk", "authority__name_en", "source")
    autocomplete_fields = ("authority",)

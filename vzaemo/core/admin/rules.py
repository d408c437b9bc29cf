"""Admin screens of the legal rules registry (docs/design.md rule 4); every edit leaves an audit record (rule 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.models import LegalRule, LegalRuleOverride

if TYPE_CHECKING:
    # Generic only for the type checker: Django's classes are not subscriptable at run time.
    _RuleOverrideModelForm = forms.ModelForm[LegalRuleOverride]
else:
    _RuleOverrideModelForm = forms.ModelForm


@admin.register(LegalRule)
class LegalRuleAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.CORE_RULE_CHANGE
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
    audit_tag = AuditTag.CORE_RULE_CHANGE
    form = LegalRuleOverrideForm
    list_display = ("key", "authority", "value", "unit", "effective_from")
    list_filter = ("unit", "effective_from")
    list_select_related = ("authority",)
    search_fields = ("key", "authority__name_uk", "authority__name_en", "source")
    autocomplete_fields = ("authority",)

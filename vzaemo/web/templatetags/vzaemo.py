from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language, gettext

from vzaemo.appeals import permissions as appeal_permissions
from vzaemo.consultations import permissions as consultation_permissions
from vzaemo.core import audit_tags, rules
from vzaemo.onestop import selectors as onestop
from vzaemo.petitions import permissions as petition_permissions

register = template.Library()


@register.filter
def rule_amount(rule: dict[str, Any]) -> str:
    """A stored rule citation's value with its unit: "25,000", "10 working days", "5 %"."""
    return rules.amount(rule)


@register.filter
def kind_label(kind: str) -> Any:
    """A one-stop item kind as people call it ("Petition"), from the module that registered it."""
    return onestop.kind_label(kind)


@register.filter
def item_status(item: Any) -> Any:
    """A one-stop item's status, translated by the module that registered its kind."""
    return onestop.status_label(item.kind, item.status)


@register.filter
def rule_citation(rule: dict[str, Any]) -> rules.PublicCitation | None:
    """A stored rule citation's act, article and official link in the reader's language (ADR 0022)."""
    return rules.public_citation(rule, get_language() or "uk")


@register.simple_tag
def offices(user: Any) -> dict[str, bool]:
    """Which officials' pages the menu offers `user`: only those they may open (a CSO representative none)."""
    return {
        "petition_inbox": petition_permissions.works_inbox(user),
        "appeal_inbox": appeal_permissions.works_inbox(user),
        "consultation_office": consultation_permissions.prepares_consultations(user),
    }


@register.filter
def money(amount: Any) -> str:
    """An amount in the reader's number format, always with kopecks: "100 000,00" in Ukrainian, "100,000.00" in English.

    The one way every page writes money; web/live.js formats the live updates the same way.
    """
    if amount in (None, ""):
        return "—"
    return str(floatformat(amount, "2g"))


@register.filter
def uah(amount: Any) -> str:
    """An amount in hryvnias: "100 000,00 грн" (a no-break space keeps the unit with its number)."""
    if amount in (None, ""):
        return "—"
    return f"{money(amount)}\u00a0{gettext('UAH')}"


@register.filter
def audit_action(tag: str) -> str:
    """An audit tag in words: "petition:sign" is "Петицію підписано"."""
    return audit_tags.label(tag)


@register.filter
def audit_subject(subject_type: str) -> str:
    """What an audit entry is about, as its model calls itself: "petitions.petition" is "петиція"."""
    try:
        return str(apps.get_model(subject_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return subject_type

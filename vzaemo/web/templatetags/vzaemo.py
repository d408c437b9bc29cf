from __future__ import annotations

from typing import Any

from django import template

from vzaemo.core import rules
from vzaemo.onestop import selectors as onestop

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

from __future__ import annotations

from typing import Any

from django import template

from vzaemo.core import rules

register = template.Library()


@register.filter
def rule_amount(rule: dict[str, Any]) -> str:
    """A stored rule citation's value with its unit: "25,000", "10 working days", "5 %"."""
    return rules.amount(rule)

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from vzaemo.core.models import RuleUnit

register = template.Library()


@register.filter
def rule_unit(unit: str) -> str:
    """A rule's unit as people read it ("working days"), from the stored key ("working_days").

    A count needs no unit: the rule's title already says what is counted.
    """
    if unit == RuleUnit.COUNT:
        return ""
    try:
        return str(RuleUnit(unit).label)
    except ValueError:
        return unit


@register.filter
def rule_value(value: str) -> str:
    """A stored rule value ("25000", "2.5") in the page's number format."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        return value
    return intcomma(int(number)) if number == number.to_integral_value() else str(number)

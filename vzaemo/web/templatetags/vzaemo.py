from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext, ngettext

from vzaemo.core.models import RuleUnit

register = template.Library()

# Each unit with its plural forms (Ukrainian has three: 1 день, 2 дні, 5 днів).
_AMOUNT: dict[str, Callable[[int], str]] = {
    RuleUnit.CALENDAR_DAYS: lambda n: ngettext("%(n)s calendar day", "%(n)s calendar days", n),
    RuleUnit.WORKING_DAYS: lambda n: ngettext("%(n)s working day", "%(n)s working days", n),
    RuleUnit.MONTHS: lambda n: ngettext("%(n)s month", "%(n)s months", n),
    RuleUnit.HOURS: lambda n: ngettext("%(n)s hour", "%(n)s hours", n),
    RuleUnit.SECONDS: lambda n: ngettext("%(n)s second", "%(n)s seconds", n),
    RuleUnit.MINIMUM_WAGES: lambda n: ngettext("%(n)s minimum wage", "%(n)s minimum wages", n),
    RuleUnit.PERCENT: lambda n: gettext("%(n)s%%"),
    RuleUnit.UAH: lambda n: gettext("%(n)s UAH"),
}


def _number(value: Any) -> tuple[str, int]:
    """A stored rule value ("25000", "2.5") in the page's number format, and the integer that picks the plural."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return str(value), 0
    if number == number.to_integral_value():
        return intcomma(int(number)), int(number)
    return format(number.normalize(), "f"), int(number)


@register.filter
def rule_amount(rule: dict[str, Any]) -> str:
    """A stored rule citation's value with its unit: "25,000", "10 working days", "5 %"."""
    text, n = _number(rule.get("value"))
    form = _AMOUNT.get(str(rule.get("unit", "")))
    # A count needs no unit: the rule's title already says what is counted.
    return form(n) % {"n": text} if form else text

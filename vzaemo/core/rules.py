"""The legal rules registry (docs/design.md rule 4): every threshold and term is data with a source.

`get(key, on=..., authority=...)` returns the rule in force on a date, with the authority's own
override where the rule allows one (a local charter, for example). Services store the returned
`RuleValue.citation()` next to whatever they computed from it, so a page can always say which
rule produced a deadline, even after the rule changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext, ngettext

from vzaemo.core import clock
from vzaemo.core.models import LegalRule, LegalRuleOverride, RuleConfidence, RuleUnit

if TYPE_CHECKING:
    from vzaemo.accounts.models import Authority


class RuleMissing(LookupError):
    pass


@dataclass(frozen=True)
class RuleValue:
    key: str
    value: Decimal
    unit: str
    title_uk: str
    title_en: str
    source: str
    source_url: str
    confidence: str
    effective_from: dt.date
    authority_id: int | None = None
    act_uk: str = ""
    act_en: str = ""
    article: str = ""

    @property
    def as_int(self) -> int:
        return int(self.value)

    def citation(self) -> dict[str, Any]:
        """A JSON-safe snapshot to store beside a computed value."""
        return {
            "key": self.key,
            "value": format(self.value.normalize(), "f"),
            "unit": self.unit,
            "source": self.source,
            "source_url": self.source_url,
            "confidence": self.confidence,
            "effective_from": self.effective_from.isoformat(),
            "authority_id": self.authority_id,
            "title_uk": self.title_uk,
            "title_en": self.title_en,
            "act_uk": self.act_uk,
            "act_en": self.act_en,
            "article": self.article,
        }


def get(key: str, *, on: dt.date | None = None, authority: Authority | None = None) -> RuleValue:
    day = on or clock.today()
    rule = LegalRule.objects.filter(key=key, effective_from__lte=day).order_by("-effective_from").first()
    if rule is None:
        raise RuleMissing(f"No legal rule {key!r} in force on {day}.")
    if authority is not None and rule.overridable:
        override = (
            LegalRuleOverride.objects.filter(key=key, authority=authority, effective_from__lte=day)
            .order_by("-effective_from")
            .first()
        )
        if override is not None:
            return RuleValue(
                key=key,
                value=override.value,
                unit=override.unit,
                title_uk=rule.title_uk,
                title_en=rule.title_en,
                source=override.source,
                source_url=override.source_url,
                confidence=RuleConfidence.SECONDARY,
                effective_from=override.effective_from,
                authority_id=authority.pk,
                act_uk=override.act_uk,
                act_en=override.act_en,
                article=override.article,
            )
    return RuleValue(
        key=key,
        value=rule.value,
        unit=rule.unit,
        title_uk=rule.title_uk,
        title_en=rule.title_en,
        source=rule.source,
        source_url=rule.source_url,
        confidence=rule.confidence,
        effective_from=rule.effective_from,
        act_uk=rule.act_uk,
        act_en=rule.act_en,
        article=rule.article,
    )


# Each unit with its plural forms (Ukrainian has three: 1 день, 2 дні, 5 днів).
_AMOUNT: dict[str, Callable[[int], str]] = {
    RuleUnit.CALENDAR_DAYS: lambda n: ngettext("%(n)s calendar day", "%(n)s calendar days", n),
    RuleUnit.WORKING_DAYS: lambda n: ngettext("%(n)s working day", "%(n)s working days", n),
    RuleUnit.MONTHS: lambda n: ngettext("%(n)s month", "%(n)s months", n),
    RuleUnit.HOURS: lambda n: ngettext("%(n)s hour", "%(n)s hours", n),
    RuleUnit.SECONDS: lambda n: ngettext("%(n)s second", "%(n)s seconds", n),
    RuleUnit.MINIMUM_WAGES: lambda n: ngettext("%(n)s minimum wage", "%(n)s minimum wages", n),
    RuleUnit.PERCENT: lambda _n: gettext("%(n)s%%"),
    RuleUnit.UAH: lambda _n: gettext("%(n)s UAH"),
}


def _number(value: Any) -> tuple[str, int]:
    """A stored rule value ("25000", "2.5") in the active language's number format, and the integer that picks the plural."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return str(value), 0
    if number == number.to_integral_value():
        return intcomma(int(number)), int(number)
    return format(number.normalize(), "f"), int(number)


def amount(rule: RuleValue | Mapping[str, Any]) -> str:
    """A rule's value with its unit, in the active language: "25,000", "10 working days", "1 month", "5%".

    Takes the rule or its stored citation, so text that quotes a legal number reads it here and never
    repeats it.
    """
    citation: Mapping[str, Any] = rule.citation() if isinstance(rule, RuleValue) else rule
    text, n = _number(citation.get("value"))
    form = _AMOUNT.get(str(citation.get("unit", "")))
    # A count needs no unit: the rule's title already says what is counted.
    return form(n) % {"n": text} if form else text


@dataclass(frozen=True)
class PublicCitation:
    """What a page shows of a rule's source: the act and article in the reader's language and the official text.

    Never the research notes or the confidence: those are for administrators (ADR 0022).
    """

    act: str
    article: str
    url: str

    def __str__(self) -> str:
        if not self.article:
            return self.act
        return gettext("%(act)s, art. %(article)s") % {"act": self.act, "article": self.article}


def public_citation(rule: RuleValue | Mapping[str, Any], language: str) -> PublicCitation | None:
    """The public citation of a rule or of a stored citation; None when the rule names no act.

    A citation stored before rules named their acts has only its key and date: the act is read from the
    registry row it was taken from, so every deadline a page shows cites its act.
    """
    citation: Mapping[str, Any] = rule.citation() if isinstance(rule, RuleValue) else rule
    fields = {name: str(citation.get(name) or "") for name in ("act_uk", "act_en", "article", "source_url")}
    if not (fields["act_uk"] or fields["act_en"]):
        fields.update(_registered_act(citation))
    act = fields["act_en"] if language == "en" else fields["act_uk"]
    act = act or fields["act_uk"] or fields["act_en"]
    if not act and citation.get("authority_id"):
        # An authority's own rule (its charter) that names no act yet: what its administrator typed is the act.
        act = str(citation.get("source") or "")
    if not act:
        return None
    return PublicCitation(act=act, article=fields["article"], url=fields["source_url"])


def _registered_act(citation: Mapping[str, Any]) -> dict[str, str]:
    names = ("act_uk", "act_en", "article", "source_url")
    key, since = citation.get("key"), citation.get("effective_from")
    if not key or not since:
        return {}
    if citation.get("authority_id"):
        row = LegalRuleOverride.objects.filter(
            key=key, authority_id=citation["authority_id"], effective_from=since
        ).values(*names)
    else:
        row = LegalRule.objects.filter(key=key, effective_from=since).values(*names)
    return {name: str(value or "") for name, value in (row.first() or {}).items()}

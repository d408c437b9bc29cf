"""The legal rules registry (DESIGN rule 4): every threshold and term is data with a source.

`get(key, on=..., authority=...)` returns the rule in force on a date, with the authority's own
override where the rule allows one (a local charter, for example). Services store the returned
`RuleValue.citation()` next to whatever they computed from it, so a page can always say which
rule produced a deadline, even after the rule changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vzaemo.core import clock
from vzaemo.core.models import LegalRule, LegalRuleOverride, RuleConfidence

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
    )

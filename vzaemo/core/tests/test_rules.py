"""The legal rules registry (docs/design.md rule 4): the rule in force on a date, overrides only where allowed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from vzaemo.accounts.models import Authority, AuthorityKind
from vzaemo.core import rules as registry
from vzaemo.core.models import LegalRule, LegalRuleOverride, RuleConfidence, RuleUnit

pytestmark = pytest.mark.django_db

D = dt.date


def make_rule(
    key: str, value: int, effective_from: D, *, overridable: bool = False, unit: str = RuleUnit.COUNT
) -> LegalRule:
    return LegalRule.objects.create(
        key=key,
        value=Decimal(value),
        unit=unit,
        title_uk=f"Правило {value}",
        title_en=f"Rule {value}",
        source=f"Law, version of {effective_from}",
        source_url="https://zakon.rada.gov.ua/laws/show/test",
        confidence=RuleConfidence.CONFIRMED,
        effective_from=effective_from,
        overridable=overridable,
    )


def make_authority(n: int = 1) -> Authority:
    return Authority.objects.create(
        slug=f"rules-test-{n}",
        name_uk=f"Рада {n}",
        name_en=f"Council {n}",
        kind=AuthorityKind.LOCAL_SELF_GOVERNMENT,
        edrpou=f"{30_000_000 + n:08d}",
        accepts_petitions=True,
    )


def override(
    authority: Authority, key: str, value: int, effective_from: D, unit: str = RuleUnit.COUNT
) -> LegalRuleOverride:
    return LegalRuleOverride.objects.create(
        key=key,
        authority=authority,
        value=Decimal(value),
        unit=unit,
        source="Статут громади",
        effective_from=effective_from,
    )


def test_the_rule_in_force_on_a_date_is_the_latest_effective_one() -> None:
    make_rule("test.threshold", 100, D(2020, 1, 1))
    make_rule("test.threshold", 200, D(2024, 7, 1))

    assert registry.get("test.threshold", on=D(2020, 1, 1)).as_int == 100
    assert registry.get("test.threshold", on=D(2024, 6, 30)).as_int == 100
    assert registry.get("test.threshold", on=D(2024, 7, 1)).as_int == 200
    newer = registry.get("test.threshold", on=D(2030, 1, 1))
    assert (newer.value, newer.effective_from, newer.source) == (
        Decimal(200),
        D(2024, 7, 1),
        "Law, version of 2024-07-01",
    )


def test_without_a_date_the_rule_of_today_in_kyiv_applies(time_machine: object) -> None:
    make_rule("test.threshold", 100, D(2020, 1, 1))
    make_rule("test.threshold", 200, D(2024, 7, 1))
    # 22:30 UTC on 30 June is already 1 July in Kyiv.
    time_machine.move_to(dt.datetime(2024, 6, 30, 22, 30, tzinfo=dt.UTC), tick=False)  # type: ignore[attr-defined]
    assert registry.get("test.threshold").as_int == 200


def test_a_missing_rule_raises_rule_missing() -> None:
    make_rule("test.threshold", 100, D(2020, 1, 1))
    with pytest.raises(registry.RuleMissing, match=r"test\.unknown"):
        registry.get("test.unknown", on=D(2025, 1, 1))
    with pytest.raises(registry.RuleMissing, match="2019-12-31"):
        registry.get("test.threshold", on=D(2019, 12, 31))


def test_an_override_applies_only_to_its_authority_where_the_rule_allows_it() -> None:
    make_rule("test.threshold", 25_000, D(2015, 10, 28), overridable=True)
    kyiv, other = make_authority(1), make_authority(2)
    override(kyiv, "test.threshold", 10_000, D(2016, 1, 1))

    local = registry.get("test.threshold", on=D(2025, 1, 1), authority=kyiv)
    assert (local.value, local.authority_id, local.source) == (Decimal(10_000), kyiv.pk, "Статут громади")
    assert local.confidence == RuleConfidence.SECONDARY
    assert local.title_en == "Rule 25000"  # the law's title, the charter's value
    assert registry.get("test.threshold", on=D(2025, 1, 1), authority=other).value == Decimal(25_000)
    assert registry.get("test.threshold", on=D(2025, 1, 1)).authority_id is None
    # Before the charter took effect the law applies.
    assert registry.get("test.threshold", on=D(2015, 12, 31), authority=kyiv).value == Decimal(25_000)


def test_an_override_may_change_the_unit() -> None:
    make_rule("test.collection", 3, D(2015, 10, 28), overridable=True, unit=RuleUnit.MONTHS)
    authority = make_authority()
    override(authority, "test.collection", 60, D(2016, 1, 1), unit=RuleUnit.CALENDAR_DAYS)
    rule = registry.get("test.collection", on=D(2025, 1, 1), authority=authority)
    assert (rule.as_int, rule.unit) == (60, RuleUnit.CALENDAR_DAYS)


def test_the_latest_override_in_force_wins() -> None:
    make_rule("test.threshold", 25_000, D(2015, 10, 28), overridable=True)
    authority = make_authority()
    override(authority, "test.threshold", 500, D(2018, 1, 1))
    override(authority, "test.threshold", 300, D(2023, 1, 1))
    assert registry.get("test.threshold", on=D(2022, 12, 31), authority=authority).as_int == 500
    assert registry.get("test.threshold", on=D(2023, 1, 1), authority=authority).as_int == 300


def test_an_override_of_a_rule_the_law_fixes_is_ignored() -> None:
    make_rule("test.term", 10, D(2015, 10, 28), overridable=False, unit=RuleUnit.WORKING_DAYS)
    authority = make_authority()
    override(authority, "test.term", 30, D(2016, 1, 1), unit=RuleUnit.CALENDAR_DAYS)
    rule = registry.get("test.term", on=D(2025, 1, 1), authority=authority)
    assert (rule.as_int, rule.unit, rule.authority_id) == (10, RuleUnit.WORKING_DAYS, None)


def test_a_newer_law_version_that_forbids_overrides_ends_them() -> None:
    make_rule("test.threshold", 25_000, D(2015, 10, 28), overridable=True)
    make_rule("test.threshold", 20_000, D(2025, 1, 1), overridable=False)
    authority = make_authority()
    override(authority, "test.threshold", 500, D(2016, 1, 1))
    assert registry.get("test.threshold", on=D(2024, 12, 31), authority=authority).as_int == 500
    assert registry.get("test.threshold", on=D(2025, 1, 1), authority=authority).as_int == 20_000


def test_the_seeded_petition_rules() -> None:
    on = D(2025, 6, 1)
    seeded = {
        "petition.signature_threshold": (25_000, RuleUnit.COUNT, True),
        "petition.collection_period": (3, RuleUnit.MONTHS, True),
        "petition.publication_term": (2, RuleUnit.WORKING_DAYS, True),
        "petition.consideration_start_term": (3, RuleUnit.WORKING_DAYS, True),
        "petition.consideration_term": (10, RuleUnit.WORKING_DAYS, False),
    }
    for key, (value, unit, overridable) in seeded.items():
        rule = registry.get(key, on=on)
        assert (rule.as_int, rule.unit) == (value, unit), key
        assert LegalRule.objects.get(key=key).overridable is overridable


def test_a_citation_is_json_safe_and_complete() -> None:
    make_rule("test.threshold", 7, D(2020, 1, 1))
    citation = registry.get("test.threshold", on=D(2025, 1, 1)).citation()
    assert citation == {
        "key": "test.threshold",
        "value": "7",
        "unit": "count",
        "source": "Law, version of 2020-01-01",
        "source_url": "https://zakon.rada.gov.ua/laws/show/test",
        "confidence": "C",
        "effective_from": "2020-01-01",
        "authority_id": None,
        "title_uk": "Правило 7",
        "title_en": "Rule 7",
        "act_uk": "",
        "act_en": "",
        "article": "",
    }


def test_the_public_citation_is_the_act_and_article_in_the_readers_language_never_the_notes() -> None:
    rule = make_rule("test.cited", 7, D(2020, 1, 1))
    rule.source, rule.confidence = "Summarised by a blog; UNVERIFIED", "M"
    rule.act_uk, rule.act_en, rule.article = "Закон України «Про тест»", "Law of Ukraine “On Test”", "23-1"
    rule.save()
    citation = registry.get("test.cited", on=D(2025, 1, 1)).citation()
    with translation.override("uk"):
        assert str(registry.public_citation(citation, "uk")) == "Закон України «Про тест», ст. 23-1"
    with translation.override("en"):
        cited = registry.public_citation(citation, "en")
        assert str(cited) == "Law of Ukraine “On Test”, art. 23-1"
    assert cited is not None
    assert cited.url == "https://zakon.rada.gov.ua/laws/show/test"
    assert "UNVERIFIED" not in str(cited)


def test_a_citation_stored_before_rules_named_acts_reads_the_act_from_the_registry() -> None:
    rule = make_rule("test.old", 7, D(2020, 1, 1))
    stored = registry.get("test.old", on=D(2025, 1, 1)).citation()
    for name in ("act_uk", "act_en", "article"):
        del stored[name]
    assert registry.public_citation(stored, "en") is None  # the rule names no act: nothing to cite
    rule.act_uk, rule.act_en = "Закон", "Law"
    rule.save()
    cited = registry.public_citation(stored, "en")
    assert cited is not None
    assert cited.act == "Law"


@pytest.mark.parametrize("value", [25_000, 60, 10, 150])
def test_a_citation_writes_round_numbers_plainly(value: int) -> None:
    """Regression: str(Decimal.normalize()) once cited 25000 as '2.5E+4' on the petition page."""
    make_rule("test.value", value, D(2020, 1, 1))
    assert registry.get("test.value", on=D(2025, 1, 1)).citation()["value"] == str(value)


def test_a_citation_keeps_fractions() -> None:
    LegalRule.objects.create(
        key="test.percent", value=Decimal("2.5"), unit=RuleUnit.PERCENT, title_uk="t", title_en="t",
        source="s", confidence=RuleConfidence.UNVERIFIED, effective_from=D(2020, 1, 1),
    )  # fmt: skip
    assert registry.get("test.percent", on=D(2025, 1, 1)).citation()["value"] == "2.5"

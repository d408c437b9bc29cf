"""Seed the live auction's timing rules (keys in live/rules.py).

Sources: docs/reference/auctions.md §3.1, §3.2, §3.2a (the openprocurement auction workers' constants) and §4
(SETAM's special bid). Copied, not imported, so the migration keeps meaning what it meant when written.
"""

import datetime
from decimal import Decimal

from django.db import migrations

WORKER = "openprocurement.auction.worker"
PRODUCTION = WORKER + " branch eauctions-production, constants.py (ProZorro.Sale production)"
LEGACY = WORKER + " branch eauctions, constants.py (BIDS_SECONDS, PAUSE_SECONDS)"
INSIDER = "openprocurement.auction.insider (branches sandbox/production) constants.py, utils.py"
SETAM = "SETAM special bid (“особлива ставка”): any stage, any amount ≥ the start price (borgexpert.com, S)"
DAY = datetime.date(2016, 9, 29)  # MoJ order 2831/5: the e-auction procedure these timings serve

RULES = [
    ("live.english.first_pause_seconds", 300, "seconds", "Пауза перед першим раундом", "Pause before round 1", PRODUCTION, "C"),
    ("live.english.turn_seconds", 180, "seconds", "Тривалість ходу учасника", "One bidder's turn", PRODUCTION, "C"),
    ("live.english.pause_seconds", 180, "seconds", "Пауза між раундами", "Pause between rounds", PRODUCTION, "C"),
    ("live.english.rounds", 3, "count", "Кількість раундів", "Rounds", PRODUCTION, "C"),
    ("live.english_legacy.first_pause_seconds", 300, "seconds", "Пауза перед першим раундом", "Pause before round 1", LEGACY, "C"),
    ("live.english_legacy.turn_seconds", 120, "seconds", "Тривалість ходу учасника", "One bidder's turn", LEGACY, "C"),
    ("live.english_legacy.pause_seconds", 120, "seconds", "Пауза між раундами", "Pause between rounds", LEGACY, "C"),
    ("live.english_legacy.rounds", 3, "count", "Кількість раундів", "Rounds", LEGACY, "C"),
    ("live.dutch.pause_seconds", 30, "seconds", "Пауза перед голландським етапом", "Pause before the Dutch stage", INSIDER, "C"),
    ("live.dutch.step_seconds", 300, "seconds", "Тривалість одного рівня ціни", "One Dutch price level", INSIDER, "C"),
    ("live.dutch.steps", 80, "count", "Кількість кроків зниження ціни", "Dutch price steps", INSIDER + "; CDB dutchSteps default 80", "C"),
    ("live.dutch.step_percent", 1, "percent", "Крок зниження ціни від початкової", "Dutch step, % of the start price", INSIDER, "C"),
    ("live.dutch.sealed_pause_seconds", 20, "seconds", "Пауза перед етапом закритих цінових пропозицій", "Pause before the sealed bid", INSIDER, "C"),
    ("live.dutch.sealed_seconds", 600, "seconds", "Етап закритих цінових пропозицій", "Sealed bid stage", INSIDER, "C"),
    ("live.dutch.best_pause_seconds", 20, "seconds", "Пауза перед етапом кращої пропозиції", "Pause before the best bid", INSIDER, "C"),
    ("live.dutch.best_seconds", 300, "seconds", "Етап кращої пропозиції переможця голландського етапу", "Best bid stage", INSIDER, "C"),
    ("live.dutch.best_step_percent", 1, "percent", "Мінімальне перевищення кращої закритої пропозиції", "Best bid: raise over the best sealed bid, % of the start price", INSIDER + " (a 1% step noted as TODO in the code)", "S"),
    ("live.special_bid", 1, "count", "Особлива ставка дозволена (1 — так)", "Special bid allowed (1 = yes)", SETAM, "S"),
]  # fmt: skip


def seed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, value, unit, title_uk, title_en, source, confidence in RULES:
        LegalRule.objects.get_or_create(
            key=key,
            effective_from=DAY,
            defaults=dict(
                value=Decimal(value),
                unit=unit,
                title_uk=title_uk,
                title_en=title_en,
                source=source,
                source_url="",
                confidence=confidence,
                overridable=False,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("live", "0001_initial"), ("core", "0002_calendar_seed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

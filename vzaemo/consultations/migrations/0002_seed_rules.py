"""Seed the consultation rules of the legal registry (the keys live in consultations/rules.py).

Sources as in docs/reference/ukraine-rules.md §3. The seed data is copied here, not imported, so
that this migration keeps meaning what it meant when it was written.
"""

import datetime
from decimal import Decimal

from django.db import migrations

RES = "Cabinet of Ministers Resolution No. 996 of 03.11.2010 (Procedure for public consultations)"
RES_URL = "https://zakon.rada.gov.ua/laws/show/996-2010-п"
LAW = "Law of Ukraine 3841-IX “On public consultations” (adopted 20.06.2024; in force 12 months after martial law ends)"
RES_DAY = datetime.date(2010, 11, 3)

RULES = [
    (
        "consultation.min_duration",
        15,
        "calendar_days",
        "Мінімальна тривалість електронної консультації",
        "Minimum length of an e-consultation",
        LAW + ": “не менше 15 днів” (pravocn.org.ua); " + RES + " sets no minimum: applied as the default",
        "",
        "S",
        RES_DAY,
        True,
    ),
    (
        "consultation.report_term",
        14,
        "calendar_days",
        "Оприлюднення звіту про результати консультації",
        "Publication of the consultation report",
        RES + ": report within 2 weeks after the decision (staroushytska-gromada.gov.ua); counted from the deadline",
        RES_URL,
        "M",
        RES_DAY,
        True,
    ),
    (
        "consultation.proposal_publication_term",
        5,
        "working_days",
        "Оприлюднення пропозицій, що надійшли в електронній формі",
        "Publication of proposals received online",
        RES + " (as applied by kolrda.gov.ua)",
        "",
        "S",
        RES_DAY,
        True,
    ),
]


def seed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, value, unit, title_uk, title_en, source, url, confidence, effective, overridable in RULES:
        LegalRule.objects.get_or_create(
            key=key,
            effective_from=effective,
            defaults=dict(
                value=Decimal(value),
                unit=unit,
                title_uk=title_uk,
                title_en=title_en,
                source=source,
                source_url=url,
                confidence=confidence,
                overridable=overridable,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial"), ("core", "0002_calendar_seed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

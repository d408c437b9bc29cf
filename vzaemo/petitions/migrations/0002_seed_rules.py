"""Seed the petition rules of the legal registry (the values and sources live in petitions/rules.py).

The seed data is copied here, not imported, so that this migration keeps meaning what it meant
when it was written.
"""

import datetime
from decimal import Decimal

from django.db import migrations

LAW = "Law of Ukraine 393/96-ВР “On citizens' appeals”, art. 23-1 (added by Law 577-VIII, in force 28.10.2015)"
URL = "https://zakon.rada.gov.ua/laws/show/393/96-вр#n208"
RES = "Cabinet of Ministers Resolution No. 457 of 22.07.2016 (procedure for e-petitions to the Cabinet)"
LAW_DAY = datetime.date(2015, 10, 28)
RES_DAY = datetime.date(2016, 7, 22)

RULES = [
    (
        "petition.signature_threshold",
        25000,
        "count",
        "Мінімальна кількість підписів під електронною петицією",
        "Signatures an e-petition needs to be considered",
        LAW + "; local petitions: the community charter",
        URL,
        "C",
        LAW_DAY,
        True,
    ),
    (
        "petition.collection_period",
        3,
        "months",
        "Строк збору підписів з дня оприлюднення",
        "Signature collection period from publication",
        LAW + "; local petitions: the community charter",
        URL,
        "C",
        LAW_DAY,
        True,
    ),
    (
        "petition.publication_term",
        2,
        "working_days",
        "Строк оприлюднення петиції після подання (модерація)",
        "Publication after submission (moderation)",
        RES + " (as summarised by ckp.in.ua); local rules",
        "",
        "S",
        RES_DAY,
        True,
    ),
    (
        "petition.consideration_start_term",
        3,
        "working_days",
        "Початок розгляду після набрання необхідної кількості підписів",
        "Start of consideration after the threshold is reached",
        RES + " (as summarised by zaxid.net)",
        "",
        "S",
        RES_DAY,
        True,
    ),
    (
        "petition.consideration_term",
        10,
        "working_days",
        "Строк розгляду петиції",
        "Consideration of a petition",
        LAW + ": “невідкладно, але не пізніше десяти робочих днів”",
        URL,
        "C",
        LAW_DAY,
        False,
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
    dependencies = [("petitions", "0001_initial"), ("core", "0002_calendar_seed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

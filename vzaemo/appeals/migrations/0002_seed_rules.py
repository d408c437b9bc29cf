"""Seed the appeal terms of the legal registry (keys in appeals/rules.py; docs/reference/ukraine-rules.md §2).

The seed data is copied here, not imported, so that this migration keeps meaning what it meant
when it was written.
"""

import datetime
from decimal import Decimal

from django.db import migrations

LAW = "Law of Ukraine 393/96-ВР “On citizens' appeals”"
URL = "https://zakon.rada.gov.ua/laws/show/393/96-вр"
LAW_DAY = datetime.date(1996, 10, 2)

RULES = [
    (
        "appeal.answer_term",
        1,
        "months",
        "Строк розгляду звернення",
        "Term for considering an appeal",
        LAW + ", art. 20: “не більше одного місяця від дня їх надходження”",
        URL + "#n122",
        "C",
    ),
    (
        "appeal.simple_answer_term",
        15,
        "calendar_days",
        "Строк розгляду звернення, що не потребує додаткового вивчення",
        "Term for an appeal that needs no extra study",
        LAW + ", art. 20: “невідкладно, але не пізніше п'ятнадцяти днів від дня їх отримання”",
        URL + "#n122",
        "C",
    ),
    (
        "appeal.max_total_term",
        45,
        "calendar_days",
        "Загальний строк розгляду звернення з продовженням",
        "Total term of an appeal with an extension",
        LAW + ", art. 20: “загальний термін ... не може перевищувати сорока п'яти днів”",
        URL + "#n122",
        "C",
    ),
    (
        "appeal.forward_term",
        5,
        "calendar_days",
        "Строк пересилання звернення за належністю (реєстрації або пересилання)",
        "Forwarding to the competent body (register or forward)",
        LAW + ", art. 7: “не пізніше п'яти днів пересилаються ... з повідомленням про це громадянина”",
        URL + "#n40",
        "C",
    ),
    (
        "appeal.complaint_window_after_decision",
        12,
        "months",
        "Строк подання скарги з моменту прийняття рішення",
        "Complaint window after the decision",
        LAW + ", art. 17: “протягом не більше як одного року з моменту його прийняття”",
        URL + "#n95",
        "C",
    ),
    (
        "appeal.complaint_window_after_learning",
        1,
        "months",
        "Строк подання скарги з моменту ознайомлення з рішенням",
        "Complaint window after learning of the decision",
        LAW + ", art. 17: “але не пізніше одного місяця з часу ознайомлення громадянина з прийнятим рішенням”",
        URL + "#n95",
        "C",
    ),
]


def seed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, value, unit, title_uk, title_en, source, url, confidence in RULES:
        LegalRule.objects.get_or_create(
            key=key,
            effective_from=LAW_DAY,
            defaults=dict(
                value=Decimal(value),
                unit=unit,
                title_uk=title_uk,
                title_en=title_en,
                source=source,
                source_url=url,
                confidence=confidence,
                overridable=False,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial"), ("core", "0002_calendar_seed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Seed the auction rules of the legal registry (keys in auctions/rules.py).

Sources: docs/reference/auctions.md §2.2, §4 and docs/reference/ukraine-rules.md §5. SETAM's own figures were not
verifiable in public sources: those rows have confidence "M" (a configurable default) and say what to
check (MoJ order 2831/5, z1301-16, Sections IV-VII). The data is copied here, not imported, so the
migration keeps meaning what it meant when it was written.
"""

import datetime
from decimal import Decimal

from django.db import migrations

LAW_1404 = "Law of Ukraine 1404-VIII “On enforcement proceedings”, art. 61 (as amended by 2518-IX)"
LAW_1404_URL = "https://zakon.rada.gov.ua/laws/show/1404-19#n719"
ORDER = "MoJ order 2831/5 of 29.09.2016 (reg. 1301/29431), procedure for selling arrested property"
ORDER_URL = "https://zakon.rada.gov.ua/laws/show/z1301-16"
UNVERIFIED = "; UNVERIFIED: not found in public sources, check z1301-16 Sections IV-VII"
ORDER_2933 = (
    "MoJ order 2831/5 as amended by order 2933/5 of 28.08.2020 (timing of e-auctions by start price), "
    "as summarised by shabelnikov.kiev.ua/2020/09/08/aresht/"
)
DGF = "openprocurement.auctions.dgf / auctions.core (ProZorro.Sale CDB, docs/reference/auctions.md §2.2)"
LAW_1404_DAY = datetime.date(2016, 10, 5)
ORDER_DAY = datetime.date(2016, 9, 29)
ORDER_2933_DAY = datetime.date(2020, 8, 28)

RULES = [
    # key, value, unit, title_uk, title_en, source, url, confidence, effective_from
    (
        "minimum_wage.monthly",
        8000,
        "uah",
        "Мінімальна заробітна плата у місячному розмірі",
        "Minimum monthly wage",
        "Law of Ukraine “On the State Budget of Ukraine for 2025”, art. 8",
        "",
        "M",
        datetime.date(2025, 1, 1),
    ),
    (
        "minimum_wage.monthly",
        8647,
        "uah",
        "Мінімальна заробітна плата у місячному розмірі",
        "Minimum monthly wage",
        "Law of Ukraine “On the State Budget of Ukraine for 2026”, art. 8",
        "",
        "M",
        datetime.date(2026, 1, 1),
    ),
    (
        "auction.fixed_price_max_minimum_wages",
        30,
        "minimum_wages",
        "Гранична вартість майна для реалізації за фіксованою ціною",
        "Highest value sold at a fixed price",
        LAW_1404 + ": fixed price only up to 30 minimum wages, never real estate, vehicles, ships or aircraft",
        LAW_1404_URL,
        "C",
        LAW_1404_DAY,
    ),
    (
        "auction.guarantee_percent",
        5,
        "percent",
        "Гарантійний внесок, % стартової ціни",
        "Guarantee, % of the start price",
        ORDER + ": 5% or 10%" + UNVERIFIED,
        ORDER_URL,
        "M",
        ORDER_DAY,
    ),
    (
        "auction.bid_step_percent",
        1,
        "percent",
        "Крок аукціону, % стартової ціни",
        "Bid step, % of the start price",
        ORDER + UNVERIFIED + " (order 681/5 of 2014 had 5/3/2/1% by price band)",
        ORDER_URL,
        "M",
        ORDER_DAY,
    ),
    (
        "auction.markdown_attempt_2",
        15,
        "percent",
        "Уцінка на повторних торгах, % від першої стартової ціни",
        "Markdown of the second attempt, % of the first price",
        ORDER + UNVERIFIED,
        ORDER_URL,
        "M",
        ORDER_DAY,
    ),
    (
        "auction.markdown_attempt_3",
        30,
        "percent",
        "Уцінка на третіх торгах, % від першої стартової ціни",
        "Markdown of the third attempt, % of the first price",
        ORDER + UNVERIFIED,
        ORDER_URL,
        "M",
        ORDER_DAY,
    ),
    (
        "auction.max_attempts",
        3,
        "count",
        "Кількість спроб реалізації (далі стягувач може залишити майно за собою)",
        "Attempts to sell (then the creditor may keep the property)",
        ORDER + UNVERIFIED,
        ORDER_URL,
        "M",
        ORDER_DAY,
    ),
    (
        "auction.min_qualified_bids",
        2,
        "count",
        "Мінімальна кількість кваліфікованих учасників для проведення аукціону",
        "Qualified bids needed to run the auction",
        "ProZorro.Sale ETS specification: at least 2 applications are needed to run the auction (docs/reference/auctions.md §2.1)",
        "",
        "S",
        ORDER_DAY,
    ),
    (
        "auction.single_bid_skips_auction",
        1,
        "count",
        "Один учасник: аукціон не проводиться, майно пропонується єдиному учаснику за його ціною (1) або торги не відбулися (0)",
        "One qualified bid: skip the auction and award it (1), or the auction is unsuccessful (0)",
        "openprocurement.auctions.swiftsure overview: “the auction itself will be ommitted”; openprocurement.api#18"
        + UNVERIFIED,
        "",
        "M",
        ORDER_DAY,
    ),
    (
        "auction.bids_to_qualify",
        2,
        "count",
        "Кількість учасників у черзі на кваліфікацію (переможець і наступний)",
        "Bids in the award chain (winner and runner-up)",
        DGF + ": NUMBER_OF_BIDS_TO_BE_QUALIFIED = 2; CMU 432 p. 67 (next-highest bidder)",
        "",
        "S",
        ORDER_DAY,
    ),
    (
        "auction.tender_end_hour",
        20,
        "count",
        "Година (Київ) закінчення прийому заяв у робочий день, що передує дню аукціону",
        "Hour (Kyiv) tendering ends on the working day before the auction",
        DGF + " models.py initialize; ProZorro.Sale spec: “о 20:00 в день, що передує дню початку періоду аукціону”",
        "",
        "S",
        ORDER_DAY,
    ),
    (
        "auction.protocol_term",
        4,
        "working_days",
        "Строк завантаження протоколу організатором",
        "Protocol upload by the organiser",
        DGF
        + " award workflow: 0-4 business days; SETAM: the protocol is generated the same day (legalaid, S)"
        + UNVERIFIED,
        "",
        "M",
        ORDER_DAY,
    ),
    (
        "auction.payment_term",
        10,
        "working_days",
        "Строк оплати переможцем",
        "Payment by the winner",
        ORDER
        + UNVERIFIED
        + "; analogue: Bankruptcy Code art. 85 (10 working days), art. 86 (guarantee lost on default)",
        ORDER_URL,
        "M",
        ORDER_DAY,
    ),
    (
        "auction.lead_band1_max_value",
        5000,
        "uah",
        "Верхня межа першого цінового діапазону",
        "Top of the first price band",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_band2_max_value",
        1000000,
        "uah",
        "Верхня межа другого цінового діапазону",
        "Top of the second price band",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_min_band1",
        12,
        "working_days",
        "Найраніша дата аукціону (до 5 000 грн)",
        "Earliest auction (up to 5,000 UAH)",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_max_band1",
        15,
        "working_days",
        "Найпізніша дата аукціону (до 5 000 грн)",
        "Latest auction (up to 5,000 UAH)",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_min_band2",
        20,
        "working_days",
        "Найраніша дата аукціону (до 1 000 000 грн)",
        "Earliest auction (up to 1,000,000 UAH)",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_max_band2",
        25,
        "working_days",
        "Найпізніша дата аукціону (до 1 000 000 грн)",
        "Latest auction (up to 1,000,000 UAH)",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_min_band3",
        30,
        "working_days",
        "Найраніша дата аукціону (понад 1 000 000 грн)",
        "Earliest auction (above 1,000,000 UAH)",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_max_band3",
        35,
        "working_days",
        "Найпізніша дата аукціону (понад 1 000 000 грн)",
        "Latest auction (above 1,000,000 UAH)",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_min_fixed_price",
        7,
        "working_days",
        "Найраніша дата продажу за фіксованою ціною",
        "Earliest fixed-price sale",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
    (
        "auction.lead_max_fixed_price",
        10,
        "working_days",
        "Найпізніша дата продажу за фіксованою ціною",
        "Latest fixed-price sale",
        ORDER_2933,
        "",
        "S",
        ORDER_2933_DAY,
    ),
]


def seed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, value, unit, title_uk, title_en, source, url, confidence, effective in RULES:
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
                overridable=False,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("auctions", "0001_initial"), ("core", "0002_calendar_seed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

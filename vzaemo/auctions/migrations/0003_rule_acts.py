"""Name the act, article and official text of each auction rule, as pages cite them (ADR 0022).

`source` keeps the research notes and `confidence` the certainty, for administrators; pages show only these
fields, in the reader's language. Copied here, not imported, so the migration keeps meaning what it meant.
"""

from django.db import migrations

LAW_1404 = (
    "Закон України «Про виконавче провадження» № 1404-VIII",
    "Law of Ukraine No. 1404-VIII “On Enforcement Proceedings”",
)
LAW_1404_URL = "https://zakon.rada.gov.ua/laws/show/1404-19#n719"
ORDER = (
    "Порядок реалізації арештованого майна (наказ Міністерства юстиції України від 29.09.2016 № 2831/5)",
    "Procedure for selling arrested property (Ministry of Justice order No. 2831/5 of 29.09.2016)",
)
ORDER_URL = "https://zakon.rada.gov.ua/laws/show/z1301-16"
CDB = ("Специфікація центральної бази даних ProZorro.Sale", "ProZorro.Sale central database specification")
BUDGET_2025 = (
    "Закон України «Про Державний бюджет України на 2025 рік»",
    "Law of Ukraine “On the State Budget of Ukraine for 2025”",
)
BUDGET_2026 = (
    "Закон України «Про Державний бюджет України на 2026 рік»",
    "Law of Ukraine “On the State Budget of Ukraine for 2026”",
)

# key: (act_uk, act_en, article, official URL or "" to keep the seeded one)
ACTS = {
    "auction.fixed_price_max_minimum_wages": (*LAW_1404, "61", LAW_1404_URL),
    "auction.bid_step_percent": (*ORDER, "", ORDER_URL),
    "auction.guarantee_percent": (*ORDER, "", ORDER_URL),
    "auction.markdown_attempt_2": (*ORDER, "", ORDER_URL),
    "auction.markdown_attempt_3": (*ORDER, "", ORDER_URL),
    "auction.max_attempts": (*ORDER, "", ORDER_URL),
    "auction.payment_term": (*ORDER, "", ORDER_URL),
    "auction.protocol_term": (*ORDER, "", ORDER_URL),
    "auction.single_bid_skips_auction": (*ORDER, "", ORDER_URL),
    "auction.lead_band1_max_value": (*ORDER, "", ORDER_URL),
    "auction.lead_band2_max_value": (*ORDER, "", ORDER_URL),
    "auction.lead_max_band1": (*ORDER, "", ORDER_URL),
    "auction.lead_max_band2": (*ORDER, "", ORDER_URL),
    "auction.lead_max_band3": (*ORDER, "", ORDER_URL),
    "auction.lead_max_fixed_price": (*ORDER, "", ORDER_URL),
    "auction.lead_min_band1": (*ORDER, "", ORDER_URL),
    "auction.lead_min_band2": (*ORDER, "", ORDER_URL),
    "auction.lead_min_band3": (*ORDER, "", ORDER_URL),
    "auction.lead_min_fixed_price": (*ORDER, "", ORDER_URL),
    "auction.bids_to_qualify": (*CDB, "", ""),
    "auction.min_qualified_bids": (*CDB, "", ""),
    "auction.tender_end_hour": (*CDB, "", ""),
}


# The minimum wage is set by each year's budget law, art. 8.
BUDGETS = {2025: BUDGET_2025, 2026: BUDGET_2026}


def name_acts(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for rule in LegalRule.objects.filter(key="minimum_wage.monthly"):
        budget = BUDGETS.get(rule.effective_from.year)
        if budget is not None:
            rule.act_uk, rule.act_en, rule.article = *budget, "8"
            rule.save(update_fields=["act_uk", "act_en", "article"])
    for key, (act_uk, act_en, article, url) in ACTS.items():
        for rule in LegalRule.objects.filter(key=key):
            rule.act_uk, rule.act_en, rule.article = act_uk, act_en, article
            rule.source_url = url or rule.source_url
            rule.save(update_fields=["act_uk", "act_en", "article", "source_url"])


class Migration(migrations.Migration):
    dependencies = [("auctions", "0002_seed_rules"), ("core", "0006_rule_public_citation")]
    operations = [migrations.RunPython(name_acts, migrations.RunPython.noop)]

"""Name the act, article and official text of each consultation rule, as pages cite them (ADR 0022).

`source` keeps the research notes and `confidence` the certainty, for administrators; pages show only these
fields, in the reader's language. Copied here, not imported, so the migration keeps meaning what it meant.
"""

from django.db import migrations

RES_996 = (
    "Постанова Кабінету Міністрів України від 03.11.2010 № 996",
    "Resolution of the Cabinet of Ministers of Ukraine No. 996 of 03.11.2010",
)
RES_996_URL = "https://zakon.rada.gov.ua/laws/show/996-2010-п"
LAW_3841 = (
    "Закон України «Про публічні консультації» № 3841-IX",
    "Law of Ukraine No. 3841-IX “On Public Consultations”",
)
LAW_3841_URL = "https://zakon.rada.gov.ua/laws/show/3841-20"

# key: (act_uk, act_en, article, official URL or "" to keep the seeded one)
ACTS = {
    "consultation.min_duration": (*LAW_3841, "", LAW_3841_URL),
    "consultation.proposal_publication_term": (*RES_996, "", RES_996_URL),
    "consultation.report_term": (*RES_996, "", RES_996_URL),
}


def name_acts(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, (act_uk, act_en, article, url) in ACTS.items():
        for rule in LegalRule.objects.filter(key=key):
            rule.act_uk, rule.act_en, rule.article = act_uk, act_en, article
            rule.source_url = url or rule.source_url
            rule.save(update_fields=["act_uk", "act_en", "article", "source_url"])


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_seed_rules"), ("core", "0006_rule_public_citation")]
    operations = [migrations.RunPython(name_acts, migrations.RunPython.noop)]

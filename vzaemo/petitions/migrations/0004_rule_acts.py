"""Name the act, article and official text of each petition rule, as pages cite them (ADR 0022).

`source` keeps the research notes and `confidence` the certainty, for administrators; pages show only these
fields, in the reader's language. Copied here, not imported, so the migration keeps meaning what it meant.
"""

from django.db import migrations

LAW_393 = (
    "Закон України «Про звернення громадян» № 393/96-ВР",
    "Law of Ukraine No. 393/96-VR “On Citizens' Appeals”",
)
LAW_393_URL = "https://zakon.rada.gov.ua/laws/show/393/96-вр"
RES_457 = (
    "Постанова Кабінету Міністрів України від 22.07.2016 № 457",
    "Resolution of the Cabinet of Ministers of Ukraine No. 457 of 22.07.2016",
)
RES_457_URL = "https://zakon.rada.gov.ua/laws/show/457-2016-п"

# key: (act_uk, act_en, article, official URL or "" to keep the seeded one)
ACTS = {
    "petition.signature_threshold": (*LAW_393, "23-1", LAW_393_URL + "#n208"),
    "petition.collection_period": (*LAW_393, "23-1", LAW_393_URL + "#n208"),
    "petition.consideration_term": (*LAW_393, "23-1", LAW_393_URL + "#n208"),
    "petition.publication_term": (*RES_457, "", RES_457_URL),
    "petition.consideration_start_term": (*RES_457, "", RES_457_URL),
}


def name_acts(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, (act_uk, act_en, article, url) in ACTS.items():
        for rule in LegalRule.objects.filter(key=key):
            rule.act_uk, rule.act_en, rule.article = act_uk, act_en, article
            rule.source_url = url or rule.source_url
            rule.save(update_fields=["act_uk", "act_en", "article", "source_url"])


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_search_text"), ("core", "0006_rule_public_citation")]
    operations = [migrations.RunPython(name_acts, migrations.RunPython.noop)]

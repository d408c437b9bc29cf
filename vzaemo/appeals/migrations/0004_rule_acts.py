"""Name the act, article and official text of each appeal rule, as pages cite them (ADR 0022).

`source` keeps the research notes and `confidence` the certainty, for administrators; pages show only these
fields, in the reader's language. Copied here, not imported, so the migration keeps meaning what it meant.
"""

from django.db import migrations

LAW_393 = (
    "Закон України «Про звернення громадян» № 393/96-ВР",
    "Law of Ukraine No. 393/96-VR “On Citizens' Appeals”",
)
LAW_393_URL = "https://zakon.rada.gov.ua/laws/show/393/96-вр"

# key: (act_uk, act_en, article, official URL or "" to keep the seeded one)
ACTS = {
    "appeal.answer_term": (*LAW_393, "20", LAW_393_URL + "#n122"),
    "appeal.simple_answer_term": (*LAW_393, "20", LAW_393_URL + "#n122"),
    "appeal.max_total_term": (*LAW_393, "20", LAW_393_URL + "#n122"),
    "appeal.complaint_window_after_decision": (*LAW_393, "17", LAW_393_URL + "#n95"),
    "appeal.complaint_window_after_learning": (*LAW_393, "17", LAW_393_URL + "#n95"),
    "appeal.forward_term": (*LAW_393, "7", LAW_393_URL + "#n40"),
}


def name_acts(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, (act_uk, act_en, article, url) in ACTS.items():
        for rule in LegalRule.objects.filter(key=key):
            rule.act_uk, rule.act_en, rule.article = act_uk, act_en, article
            rule.source_url = url or rule.source_url
            rule.save(update_fields=["act_uk", "act_en", "article", "source_url"])


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_answer_term_labels_without_lengths"), ("core", "0006_rule_public_citation")]
    operations = [migrations.RunPython(name_acts, migrations.RunPython.noop)]

"""Name the act, article and official text of each live auction rule, as pages cite them (ADR 0022).

`source` keeps the research notes and `confidence` the certainty, for administrators; pages show only these
fields, in the reader's language. Copied here, not imported, so the migration keeps meaning what it meant.
"""

from django.db import migrations

ENGINE = ("Специфікація аукціонного модуля ProZorro.Sale", "ProZorro.Sale auction module specification")
SETAM = ("Регламент СЕТАМ (особлива ставка)", "SETAM rules (special bid)")

# key: (act_uk, act_en, article, official URL or "" to keep the seeded one)
ACTS = {
    "live.dutch.best_pause_seconds": (*ENGINE, "", ""),
    "live.dutch.best_seconds": (*ENGINE, "", ""),
    "live.dutch.best_step_percent": (*ENGINE, "", ""),
    "live.dutch.pause_seconds": (*ENGINE, "", ""),
    "live.dutch.sealed_pause_seconds": (*ENGINE, "", ""),
    "live.dutch.sealed_seconds": (*ENGINE, "", ""),
    "live.dutch.step_percent": (*ENGINE, "", ""),
    "live.dutch.step_seconds": (*ENGINE, "", ""),
    "live.dutch.steps": (*ENGINE, "", ""),
    "live.english.first_pause_seconds": (*ENGINE, "", ""),
    "live.english.pause_seconds": (*ENGINE, "", ""),
    "live.english.rounds": (*ENGINE, "", ""),
    "live.english.turn_seconds": (*ENGINE, "", ""),
    "live.english_legacy.first_pause_seconds": (*ENGINE, "", ""),
    "live.english_legacy.pause_seconds": (*ENGINE, "", ""),
    "live.english_legacy.rounds": (*ENGINE, "", ""),
    "live.english_legacy.turn_seconds": (*ENGINE, "", ""),
    "live.special_bid": (*SETAM, "", ""),
}


def name_acts(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, (act_uk, act_en, article, url) in ACTS.items():
        for rule in LegalRule.objects.filter(key=key):
            rule.act_uk, rule.act_en, rule.article = act_uk, act_en, article
            rule.source_url = url or rule.source_url
            rule.save(update_fields=["act_uk", "act_en", "article", "source_url"])


class Migration(migrations.Migration):
    dependencies = [("live", "0003_session_ends_at"), ("core", "0006_rule_public_citation")]
    operations = [migrations.RunPython(name_acts, migrations.RunPython.noop)]

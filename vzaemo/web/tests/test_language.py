"""No English on the Ukrainian site and no Ukrainian generated text on the English one.

The demo data is loaded, then every page reachable by links from the entry points is read through Django's test
client, once per language and per kind of visitor (anonymous, citizen and CSO representative, officials of a
ministry, a city council and the police, the administrator); pages that differ only in their numbers are read
twice at most. What people wrote is allowed in any language; `language.PROPER_NAMES` lists the rest, with reasons.
"""

from __future__ import annotations

import collections
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from vzaemo.accounts.models import User
from vzaemo.core import audit
from vzaemo.web.tests import language

pytestmark = pytest.mark.django_db

ENTRY_POINTS = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/appeals/",
    "/appeals/new/",
    "/appeals/my/",
    "/appeals/inbox/",
    "/appeals/statistics/",
    "/petitions/new/",
    "/petitions/my/",
    "/petitions/inbox/",
    "/consultations/office/",
    "/consultations/subscriptions/",
]
VISITORS = [
    None,
    "citizen1@vzaemo.example",
    "official.kmu@vzaemo.example",
    "moderator.kmr@vzaemo.example",
    "official.police@vzaemo.example",
    "admin@vzaemo.example",
]
PAGES_OF_A_KIND = 2
CATALOGUE = Path(settings.BASE_DIR) / "vzaemo" / "web" / "locale" / "uk" / "LC_MESSAGES" / "django.po"


def crawl(language_code: str, email: str | None, stored: language.Stored) -> dict[str, set[str]]:
    """Runs of the other language, each with the kinds of page it was found on."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language_code
    if email:
        client.force_login(User.objects.get(email=email))
    found: dict[str, set[str]] = collections.defaultdict(set)
    kinds: collections.Counter[str] = collections.Counter()
    queue, seen = list(ENTRY_POINTS), set()
    while queue:
        path = queue.pop(0)
        kind = language.page_kind(path)
        if path in seen or not language.worth_reading(path) or kinds[kind] >= PAGES_OF_A_KIND:
            continue
        seen.add(path)
        kinds[kind] += 1
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        text = language.read(response.content.decode())
        for run in language.foreign_runs(text, language=language_code, stored=stored):
            found[run].add(f"{kind} ({email or 'anonymous'})")
        queue.extend(link for link in language.internal_links(path, text) if link not in seen)
    return found


@pytest.fixture
def demo() -> language.Stored:
    call_command("seed_demo", stdout=io.StringIO())
    # Sealed entries appear on the public audit log, which the crawl reads too.
    audit.seal()
    return language.Stored(language.stored_text())


# Serial: the audit sealer reads behind a server-wide watermark (see vzaemo/web/audit/tests).
@pytest.mark.serial
@pytest.mark.parametrize("language_code", ["uk", "en"])
def test_pages_speak_one_language(demo: language.Stored, language_code: str) -> None:
    found: dict[str, set[str]] = collections.defaultdict(set)
    for email in VISITORS:
        for run, where in crawl(language_code, email, demo).items():
            found[run] |= where
    report = "\n".join(f"{run!r} on {sorted(where)[:3]}" for run, where in sorted(found.items()))
    assert not found, (
        f"{'English' if language_code == 'uk' else 'Ukrainian'} text on the {language_code} pages:\n{report}"
    )


def test_the_catalogue_translates_every_text() -> None:
    """Every msgid has a Ukrainian translation that a person checked (no empty or fuzzy entries)."""
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]
    missing = [
        entry
        for entry in entries
        if not entry.startswith("#~")
        and ("#, fuzzy" in entry or re.search(r'^msgstr(\[\d\])? ""$(?!\n")', entry, re.MULTILINE))
    ]
    assert not missing, "untranslated or fuzzy:\n" + "\n\n".join(missing[:10])

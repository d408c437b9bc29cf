"""What the language test reads on a page: the words people see, minus what people wrote.

A page's text is every text node outside <script>/<style> plus the attributes a screen reader or a
pointer shows (aria-label, title, alt, placeholder). A subtree that declares its own language (`lang="en"`
on the language switch) is skipped: it is in that language on purpose. What remains is split into runs of
one script (Latin words, Cyrillic words); a run that is a piece of stored data (a petition's title, an
authority's name, a person's name or address) is user content and allowed in any language; so are the
names in `PROPER_NAMES`, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.db import models

# Names that are the same in both languages, and why.
PROPER_NAMES: dict[str, str] = {
    "English": "the language switch names the other language in itself",
    "Українська": "the language switch names the other language in itself",
    "ProZorro": "the name of the state e-procurement system",
    "ProZorro.Sale": "the name of the state e-procurement system",
    "SETAM": "the state enterprise's registered name",
    "СЕТАМ": "the state enterprise's registered name",
    "ID.GOV.UA": "the name of the state identification service",
    "JSON": "a file format",
    "CSV": "a file format",
    "API": "the name of the programming interface",
    "Ed25519": "the name of the signature algorithm",
    "SHA-256": "the name of the hash function",
    "sha256": "the name of the hash function",
    "TOTP": "the name of the second-factor standard",
    "URL": "a standard term, used in Ukrainian too",
    "PDF": "a file format",
    "JPEG": "a file format",
    "PNG": "a file format",
    "OCDS": "the name of the open contracting standard",
    "Atom": "a feed format",
    "iCalendar": "the name of the calendar file format",
    # Known gaps, to be removed when fixed: the subscriptions page shows stored topic codes, not their labels.
    "YYYY-MM": "the notation of the period a reader types into the open-data address (ISO 8601)",
    "YYYY-Qn": "the notation of the period a reader types into the open-data address",
}

GENERATED_APPS = {"core", "admin", "contenttypes", "auth", "sessions", "django_tasks_database"}
TEXT_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
SKIPPED_ELEMENTS = {"script", "style", "template", "code", "pre", "kbd", "samp"}
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}

LATIN = r"A-Za-z\u00c0-\u024f"
CYRILLIC = r"\u0400-\u04ff"
APOSTROPHES = "'\u2019"


def _run(letters: str) -> re.Pattern[str]:
    word = rf"[{letters}{APOSTROPHES}][{letters}{APOSTROPHES}.\-]*"
    # Whole words only: "3CX" in a lot's title is a model, not an English word.
    return re.compile(rf"(?<![\w]){word}(?:[ ,:;/()\-\u00ab\u00bb]+{word})*(?![\w])")


LATIN_RUN = _run(LATIN)
CYRILLIC_RUN = _run(CYRILLIC)
# Identifiers and numbers that are not words in any language.
NOT_WORDS = re.compile(
    r"""
    \S+@\S+                              # an email address
    | https?://\S+ | www\.\S+            # a link
    | \b[0-9a-f]{16,}\b                  # a hash
    | \b[0-9A-Fa-f-]{36}\b               # a UUID
    | \b[A-Z]{1,4}-?[0-9][0-9A-Z\-]*\b   # a code such as UA-PS-2026-... or ID-7
    | \b[A-Za-z]+[0-9]\w*\b              # a name with a number: Ed25519, z1301-16
    | \b\d+(?:/\d+)?-[A-Z\u0410-\u042f\u0406]+\b  # an act's number: 393/96-ВР, 3841-IX
    | \b[a-z0-9]+(?:[._:\-][a-z0-9]+)+\b # a key such as petition.signature_threshold
    | [?&][a-z_]+=\S*                     # a query parameter such as ?period=YYYY-MM
    """,
    re.VERBOSE,
)


@dataclass
class PageText:
    pieces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = PageText()
        self._stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # `mono` marks identifiers a reader types (column names, parameters), the same in every language.
        classes = (values.get("class") or "").split()
        skip = tag in SKIPPED_ELEMENTS or "mono" in classes or (tag != "html" and "lang" in values)
        if tag == "a" and values.get("href"):
            self.text.links.append(values["href"] or "")
        if not skip and not self._skipping():
            self.text.pieces.extend(values[name] or "" for name in TEXT_ATTRIBUTES if values.get(name))
            if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
                self.text.pieces.append(values["value"] or "")
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping():
            self.text.pieces.append(data)


def read(html: str) -> PageText:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.text


def stored_text() -> str:
    """Every stored string of every table, one per line: the haystack user content is found in."""
    values: list[str] = []
    for model in apps.get_models():
        # The kernel's tables hold the rules' own titles in both languages and the audit's copies, not user text.
        if not model._meta.managed or model._meta.proxy or model._meta.app_label in GENERATED_APPS:
            continue
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not names:
            continue
        for row in model._base_manager.values_list(*names):
            values.extend(str(value) for value in row if value)
    return "\n".join(values)


class Stored:
    """Stored text, searched for whole words only: "Sign" is not user content because "Signature" is."""

    def __init__(self, text: str) -> None:
        # Cleaned as page text is (`foreign_runs`), so a stored "з 23 до 8" matches the page's "з   до  ".
        self.text = NOT_WORDS.sub(" ", text)
        self._seen: dict[str, bool] = {}

    def __contains__(self, run: str) -> bool:
        if run not in self._seen:
            self._seen[run] = re.search(rf"(?<!\w){re.escape(run)}(?!\w)", self.text) is not None
        return self._seen[run]

    def starts_word(self, run: str) -> bool:
        """A shortened text ("…встанов…") ends inside a stored word."""
        return re.search(rf"(?<!\w){re.escape(run)}", self.text) is not None


def foreign_runs(text: PageText, *, language: str, stored: Stored) -> Iterator[str]:
    """Runs of words in the other language that neither people wrote nor are proper names."""
    run = LATIN_RUN if language == "uk" else CYRILLIC_RUN
    for piece in text.pieces:
        cleaned = NOT_WORDS.sub(" ", piece)
        for match in run.finditer(cleaned):
            words = match.group(0).strip(" ,:;/()-\u00ab\u00bb.'\u2019")
            if len(words) < 2 or words in PROPER_NAMES or words in stored:
                continue
            if cleaned[match.end() :].startswith("\u2026") and stored.starts_word(words):
                continue
            # A page joins stored pieces: "Марія Петренко, м. Київ" is a name and an address.
            parts = [part.strip(" .") for part in re.split(r"[,:;()\u00ab\u00bb]+", words)]
            if all(part in PROPER_NAMES or part in stored or not part for part in parts):
                continue
            if all(word in PROPER_NAMES for word in words.split()):
                continue
            yield words


def internal_links(page_url: str, text: PageText) -> Iterator[str]:
    for href in text.links:
        target = urlsplit(urljoin(page_url, href))
        if target.scheme in {"", "http"} and target.netloc in {"", "testserver"}:
            yield target.path + (f"?{target.query}" if target.query else "")


SKIPPED_PREFIXES = ("/admin/", "/api/", "/i18n/", "/static/", "/media/", "/documents/", "/accounts/logout/")
SKIPPED_SUFFIXES = (".json", ".csv", ".ics", ".xml", "/events", "/photo/", "/download")


def page_kind(path: str) -> str:
    """Pages of one kind differ only in their numbers: /petitions/12/ and /petitions/13/ are one kind."""
    return re.sub(r"\d+", "N", path.split("?", maxsplit=1)[0])


def worth_reading(path: str) -> bool:
    bare = path.split("?", maxsplit=1)[0]
    return bare.startswith("/") and not bare.startswith(SKIPPED_PREFIXES) and not bare.endswith(SKIPPED_SUFFIXES)

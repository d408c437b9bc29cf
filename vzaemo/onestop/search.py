"""Ukrainian-aware text normalisation for the one-stop search, done in Python so both databases agree.

PostgreSQL ships no Ukrainian stemmer, so the index uses the `simple` configuration (lower-casing and
splitting only) over text normalised here, and a query matches each word as a prefix (`word:*`), which
covers most inflected endings (`петиці` finds `петиція`, `петиції`) but not changes inside the stem
(`рік` / `року`). On SQLite every word must be a substring of the same normalised text.

What the normalisation does, and why:
* Unicode NFKC, then `casefold()` — Cyrillic case is folded in Python because SQLite's LIKE folds ASCII only.
* Every apostrophe variant (`APOSTROPHES`: the ASCII one, U+2019, U+02BC, U+2018, the grave accent, U+2032,
  U+02B9) is removed: people type "м'ясо" with any of them for the same word, and PostgreSQL's parser would
  split the word at some of them and not at others.
* ґ is folded to г: many keyboards and older texts have no ґ, and no two common words differ only by it.
Not done: transliteration (Latin queries do not find Cyrillic text), Latin look-alike letters inside
Cyrillic words, stemming beyond prefixes.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = "'\u2019\u02bc\u2018`\u2032\u02b9"
_FOLD = str.maketrans({**dict.fromkeys(APOSTROPHES, ""), "ґ": "г"})
_WORD = re.compile(r"\w+")
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
MAX_TEXT_LENGTH = 20_000


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)[:MAX_TEXT_LENGTH]


def words(query: str) -> list[str]:
    """The query's words, normalised; punctuation and search operators are dropped, never interpreted."""
    found = _WORD.findall(normalise(query))
    return [word[:MAX_WORD_LENGTH] for word in found[:MAX_WORDS]]


def prefix_tsquery(query_words: list[str]) -> str:
    """A raw tsquery matching every word as a prefix. Safe: `words()` yields only word characters."""
    return " & ".join(f"{word}:*" for word in query_words)

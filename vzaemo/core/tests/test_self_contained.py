"""The repository stands on its own: no tracked code or document points at files outside it.

The design and the reference notes live in docs/design.md and docs/reference/; a clone has nothing else, so a
citation of a sibling folder would send a reader nowhere.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# Built from parts so that this file does not match itself.
SHARED = "shared"
FORBIDDEN = ("../" + SHARED, SHARED + "/reference", SHARED + "/DESIGN")


def tracked_files() -> list[str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to list the tracked files with")
    listed = subprocess.run(
        [git, "ls-files", "-z", "--", "*.py", "*.md"], cwd=ROOT, capture_output=True, check=True, text=True
    )
    return [name for name in listed.stdout.split("\0") if name]


def citations_outside(name: str, text: str) -> list[str]:
    return [
        f"{name}:{number}: {pattern}"
        for number, line in enumerate(text.splitlines(), start=1)
        for pattern in FORBIDDEN
        if pattern in line
    ]


def test_no_tracked_file_cites_anything_outside_the_repository() -> None:
    files = tracked_files()
    assert files, "git ls-files found no Python or Markdown file"
    offenders = []
    for name in files:
        path = ROOT / name
        if path.is_file():  # a file deleted in the work tree but not yet committed is gone already
            offenders += citations_outside(name, path.read_text(encoding="utf-8", errors="replace"))
    assert not offenders, "cite docs/design.md, docs/reference/ or an ADR instead:\n" + "\n".join(offenders)


def test_the_check_finds_each_kind_of_citation_it_forbids() -> None:
    planted = "\n".join(
        [
            "# The why is in ../" + SHARED + "/DESIGN" + ".md, rule 6.",
            "See " + SHARED + "/reference/auctions.md §3.1.",
            "Layout: " + SHARED + "/DESIGN" + ".md.",
            "Fine: docs/design.md rule 6 and docs/reference/auctions.md §3.1.",
        ]
    )
    found = citations_outside("planted.py", planted)
    assert [entry.split(":")[1] for entry in found] == ["1", "1", "2", "3"]

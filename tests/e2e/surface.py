"""The surface checks every page gets: the page fits a phone's screen, and axe-core finds no WCAG 2.1 A/AA
violation, in both languages at desktop and phone widths.

Pages are found the way a person finds them: from the home page, by following the links each role sees, one
page per URL shape (``/petitions/12/`` and ``/petitions/13/`` are one shape), so a page added later is checked
without being listed here. ``axe.min.js`` is axe-core 4.11.0 from the npm registry, vendored unchanged
(``npm pack axe-core@4.11.0``; MPL-2.0, its licence header kept).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).with_name("axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Not pages: files (lot photos too), feeds, streams, the admin, signed document links, sign-out, e-mail confirmation.
_NOT_A_PAGE = re.compile(
    r"^/(admin|static|media|api|documents)/"
    r"|/(logout|confirm-email|photo|photos|download|events)(/|$)"
    r"|\.(json|csv|ics|atom|xml|pdf|jsonl|txt)$"
)
_NUMBER = re.compile(r"/\d+(?=/|$)")
# Pages named by a slug rather than a number: one authority's page stands for all.
_SLUG = re.compile(r"^(/responsiveness)/[^/]+/$")
_TOKEN = re.compile(r"/[0-9a-f]{8}-[0-9a-f-]{27,}(?=/|$)|/[A-Za-z0-9_-]{20,}(?=/|$)")


def shape(path: str) -> str:
    """The URL shape: one page per template and role is enough (ids and tokens are data, not layout)."""
    path = path.split("?", 1)[0]  # a signed link's query is a key, not another page
    return _SLUG.sub(r"\1/S/", _NUMBER.sub("/N", _TOKEN.sub("/T", path)))


@dataclass
class Finding:
    role: str
    language: str
    width: int
    path: str
    what: str

    def __str__(self) -> str:
        return f"[{self.role} {self.language} {self.width}px] {self.path}: {self.what}"


@dataclass
class SurfaceReport:
    findings: list[Finding] = field(default_factory=list)
    visited: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)


def same_site_paths(page: Page, base_url: str) -> list[str]:
    """Every same-origin link on the page, as a path without query or fragment."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    base = urllib.parse.urlsplit(base_url)
    paths = []
    for href in hrefs:
        url = urllib.parse.urlsplit(href)
        if (url.scheme, url.netloc) != (base.scheme, base.netloc):
            continue
        if not _NOT_A_PAGE.search(url.path):
            paths.append(url.path)
    return paths


def overflow(page: Page) -> str | None:
    """Why the document is wider than the viewport, or None when it fits."""
    widths: dict[str, Any] = page.evaluate(
        """() => {
          const root = document.documentElement, vw = window.innerWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > vw + 1 && !e.closest('.table-scroll'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                               + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
          return {scroll: root.scrollWidth, viewport: vw, wide};
        }"""
    )
    if widths["scroll"] <= widths["viewport"]:
        return None
    return f"document {widths['scroll']}px wide in a {widths['viewport']}px viewport; widest: {widths['wide']}"


def axe_violations(page: Page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page as it is now (colour contrast of SVG text included)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the page's CSP forbids inline and foreign scripts.
        page.evaluate(AXE.read_text())
    results: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map("
        "n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))})))",
        AXE_TAGS,
    )
    return [f"{v['id']} ({v['help']}): {v['nodes']}" for v in results]


def check_pages(
    page: Page,
    *,
    base_url: str,
    role: str,
    start: Iterable[str],
    report: SurfaceReport,
    public: set[str] | None = None,
    limit: int = 60,
) -> set[str]:
    """Walk the site from ``start`` as the page's signed-in role, each URL shape once, in each language.

    At each page: axe at desktop width, then at phone width the document must fit and axe runs again.
    ``public`` holds the shapes earlier walks (anonymous, other roles) already checked: this role skips them
    unless it reaches them from a page it checks itself (a cabinet's or an inbox's links lead to pages with its
    actions on them). Returns the shapes checked.
    """
    queue = [(path, True) for path in dict.fromkeys(start)]  # (path, reached from this role's own page)
    found: set[str] = set()
    checked: list[str] = []
    page.context.add_cookies([{"name": "django_language", "value": "uk", "url": base_url}])
    while queue and len(checked) < limit:  # Ukrainian, the site's language, finds the pages
        path, own = queue.pop(0)
        key = shape(path)
        if key in found:
            continue
        found.add(key)
        if public is not None and key in public and not own:
            continue
        if not _check(page, role=role, language="uk", path=path, report=report):
            continue
        checked.append(path)
        from_own_page = public is not None and key not in public
        queue.extend((p, from_own_page) for p in same_site_paths(page, base_url) if shape(p) not in found)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base_url}])
    for path in checked:
        _check(page, role=role, language="en", path=path, report=report)
    return {shape(path) for path in checked}


def _check(page: Page, *, role: str, language: str, path: str, report: SurfaceReport) -> bool:
    report.visited.append((role, language, path))
    page.set_viewport_size(DESKTOP)
    response = page.goto(path)
    if response is None or response.status >= 400:
        report.add(Finding(role, language, DESKTOP["width"], path, f"answered {response and response.status}"))
        return False
    for violation in axe_violations(page):
        report.add(Finding(role, language, DESKTOP["width"], path, violation))
    page.set_viewport_size(PHONE)
    wide = overflow(page)
    if wide:
        report.add(Finding(role, language, PHONE["width"], path, wide))
    for violation in axe_violations(page):
        report.add(Finding(role, language, PHONE["width"], path, violation))
    return True

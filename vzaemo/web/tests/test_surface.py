"""What every page carries (ADR 0021): the folding menu, the favicon, htmx only where it is used, no empty static
file, chart colours that meet WCAG 2.1 contrast. The layout and axe-core checks in a browser are in
tests/e2e/test_surface.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

STATIC = Path(settings.BASE_DIR) / "vzaemo" / "web" / "static" / "web"
HTMX = "web/htmx.min.js"


@pytest.mark.django_db
def test_the_menu_folds_without_script_and_the_favicon_is_linked(client: Client) -> None:
    html = client.get(reverse("web:home")).content.decode()
    menu = re.search(r'<details class="menu">\s*<summary>([^<]+)</summary>.*?<nav aria-label="[^"]+">', html, re.S)
    assert menu, "the main menu is a <details> with a named <summary>"
    assert 'rel="icon" href="/static/web/favicon.svg" type="image/svg+xml"' in html
    assert 'rel="icon" href="/static/web/favicon.png" type="image/png"' in html


@pytest.mark.django_db
def test_htmx_is_loaded_only_by_the_pages_that_use_it(client: Client) -> None:
    with_htmx = client.get(reverse("web:petition_list")).content.decode()
    without = client.get(reverse("web:responsiveness_index")).content.decode()
    assert "hx-get" in with_htmx
    assert HTMX in with_htmx
    assert "hx-" not in without
    assert HTMX not in without


def test_no_static_file_is_empty_and_every_one_is_found() -> None:
    files = [p for p in STATIC.iterdir() if p.is_file()]
    assert files
    for path in files:
        assert path.stat().st_size > 0, f"{path.name} is empty"
        assert finders.find(f"web/{path.name}"), path.name


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _fill(css: str, selector: str, prop: str) -> str:
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    rule = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert rule, selector
    value = re.search(rf"(?:^|;|\s){prop}:\s*([^;]+)", rule.group(1))
    assert value, (selector, prop)
    colour = value.group(1).strip()
    var = re.fullmatch(r"var\(--([\w-]+)\)", colour)
    return variables[var.group(1)] if var else colour


def test_chart_text_and_marks_meet_wcag_contrast_on_white() -> None:
    css = (STATIC / "site.css").read_text()
    # Text: 4.5:1 (WCAG 1.4.3); bars and lines that carry the data: 3:1 against the background (WCAG 1.4.11).
    assert contrast(_fill(css, ".chart-tick", "fill"), "#ffffff") >= 4.5
    for selector in (".bar-on-time", ".bar-late", ".bar-overdue", ".line-median", ".chart-point"):
        assert contrast(_fill(css, selector, "fill"), "#ffffff") >= 3, selector
    assert contrast(_fill(css, ".chart-line", "stroke"), "#ffffff") >= 3


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)

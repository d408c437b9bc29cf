"""The public pages, the JSON and the CSV: the same numbers everywhere, clear 400s, accessible SVG."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from vzaemo.core.models import ObligationOutcome as O
from vzaemo.responsiveness import metrics
from vzaemo.responsiveness.tests.conftest import Duty, kyiv, make_authority
from vzaemo.web.responsiveness import charts

pytestmark = pytest.mark.django_db

NOW = kyiv(2026, 3, 10, 12)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def data(duty: Duty) -> None:
    a, b = make_authority("alpha", "Alpha council"), make_authority("beta", "Beta council")
    duty(a, "appeal.answer", opened=kyiv(2026, 2, 2), due=kyiv(2026, 2, 10), closed=kyiv(2026, 2, 4))
    duty(a, "petition.answer", opened=kyiv(2026, 2, 2), due=kyiv(2026, 2, 10), closed=kyiv(2026, 2, 12))
    duty(b, "appeal.answer", opened=kyiv(2026, 1, 20), due=kyiv(2026, 2, 5), closed=kyiv(2026, 2, 1))
    duty(
        b,
        "appeal.answer",
        opened=kyiv(2026, 2, 20),
        due=kyiv(2026, 3, 1),
        closed=kyiv(2026, 2, 21),
        outcome=O.CANCELLED,
    )


def parse_svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - markup this code base generated, not untrusted input


def get(name: str, *args: str, **query: str) -> object:
    path = reverse(f"web:responsiveness_{name}", args=args)
    with time_machine.travel(NOW, tick=False):
        return Client().get(path, query)


def cells(html: str, slug: str) -> dict[str, str]:
    """The ranking row of one authority: metric key -> the text shown."""
    row = re.search(rf'href="/responsiveness/{slug}/".*?</tr>', html, re.S)
    assert row, slug
    return dict(re.findall(r'data-metric="([a-z_]+)">([^<]*)</td>', row.group(0)))


def test_the_ranking_page_json_and_csv_agree(data: None) -> None:
    page = get("index", period="2026-02")
    assert page.status_code == 200  # type: ignore[attr-defined]
    html = page.content.decode()  # type: ignore[attr-defined]
    assert "style=" not in html
    assert "<script>" not in html
    for metric in metrics.METRICS:
        assert str(metric.definition) in html
    assert html.index('href="/responsiveness/beta/"') < html.index('href="/responsiveness/alpha/"')  # 100 % > 50 %

    document = get("json", period="2026-02").json()  # type: ignore[attr-defined]
    assert document["period"] == "2026-02"
    assert document["headline"] == "on_time_share"
    assert [c["key"] for c in document["columns"]][-len(metrics.METRICS) :] == [m.key for m in metrics.METRICS]
    rows = {row["authority"]: row for row in document["authorities"]}
    assert rows["alpha"]["on_time_share"] == 0.5
    assert rows["beta"]["on_time_share"] == 1.0

    csv_response = get("csv", period="2026-02")
    assert csv_response["Content-Type"].startswith("text/csv")  # type: ignore[index]
    table = list(csv.DictReader(io.StringIO(csv_response.content.decode())))  # type: ignore[attr-defined]
    assert [r["authority"] for r in table] == [r["authority"] for r in document["authorities"]]
    for csv_row in table:
        json_row = rows[csv_row["authority"]]
        shown = cells(html, csv_row["authority"])
        for metric in metrics.METRICS:
            value = json_row[metric.key]
            assert csv_row[metric.key] == ("" if value is None else str(value))
            assert shown[metric.key] == metric.display(value)

    one = get("json", period="2026-02", authority="beta").json()  # type: ignore[attr-defined]
    assert [r["authority"] for r in one["authorities"]] == ["beta"]


@pytest.mark.parametrize("name", ["index", "json", "csv"])
@pytest.mark.parametrize("bad", ["2026-13", "March", "2026-Q7", "2031-01"])
def test_a_bad_period_is_a_400_with_a_clear_message(data: None, name: str, bad: str) -> None:
    response = get(name, period=bad)
    assert response.status_code == 400  # type: ignore[attr-defined]
    body = response.content.decode()  # type: ignore[attr-defined]
    assert any(text in body for text in ("YYYY-MM", "numbered", "not begun yet"))


def test_an_empty_period_says_so(data: None) -> None:
    html = get("index", period="2025-06").content.decode()  # type: ignore[attr-defined]
    assert "No authority had a duty to answer" in html
    assert get("json", period="2025-06").json()["authorities"] == []  # type: ignore[attr-defined]


def test_the_authority_page_has_accessible_charts_tables_and_open_data_links(data: None) -> None:
    response = get("authority", "alpha")
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "style=" not in html
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 2
    for markup in svgs:
        root = parse_svg(markup)
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None
        assert title.text
        assert desc is not None
        assert desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert 'id="trend-table"' in html
    assert "/responsiveness/index.csv?period=2026-02&amp;authority=alpha" in html
    # The February row of the table shows the same numbers as the ranking.
    feb = re.search(r'<th scope="row">2026-02</th>(.*?)</tr>', html, re.S)
    assert feb
    assert 'data-metric="on_time_share">50.0 %</td>' in feb.group(1)
    assert get("authority", "nobody").status_code == 404  # type: ignore[attr-defined]


def test_charts_are_well_formed_with_gaps_and_escaped_text() -> None:
    bars = charts.stacked_bars(
        chart_id="c1",
        title="On time <& late>",
        description="desc",
        labels=["Jan", "Feb"],
        series=[charts.Series("on time", "bar-on-time", [3, 0]), charts.Series("late", "bar-late", [1, None])],
    )
    root = parse_svg(str(bars))
    assert root.find(f"{SVG}title").text == "On time <& late>"  # type: ignore[union-attr]
    assert len(root.findall(f".//{SVG}g[@class='chart-bars']/{SVG}rect")) == 2
    line = charts.line(
        chart_id="c2",
        title="t",
        description="d",
        labels=["a", "b", "c"],
        series=charts.Series("m", "line-median", [1.5, None, 3]),
    )
    root = parse_svg(str(line))
    assert len(root.findall(f".//{SVG}polyline")) == 2  # the gap breaks the line
    assert "style=" not in str(line)

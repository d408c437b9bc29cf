"""The index as open data: one row per authority and period, one column per declared metric."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext_lazy as _

from vzaemo.responsiveness import metrics
from vzaemo.responsiveness.selectors import AuthorityIndex, IndexResult

# The leading columns; every metric's key follows, in metrics.METRICS order.
LEAD_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("period", _("The period: a Kyiv calendar month (YYYY-MM) or quarter (YYYY-Qn).")),
    ("period_start", _("Its first day (Europe/Kyiv).")),
    ("period_end", _("Its last day (Europe/Kyiv).")),
    ("authority", _("The authority's short name, as in its page address.")),
    ("authority_name_uk", _("The authority's name in Ukrainian.")),
    ("authority_name_en", _("The authority's name in English.")),
)
COLUMNS: tuple[str, ...] = tuple(key for key, _text in LEAD_COLUMNS) + tuple(m.key for m in metrics.METRICS)


def row(item: AuthorityIndex) -> dict[str, Any]:
    return {
        "period": item.period.key,
        "period_start": item.period.start_date.isoformat(),
        "period_end": item.period.last_date.isoformat(),
        "authority": item.slug,
        "authority_name_uk": item.name_uk,
        "authority_name_en": item.name_en,
        **{metric.key: item.values[metric.key] for metric in metrics.METRICS},
    }


def columns_documented() -> list[dict[str, str]]:
    lead = [{"key": key, "title": key, "definition": str(text), "unit": ""} for key, text in LEAD_COLUMNS]
    return lead + [
        {"key": m.key, "title": str(m.title), "definition": str(m.definition), "unit": m.unit} for m in metrics.METRICS
    ]


def as_json(result: IndexResult, rows: list[AuthorityIndex]) -> dict[str, Any]:
    return {
        "period": result.period.key,
        "period_start": result.period.start_date.isoformat(),
        "period_end": result.period.last_date.isoformat(),
        "computed_at": result.computed_at.isoformat(),
        "headline": metrics.HEADLINE.key,
        "columns": columns_documented(),
        "authorities": [row(item) for item in rows],
    }


def as_csv(rows: list[AuthorityIndex]) -> str:
    """Shares as fractions in [0, 1], days as decimals, an empty cell where a metric has no value."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for item in rows:
        writer.writerow({key: "" if value is None else value for key, value in row(item).items()})
    return out.getvalue()

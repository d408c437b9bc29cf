"""Server-rendered SVG charts: pure functions from numbers to markup, no JavaScript, no inline styles.

Every chart is an image with a name and a description (`role="img"`, `<title>`, `<desc>`,
`aria-labelledby`); colours come from classes in site.css; sizes are SVG geometry attributes (which
the CSP allows, unlike `style=`). The page always shows the same numbers in a table as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
LEFT = 44
RIGHT = 12
TOP = 36
BOTTOM = 32
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
TICKS = 4


@dataclass(frozen=True)
class Series:
    label: str
    css_class: str  # e.g. "bar-on-time"; colours live in site.css
    values: Sequence[float | None]


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _label_num(value: float) -> str:
    return f"{value:g}"


def _nice_max(value: float) -> tuple[float, float]:
    """An axis top at or above `value` divisible into TICKS round steps; (top, step)."""
    if value <= 0:
        return float(TICKS), 1.0
    raw = value / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    step = max(step, 1.0) if value >= 1 else step
    return step * TICKS, step


def _frame(chart_id: str, title: str, description: str, body: list[str]) -> SafeString:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def _axes(labels: Sequence[str], top: float, step: float) -> list[str]:
    parts = ['<g class="chart-axis" aria-hidden="true">']
    for i in range(TICKS + 1):
        value = step * i
        y = TOP + PLOT_H - PLOT_H * value / top
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{_num(y)}" x2="{WIDTH - RIGHT}" y2="{_num(y)}"></line>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">'
            f"{escape(_label_num(value))}</text>"
        )
    slot = PLOT_W / max(len(labels), 1)
    for i, label in enumerate(labels):
        x = LEFT + slot * (i + 0.5)
        parts.append(
            f'<text class="chart-tick" x="{_num(x)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</g>")
    return parts


def _legend(entries: Sequence[tuple[str, str]]) -> list[str]:
    parts = ['<g class="chart-legend" aria-hidden="true">']
    x = LEFT
    for label, css_class in entries:
        parts.append(
            f'<rect class="{escape(css_class)}" x="{x}" y="10" width="12" height="12"></rect>'
            f'<text class="chart-tick" x="{x + 18}" y="20">{escape(label)}</text>'
        )
        x += 30 + 8 * len(label)
    parts.append("</g>")
    return parts


def stacked_bars(
    *, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """One stacked bar per label (e.g. a month), one segment per series (e.g. on time, late, overdue)."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top, step = _nice_max(max(totals, default=0))
    slot = PLOT_W / max(len(labels), 1)
    bar_w = slot * 0.6
    body = _legend([(s.label, s.css_class) for s in series]) + _axes(labels, top, step)
    body.append('<g class="chart-bars">')
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar_w) / 2
        base = float(TOP + PLOT_H)
        for s in series:
            value = s.values[i] or 0
            if not value:
                continue
            h = PLOT_H * value / top
            base -= h
            body.append(
                f'<rect class="{escape(s.css_class)}" x="{_num(x)}" y="{_num(base)}" width="{_num(bar_w)}" '
                f'height="{_num(h)}"><title>{escape(f"{label}: {s.label} {_label_num(value)}")}</title></rect>'
            )
    body.append("</g>")
    return _frame(chart_id, title, description, body)


def line(*, chart_id: str, title: str, description: str, labels: Sequence[str], series: Series) -> SafeString:
    """A line through the known values; a missing value (None) breaks the line."""
    known = [v for v in series.values if v is not None]
    top, step = _nice_max(max(known, default=0))
    slot = PLOT_W / max(len(labels), 1)
    body = _legend([(series.label, series.css_class)]) + _axes(labels, top, step)
    body.append(f'<g class="{escape(series.css_class)}">')
    run: list[str] = []
    runs: list[list[str]] = []
    for i, value in enumerate(series.values):
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        x = LEFT + slot * (i + 0.5)
        y = TOP + PLOT_H - PLOT_H * value / top
        run.append(f"{_num(x)},{_num(y)}")
        body.append(
            f'<circle class="chart-point" cx="{_num(x)}" cy="{_num(y)}" r="4">'
            f"<title>{escape(f'{labels[i]}: {_label_num(value)}')}</title></circle>"
        )
    if run:
        runs.append(run)
    body.extend(f'<polyline class="chart-line" points="{" ".join(points)}"></polyline>' for points in runs)
    body.append("</g>")
    return _frame(chart_id, title, description, body)

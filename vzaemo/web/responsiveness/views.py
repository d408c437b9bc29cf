"""Public pages and files of the responsiveness index. Thin: parse the period, read, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vzaemo.core import clock
from vzaemo.core.errors import NotFound, ValidationFailed
from vzaemo.responsiveness import metrics, opendata, periods, selectors
from vzaemo.responsiveness.errors import ResponsivenessError
from vzaemo.responsiveness.periods import Period
from vzaemo.responsiveness.selectors import AuthorityIndex
from vzaemo.web.errors import json_error
from vzaemo.web.responsiveness import charts

SORTS = {
    "score": gettext_lazy("best score first"),
    "score_asc": gettext_lazy("worst score first"),
    "name": gettext_lazy("name"),
}


def _period(request: HttpRequest) -> Period:
    value = request.GET.get("period", "")
    return periods.parse(value) if value else periods.containing(clock.now(), periods.QUARTER)


def _period_choices(selected: Period) -> list[Period]:
    choices = list(reversed(periods.recent_quarters(4))) + list(reversed(periods.recent_months(12)))
    return choices if selected in choices else [selected, *choices]


def _rows(request: HttpRequest, result: selectors.IndexResult) -> list[AuthorityIndex]:
    slug = request.GET.get("authority", "")
    if not slug:
        return result.rows
    if selectors.authority_get(slug) is None:
        raise NotFound(_("There is no such authority."), code=ResponsivenessError.AUTHORITY_NOT_FOUND)
    return [row for row in result.rows if row.slug == slug]


def _sorted(rows: list[AuthorityIndex], sort: str) -> list[AuthorityIndex]:
    if sort == "name":
        return sorted(rows, key=lambda row: row.name.casefold())
    if sort == "score_asc":
        return sorted(rows, key=lambda row: (row.score is None, row.score or 0.0, row.name.casefold()))
    return rows  # the index's own order: best score first


def index_page(request: HttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except ValidationFailed as error:
        page: dict[str, object] = {"error": error.message, "metrics": metrics.METRICS}
        return render(request, "web/responsiveness/index.html", page, status=400)
    sort = request.GET.get("sort", "score")
    sort = sort if sort in SORTS else "score"
    result = selectors.index_for_period(period)
    context: dict[str, object] = {
        "period": period,
        "periods": _period_choices(period),
        "result": result,
        "rows": _sorted(result.rows, sort),
        "sort": sort,
        "sorts": SORTS,
        "metrics": metrics.METRICS,
        "headline": metrics.HEADLINE,
        "columns": opendata.columns_documented(),
    }
    return render(request, "web/responsiveness/index.html", context)


def _month_label(period: Period) -> str:
    return date_format(period.start_date, "M Y")


def authority_page(request: HttpRequest, slug: str) -> HttpResponse:
    authority = selectors.authority_get(slug)
    if authority is None:
        raise NotFound(_("There is no such authority."), code=ResponsivenessError.AUTHORITY_NOT_FOUND)
    trend = selectors.trend_for_authority(authority)
    labels = [date_format(point.period.start_date, "M") for point in trend.points]
    first, last = _month_label(trend.points[0].period), _month_label(trend.points[-1].period)
    bars = charts.stacked_bars(
        chart_id="chart-answers",
        title=_("Answers due each month: on time, late and overdue"),
        description=_(
            "Stacked bars for each month from %(first)s to %(last)s: obligations to answer due that month "
            "that were answered on time, answered late, or are overdue now. The table below gives the numbers."
        )
        % {"first": first, "last": last},
        labels=labels,
        series=[
            charts.Series(
                str(metrics.ON_TIME.title), "bar-on-time", [p.values[metrics.ON_TIME.key] for p in trend.points]
            ),
            charts.Series(str(metrics.LATE.title), "bar-late", [p.values[metrics.LATE.key] for p in trend.points]),
            charts.Series(
                str(metrics.OVERDUE.title), "bar-overdue", [p.values[metrics.OVERDUE.key] for p in trend.points]
            ),
        ],
    )
    median = charts.line(
        chart_id="chart-median",
        title=_("Median days to answer, by month"),
        description=_(
            "A line of the median number of days from receipt to answer for the answers given each month "
            "from %(first)s to %(last)s; months without answers are gaps. The table below gives the numbers."
        )
        % {"first": first, "last": last},
        labels=labels,
        series=charts.Series(
            str(metrics.MEDIAN_DAYS.title), "line-median", [p.values[metrics.MEDIAN_DAYS.key] for p in trend.points]
        ),
    )
    context = {
        "authority": authority,
        "trend": trend,
        "points": list(reversed(trend.points)),
        "metrics": metrics.METRICS,
        "bars": bars,
        "median": median,
    }
    return render(request, "web/responsiveness/authority.html", context)


def _bad_period(error: ValidationFailed, *, as_json: bool) -> HttpResponse:
    if as_json:
        return json_error(error, status=400)
    return HttpResponse(str(error.message), status=400, content_type="text/plain; charset=utf-8")


def index_json(request: HttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except ValidationFailed as error:
        return _bad_period(error, as_json=True)
    result = selectors.index_for_period(period)
    response = JsonResponse(opendata.as_json(result, _rows(request, result)), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def index_csv(request: HttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except ValidationFailed as error:
        return _bad_period(error, as_json=False)
    result = selectors.index_for_period(period)
    response = HttpResponse(opendata.as_csv(_rows(request, result)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="responsiveness-{period.key}.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response

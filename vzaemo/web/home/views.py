from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vzaemo.accounts.models import Region
from vzaemo.core import clock
from vzaemo.onestop import selectors as onestop
from vzaemo.responsiveness import periods
from vzaemo.responsiveness import selectors as responsiveness
from vzaemo.responsiveness.selectors import AuthorityIndex

OPEN_SHOWN = 6
ANSWERS_SHOWN = 5
RANKED_SHOWN = 3
# The region a visitor chose on the front page, remembered for the session ("near me").
REGION_KEY = "onestop_region"


def _region(request: HttpRequest) -> str:
    """The chosen region (a valid ?region= is remembered), else the person's organisation's, else none."""
    if "region" in request.GET:
        chosen = request.GET["region"]
        if chosen == "" or chosen in Region.values:
            request.session[REGION_KEY] = chosen
            return chosen
    remembered = request.session.get(REGION_KEY)
    if isinstance(remembered, str) and (remembered == "" or remembered in Region.values):
        return remembered
    return onestop.region_of(request.user)


def _leaders_and_laggards() -> tuple[list[AuthorityIndex], list[AuthorityIndex]]:
    """The best and the worst scores of the current quarter; authorities with nothing to judge are neither."""
    result = responsiveness.index_for_period(periods.containing(clock.now(), periods.QUARTER))
    scored = [row for row in result.rows if row.score is not None]
    leaders = scored[:RANKED_SHOWN]
    laggards = [row for row in reversed(scored) if row not in leaders][:RANKED_SHOWN]
    return leaders, laggards


def home(request: HttpRequest) -> HttpResponse:
    """The one stop's front door: what is open (near me), every module in one tap, answers and responsiveness."""
    region = _region(request)
    filters = onestop.Filters(region=region, with_national=True)
    leaders, laggards = _leaders_and_laggards()
    context = {
        "region": region,
        "regions": Region.choices,
        "open_items": onestop.open_now(filters, limit=OPEN_SHOWN),
        "closing_soon": onestop.closing_soon_count(filters),
        "answers": onestop.recently_answered(limit=ANSWERS_SHOWN),
        "leaders": leaders,
        "laggards": laggards,
    }
    return render(request, "web/home/index.html", context)

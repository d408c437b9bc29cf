"""The one stop's pages: the personal cabinet, search across modules, the participation calendar and its feed.

Thin: the filters are parsed by forms, the reads are `vzaemo.onestop.selectors`; no module is imported here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vzaemo.core import clock
from vzaemo.onestop import ical, selectors
from vzaemo.onestop.models import IndexedItem
from vzaemo.web.errors import signed_in
from vzaemo.web.onestop.forms import ItemFilterForm

PAGE_SIZE = 20
# A feed is read by calendar programs, not people paging: all of the window, within a bound.
FEED_LIMIT = 1_000


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    context = {
        "groups": selectors.cabinet(user),
        "now": clock.now(),
        "followed": selectors.followed_open(user),
        "unread": selectors.unread_count(user),
    }
    return render(request, "web/onestop/cabinet.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def search(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET)
    if not form.is_valid():
        # A bad filter is named beside its field; no results are guessed from the rest.
        context: dict[str, object] = {"form": form, "page": None, "query": ""}
        return render(request, "web/onestop/search.html", context, status=400)
    items = selectors.search(form.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "searched": bool(request.GET),
        # What the filters name can be followed from here (subscriptions).
        "follow_authority": form.chosen_authority,
        "follow_region": form.cleaned_data.get("region", ""),
    }
    return render(request, "web/onestop/search.html", context)


def participation_calendar(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET, calendar=True)
    if not form.is_valid():
        return render(request, "web/onestop/calendar.html", {"form": form, "days": None}, status=400)
    items = list(selectors.calendar_items(form.filters())[:FEED_LIMIT])
    days: dict[object, list[IndexedItem]] = {}
    for item in items:
        if item.deadline is None:  # the calendar selects items with a deadline; a type guard only
            continue
        days.setdefault(ical.deadline_day(item.deadline), []).append(item)
    context = {
        "form": form,
        "days": list(days.items()),
        "ics_query": request.GET.urlencode(),
        "horizon": selectors.CALENDAR_DAYS,
    }
    return render(request, "web/onestop/calendar.html", context)


def calendar_ics(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET, calendar=True)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    site = settings.VZAEMO_SITE_URL.rstrip("/")
    host = site.split("://", 1)[-1]
    events = []
    for item in selectors.calendar_items(form.filters())[:FEED_LIMIT]:
        if item.deadline is None:  # the calendar selects items with a deadline; a type guard only
            continue
        kind = selectors.kind_label(item.kind)
        authority = item.authority.name if item.authority else ""
        deadline_text = item.deadline.astimezone(clock.KYIV).strftime("%Y-%m-%d %H:%M")
        events.append(
            ical.Event(
                uid=f"{item.kind}-{item.object_id}-deadline@{host}",
                day=ical.deadline_day(item.deadline),
                stamp=item.updated_at,
                summary=_("%(kind)s closes: %(title)s") % {"kind": kind, "title": item.title},
                description="\n".join(
                    part
                    for part in (
                        authority,
                        _("Open until %(moment)s (Kyiv time).") % {"moment": deadline_text},
                        item.summary,
                        site + item.url,
                    )
                    if part
                ),
                url=site + item.url,
            )
        )
    body = ical.feed(_("Vzaemo: participation calendar"), events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="vzaemo-calendar.ics"'
    return response

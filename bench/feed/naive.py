"""The naive change feed the benchmark compares against: `ORDER BY dateModified` (openprocurement's order).

Same framework, schema, page shape and cursor encoding (core.commit_order.Position) as the real
`auction_feed`; it is core.commit_order.changes()'s SQLite order — order by (date_modified, id), resume
after the last (date_modified, id) — run on PostgreSQL, without the watermark. A transaction that
stamps `date_modified` and commits after a reader has moved past that moment is never shown: the
skips ADR 0009 is about. The benchmark gives it an index on (date_modified, id) and it loads rows
exactly as the real endpoint does — whole instances with the lot and owner joined, or only the
columns the real feed names in `FEED_COLUMNS` when it has that constant — so that the throughput
comparison is about the order and the watermark, not about loading or a missing index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpRequest
from ninja import NinjaAPI, Query

from vzaemo.auctions import selectors
from vzaemo.auctions.states import Mode
from vzaemo.broker_api import selectors as real_selectors
from vzaemo.broker_api.auth import optional_broker
from vzaemo.broker_api.routers.auctions import MAX_LIMIT
from vzaemo.broker_api.schemas import FeedOut
from vzaemo.core.commit_order import EPOCH, Position

FEED_COLUMNS: tuple[str, ...] | None = getattr(real_selectors, "FEED_COLUMNS", None)

api = NinjaAPI(title="bench: naive feed", version="bench", urls_namespace="bench_feed_naive", docs_url=None)


@api.get("/auctions", response=FeedOut)
def naive_feed(
    request: HttpRequest,
    feed: Literal["changes"] = "changes",
    offset: str | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    mode: Literal["real", "test"] = "real",
) -> dict[str, Any]:
    optional_broker(request)
    queryset = selectors.auction_list_public(mode=Mode(mode))
    if FEED_COLUMNS is not None:
        queryset = queryset.select_related(None).only(*FEED_COLUMNS)
    queryset = queryset.order_by("date_modified", "id")
    if offset:
        after = Position.decode(offset)
        moment = EPOCH + dt.timedelta(microseconds=after.stamp)
        queryset = queryset.filter(Q(date_modified__gt=moment) | Q(date_modified=moment, id__gt=after.pk))
    page = list(queryset[:limit])
    items = [{"id": str(a.pk), "dateModified": selectors.iso_utc(a.date_modified)} for a in page]
    if page:
        last = page[-1]
        next_offset = Position((last.date_modified - EPOCH) // dt.timedelta(microseconds=1), last.pk).encode()
    else:
        next_offset = offset or ""
    params: dict[str, Any] = {"feed": feed, "limit": limit, "mode": mode}
    if next_offset:
        params["offset"] = next_offset
    uri = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    return {"data": items, "next_page": {"offset": next_offset, "uri": uri}}

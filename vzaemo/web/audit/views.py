"""The public audit page and its machine-readable endpoints (thin: everything lives in core.audit)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from vzaemo.core import audit, audit_selectors

ENTRIES_PER_PAGE = 50
# A full verification reads the whole chain; anonymous callers share one result for this long.
VERIFY_CACHE_SECONDS = 30


@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(audit_selectors.public_entries(), ENTRIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    checkpoint = audit_selectors.latest_checkpoint()
    return render(
        request,
        "web/audit/log.html",
        {
            "page_obj": page,
            "checkpoint": audit_selectors.checkpoint_data(checkpoint),
            "key_ring": audit_selectors.public_keys(),
        },
    )


@require_safe
def audit_verify(request: HttpRequest) -> JsonResponse:
    def compute() -> dict[str, Any]:
        result = asdict(audit.verify())
        result["head"] = audit_selectors.checkpoint_data(audit_selectors.latest_checkpoint())
        return result

    data = cache.get_or_set("vzaemo:audit:verify", compute, VERIFY_CACHE_SECONDS)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_safe
def audit_public_key(request: HttpRequest) -> JsonResponse:
    return JsonResponse(audit_selectors.public_keys())

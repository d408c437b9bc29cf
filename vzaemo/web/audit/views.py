"""The public audit page and its machine-readable endpoints (thin: everything lives in core.audit)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from vzaemo.core import audit, audit_selectors
from vzaemo.core.errors import ValidationFailed
from vzaemo.web.errors import json_error

ENTRIES_PER_PAGE = 50
# A full verification reads the whole chain; anonymous callers share one result for this long.
VERIFY_CACHE_SECONDS = 30
CHECKPOINTS_PER_PAGE = 1000


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
            "signed_at": checkpoint.created_at if checkpoint else None,
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
def audit_checkpoints(request: HttpRequest) -> JsonResponse:
    """Every signed checkpoint, in pages of CHECKPOINTS_PER_PAGE: save it, and `audit_verify --witness` proves
    later that the log still extends it, even if the database's own checkpoints were deleted."""
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        error = ValidationFailed(_("after must be a whole number (a checkpoint size)."), field="after")
        return json_error(error, status=400)
    statements = audit_selectors.checkpoint_statements(after=max(after, 0), limit=CHECKPOINTS_PER_PAGE)
    next_url = None
    if len(statements) == CHECKPOINTS_PER_PAGE:
        next_url = request.build_absolute_uri(f"{request.path}?after={statements[-1]['size']}")
    return JsonResponse(
        {"checkpoints": statements, "next": next_url, "public_keys": audit_selectors.public_keys()},
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def audit_public_key(request: HttpRequest) -> JsonResponse:
    return JsonResponse(audit_selectors.public_keys())

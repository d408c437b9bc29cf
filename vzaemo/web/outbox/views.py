"""The embedded demo's outbox: the emails `core.outbox.EmailBackend` kept instead of sending them.

Shown only where it means something and harms no one: in the demo (`VZAEMO_DEMO`), where every address is
fictitious and a visitor needs the verification link of the account they just registered; and to staff,
who may switch the backend on to see what a deployment would send. Everyone else gets a 404, as if the page
did not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vzaemo.core.models import OutboxMessage

PAGE_SIZE = 20


def outbox_visible(request: HttpRequest) -> bool:
    return bool(settings.VZAEMO_DEMO) or bool(getattr(request.user, "is_staff", False))


def outbox(request: HttpRequest) -> HttpResponse:
    if not outbox_visible(request):
        raise Http404
    messages = OutboxMessage.objects.all()
    search = " ".join(request.GET.get("q", "").split())[:200]
    if search:
        messages = messages.filter(Q(subject__icontains=search) | Q(to__icontains=search))
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/outbox/list.html", {"page": page, "search": search, "query": query.urlencode()})

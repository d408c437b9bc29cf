"""Pages of subscriptions: follow and unfollow, email frequency, notifications, one-click unsubscribe, Atom feeds.

Following is safe to repeat by its nature (one subscription per person and target; following again only sets the
frequency), so these small forms carry no one-time key; unfollowing twice answers as done.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vzaemo.accounts.models import Authority, Region
from vzaemo.core.errors import DomainError, NotFound
from vzaemo.onestop import digests, selectors, services
from vzaemo.onestop.models import FollowTarget, Frequency
from vzaemo.web.errors import see_other, signed_in
from vzaemo.web.onestop.forms import FollowForm, FrequencyForm, ItemFilterForm
from vzaemo.web.rate_limits import rate_limited

PAGE_SIZE = 30
FEED_SIZE = 50


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    context = {
        "followed": selectors.subscriptions_of(user),
        "choosers": [
            {
                "target": FollowTarget.AUTHORITY,
                "label": _("An authority"),
                # Every active authority, not only those with public items now: following one before it opens
                # anything is the point.
                "options": [(a.pk, a.name) for a in Authority.objects.filter(is_active=True).order_by("name_uk")],
            },
            {"target": FollowTarget.REGION, "label": _("A region"), "options": Region.choices},
            {"target": FollowTarget.TOPIC, "label": _("A topic"), "options": selectors.topics()},
        ],
        "frequencies": Frequency.choices,
        "feed_url": reverse("web:notifications_feed", args=[digests.feed_token(user.pk)]),
    }
    return render(request, "web/onestop/subscriptions.html", context)


@login_required
@require_POST
@rate_limited("subscription.change")
def follow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST)
    back = _back(request, reverse("web:subscriptions"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return see_other(back)
    try:
        services.subscription_follow(user=signed_in(request), **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("You follow it now. Changes come to your notifications and, if you chose so, by email.")
        )
    return see_other(back)


@login_required
@require_POST
@rate_limited("subscription.change")
def subscription_change(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = signed_in(request)
    back = reverse("web:subscriptions")
    if request.POST.get("action") == "unfollow":
        # Already gone: a repeated click ends where the first one did.
        with contextlib.suppress(NotFound):
            services.subscription_unfollow(user=user, subscription_id=subscription_id)
        messages.success(request, _("You no longer follow it."))
        return see_other(back)
    form = FrequencyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how often to receive email."))
        return see_other(back)
    try:
        services.subscription_set_frequency(
            user=user, subscription_id=subscription_id, frequency=form.cleaned_data["frequency"]
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Saved."))
    return see_other(back)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if request.method == "POST":
        services.notifications_mark_read(user=user)
        messages.success(request, _("All notifications are marked as read."))
        return see_other("web:notifications")
    page = Paginator(selectors.notifications_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [(n, digests.event_text(n)) for n in page.object_list]
    context = {
        "page": page,
        "lines": lines,
        "unread": selectors.unread_count(user),
        "feed_url": reverse("web:notifications_feed", args=[digests.feed_token(user.pk)]),
    }
    return render(request, "web/onestop/notifications.html", context)


@csrf_exempt  # the signed token is the credential; mail programs post RFC 8058's one-click without a CSRF token
@rate_limited("subscription.unsubscribe")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user_id = digests.unsubscribe_user_id(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        return render(request, "web/onestop/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.email_stop(user=user)
        return render(request, "web/onestop/unsubscribe.html", {"done": True})
    return render(request, "web/onestop/unsubscribe.html", {"token": token})


def _feed(title: str, link: str, description: str) -> Atom1Feed:
    site = settings.VZAEMO_SITE_URL.rstrip("/")
    return Atom1Feed(title=title, link=site + link, description=description, language=get_language())


def notifications_feed(request: HttpRequest, token: str) -> HttpResponse:  # noqa: ARG001 - a view's signature
    """A person's notifications as Atom, behind a signed link (feed readers cannot sign in)."""
    user_id = digests.feed_user_id(token)
    if user_id is None or not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        raise Http404
    site = settings.VZAEMO_SITE_URL.rstrip("/")
    feed = _feed(_("Vzaemo: what you follow"), reverse("web:notifications"), _("Changes in what you follow."))
    for notification in selectors.notifications_of(user_id)[:FEED_SIZE]:
        event = digests.event_text(notification)
        feed.add_item(
            title=f"{event}: {notification.title}",
            link=site + notification.url,
            description=event,
            unique_id=f"{site}/n/{notification.pk}",
            pubdate=notification.created_at,
            updateddate=notification.created_at,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


def search_feed(request: HttpRequest) -> HttpResponse:
    """The latest changes of public items matching the search filters, as Atom (anyone may read it)."""
    form = ItemFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            _("Correct the filters to get a feed."), status=400, content_type="text/plain; charset=utf-8"
        )
    site = settings.VZAEMO_SITE_URL.rstrip("/")
    query = request.GET.urlencode()
    feed = _feed(
        _("Vzaemo: public items"),
        reverse("web:search") + (f"?{query}" if query else ""),
        _("The latest changes of public petitions, consultations and auctions."),
    )
    for item in selectors.search(form.filters()).order_by("-updated_at", "-id")[:FEED_SIZE]:
        status = selectors.status_label(item.kind, item.status)
        feed.add_item(
            title=item.title,
            link=site + item.url,
            description=f"{selectors.kind_label(item.kind)} · {status}. {item.summary}".strip(),
            unique_id=f"{site}{item.url}#{item.status}",
            pubdate=item.updated_at,
            updateddate=item.updated_at,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")

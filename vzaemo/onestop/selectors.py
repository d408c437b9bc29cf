"""Reads of the one stop: search and the calendar over the index, the cabinet over the registered sources.

Search and the calendar read only the index, which holds public items alone; the cabinet asks each source
live (`involvements()`, then `items()` for those ids), so a person sees their private items (appeals) and a
change they just made without waiting for the index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from vzaemo.accounts.models import Authority, CivilSocietyOrganisation, Region
from vzaemo.core import calendar, clock, participation
from vzaemo.core.participation import Involvement, Item, Party, Whose
from vzaemo.onestop import notify
from vzaemo.onestop.models import FollowTarget, IndexedItem, Notification, Subscription
from vzaemo.onestop.search import prefix_tsquery, words

# The participation calendar looks this far ahead: a quarter, so that a petition published today (its collection
# term is three months, docs/reference/ukraine-rules.md §1) is on it from the first day. "Soon" is a week.
CALENDAR_DAYS = 92
SOON_DAYS = 7


@dataclass(frozen=True)
class Filters:
    """Validated filters (the pages' forms parse them); an empty value filters nothing."""

    query: str = ""
    kind: str = ""
    authority_id: int | None = None
    region: str = ""
    # With a region: also the national items, which concern every region ("near me").
    with_national: bool = False
    # "<kind>:<status>": a status code means something only within its module ("closed" differs by module).
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _filtered(items: QuerySet[IndexedItem], filters: Filters) -> QuerySet[IndexedItem]:
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.authority_id is not None:
        items = items.filter(authority_id=filters.authority_id)
    if filters.region:
        regions = [filters.region, Region.NATIONAL] if filters.with_national else [filters.region]
        items = items.filter(region__in=regions)
    if filters.status:
        kind, _sep, status = filters.status.partition(":")
        items = items.filter(kind=kind, status=status)
    return items


def search(filters: Filters) -> QuerySet[IndexedItem]:
    """Every public item matching the filters; with words, best match first, otherwise the latest change first.

    `date_from`/`date_to` bound the day of the item's latest change (Kyiv dates).
    """
    items = _filtered(IndexedItem.objects.select_related("authority"), filters)
    if filters.date_from is not None:
        items = items.filter(updated_at__gte=calendar.at_kyiv(filters.date_from, dt.time.min))
    if filters.date_to is not None:
        items = items.filter(updated_at__lte=calendar.end_of_day(filters.date_to))
    query_words = words(filters.query)
    if not query_words:
        return items.order_by("-updated_at", "-id")
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(prefix_tsquery(query_words), search_type="raw", config="simple")
        return (
            items.filter(search_vector=tsquery)
            .annotate(rank=SearchRank(F("search_vector"), tsquery))
            .order_by("-rank", "-updated_at", "-id")
        )
    for word in query_words:
        items = items.filter(search_text__contains=word)
    return items.order_by("-updated_at", "-id")


def calendar_items(filters: Filters, *, days: int = CALENDAR_DAYS) -> QuerySet[IndexedItem]:
    """What the public can still take part in: public deadlines from now to `days` ahead, soonest first.

    `date_from`/`date_to` narrow the window to those Kyiv days.
    """
    now = clock.now()
    start, end = now, now + dt.timedelta(days=days)
    if filters.date_from is not None:
        start = max(start, calendar.at_kyiv(filters.date_from, dt.time.min))
    if filters.date_to is not None:
        end = min(end, calendar.end_of_day(filters.date_to))
    items = _filtered(IndexedItem.objects.select_related("authority"), filters)
    return items.filter(deadline_whose=Whose.PUBLIC, deadline__gte=start, deadline__lte=end).order_by("deadline", "id")


def open_now(filters: Filters, *, limit: int) -> list[IndexedItem]:
    return list(calendar_items(filters)[:limit])


def closing_soon_count(filters: Filters) -> int:
    return calendar_items(filters, days=SOON_DAYS).count()


def recently_answered(*, limit: int) -> list[IndexedItem]:
    """The latest public items an authority has answered, in each module's own sense (`answered_statuses`)."""
    answered = Q()
    for source in participation.sources():
        if source.answered_statuses:
            answered |= Q(kind=source.kind, status__in=sorted(source.answered_statuses))
    if not answered:
        return []
    return list(IndexedItem.objects.filter(answered).select_related("authority").order_by("-updated_at", "-id")[:limit])


def public_statuses() -> list[tuple[Any, list[tuple[str, Any]]]]:
    """The statuses public items can have, grouped by kind, as "<kind>:<status>" values (see `Filters.status`)."""
    return [
        (source.label_plural, [(f"{source.kind}:{code}", label) for code, label in source.statuses()])
        for source in participation.sources()
        if source.statuses()
    ]


def status_label(kind: str, status: str) -> Any:
    source = participation.source(kind)
    return source.status_label(status) if source is not None else status


def kind_label(kind: str) -> Any:
    source = participation.source(kind)
    return source.label if source is not None else kind


def public_kinds() -> list[tuple[str, Any]]:
    """The kinds that have public items (a source with no public statuses, like appeals, is left out)."""
    return [(source.kind, source.label_plural) for source in participation.sources() if source.statuses()]


# --- the cabinet ----------------------------------------------------------------------------------


@dataclass
class CabinetLine:
    item: Item
    involvement: Involvement
    overdue: bool

    @property
    def kind_label(self) -> Any:
        return kind_label(self.item.kind)

    @property
    def status_label(self) -> Any:
        return status_label(self.item.kind, self.item.status)


@dataclass
class CabinetGroup:
    """Everything one party (the person, a CSO, an authority) has in progress, and its recent history."""

    party: Party
    party_id: int | None
    name: str
    lines: list[CabinetLine] = field(default_factory=list)
    finished: list[CabinetLine] = field(default_factory=list)
    # In progress beyond LINES_SHOWN: an authority's inbox can hold thousands; the module's own inbox lists them all.
    more: int = 0

    @property
    def overdue_count(self) -> int:
        return sum(1 for line in self.lines if line.overdue)


LINES_SHOWN = 100
FINISHED_SHOWN = 20


def _far() -> dt.datetime:
    return dt.datetime.max.replace(tzinfo=dt.UTC)


def cabinet(user: Any) -> list[CabinetGroup]:
    """The person's own items first, then each CSO they act for, then each authority they serve.

    In progress: overdue first, then the soonest deadline, then those without one; finished: the latest first.
    """
    now = clock.now()
    groups: dict[tuple[Party, int | None], CabinetGroup] = {(Party.PERSON, None): CabinetGroup(Party.PERSON, None, "")}
    for source in participation.sources():
        involvements = list(source.involvements(user))
        if not involvements:
            continue
        items = {item.object_id: item for item in source.items({i.object_id for i in involvements})}
        for involvement in involvements:
            item = items.get(involvement.object_id)
            if item is None:
                continue
            key = (involvement.party, involvement.party_id)
            group = groups.setdefault(key, CabinetGroup(involvement.party, involvement.party_id, ""))
            overdue = (
                involvement.in_progress
                and involvement.deadline is not None
                and involvement.deadline < now
                and involvement.deadline_whose != Whose.PUBLIC
            )
            line = CabinetLine(item=item, involvement=involvement, overdue=overdue)
            (group.lines if involvement.in_progress else group.finished).append(line)
    _name_groups(groups.values())
    for group in groups.values():
        group.lines.sort(key=lambda line: (not line.overdue, line.involvement.deadline or _far(), line.item.title))
        group.finished.sort(key=lambda line: line.item.updated_at, reverse=True)
        del group.finished[FINISHED_SHOWN:]
        group.more = max(0, len(group.lines) - LINES_SHOWN)
        del group.lines[LINES_SHOWN:]
    order = {Party.PERSON: 0, Party.CSO: 1, Party.AUTHORITY: 2}
    return sorted(groups.values(), key=lambda g: (order[g.party], g.name))


def _name_groups(groups: Iterable[CabinetGroup]) -> None:
    groups = list(groups)
    csos = dict(
        CivilSocietyOrganisation.objects.filter(
            pk__in=[g.party_id for g in groups if g.party == Party.CSO]
        ).values_list("pk", "name")
    )
    authorities = {
        a.pk: a.name
        for a in Authority.objects.filter(pk__in=[g.party_id for g in groups if g.party == Party.AUTHORITY])
    }
    for group in groups:
        if group.party == Party.CSO:
            group.name = csos.get(group.party_id or 0, "")
        elif group.party == Party.AUTHORITY:
            group.name = authorities.get(group.party_id or 0, "")


def authorities_with_items() -> QuerySet[Authority]:
    """The authorities the filters offer: those with at least one public item."""
    return Authority.objects.filter(pk__in=IndexedItem.objects.values("authority_id")).order_by("name_uk")


def authority_by_slug(slug: str) -> Authority | None:
    return Authority.objects.filter(slug=slug).first()


def region_of(user: Any) -> str:
    """The region the home page assumes for "near me": that of the first CSO or authority the person acts for."""
    if not user.is_authenticated:
        return ""
    membership = user.memberships.select_related("cso", "authority").order_by("pk").first()
    if membership is None:
        return ""
    organisation = membership.cso or membership.authority
    region = getattr(organisation, "region", "")
    return "" if region == Region.NATIONAL else region


# --- subscriptions and notifications ---------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    subscription: Subscription
    label: Any  # what is followed, in the reader's language
    url: str  # where to see it ("" when there is no page)


def subject_label(code: str) -> Any:
    """A topic or category code in the reader's language, from the module that uses it; the code otherwise."""
    for each in participation.sources():
        text = each.subject_label(code)
        if text:
            return text
    return code


def subscriptions_of(user: Any) -> list[Followed]:
    subscriptions = list(Subscription.objects.filter(user=user))
    authority_ids = [int(s.value) for s in subscriptions if s.target == FollowTarget.AUTHORITY]
    authorities = {a.pk: a for a in Authority.objects.filter(pk__in=authority_ids)}
    items = {
        notify.item_value(i.kind, i.object_id): i
        for i in IndexedItem.objects.filter(
            _item_query([s.value for s in subscriptions if s.target == FollowTarget.ITEM])
        )
    }
    out: list[Followed] = []
    for subscription in subscriptions:
        label: Any = subscription.value
        url = ""
        match subscription.target:
            case FollowTarget.AUTHORITY:
                authority = authorities.get(int(subscription.value))
                if authority is not None:
                    label = authority.name
                    url = f"{reverse('web:search')}?authority={authority.slug}"
            case FollowTarget.REGION:
                label = Region(subscription.value).label if subscription.value in Region.values else label
                url = f"{reverse('web:search')}?region={subscription.value}"
            case FollowTarget.TOPIC:
                label = subject_label(subscription.value)
            case FollowTarget.ITEM:
                item = items.get(subscription.value)
                if item is not None:
                    label = item.title
                    url = item.url
        out.append(Followed(subscription=subscription, label=label, url=url))
    return out


def _item_query(values: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for value in values:
        kind, _sep, raw_id = value.partition(":")
        if raw_id.isdigit():
            query |= Q(kind=kind, object_id=int(raw_id))
    return query


def follow_state(user: Any, target: str, value: str) -> Subscription | None:
    """The person's subscription to this target, if any (pages show "follow" or "following")."""
    if not user.is_authenticated:
        return None
    return Subscription.objects.filter(user=user, target=target, value=value).first()


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def topics() -> list[tuple[str, Any]]:
    """The topic and category codes public items carry now, with their labels, for the follow form."""
    codes: set[str] = set()
    for text in IndexedItem.objects.exclude(subjects="").values_list("subjects", flat=True).distinct():
        codes.update(text.split())
    return sorted(((code, subject_label(code)) for code in codes), key=lambda pair: str(pair[1]))


def followed_open(user: Any, *, limit: int = 20) -> list[IndexedItem]:
    """Public items the person heard of through a subscription that are still open, the nearest deadline first.

    The cabinet's "what you follow" list: what a subscription brought in and one can still take part in.
    """
    heard = Notification.objects.filter(user=user).values_list("kind", "object_id").distinct()
    query = _item_query(f"{kind}:{object_id}" for kind, object_id in heard[:500])
    return list(
        IndexedItem.objects.filter(query, deadline__gte=clock.now(), deadline_whose=Whose.PUBLIC)
        .select_related("authority")
        .order_by("deadline", "id")[:limit]
    )

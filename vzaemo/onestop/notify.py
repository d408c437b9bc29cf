"""Turn changes of public items into notifications for the people who follow them (subscriptions).

Called by the projection (`projection.project`) in the same transaction that rebuilds the index rows, so a
notification exists exactly when the index shows the change, and only for public items: the projection hands
over what it stores, which is never a private item (appeals stay private). A re-read of the same audit entry
finds the same (person, item, event, status) and the unique constraint keeps it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db.models import Q

from vzaemo.core import clock, participation
from vzaemo.onestop.models import FollowTarget, Frequency, Notification, NotificationEvent, Subscription

# The order of urgency when several subscriptions of one person match the same change.
_URGENCY = {Frequency.INSTANT: 0, Frequency.DAILY: 1, Frequency.NONE: 2}


def item_value(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def next_daily_digest(now: dt.datetime) -> dt.datetime:
    """The next morning digest time in Kyiv (`VZAEMO_DIGEST_HOUR`), strictly after `now`."""
    local = now.astimezone(clock.KYIV)
    due = local.replace(hour=settings.VZAEMO_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if due <= local:
        due = (due + dt.timedelta(days=1)).replace(hour=settings.VZAEMO_DIGEST_HOUR)
    return due


def _matches(subscription: Subscription, item: participation.Item) -> bool:
    value = subscription.value
    match subscription.target:
        case FollowTarget.AUTHORITY:
            return item.authority_id is not None and value == str(item.authority_id)
        case FollowTarget.REGION:
            return value == item.region
        case FollowTarget.TOPIC:
            return value in item.subjects
        case FollowTarget.ITEM:
            return value == item_value(item.kind, item.object_id)
    return False


def _candidates(items: Iterable[participation.Item]) -> list[Subscription]:
    authorities: set[str] = set()
    regions: set[str] = set()
    topics: set[str] = set()
    singles: set[str] = set()
    for item in items:
        if item.authority_id is not None:
            authorities.add(str(item.authority_id))
        if item.region:
            regions.add(item.region)
        topics.update(item.subjects)
        singles.add(item_value(item.kind, item.object_id))
    query = (
        Q(target=FollowTarget.AUTHORITY, value__in=authorities)
        | Q(target=FollowTarget.REGION, value__in=regions)
        | Q(target=FollowTarget.TOPIC, value__in=topics)
        | Q(target=FollowTarget.ITEM, value__in=singles)
    )
    return list(Subscription.objects.filter(query).only("id", "user_id", "target", "value", "frequency"))


def fan_out(items: Iterable[participation.Item], previous: Mapping[tuple[str, int], str]) -> int:
    """Notify the followers of each public item that is new to the index or whose status changed.

    `previous` maps (kind, object id) to the status the index held before; returns the notifications added.
    """
    changed = [item for item in items if item.is_public and previous.get((item.kind, item.object_id)) != item.status]
    if not changed:
        return 0
    subscriptions = _candidates(changed)
    if not subscriptions:
        return 0
    now = clock.now()
    due_by_frequency = {Frequency.INSTANT: now, Frequency.DAILY: next_daily_digest(now), Frequency.NONE: None}
    rows: list[Notification] = []
    for item in changed:
        urgency: dict[int, Frequency] = {}
        for subscription in subscriptions:
            if _matches(subscription, item):
                frequency = Frequency(subscription.frequency)
                current = urgency.get(subscription.user_id)
                if current is None or _URGENCY[frequency] < _URGENCY[current]:
                    urgency[subscription.user_id] = frequency
        event = NotificationEvent.OPENED if (item.kind, item.object_id) not in previous else NotificationEvent.STATUS
        for user_id, frequency in urgency.items():
            due = due_by_frequency[frequency]
            rows.append(
                Notification(
                    user_id=user_id,
                    kind=item.kind,
                    object_id=item.object_id,
                    event=event,
                    status=item.status,
                    title=item.title[:500],
                    url=item.url,
                    created_at=now,
                    email_due_at=due,
                )
            )
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)

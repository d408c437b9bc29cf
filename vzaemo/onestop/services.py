"""Every write of the one stop a person makes: following and unfollowing, email frequency, reading notices.

The index itself is written only by `projection` (derived data); notifications only by `notify` and `digests`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Authority, Region
from vzaemo.core import audit, clock, participation
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import NotFound, ValidationFailed
from vzaemo.onestop.errors import OnestopError
from vzaemo.onestop.models import FollowTarget, Frequency, IndexedItem, Notification, Subscription
from vzaemo.onestop.notify import item_value

_SUBJECT_MAX = 120


def _valid_value(target: FollowTarget, value: str) -> str:
    """The stored form of what is followed, or a refusal that names the field; never follows a private item."""
    value = value.strip()
    match target:
        case FollowTarget.AUTHORITY:
            if value.isdigit() and Authority.objects.filter(pk=int(value)).exists():
                return str(int(value))
            message = _("There is no such authority.")
        case FollowTarget.REGION:
            if value in Region.values:
                return value
            message = _("There is no such region.")
        case FollowTarget.TOPIC:
            prefix, _sep, code = value.partition(":")
            if prefix and code and len(value) <= _SUBJECT_MAX and value.isascii() and " " not in value:
                return value
            message = _("There is no such topic.")
        case FollowTarget.ITEM:
            kind, _sep, raw_id = value.partition(":")
            if (
                participation.source(kind) is not None
                and raw_id.isdigit()
                and IndexedItem.objects.filter(kind=kind, object_id=int(raw_id)).exists()
            ):
                return item_value(kind, int(raw_id))
            # Private and missing items read the same (docs/design.md: existence does not leak).
            message = _("There is no such public item.")
    raise ValidationFailed(message, code=OnestopError.SUBSCRIPTION_TARGET_INVALID, field="value")


def subscription_follow(*, user: Any, target: str, value: str, frequency: str = Frequency.DAILY) -> Subscription:
    """Follow something; following it again only sets the email frequency (safe to repeat)."""
    try:
        follow = FollowTarget(target)
        how_often = Frequency(frequency)
    except ValueError:
        raise ValidationFailed(
            _("Choose what to follow and how often to receive email."),
            code=OnestopError.SUBSCRIPTION_TARGET_INVALID,
        ) from None
    stored = _valid_value(follow, value)
    with transaction.atomic():
        # Serialises one person's follows, so the limit below cannot be raced past.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        subscription = Subscription.objects.filter(user=user, target=follow, value=stored).first()
        if subscription is not None:
            if subscription.frequency != how_often:
                return _set_frequency(user, subscription, how_often)
            return subscription
        if Subscription.objects.filter(user=user).count() >= settings.VZAEMO_SUBSCRIPTIONS_PER_PERSON:
            raise ValidationFailed(
                _("You follow %(limit)d things already, the most one person can. Stop following something first.")
                % {"limit": settings.VZAEMO_SUBSCRIPTIONS_PER_PERSON},
                code=OnestopError.SUBSCRIPTION_LIMIT,
            )
        subscription = Subscription.objects.create(
            user=user, target=follow, value=stored, frequency=how_often, created_at=clock.now()
        )
        audit.record(
            actor=user,
            subject=subscription,
            tag=AuditTag.SUBSCRIPTION_FOLLOW,
            before=None,
            after={"target": follow.value, "value": stored, "frequency": how_often.value},
        )
    return subscription


def _owned(user: Any, subscription_id: int) -> Subscription:
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id, user=user).first()
    if subscription is None:
        raise NotFound(_("There is no such subscription."))
    return subscription


def _set_frequency(user: Any, subscription: Subscription, frequency: Frequency) -> Subscription:
    before = subscription.frequency
    subscription.frequency = frequency
    subscription.save(update_fields=["frequency"])
    audit.record(
        actor=user,
        subject=subscription,
        tag=AuditTag.SUBSCRIPTION_FREQUENCY,
        before={"frequency": before},
        after={"frequency": frequency.value},
    )
    return subscription


def subscription_set_frequency(*, user: Any, subscription_id: int, frequency: str) -> Subscription:
    try:
        how_often = Frequency(frequency)
    except ValueError:
        raise ValidationFailed(
            _("Choose how often to receive email."), code=OnestopError.SUBSCRIPTION_TARGET_INVALID, field="frequency"
        ) from None
    with transaction.atomic():
        subscription = _owned(user, subscription_id)
        if subscription.frequency == how_often:
            return subscription
        return _set_frequency(user, subscription, how_often)


def subscription_unfollow(*, user: Any, subscription_id: int) -> None:
    """Stop following; a second call for the same subscription is refused as not found (it is gone)."""
    with transaction.atomic():
        subscription = _owned(user, subscription_id)
        audit.record(
            actor=user,
            subject=subscription,
            tag=AuditTag.SUBSCRIPTION_UNFOLLOW,
            before={"target": subscription.target, "value": subscription.value},
            after=None,
        )
        subscription.delete()


def email_stop(*, user: Any) -> int:
    """The one-click unsubscribe: no more digest email for any subscription (notices stay on the site and feed).

    Returns how many subscriptions changed; a repeat changes none and records nothing.
    """
    with transaction.atomic():
        sending = list(Subscription.objects.select_for_update().filter(user=user).exclude(frequency=Frequency.NONE))
        Notification.objects.filter(user=user, emailed_at__isnull=True).update(email_due_at=None)
        if not sending:
            return 0
        Subscription.objects.filter(pk__in=[s.pk for s in sending]).update(frequency=Frequency.NONE)
        audit.record(
            actor=user,
            subject=user,
            tag=AuditTag.SUBSCRIPTION_EMAIL_STOP,
            before={"subscriptions": len(sending)},
            after={"frequency": Frequency.NONE.value},
        )
    return len(sending)


def notifications_mark_read(*, user: Any, notification_ids: Collection[int] | None = None) -> int:
    """Mark the person's notices read (all unread ones when no ids are given); returns how many changed.

    Reading is not a change of the platform's state anyone else sees, so it leaves no audit entry.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=clock.now())

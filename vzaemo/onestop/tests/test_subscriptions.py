"""Subscriptions: every module's public items reach their followers (notifications, digest email, Atom); private never."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Region
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.core import clock
from vzaemo.core.errors import NotFound, ValidationFailed
from vzaemo.core.testing import Refused
from vzaemo.onestop import digests, notify, projection, services
from vzaemo.onestop.errors import OnestopError
from vzaemo.onestop.models import Frequency, Notification, NotificationEvent, Subscription
from vzaemo.onestop.tests.conftest import index_now
from vzaemo.onestop.tests.examples import EXAMPLES
from vzaemo.petitions import services as petitions
from vzaemo.petitions.tests.factories import PetitionFactory, moderator_of

# The notices are made by the projection following the sealed chain; on PostgreSQL the sealer's watermark is
# server-wide, so these run alone (as the projection's own tests do).
pytestmark = [pytest.mark.django_db, pytest.mark.serial]

ATOM = "{http://www.w3.org/2005/Atom}"


def send_due() -> int:
    """What the chronograph and the task worker do together (the tasks run at once in tests)."""
    return digests.send_digests.call(digests.due_people(limit=1_000))


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_modules_items_reach_a_region_follower_and_private_ones_never(kind: str) -> None:
    follower = UserFactory()
    services.subscription_follow(user=follower, target="region", value=Region.POLTAVA, frequency="instant")
    mail.outbox.clear()

    example = EXAMPLES[kind]()
    index_now()
    send_due()

    notices = Notification.objects.filter(user=follower, kind=kind, object_id=example.object_id)
    digest = [m for m in mail.outbox if follower.email in m.to]
    if not example.is_public:
        assert not notices.exists()
        assert all(example.title not in m.body for m in digest)
        return
    assert notices.get().event == NotificationEvent.OPENED
    assert len(digest) == 1
    assert example.title in digest[0].body
    assert notices.get().emailed_at is not None


def test_status_changes_notify_once_however_often_the_log_is_read() -> None:
    petition = PetitionFactory(state="submitted")
    follower = UserFactory()
    services.subscription_follow(user=follower, target="authority", value=str(petition.authority_id))
    index_now()
    assert not Notification.objects.exists()  # awaiting moderation: not public, nobody hears of it

    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    # Following the item too: still one notice per change for this person.
    services.subscription_follow(user=follower, target="item", value=f"petition:{petition.pk}", frequency="instant")
    with time_machine.travel(clock.now() + dt.timedelta(days=200), tick=False):
        closed = petitions.petition_close_collection(petition_id=petition.pk)
        assert closed is not None
        index_now()
        index_now()
        projection.index_refresh()

    notices = list(Notification.objects.filter(user=follower).order_by("id").values_list("event", "status"))
    assert notices == [(NotificationEvent.OPENED, "published"), (NotificationEvent.STATUS, closed.status)]
    # The stricter of the two subscriptions decides: the item is followed "at once".
    last = Notification.objects.filter(user=follower).latest("id")
    assert last.email_due_at == last.created_at


def test_a_follower_of_another_authority_hears_nothing() -> None:
    petition = PetitionFactory(state="submitted")
    other = UserFactory()
    services.subscription_follow(user=other, target="authority", value=str(AuthorityFactory().pk))
    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    assert not Notification.objects.filter(user=other).exists()


def test_a_daily_digest_waits_for_the_morning_and_is_sent_once() -> None:
    follower = UserFactory()
    petition = PetitionFactory(state="submitted")
    services.subscription_follow(user=follower, target="authority", value=str(petition.authority_id))
    evening = dt.datetime(2026, 3, 10, 19, 0, tzinfo=clock.KYIV)
    with time_machine.travel(evening, tick=False):
        petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
        index_now()
        mail.outbox.clear()
        assert send_due() == 0
    notice = Notification.objects.get(user=follower)
    assert notice.email_due_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=clock.KYIV)
    with time_machine.travel(dt.datetime(2026, 3, 11, 8, 1, tzinfo=clock.KYIV), tick=False):
        assert send_due() == 1
        assert send_due() == 0
    assert len(mail.outbox) == 1


def test_the_digest_carries_a_one_click_unsubscribe_that_works_without_signing_in() -> None:
    follower = UserFactory()
    petition = PetitionFactory(state="submitted")
    services.subscription_follow(
        user=follower, target="authority", value=str(petition.authority_id), frequency="instant"
    )
    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    mail.outbox.clear()
    send_due()
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header.strip("<>")
    assert link in message.body
    path = link.split("://", 1)[1].split("/", 1)[1]

    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(f"/{path}")
    assert page.status_code == 200
    assert Subscription.objects.get(user=follower).frequency == Frequency.INSTANT  # a GET changes nothing
    # RFC 8058: the mail program posts this body, with no cookie and no CSRF token.
    done = anonymous.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Subscription.objects.get(user=follower).frequency == Frequency.NONE
    again = anonymous.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200


def test_a_forged_unsubscribe_link_is_refused_and_changes_nothing(unchanged: object) -> None:
    follower = UserFactory()
    services.subscription_follow(user=follower, target="region", value=Region.KYIV_CITY, frequency="instant")
    forged = digests.unsubscribe_token(follower.pk)[:-2] + "xx"
    with unchanged():  # type: ignore[operator]
        response = Client().post(reverse("web:unsubscribe", args=[forged]))
    assert response.status_code == 404
    # A feed token is not an unsubscribe token.
    response = Client().post(reverse("web:unsubscribe", args=[digests.feed_token(follower.pk)]))
    assert response.status_code == 404
    assert Subscription.objects.get(user=follower).frequency == Frequency.INSTANT


def test_stopping_email_keeps_the_notices_on_the_site() -> None:
    follower = UserFactory()
    petition = PetitionFactory(state="submitted")
    services.subscription_follow(
        user=follower, target="authority", value=str(petition.authority_id), frequency="instant"
    )
    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    assert services.email_stop(user=follower) == 1
    assert services.email_stop(user=follower) == 0
    mail.outbox.clear()
    assert send_due() == 0
    assert Notification.objects.filter(user=follower).count() == 1


@pytest.mark.parametrize(
    ("target", "value"),
    [
        ("authority", "999999"),
        ("authority", "abc"),
        ("region", "atlantis"),
        ("topic", "без двокрапки"),
        ("item", "petition:999999"),
        ("item", "nonsense:1"),
    ],
)
def test_following_what_does_not_exist_is_refused(refused: Refused, target: str, value: str) -> None:
    user = UserFactory()
    refused(
        ValidationFailed,
        OnestopError.SUBSCRIPTION_TARGET_INVALID,
        lambda: services.subscription_follow(user=user, target=target, value=value),
    )


def test_a_private_item_cannot_be_followed(refused: Refused) -> None:
    example = EXAMPLES["appeal"]()
    index_now()
    refused(
        ValidationFailed,
        OnestopError.SUBSCRIPTION_TARGET_INVALID,
        lambda: services.subscription_follow(user=example.outsider, target="item", value=f"appeal:{example.object_id}"),
    )


def test_following_twice_keeps_one_subscription_and_sets_the_frequency() -> None:
    user = UserFactory()
    first = services.subscription_follow(user=user, target="region", value=Region.LVIV)
    second = services.subscription_follow(user=user, target="region", value=Region.LVIV, frequency="instant")
    assert first.pk == second.pk
    assert Subscription.objects.get(user=user).frequency == Frequency.INSTANT


def test_a_person_cannot_change_anothers_subscription(refused: Refused) -> None:
    owner, other = UserFactory(), UserFactory()
    subscription = services.subscription_follow(user=owner, target="region", value=Region.LVIV)
    refused(NotFound, "not_found", lambda: services.subscription_unfollow(user=other, subscription_id=subscription.pk))
    refused(
        NotFound,
        "not_found",
        lambda: services.subscription_set_frequency(user=other, subscription_id=subscription.pk, frequency="none"),
    )


def test_the_limit_of_subscriptions(refused: Refused, settings: object) -> None:
    settings.VZAEMO_SUBSCRIPTIONS_PER_PERSON = 2  # type: ignore[attr-defined]
    user = UserFactory()
    services.subscription_follow(user=user, target="region", value=Region.LVIV)
    services.subscription_follow(user=user, target="region", value=Region.KYIV_CITY)
    refused(
        ValidationFailed,
        OnestopError.SUBSCRIPTION_LIMIT,
        lambda: services.subscription_follow(user=user, target="region", value=Region.POLTAVA),
    )


def test_next_daily_digest_is_the_next_morning_in_kyiv() -> None:
    early = dt.datetime(2026, 3, 10, 7, 59, tzinfo=clock.KYIV)
    assert notify.next_daily_digest(early) == dt.datetime(2026, 3, 10, 8, 0, tzinfo=clock.KYIV)
    at_eight = dt.datetime(2026, 3, 10, 8, 0, tzinfo=clock.KYIV)
    assert notify.next_daily_digest(at_eight) == dt.datetime(2026, 3, 11, 8, 0, tzinfo=clock.KYIV)
    # Summer time begins on 29 March 2026: still eight in the morning on the clock.
    spring = dt.datetime(2026, 3, 28, 20, 0, tzinfo=clock.KYIV)
    assert notify.next_daily_digest(spring).astimezone(clock.KYIV).hour == 8


def test_the_personal_feed_lists_notices_behind_a_signed_link() -> None:
    follower = UserFactory()
    petition = PetitionFactory(state="submitted")
    services.subscription_follow(user=follower, target="authority", value=str(petition.authority_id))
    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    response = Client().get(reverse("web:notifications_feed", args=[digests.feed_token(follower.pk)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed
    first = entries[0].findtext(f"{ATOM}title") or ""
    assert first.endswith(petition.title)
    assert Client().get(reverse("web:notifications_feed", args=["forged"])).status_code == 404


def test_the_public_search_feed_follows_the_filters_and_never_lists_appeals() -> None:
    example = EXAMPLES["appeal"]()
    public = EXAMPLES["petition"]()
    index_now()
    response = Client().get(reverse("web:search_feed"), {"region": Region.POLTAVA})
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(response.content).findall(f"{ATOM}entry")]  # noqa: S314
    assert public.title in titles
    assert example.title not in titles
    bad = Client().get(reverse("web:search_feed"), {"region": "atlantis"})
    assert bad.status_code == 400

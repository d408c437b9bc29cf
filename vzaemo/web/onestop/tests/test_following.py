"""The subscription pages: follow from search, change and stop, the notifications page; both languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Region
from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.core.testing import Unchanged
from vzaemo.onestop import services
from vzaemo.onestop.models import Frequency, Notification, Subscription
from vzaemo.onestop.tests.conftest import index_now
from vzaemo.petitions import services as petitions
from vzaemo.petitions.tests.factories import PetitionFactory, moderator_of

# The notices are made by the projection following the sealed chain; on PostgreSQL the sealer's watermark is
# server-wide, so these run alone (as the projection's own tests do).
pytestmark = [pytest.mark.django_db, pytest.mark.serial]


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize(("language", "text"), [("uk", "За чим я стежу"), ("en", "What I follow")])
def test_the_subscriptions_page_in_both_languages(language: str, text: str) -> None:
    user = UserFactory()
    services.subscription_follow(user=user, target="region", value=Region.LVIV)
    response = _client(user).get(reverse("web:subscriptions"), headers={"Accept-Language": language})
    assert response.status_code == 200
    assert text in response.content.decode()
    assert response.context["followed"][0].label == Region.LVIV.label


def test_the_pages_ask_for_sign_in() -> None:
    for name in ("web:subscriptions", "web:notifications"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_following_from_search_and_back() -> None:
    petition = PetitionFactory(state="published")
    index_now()
    user = UserFactory()
    client = _client(user)
    search = client.get(reverse("web:search"), {"region": petition.authority.region})
    assert 'name="target" value="region"' in search.content.decode()
    assert f'value="petition:{petition.pk}"' in search.content.decode()

    response = client.post(
        reverse("web:follow"),
        {"target": "item", "value": f"petition:{petition.pk}", "frequency": "daily", "next": "/search/"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/search/"
    assert Subscription.objects.get(user=user).value == f"petition:{petition.pk}"


def test_a_bad_follow_says_why_and_stores_nothing(unchanged: Unchanged) -> None:
    user = UserFactory()
    client = _client(user)
    with unchanged():
        response = client.post(reverse("web:follow"), {"target": "region", "value": "atlantis"}, follow=True)
    assert (
        "There is no such region." in response.content.decode() or "Такого регіону немає" in response.content.decode()
    )
    with unchanged():
        response = client.post(reverse("web:follow"), {"target": "planet", "value": "x"}, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])


def test_an_outside_next_address_is_not_followed() -> None:
    user = UserFactory()
    response = _client(user).post(
        reverse("web:follow"), {"target": "region", "value": Region.LVIV, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("web:subscriptions")


def test_change_the_frequency_and_stop_following_twice() -> None:
    user = UserFactory()
    subscription = services.subscription_follow(user=user, target="region", value=Region.LVIV)
    client = _client(user)
    url = reverse("web:subscription_change", args=[subscription.pk])
    client.post(url, {"action": "frequency", "frequency": "instant"})
    assert Subscription.objects.get().frequency == Frequency.INSTANT
    client.post(url, {"action": "unfollow"})
    again = client.post(url, {"action": "unfollow"}, follow=True)
    assert again.status_code == 200
    assert not Subscription.objects.exists()


def test_someone_elses_subscription_is_not_found_and_unchanged() -> None:
    owner = UserFactory()
    subscription = services.subscription_follow(user=owner, target="region", value=Region.LVIV)
    _client(UserFactory()).post(
        reverse("web:subscription_change", args=[subscription.pk]), {"action": "frequency", "frequency": "none"}
    )
    assert Subscription.objects.get().frequency == Frequency.DAILY


def test_notifications_page_reads_and_marks_read() -> None:
    follower = UserFactory()
    petition = PetitionFactory(state="submitted")
    services.subscription_follow(user=follower, target="authority", value=str(petition.authority_id))
    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    client = _client(follower)
    page = client.get(reverse("web:notifications"), headers={"Accept-Language": "uk"})
    body = page.content.decode()
    assert petition.title in body
    assert "Непрочитане" in body
    client.post(reverse("web:notifications"))
    assert Notification.objects.get().read_at is not None
    assert "Непрочитане" not in client.get(reverse("web:notifications")).content.decode()


def test_empty_states() -> None:
    client = _client(UserFactory())
    assert 'class="empty"' in client.get(reverse("web:subscriptions")).content.decode()
    assert 'class="empty"' in client.get(reverse("web:notifications")).content.decode()


def test_topics_to_follow_are_named_in_the_readers_language() -> None:
    from vzaemo.consultations.states import Topic
    from vzaemo.consultations.tests.factories import ConsultationFactory
    from vzaemo.onestop.tests.conftest import index_all

    ConsultationFactory(state="open")
    index_all()
    response = _client(UserFactory()).get(reverse("web:subscriptions"), headers={"Accept-Language": "uk"})
    (topics,) = [c for c in response.context["choosers"] if c["target"] == "topic"]
    assert topics["options"]
    for code, label in topics["options"]:
        prefix, _sep, value = code.partition(":")
        assert prefix == "topic"
        assert str(label) == str(Topic(value).label)

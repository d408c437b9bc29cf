"""The forms' rate limits through Django's test client: the (N+1)-th attempt is 429 with Retry-After and a
reason in the page's language, and stores nothing; another person, or the same person from elsewhere, is not
affected; allauth's refusals answer the same way."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.db import models
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import User
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.appeals.models import Appeal
from vzaemo.consultations.models import Proposal
from vzaemo.consultations.states import ConsultationStatus
from vzaemo.consultations.tests.factories import ConsultationFactory
from vzaemo.core import clock, idempotency
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.states import PetitionStatus
from vzaemo.petitions.tests.factories import PetitionFactory
from vzaemo.web.forms import KEY_FIELD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse

pytestmark = pytest.mark.django_db

LIMIT = 2
ADDRESS = "203.0.113.7"
numbers = itertools.count()


@dataclass(frozen=True)
class Action:
    """One limited form: where it posts, valid data for a fresh attempt, and what a success stores."""

    name: str
    model: type[models.Model]
    request: Callable[[], tuple[str, dict[str, Any]]]


def _sign() -> tuple[str, dict[str, Any]]:
    return reverse("web:petition_sign", args=[PetitionFactory(state=PetitionStatus.PUBLISHED).pk]), {}


def _create_petition() -> tuple[str, dict[str, Any]]:
    data = {"authority": AuthorityFactory().pk, "title": f"Укриття {next(numbers)}", "essence": "Облаштувати укриття."}
    return reverse("web:petition_create"), data


def _submit_appeal() -> tuple[str, dict[str, Any]]:
    data = {
        "kind": "statement",
        "category": "general",
        "authority": AuthorityFactory().pk,
        "essence": f"Просимо відремонтувати тротуар біля будинку № {next(numbers)}.",
        "location_text": "",
        "full_name": "Петренко Марія Іванівна",
        "place_of_residence": "м. Прилуки",
        "email": "maria@example.test",
    }
    return reverse("web:appeal_create"), data


def _propose() -> tuple[str, dict[str, Any]]:
    consultation = ConsultationFactory(state=ConsultationStatus.OPEN)
    data = {"text": f"Пропоную строк у два робочі дні ({next(numbers)})."}
    return reverse("web:consultation_propose", args=[consultation.pk]), data


ACTIONS = [
    Action("petition.sign", Signature, _sign),
    Action("petition.create", Petition, _create_petition),
    Action("appeal.submit", Appeal, _submit_appeal),
    Action("proposal.submit", Proposal, _propose),
]


def as_user(user: User, address: str = ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def attempt(client: Client, action: Action) -> ClientResponse:
    path, data = action.request()
    # Each attempt is a new display of the form, with its own one-time key (vzaemo/web/forms.py).
    return client.post(path, {**data, KEY_FIELD: idempotency.issue()})


def assert_refused(response: ClientResponse, text: str) -> None:
    assert response.status_code == 429, response.content
    assert 1 <= int(response["Retry-After"]) <= 60
    assert text in response.content.decode()


@pytest.fixture
def limits(settings: Any) -> Iterator[dict[str, str]]:
    settings.LANGUAGE_CODE = "en"
    settings.VZAEMO_RATE_LIMITS = {action.name: "" for action in ACTIONS}
    # 20 s into the next minute: a test takes far less than the 40 s left, so its window never ends under it.
    with time_machine.travel((clock.wall_seconds() // 60 + 1) * 60 + 20):
        yield settings.VZAEMO_RATE_LIMITS


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_the_attempt_over_the_account_limit_is_429_with_retry_after_and_stores_nothing(
    action: Action, limits: dict[str, str]
) -> None:
    limits[action.name] = f"{LIMIT}/m/account"
    person = as_user(UserFactory())
    assert [attempt(person, action).status_code for _ in range(LIMIT)] == [303] * LIMIT
    stored = action.model._default_manager.count()
    assert_refused(attempt(person, action), "Too many attempts in a short time. Please wait")
    assert action.model._default_manager.count() == stored == LIMIT
    # Another person from the same address is not affected; nor is this one's limit in another action.
    assert attempt(as_user(UserFactory()), action).status_code == 303


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_the_address_limit_counts_every_person_behind_it_and_no_one_elsewhere(
    action: Action, limits: dict[str, str]
) -> None:
    limits[action.name] = f"{LIMIT}/m/ip"
    for _ in range(LIMIT):
        assert attempt(as_user(UserFactory()), action).status_code == 303
    stored = action.model._default_manager.count()
    assert_refused(attempt(as_user(UserFactory()), action), "Too many attempts")
    assert action.model._default_manager.count() == stored
    assert attempt(as_user(UserFactory(), "198.51.100.9"), action).status_code == 303


def test_the_subnet_limit_counts_the_whole_slash_24(limits: dict[str, str]) -> None:
    action = ACTIONS[0]
    limits[action.name] = f"{LIMIT}/m/subnet"
    for host in range(LIMIT):
        assert attempt(as_user(UserFactory(), f"203.0.113.{10 + host}"), action).status_code == 303
    assert_refused(attempt(as_user(UserFactory(), "203.0.113.200"), action), "Too many attempts")
    assert attempt(as_user(UserFactory(), "203.0.114.10"), action).status_code == 303


def test_a_forwarded_header_from_an_untrusted_peer_does_not_change_the_bucket(limits: dict[str, str]) -> None:
    action = ACTIONS[0]
    limits[action.name] = f"{LIMIT}/m/ip"
    for spoofed in range(LIMIT):
        client = as_user(UserFactory())
        assert client.post(action.request()[0], headers={"X-Forwarded-For": f"10.0.0.{spoofed}"}).status_code == 303
    response = as_user(UserFactory()).post(action.request()[0], headers={"X-Forwarded-For": "10.9.9.9"})
    assert_refused(response, "Too many attempts")


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(settings: Any, limits: dict[str, str]) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    action = ACTIONS[0]
    limits[action.name] = f"{LIMIT}/m/ip"

    def sign(client_address: str) -> int:
        client = as_user(UserFactory(), "127.0.0.1")
        response = client.post(action.request()[0], headers={"X-Forwarded-For": client_address})
        return response.status_code

    assert [sign("198.51.100.1") for _ in range(LIMIT + 1)] == [303] * LIMIT + [429]
    assert sign("198.51.100.2") == 303


def test_the_reason_is_in_ukrainian_on_a_ukrainian_page(settings: Any, limits: dict[str, str]) -> None:
    settings.LANGUAGE_CODE = "uk"
    action = ACTIONS[0]
    limits[action.name] = "0/m/account"
    response = attempt(as_user(UserFactory()), action)
    assert_refused(response, "Забагато спроб за короткий час")


def test_an_htmx_signature_over_the_limit_gets_only_the_reason(limits: dict[str, str]) -> None:
    action = ACTIONS[0]
    limits[action.name] = "0/m/account"
    response = as_user(UserFactory()).post(action.request()[0], headers={"HX-Request": "true"})
    assert_refused(response, 'role="alert"')
    assert "<html" not in response.content.decode()


def test_a_get_of_a_limited_form_is_not_counted(limits: dict[str, str]) -> None:
    limits["petition.create"] = "0/m/account,0/m/ip"
    assert as_user(UserFactory()).get(reverse("web:petition_create")).status_code == 200


def test_allauth_refusals_are_the_platforms_429_counted_per_trusted_client_address(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.ACCOUNT_RATE_LIMITS = {"login": f"{LIMIT}/m/ip"}
    path = reverse("account_login")

    def log_in(client_address: str) -> ClientResponse:
        client = Client(REMOTE_ADDR="127.0.0.1")
        data = {"login": "nobody@example.test", "password": "wrong-password-1"}
        return client.post(path, data, headers={"X-Forwarded-For": client_address})

    assert [log_in("198.51.100.1").status_code for _ in range(LIMIT)] == [200] * LIMIT
    response = log_in("198.51.100.1")
    assert_refused(response, "Please wait a minute and try again.")
    assert log_in("198.51.100.2").status_code == 200

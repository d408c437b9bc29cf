"""A resent appeal form files one appeal: the same one-time key returns the first appeal; the same text
again under a new key asks the applicant to confirm; a missing or forged key is a form error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.appeals import services
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import AppealStatus
from vzaemo.appeals.tests.factories import AppealFactory
from vzaemo.core import idempotency
from vzaemo.core.models import AuditEntry, IdempotencyKey, Obligation
from vzaemo.web.appeals.tests.test_views import NOW, as_user, form_data, messages_of, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def registration_duties() -> int:
    return Obligation.objects.filter(kind=services.REGISTRATION).count()


def key_in(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.usefixtures("no_rate_limits")
def test_a_hundred_identical_posts_file_one_appeal_with_one_duty() -> None:
    citizen, council = UserFactory(), AuthorityFactory()
    client = as_user(citizen)
    data = form_data(authority=council.pk)
    responses = [client.post(url("create"), data) for _ in range(100)]
    appeal = Appeal.objects.get()
    assert {r.status_code for r in responses} == {303}
    assert {r["Location"] for r in responses} == {url("detail", appeal)}
    assert registration_duties() == 1
    assert AuditEntry.objects.filter(tag="appeal:submit").count() == 1
    assert IdempotencyKey.objects.get().result_id == str(appeal.pk)
    # The resend is told what the first request was told: the appeal is filed.
    assert any("Your appeal is filed" in m for m in messages_of(responses[-1]))


def test_each_display_of_the_form_carries_a_new_key() -> None:
    client = as_user(UserFactory())
    first, second = key_in(text(client.get(url("create")))), key_in(text(client.get(url("create"))))
    assert first != second
    assert idempotency.verify(first) == first


def test_the_same_text_under_a_new_key_is_filed_again_only_once_confirmed(frozen: time_machine.Traveller) -> None:
    citizen, council = UserFactory(), AuthorityFactory()
    client = as_user(citizen)
    client.post(url("create"), form_data(authority=council.pk))
    frozen.shift(60 * 60)
    # Another display of the form, the same text up to case and spacing.
    again = form_data(authority=council.pk, essence="  просимо ВІДРЕМОНТУВАТИ тротуар   біля будинку № 12. ")
    warned = client.post(url("create"), again)
    html = text(warned)
    assert warned.status_code == 422
    assert "you already filed an appeal with this text to this authority" in html
    assert 'type="checkbox" name="duplicate_confirmed"' in html
    assert Appeal.objects.count() == 1
    assert registration_duties() == 1
    assert not IdempotencyKey.objects.exclude(result_id=str(Appeal.objects.get().pk)).exists()
    # The refused form kept its key: confirming sends the same request, now meant.
    assert key_in(html) == again["idempotency_key"]
    confirmed = client.post(url("create"), {**again, "duplicate_confirmed": "on"})
    second = Appeal.objects.latest("pk")
    assert confirmed.status_code == 303
    assert confirmed["Location"] == url("detail", second)
    assert Appeal.objects.count() == 2
    assert registration_duties() == 2


def test_the_same_text_is_not_a_duplicate_elsewhere_or_after_the_window(
    frozen: time_machine.Traveller, settings: Any
) -> None:
    settings.VZAEMO_APPEAL_DUPLICATE_SECONDS = 3600
    citizen, council, other = UserFactory(), AuthorityFactory(), AuthorityFactory()
    client = as_user(citizen)
    assert client.post(url("create"), form_data(authority=council.pk)).status_code == 303
    assert client.post(url("create"), form_data(authority=other.pk)).status_code == 303
    assert as_user(UserFactory()).post(url("create"), form_data(authority=council.pk)).status_code == 303
    frozen.shift(3601)
    assert client.post(url("create"), form_data(authority=council.pk)).status_code == 303
    assert Appeal.objects.count() == 4


@pytest.mark.parametrize("key", [None, "", "forged-key", "0123.abc:not-a-signature"])
def test_a_missing_or_forged_key_is_a_form_error_and_files_nothing(key: str | None) -> None:
    citizen, council = UserFactory(), AuthorityFactory()
    data = form_data(authority=council.pk)
    if key is None:
        del data["idempotency_key"]
    else:
        data["idempotency_key"] = key
    response = as_user(citizen).post(url("create"), data)
    html = text(response)
    assert response.status_code == 422
    assert "This form arrived incomplete. Check it and send it again." in html
    assert "Hidden field" not in html
    assert not Appeal.objects.exists()
    assert not Obligation.objects.exists()
    assert not IdempotencyKey.objects.exists()
    # The form comes back with a fresh key that works.
    fresh = key_in(html)
    assert fresh != key
    assert idempotency.verify(fresh) == fresh
    assert as_user(citizen).post(url("create"), {**data, "idempotency_key": fresh}).status_code == 303


def test_an_expired_form_is_refused_and_comes_back_with_a_new_key(
    frozen: time_machine.Traveller, settings: Any
) -> None:
    settings.VZAEMO_IDEMPOTENCY_KEY_SECONDS = 3600
    citizen, council = UserFactory(), AuthorityFactory()
    data = form_data(authority=council.pk)
    frozen.shift(3601)
    response = as_user(citizen).post(url("create"), data)
    html = text(response)
    assert response.status_code == 422
    assert "This form was opened too long ago" in html
    assert not Appeal.objects.exists()
    assert key_in(html) != data["idempotency_key"]


def test_another_persons_key_files_nothing_and_shows_nothing() -> None:
    council = AuthorityFactory()
    data = form_data(authority=council.pk)
    as_user(UserFactory()).post(url("create"), data)
    response = as_user(UserFactory()).post(url("create"), data)
    assert response.status_code == 422
    assert "This form arrived incomplete" in text(response)
    assert Appeal.objects.count() == 1


def test_a_resent_complaint_files_one_and_every_answer_points_to_it() -> None:
    parent = AuthorityFactory()
    appeal = AppealFactory(state=AppealStatus.ANSWERED, authority=AuthorityFactory(parent=parent))
    client = as_user(appeal.applicant)
    data = {"essence": "Відповідь формальна, прошу розглянути по суті.", "idempotency_key": idempotency.issue()}
    responses = [client.post(url("complain", appeal), data) for _ in range(10)]
    complaint = Appeal.objects.get(complaint_about=appeal)
    assert {(r.status_code, r["Location"]) for r in responses} == {(303, url("detail", complaint))}
    assert Obligation.objects.filter(kind=services.REGISTRATION, subject_id=str(complaint.pk)).count() == 1

"""The appeal pages through Django's test client: privacy (404 on every URL of an appeal for anyone
who may not see it), forms that refuse with 422 and change nothing, 303 after every POST."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Role
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory, member_of
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import AnswerTerm, AppealCategory, AppealStatus
from vzaemo.appeals.tests.factories import ANSWER_TEXT, JPEG, AppealFactory, PoliceUnitFactory, official_of
from vzaemo.core import idempotency
from vzaemo.core.clock import KYIV
from vzaemo.core.models import AuditEntry, LegalRule
from vzaemo.core.testing import Unchanged

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse

pytestmark = pytest.mark.django_db

S = AppealStatus
NOW = dt.datetime(2025, 12, 24, 10, 0, tzinfo=KYIV)
GET_URLS = ["detail", "photo", "register", "forward", "extend", "answer", "refuse", "complain"]
POST_URLS = ["start", "unsatisfactory", "register", "forward", "extend", "answer", "refuse", "complain"]


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    # Staff accounts would first be sent to set up TOTP (accounts.middleware); that is not tested here.
    settings.VZAEMO_STAFF_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(name: str, appeal: Appeal | None = None) -> str:
    return reverse(f"web:appeal_{name}", args=[appeal.pk] if appeal else [])


def as_user(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: ClientResponse) -> str:
    assert isinstance(response, HttpResponse)
    return response.content.decode()


def messages_of(response: ClientResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def photo_appeal() -> Appeal:
    return AppealFactory(
        authority=PoliceUnitFactory(),
        category=AppealCategory.COMMUNITY_SAFETY,
        location_text="вул. Лісова, 2",
        photo=SimpleUploadedFile("p.jpg", JPEG),
    )


# --- privacy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "another citizen", "another authority's official", "staff user"])
def test_an_appeal_does_not_exist_for_outsiders_on_any_url(who: str) -> None:
    appeal = photo_appeal()
    outsider = {
        "anonymous": None,
        "another citizen": UserFactory(),
        "another authority's official": official_of(AuthorityFactory()),
        "staff user": UserFactory(is_staff=True),
    }[who]
    client = as_user(outsider)
    audit_before = AuditEntry.objects.count()
    for name in GET_URLS:
        assert client.get(url(name, appeal)).status_code == 404, name
    for name in POST_URLS:
        assert client.post(url(name, appeal), {"term": "simple", "text": ANSWER_TEXT}).status_code == 404, name
    assert AuditEntry.objects.count() == audit_before
    appeal.refresh_from_db()
    assert appeal.status == S.SUBMITTED


def test_the_applicant_the_authority_and_a_superuser_see_the_appeal_and_its_photo() -> None:
    appeal = photo_appeal()
    for who in (appeal.applicant, member_of(appeal.authority, Role.RESPONDER), UserFactory(is_superuser=True)):
        client = as_user(who)
        page = client.get(url("detail", appeal))
        assert page.status_code == 200
        assert appeal.essence in text(page)
        photo = client.get(url("photo", appeal))
        assert photo.status_code == 200
        assert photo["Content-Type"] == "image/jpeg"
        assert "no-store" in photo["Cache-Control"]
        # The test client's response type does not know FileResponse's streaming_content.
        assert b"".join(photo.streaming_content) == JPEG  # type: ignore[attr-defined]


def test_an_appeal_without_a_photo_has_no_photo_url() -> None:
    appeal = AppealFactory()
    assert as_user(appeal.applicant).get(url("photo", appeal)).status_code == 404


def test_the_forwarding_body_keeps_its_row_but_does_not_see_the_receiving_bodys() -> None:
    police = PoliceUnitFactory()
    officer = official_of(police)
    appeal = AppealFactory(state=S.FORWARDED, authority=police, official=officer)
    received = appeal.forwarded_to
    assert as_user(officer).get(url("detail", appeal)).status_code == 200
    assert as_user(officer).get(url("detail", received)).status_code == 404
    assert as_user(appeal.applicant).get(url("detail", received)).status_code == 200


# --- filing -------------------------------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "statement",
        "category": "general",
        "authority": "",
        "essence": "Просимо відремонтувати тротуар біля будинку № 12.",
        "location_text": "",
        "full_name": "Петренко Марія Іванівна",
        "place_of_residence": "м. Прилуки",
        "email": "maria@example.test",
        # Each call is a new display of the form, as a browser would send it.
        "idempotency_key": idempotency.issue(),
    }
    data.update(overrides)
    return data


def test_filing_an_appeal_redirects_303_to_it() -> None:
    citizen, police = UserFactory(), PoliceUnitFactory()
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    response = as_user(citizen).post(
        url("create"),
        form_data(authority=police.pk, category="community_safety", location_text="вул. Лісова, 2", photo=photo),
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 303
    assert response["Location"] == url("detail", appeal)
    assert appeal.applicant == citizen
    assert appeal.photo_type == "image/jpeg"


def test_the_form_is_prefilled_from_the_profile() -> None:
    citizen = UserFactory(full_name="Бойко Оксана", place_of_residence="м. Суми")
    html = text(as_user(citizen).get(url("create")))
    assert "Бойко Оксана" in html
    assert "м. Суми" in html
    assert citizen.email in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"place_of_residence": ""}, "This field is required"),
        ({"category": "community_safety", "location_text": "вул. Лісова"}, "go to a police unit"),
        ({"photo": SimpleUploadedFile("p.jpg", b"GIF89a" + b"\x00" * 40)}, "JPEG or PNG"),
    ],
)
def test_a_bad_filing_is_refused_with_422_and_changes_nothing(overrides: dict[str, Any], message: str) -> None:
    citizen, council = UserFactory(), AuthorityFactory()
    response = as_user(citizen).post(url("create"), form_data(authority=council.pk, **overrides))
    assert response.status_code == 422
    assert message in text(response)
    assert not Appeal.objects.exists()
    assert not AuditEntry.objects.filter(tag="appeal:submit").exists()


def test_filing_needs_signing_in() -> None:
    response = Client().get(url("create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- the authority's work -------------------------------------------------------------------------


def test_registration_forwarding_and_answer_through_the_pages() -> None:
    police, council = PoliceUnitFactory(), AuthorityFactory()
    officer, council_official = official_of(police), official_of(council)
    appeal = AppealFactory(authority=police, category=AppealCategory.COMMUNITY_SAFETY, location_text="вул. Лісова")
    client = as_user(officer)
    detail = text(client.get(url("detail", appeal)))
    assert url("register", appeal) in detail
    assert url("forward", appeal) in detail
    response = client.post(url("forward", appeal), {"to": council.pk, "note": "Освітлення утримує міська рада."})
    received = Appeal.objects.get(forwarded_from=appeal)
    assert response.status_code == 303
    assert response["Location"] == url("detail", appeal)
    assert "forwarded" in text(client.get(url("detail", appeal)))
    client = as_user(council_official)
    assert client.post(url("register", received), {"term": "simple"}).status_code == 303
    assert client.post(url("answer", received), {"text": ANSWER_TEXT}).status_code == 303
    received.refresh_from_db()
    assert received.status == S.ANSWERED
    cabinet = text(as_user(appeal.applicant).get(url("cabinet")))
    assert ANSWER_TEXT[:40] in cabinet
    assert f"№ {appeal.pk}<" not in cabinet  # only the current row


def test_the_terms_on_the_pages_are_the_registrys() -> None:
    council = AuthorityFactory()
    filed = as_user(UserFactory()).post(url("create"), form_data(authority=council.pk))
    assert "must register it within 5 calendar days" in " ".join(messages_of(filed))
    clerk = as_user(official_of(council))
    appeal = Appeal.objects.get()
    page = text(clerk.get(url("register", appeal)))
    assert "15 calendar days: no extra study needed" in page
    assert "1 month: extra study needed" in page

    LegalRule.objects.filter(key="appeal.simple_answer_term").update(value=10)
    assert "10 calendar days: no extra study needed" in text(clerk.get(url("register", appeal)))
    clerk.post(url("register", appeal), {"term": "simple"})
    # The event stores the term's code and length; the page says it in the reader's language.
    assert appeal.events.get(kind="registered").params == {"term": "simple", "value": "10", "unit": "calendar_days"}
    assert "10 calendar days: no extra study needed" in text(clerk.get(url("detail", appeal)))


def test_a_refused_form_action_answers_422_and_changes_nothing(
    unchanged: Unchanged,
) -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    head = official_of(appeal.authority)
    client = as_user(head)
    with unchanged():
        too_long = client.post(url("extend", appeal), {"until": "2026-03-01", "reason": "Потрібна перевірка."})
        short = client.post(url("answer", appeal), {"text": "Так."})
        bad_term = client.post(url("register", appeal), {"term": "simple"})
    assert too_long.status_code == 422
    assert "may not exceed 45 calendar days" in text(too_long)
    assert short.status_code == 422
    assert "at least 20 characters" in text(short)
    assert bad_term.status_code == 422
    assert "not possible" in text(bad_term)


def test_the_applicant_may_not_use_the_officials_pages() -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    client = as_user(appeal.applicant)
    assert client.get(url("answer", appeal)).status_code == 403
    response = client.post(url("start", appeal))
    assert response.status_code == 303
    assert messages_of(response)
    appeal.refresh_from_db()
    assert appeal.status == S.REGISTERED


def test_the_applicant_marks_unsatisfactory_and_complains_in_one_step() -> None:
    parent = AuthorityFactory()
    appeal = AppealFactory(state=S.ANSWERED, authority=AuthorityFactory(parent=parent))
    client = as_user(appeal.applicant)
    detail = text(client.get(url("detail", appeal)))
    assert url("complain", appeal) in detail
    assert url("unsatisfactory", appeal) in detail
    response = client.post(
        url("complain", appeal),
        {"essence": "Відповідь формальна, прошу розглянути по суті.", "idempotency_key": idempotency.issue()},
    )
    complaint = Appeal.objects.get(complaint_about=appeal)
    assert response.status_code == 303
    assert response["Location"] == url("detail", complaint)
    assert complaint.authority == parent
    appeal.refresh_from_db()
    assert appeal.unsatisfactory


# --- inbox, cabinet, statistics -----------------------------------------------------------------


def test_the_inbox_lists_open_appeals_with_due_dates_overdue_first(frozen: time_machine.Traveller) -> None:
    council = AuthorityFactory()
    official = official_of(council)
    frozen.move_to(NOW - dt.timedelta(days=20))
    overdue = AppealFactory(state=S.REGISTERED, authority=council, official=official, term=AnswerTerm.SIMPLE)
    frozen.move_to(NOW)
    fresh = AppealFactory(authority=council)
    registered = AppealFactory(state=S.REGISTERED, authority=council, official=official)
    done = AppealFactory(state=S.ANSWERED, authority=council, official=official)
    elsewhere = AppealFactory()
    html = text(as_user(official).get(url("inbox")))
    positions = [html.find(f"№ {a.pk}<") for a in (overdue, fresh, registered)]
    assert all(p > 0 for p in positions)
    assert positions == sorted(positions)
    assert f"№ {done.pk}<" not in html
    assert f"№ {elsewhere.pk}<" not in html
    assert "overdue" in html


def test_statistics_are_public_and_show_counts_only() -> None:
    appeal = AppealFactory(state=S.ANSWERED, authority=AuthorityFactory(name_en="Bright City Council"))
    AppealFactory(authority=appeal.authority)
    response = Client().get(url("statistics"))
    html = text(response)
    assert response.status_code == 200
    assert "Bright City Council" in html
    assert appeal.essence not in html
    assert appeal.full_name not in html


@pytest.mark.parametrize(
    "state", [S.SUBMITTED, S.REGISTERED, S.IN_PROGRESS, S.EXTENDED, S.ANSWERED, S.REFUSED, S.FORWARDED]
)
def test_every_state_renders_for_the_applicant_and_the_authority(state: str) -> None:
    council = AuthorityFactory(parent=AuthorityFactory())
    official = official_of(council)
    appeal = AppealFactory(state=state, authority=council, official=official)
    for who in (appeal.applicant, official):
        client = as_user(who)
        page = client.get(url("detail", appeal))
        assert page.status_code == 200
        assert appeal.get_status_display() in text(page)
        assert client.get(url("cabinet")).status_code == 200
        assert client.get(url("inbox")).status_code == 200
    assert Client().get(url("statistics")).status_code == 200


def test_the_history_is_in_the_readers_language_whoever_acted() -> None:
    """An official acting in Ukrainian once stored Ukrainian sentences that English readers then saw."""
    council, police = AuthorityFactory(), AuthorityFactory()
    as_user(UserFactory()).post(url("create"), form_data(authority=council.pk))
    appeal = Appeal.objects.get()
    clerk = as_user(official_of(council))
    clerk.cookies["django_language"] = "uk"
    clerk.post(url("register", appeal), {"term": "simple"}, headers={"accept-language": "uk"})
    clerk.post(url("forward", appeal), {"to": police.pk, "note": "За належністю."})
    event = appeal.events.get(kind="forwarded")
    assert event.params == {"authority_id": police.pk}
    assert event.note == "За належністю."
    clerk.cookies["django_language"] = "en"
    page = text(clerk.get(url("detail", appeal)))
    assert "no extra study needed" in page
    assert f"{police.name_en}: За належністю." in page


def test_an_appeals_essence_is_not_called_a_petitions() -> None:
    """One English msgid meant two things; contexts (pgettext) give each module its own Ukrainian."""
    from django.utils import translation

    with translation.override("uk"):
        appeal = translation.pgettext("appeal", "The essence is too long.")
        petition = translation.pgettext("petition", "The essence is too long.")
    assert "звернення" in appeal
    assert "петиції" in petition

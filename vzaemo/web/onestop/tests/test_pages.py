"""The one stop's pages: every registered module appears in the cabinet, search, calendar and its feed;
private items (appeals) only in the cabinet of the people involved; bad filters say what is wrong."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from vzaemo.accounts.models import Region
from vzaemo.accounts.tests.factories import AuthorityFactory
from vzaemo.core import clock
from vzaemo.core.testing import Unchanged
from vzaemo.onestop.models import IndexedItem
from vzaemo.onestop.tests.conftest import index_all
from vzaemo.onestop.tests.examples import EXAMPLES, MARKER, Example
from vzaemo.petitions.tests.factories import PetitionFactory, moderator_of

pytestmark = pytest.mark.django_db

UK = {"Accept-Language": "uk"}
EN = {"Accept-Language": "en"}


def _client(user: object | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def _feed(client: Client, **params: str) -> Calendar:
    response = client.get(reverse("web:calendar_ics") + ("?" + urlencode(params) if params else ""))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "\r\n" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    return Calendar.from_ical(response.content)


def _uids(calendar: Calendar) -> set[str]:
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


@pytest.fixture(params=sorted(EXAMPLES))
def example(request: pytest.FixtureRequest) -> tuple[str, Example]:
    kind: str = request.param
    made = EXAMPLES[kind]()
    index_all()
    return kind, made


def test_each_module_appears_in_the_cabinet_of_whoever_is_involved(example: tuple[str, Example]) -> None:
    _kind, made = example
    page = _client(made.involved).get(reverse("web:cabinet"), headers=UK)
    assert page.status_code == 200
    groups = page.context["groups"]
    lines = [line for group in groups if group.party == made.party for line in group.lines]
    assert made.object_id in {line.item.object_id for line in lines if line.item.kind == _kind}
    assert made.title in page.content.decode()
    # An unrelated person's cabinet does not show it.
    other = _client(made.outsider).get(reverse("web:cabinet"), headers=UK)
    assert made.title not in other.content.decode()


def test_each_public_module_is_found_by_search_and_private_ones_never(example: tuple[str, Example]) -> None:
    kind, made = example
    for client in (_client(), _client(made.outsider), _client(made.involved)):
        page = client.get(reverse("web:search"), {"q": MARKER}, headers=UK)
        assert page.status_code == 200
        found = {(item.kind, item.object_id) for item in page.context["page"].object_list}
        assert ((kind, made.object_id) in found) is made.is_public
        filtered = client.get(reverse("web:search"), {"kind": kind, "region": made.region}, headers=UK)
        if made.is_public:
            assert made.title in filtered.content.decode()
        else:
            assert filtered.status_code == 400  # a kind with no public items is not a choice
            assert made.title not in filtered.content.decode()


def test_each_public_module_is_on_the_calendar_and_in_its_feed(example: tuple[str, Example]) -> None:
    kind, made = example
    client = _client()
    page = client.get(reverse("web:calendar"), {"region": made.region}, headers=UK)
    assert page.status_code == 200
    assert (made.title in page.content.decode()) is made.is_public
    uid = f"{kind}-{made.object_id}-deadline@"
    uids = _uids(_feed(client, region=made.region))
    assert any(u.startswith(uid) for u in uids) is made.is_public
    authority = AuthorityFactory._meta.model.objects.get(pk=made.authority_id)
    uids = _uids(_feed(client, authority=authority.slug))
    assert any(u.startswith(uid) for u in uids) is made.is_public


def test_appeals_never_reach_the_index_the_search_or_the_feeds() -> None:
    made = EXAMPLES["appeal"]()
    index_all()
    assert not IndexedItem.objects.filter(kind="appeal").exists()
    client = _client(made.involved)
    assert not client.get(reverse("web:search"), {"q": MARKER}).context["page"].object_list
    assert "Прошу відремонтувати" not in client.get(reverse("web:search"), {"q": "відремонтувати"}).content.decode()
    assert "appeal-" not in client.get(reverse("web:calendar_ics")).content.decode()
    assert made.title not in client.get(reverse("web:calendar")).content.decode()


def test_the_feed_is_valid_icalendar_with_escaped_text() -> None:
    authority = AuthorityFactory(accepts_petitions=True, name_uk="Рада; громада, «Центр»")
    petition = PetitionFactory(
        state="published", authority=authority, title="Парк, сквер; і фонтан\\ — дуже довга назва " * 2
    )
    index_all()
    calendar = _feed(_client())
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"petition-{petition.pk}-")]
    assert petition.title.strip() in str(event["SUMMARY"])
    assert "Рада; громада, «Центр»" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(reverse("web:petition_detail", args=[petition.pk]))
    assert event.decoded("DTSTART") < event.decoded("DTEND")


BAD_FILTERS = [
    {"kind": "nonsense"},
    {"kind": "appeal"},
    {"authority": "no-such-authority"},
    {"region": "atlantis"},
    {"status": "sealed-forever"},
    {"status": "appeal:submitted"},
    {"status": "published"},
    {"date_from": "yesterday"},
    {"date_from": "2026-13-45"},
    {"date_from": "2026-05-02", "date_to": "2026-05-01"},
    {"q": "x" * 500},
]


@pytest.mark.parametrize("params", BAD_FILTERS)
def test_bad_filters_say_what_is_wrong_and_change_nothing(params: dict[str, str], unchanged: Unchanged) -> None:
    PetitionFactory(state="published")
    index_all()
    client = _client()
    with unchanged():
        search = client.get(reverse("web:search"), params, headers=EN)
        calendar = client.get(reverse("web:calendar"), params, headers=EN)
        feed = client.get(reverse("web:calendar_ics"), params, headers=EN)
    assert search.status_code == 400
    assert search.context["form"].errors
    assert "Correct the filters above" in search.content.decode()
    if set(params) <= {"q", "status"}:  # the calendar has neither
        assert calendar.status_code == 200
        assert feed.status_code == 200
    else:
        assert calendar.status_code == 400
        assert feed.status_code == 400
        assert feed["Content-Type"].startswith("text/plain")
        assert feed.content.strip()


def test_a_page_past_the_end_shows_the_last_page() -> None:
    PetitionFactory(state="published")
    index_all()
    page = _client().get(reverse("web:search"), {"page": "999"})
    assert page.status_code == 200
    assert page.context["page"].number == 1
    assert _client().get(reverse("web:search"), {"page": "abc"}).status_code == 200


def test_search_folds_case_apostrophes_and_ge() -> None:
    authority = AuthorityFactory(accepts_petitions=True)
    petition = PetitionFactory(state="published", authority=authority, title="Ґанок для м\u2019ясного ринку")
    index_all()
    for query in ["ганок", "ҐАНОК", "м'ясного", "мʼясн", "МЯСНОГО ринк"]:
        found = _client().get(reverse("web:search"), {"q": query}).context["page"].object_list
        assert [item.object_id for item in found] == [petition.pk], query
    assert not _client().get(reverse("web:search"), {"q": "ганок базар"}).context["page"].object_list


def test_empty_states_in_both_languages() -> None:
    uk = _client().get(reverse("web:search"), {"q": "нічого"}, headers=UK).content.decode()
    en = _client().get(reverse("web:search"), {"q": "nothing"}, headers=EN).content.decode()
    assert "Nothing matches" in en
    assert "Nothing matches" not in uk
    assert "Нічого не знайдено" in uk
    calendar_en = _client().get(reverse("web:calendar"), headers=EN).content.decode()
    calendar_uk = _client().get(reverse("web:calendar"), headers=UK).content.decode()
    assert "Participation calendar" in calendar_en
    assert "Календар участі" in calendar_uk


def test_the_cabinet_needs_a_signed_in_person() -> None:
    response = _client().get(reverse("web:cabinet"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_officials_see_the_overdue_first() -> None:
    authority = AuthorityFactory(accepts_petitions=True, region=Region.LVIV)
    moderator = moderator_of(authority)
    with time_machine.travel(clock.now() - dt.timedelta(days=30), tick=False):
        late = PetitionFactory(state="submitted", authority=authority, title="Стара петиція")
    fresh = PetitionFactory(state="submitted", authority=authority, title="Нова петиція")
    page = _client(moderator).get(reverse("web:cabinet"), headers=UK)
    (group,) = [g for g in page.context["groups"] if g.party == "authority"]
    assert [line.item.object_id for line in group.lines] == [late.pk, fresh.pk]
    assert group.lines[0].overdue
    assert not group.lines[1].overdue
    assert group.overdue_count == 1


def test_a_status_filter_means_one_module_s_status() -> None:
    petition = PetitionFactory(state="closed")
    index_all()
    found = _client().get(reverse("web:search"), {"status": "petition:closed"}).context["page"].object_list
    assert [item.object_id for item in found] == [petition.pk]
    assert not _client().get(reverse("web:search"), {"status": "consultation:closed"}).context["page"].object_list

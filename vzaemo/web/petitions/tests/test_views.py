"""The petition pages through Django's test client: what each person sees and may do, and that a
refused request says why and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Role, User
from vzaemo.accounts.tests.factories import AuthorityFactory, MembershipFactory, UnverifiedUserFactory, UserFactory
from vzaemo.core import clock, idempotency
from vzaemo.core.models import AuditEntry, IdempotencyKey
from vzaemo.core.testing import Unchanged
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.states import PetitionStatus
from vzaemo.petitions.tests.factories import (
    ANSWER_TEXT,
    PetitionFactory,
    RuleOverrideFactory,
    moderator_of,
    responder_of,
    sign_by,
)

if TYPE_CHECKING:
    # What django-stubs says the test client returns: the response plus `wsgi_request`, `context`, ...
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse

pytestmark = pytest.mark.django_db

S = PetitionStatus
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Pages in English (no Accept-Language header falls back to LANGUAGE_CODE), so texts can be matched."""
    settings.LANGUAGE_CODE = "en"


def url(name: str, petition: Petition | None = None, **query: Any) -> str:
    path = reverse(f"web:petition_{name}", args=[petition.pk] if petition else [])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def as_user(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response: ClientResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response: ClientResponse) -> str:
    assert isinstance(response, HttpResponse)  # a rendered page, not a streamed one: it has `content`
    return response.content.decode()


def titles_in_order(response: ClientResponse, petitions: list[Petition]) -> list[str]:
    html = text(response)
    found = [p for p in petitions if p.title in html]
    return [p.title for p in sorted(found, key=lambda p: html.index(p.title))]


def assert_login_redirect(response: ClientResponse) -> None:
    # Django's login_required answers 302; the sign endpoint answers its POST with 303.
    assert response.status_code in (302, 303)
    assert response["Location"].startswith(reverse("account_login"))


# --- list ---------------------------------------------------------------------------------------


def test_the_list_shows_public_petitions_only() -> None:
    shown = [PetitionFactory(state=s) for s in (S.PUBLISHED, S.THRESHOLD_REACHED, S.ANSWERED, "closed")]
    hidden = [PetitionFactory(state=s) for s in (S.DRAFT, S.SUBMITTED, S.REJECTED)]
    response = Client().get(url("list"))
    assert response.status_code == 200
    for petition in shown:
        assert petition.title in text(response)
    for petition in hidden:
        assert petition.title not in text(response)


def test_the_list_searches_titles_and_essences() -> None:
    by_title = PetitionFactory(state=S.PUBLISHED, title="Новий світлофор біля ліцею")
    by_essence = PetitionFactory(state=S.PUBLISHED, title="Безпека дітей", essence="Потрібен світлофор на розі вулиць.")
    other = PetitionFactory(state=S.PUBLISHED, title="Велодоріжка")
    html = text(Client().get(url("list", q="світлофор")))
    assert by_title.title in html
    assert by_essence.title in html
    assert other.title not in html


def test_the_search_ignores_the_case_of_cyrillic_letters() -> None:
    petition = PetitionFactory(state=S.PUBLISHED, title="Світлофор біля ліцею")
    assert petition.title in text(Client().get(url("list", q="світлофор")))


def test_the_list_filters_by_authority_and_status() -> None:
    mine = PetitionFactory(state=S.PUBLISHED)
    answered_here = PetitionFactory(state=S.ANSWERED, authority=mine.authority)
    elsewhere = PetitionFactory(state=S.PUBLISHED)
    html = text(Client().get(url("list", authority=mine.authority.slug)))
    assert mine.title in html
    assert answered_here.title in html
    assert elsewhere.title not in html
    html = text(Client().get(url("list", authority=mine.authority.slug, status="answered")))
    assert answered_here.title in html
    assert mine.title not in html


def test_the_list_sorts_by_signatures() -> None:
    petitions: list[Petition] = [PetitionFactory(state=S.PUBLISHED, signers=n, threshold=10) for n in (1, 3, 2)]
    services.signature_counts_recount()
    response = Client().get(url("list", sort="signatures"))
    assert titles_in_order(response, petitions) == [petitions[1].title, petitions[2].title, petitions[0].title]
    newest_first = Client().get(url("list"))
    assert titles_in_order(newest_first, petitions) == [p.title for p in reversed(petitions)]


def test_the_list_is_paginated_by_twenty() -> None:
    authority = AuthorityFactory()
    moderator = moderator_of(authority)
    petitions = [PetitionFactory(state=S.PUBLISHED, authority=authority, moderator=moderator) for _ in range(21)]
    first, second = Client().get(url("list")), Client().get(url("list", page=2))
    assert "Page 1 of 2" in text(first)
    assert 'rel="next"' in text(first)
    assert petitions[0].title not in text(first)  # the oldest is on page 2
    assert petitions[0].title in text(second)
    assert petitions[-1].title not in text(second)


def test_the_pagination_keeps_the_filters() -> None:
    authority = AuthorityFactory()
    moderator = moderator_of(authority)
    for _ in range(21):
        PetitionFactory(state=S.PUBLISHED, authority=authority, moderator=moderator)
    html = text(Client().get(url("list", authority=authority.slug)))
    assert f"?authority={authority.slug}&amp;page=2" in html


def test_htmx_gets_only_the_results_partial() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    full = text(Client().get(url("list")))
    partial = text(Client().get(url("list"), headers=HTMX))
    assert "<html" in full
    assert '<form method="get"' in full
    assert "<html" not in partial
    assert '<form method="get"' not in partial
    assert partial.lstrip().startswith('<section id="results"')
    assert petition.title in partial


def test_the_list_has_an_empty_state() -> None:
    PetitionFactory(state=S.PUBLISHED, title="Укриття")
    response = Client().get(url("list", q="немає-такого"))
    assert response.status_code == 200
    assert "No petitions match" in text(response)


def test_a_bad_filter_shows_everything_rather_than_failing() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    response = Client().get(url("list", status="draft", sort="nonsense", page="x"))
    assert response.status_code == 200
    assert petition.title in text(response)


# --- detail and signers -------------------------------------------------------------------------


def test_the_detail_shows_count_progress_time_left_rule_and_signers() -> None:
    authority = AuthorityFactory()
    RuleOverrideFactory(authority=authority, value=150, source="Статут міста Прилуки, ст. 42")
    with time_machine.travel(clock.now() - dt.timedelta(days=10), tick=False):
        petition = PetitionFactory(state=S.PUBLISHED, authority=authority)
        signers = sign_by(petition, 3)
    services.signature_counts_recount()

    html = text(Client().get(url("detail", petition)))

    assert re.search(r'<strong id="signature-count">3</strong> of 150 signatures \(2%\)', html)
    assert '<progress max="150" value="3">' in html
    assert "Collection ends on" in html
    assert "left" in html
    assert "Статут міста Прилуки, ст. 42" in html  # the rule that set the threshold is cited
    assert "393/96" in html  # ... and the law behind the moderation term
    for signer in signers:
        assert signer.full_name in html
    assert petition.essence in html


def test_the_detail_cites_the_laws_threshold_in_plain_digits() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    html = text(Client().get(url("detail", petition)))
    assert ": 25,000 — <cite>" in html
    assert "E+" not in html


def test_the_detail_shows_the_answer() -> None:
    petition = PetitionFactory(state=S.ANSWERED)
    html = text(Client().get(url("detail", petition)))
    assert "Answer" in html
    assert "supported" in html
    assert ANSWER_TEXT in html
    assert "Sign this petition" not in html


def test_the_detail_shows_the_rejection_reason_to_the_author() -> None:
    petition = PetitionFactory(state=S.REJECTED)
    html = text(as_user(petition.author).get(url("detail", petition)))
    assert "Rejected by moderation" in html
    assert "obscene language" in html


def test_the_signers_page_is_paginated_by_fifty() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    signers = sign_by(petition, 51)
    first = text(Client().get(url("signers", petition)))
    second = text(Client().get(url("signers", petition, page=2)))
    assert signers[0].full_name in first
    assert signers[49].full_name in first
    assert signers[50].full_name not in first
    assert '<ol start="51">' in second
    assert signers[50].full_name in second
    assert "Page 2 of 2" in second


# --- visibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.REJECTED])
def test_unpublished_petitions_are_hidden_from_the_public(state: str) -> None:
    petition = PetitionFactory(state=state)
    outsiders = [None, UserFactory(), moderator_of(AuthorityFactory())]
    for user in outsiders:
        for page in ("detail", "signers"):
            assert as_user(user).get(url(page, petition)).status_code == 404, (user, page)


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED])
def test_unpublished_petitions_are_visible_to_the_author_and_the_authoritys_staff(state: str) -> None:
    petition = PetitionFactory(state=state)
    staff = [
        MembershipFactory(authority=petition.authority, role=role).user for role in Role if role != Role.REPRESENTATIVE
    ]
    for user in [petition.author, *staff]:
        response = as_user(user).get(url("detail", petition))
        assert response.status_code == 200, user
        assert petition.title in text(response)


def test_the_moderator_sees_the_moderation_buttons_and_the_public_does_not() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    publish_form = f'action="{url("publish", petition)}"'
    assert publish_form in text(as_user(moderator_of(petition.authority)).get(url("detail", petition)))
    assert publish_form not in text(as_user(petition.author).get(url("detail", petition)))


# --- create -------------------------------------------------------------------------------------


def key() -> dict[str, str]:
    """A new one-time key, as each display of a form carries."""
    return {"idempotency_key": idempotency.issue()}


def test_create_needs_a_signed_in_person() -> None:
    assert_login_redirect(Client().get(url("create")))
    response = Client().post(url("create"), {"authority": AuthorityFactory().pk, "title": "Т", "essence": "С"})
    assert_login_redirect(response)
    assert not Petition.objects.exists()


def test_create_offers_only_authorities_that_accept_petitions() -> None:
    accepting, closed = AuthorityFactory(), AuthorityFactory(accepts_petitions=False)
    html = text(as_user(UserFactory()).get(url("create")))
    assert accepting.name_en in html
    assert closed.name_en not in html


@pytest.mark.parametrize(("button", "status"), [("draft", S.DRAFT), ("submit", S.SUBMITTED)])
def test_create_saves_a_draft_or_submits(button: str, status: str) -> None:
    author, authority = UserFactory(), AuthorityFactory()
    response = as_user(author).post(
        url("create"),
        {"authority": authority.pk, "title": "Укриття", "essence": "Облаштувати укриття.", button: "", **key()},
    )
    petition = Petition.objects.get()
    assert response.status_code == 303
    assert response["Location"] == url("detail", petition)
    assert (petition.status, petition.author, petition.authority) == (status, author, authority)
    assert messages_of(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "essence": "Суть"}, "This field is required."),
        ({"title": "   ", "essence": "Суть"}, "This field is required."),
        ({"title": "Назва", "essence": ""}, "This field is required."),
        ({"title": "x" * 201, "essence": "Суть"}, "at most 200 characters"),
    ],
    ids=["no-title", "blank-title", "no-essence", "long-title"],
)
def test_create_with_bad_input_is_422_with_the_error_and_stores_nothing(data: dict[str, Any], message: str) -> None:
    authority = AuthorityFactory()
    response = as_user(UserFactory()).post(url("create"), {"authority": authority.pk, **data, "submit": "", **key()})
    assert response.status_code == 422
    assert message in text(response)
    assert not Petition.objects.exists()


@pytest.mark.usefixtures("no_rate_limits")
@pytest.mark.parametrize("button", ["draft", "submit"])
def test_a_resent_create_form_makes_one_petition(button: str) -> None:
    author, authority = UserFactory(), AuthorityFactory()
    client = as_user(author)
    data = {"authority": authority.pk, "title": "Укриття", "essence": "Облаштувати укриття.", button: "", **key()}
    responses = [client.post(url("create"), data) for _ in range(20)]
    petition = Petition.objects.get()
    assert {(r.status_code, r["Location"]) for r in responses} == {(303, url("detail", petition))}
    assert messages_of(responses[-1])[-1] == messages_of(responses[0])[0]
    assert petition.status == (S.SUBMITTED if button == "submit" else S.DRAFT)
    assert AuditEntry.objects.filter(tag="petition:create").count() == 1
    assert AuditEntry.objects.filter(tag="petition:submit").count() == (button == "submit")


@pytest.mark.parametrize("value", [None, "", "forged"])
def test_create_without_a_valid_key_is_a_form_error_and_stores_nothing(value: str | None) -> None:
    data = {"authority": AuthorityFactory().pk, "title": "Т", "essence": "С", "submit": ""}
    if value is not None:
        data["idempotency_key"] = value
    response = as_user(UserFactory()).post(url("create"), data)
    assert response.status_code == 422
    assert "This form arrived incomplete" in text(response)
    assert not Petition.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_create_to_an_authority_that_does_not_accept_petitions_is_refused() -> None:
    authority = AuthorityFactory(accepts_petitions=False)
    response = as_user(UserFactory()).post(
        url("create"), {"authority": authority.pk, "title": "Т", "essence": "С", **key()}
    )
    assert response.status_code == 422
    assert "Select a valid choice" in text(response)
    assert not Petition.objects.exists()


def test_create_by_an_unverified_person_shows_the_services_reason() -> None:
    response = as_user(UnverifiedUserFactory()).post(
        url("create"), {"authority": AuthorityFactory().pk, "title": "Т", "essence": "С", **key()}
    )
    assert response.status_code == 422
    assert "Confirm your email address before creating a petition." in text(response)
    assert not Petition.objects.exists()


def test_csrf_is_enforced() -> None:
    author, authority = UserFactory(), AuthorityFactory()
    petition = PetitionFactory(state=S.PUBLISHED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    create = client.post(url("create"), {"authority": authority.pk, "title": "Т", "essence": "С"})
    sign = client.post(url("sign", petition), headers=HTMX)

    assert (create.status_code, sign.status_code) == (403, 403)
    assert Petition.objects.count() == 1
    assert not Signature.objects.exists()

    # With the token from the page the same request goes through.
    page = client.get(url("detail", petition))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page))
    assert token is not None
    assert client.post(url("sign", petition), {"csrfmiddlewaretoken": token.group(1)}).status_code == 303
    assert Signature.objects.count() == 1


# --- sign ---------------------------------------------------------------------------------------


def test_sign_by_form_redirects_with_a_message() -> None:
    petition, signer = PetitionFactory(state=S.PUBLISHED), UserFactory()
    response = as_user(signer).post(url("sign", petition))
    assert response.status_code == 303
    assert response["Location"] == url("detail", petition)
    assert messages_of(response) == ["Thank you: your signature is recorded. The count updates within seconds."]
    assert Signature.objects.filter(petition=petition, signer=signer).count() == 1
    assert "You have signed this petition." in text(as_user(signer).get(url("detail", petition)))


def test_sign_by_form_twice_says_so_and_adds_nothing() -> None:
    petition, signer = PetitionFactory(state=S.PUBLISHED), UserFactory()
    client = as_user(signer)
    client.post(url("sign", petition))
    response = client.post(url("sign", petition))
    assert response.status_code == 303
    assert messages_of(response)[-1] == "You have already signed this petition."
    # A resend is not a failure: the one signature stands.
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "success"
    assert Signature.objects.count() == 1


def test_sign_with_htmx_returns_the_fragment() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    response = as_user(UserFactory()).post(url("sign", petition), headers=HTMX)
    assert response.status_code == 200
    assert text(response).startswith('<div id="sign-box"')
    assert "your signature is recorded" in text(response)
    assert Signature.objects.count() == 1


def test_sign_with_htmx_twice_answers_like_the_first_and_adds_nothing() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    client = as_user(UserFactory())
    client.post(url("sign", petition), headers=HTMX)
    response = client.post(url("sign", petition), headers=HTMX)
    assert response.status_code == 200
    assert "already signed" in text(response)
    assert '<p class="ok">' in text(response)
    assert Signature.objects.count() == 1


@pytest.mark.usefixtures("no_rate_limits")
def test_signing_a_hundred_times_signs_once_and_every_answer_is_a_success() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    client = as_user(UserFactory())
    responses = [client.post(url("sign", petition), headers=HTMX) for _ in range(100)]
    assert {r.status_code for r in responses} == {200}
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("state", ["closed", S.ANSWERED, S.SUBMITTED])
def test_sign_with_htmx_a_petition_not_collecting_is_403(state: str) -> None:
    petition = PetitionFactory(state=state)
    signatures = Signature.objects.count()
    response = as_user(UserFactory()).post(url("sign", petition), headers=HTMX)
    if state == S.SUBMITTED:  # not public yet: the same 404 as a petition that does not exist
        assert response.status_code == 404
        assert "not collecting signatures" not in text(response)
    else:
        assert response.status_code == 403
        assert "not collecting signatures" in text(response)
    assert Signature.objects.count() == signatures


def test_sign_with_htmx_unverified_is_403() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    response = as_user(UnverifiedUserFactory()).post(url("sign", petition), headers=HTMX)
    assert response.status_code == 403
    assert "Confirm your email" in text(response)
    assert not Signature.objects.exists()


def test_sign_anonymously() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    htmx = Client().post(url("sign", petition), headers=HTMX)
    assert htmx.status_code == 401
    assert "Sign in" in text(htmx)
    form = Client().post(url("sign", petition))
    assert_login_redirect(form)
    assert "next=" + url("detail", petition) in form["Location"]
    assert not Signature.objects.exists()


def test_sign_only_by_post() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    assert as_user(UserFactory()).get(url("sign", petition)).status_code == 405
    assert not Signature.objects.exists()


# --- moderation and answer: the authorisation matrix --------------------------------------------

ANSWER_POST = {"decision": "supported", "text": ANSWER_TEXT}
ACTIONS: dict[str, tuple[str, str, dict[str, str], str, str]] = {
    # action: (state before, url name, POST data, state after, right role)
    "publish": (S.SUBMITTED, "publish", {}, S.PUBLISHED, Role.MODERATOR),
    "reject": (S.SUBMITTED, "reject", {"reason": "obscene", "note": "Лайка."}, S.REJECTED, Role.MODERATOR),
    "start": (S.THRESHOLD_REACHED, "start", {}, S.UNDER_CONSIDERATION, Role.RESPONDER),
    "answer": (S.UNDER_CONSIDERATION, "answer", ANSWER_POST, S.ANSWERED, Role.RESPONDER),
}
WRONG_PEOPLE = ["citizen", "author", "same role at another authority", "other role at this authority"]


def _person(who: str, petition: Petition, right_role: str) -> User:
    other_role = Role.RESPONDER if right_role == Role.MODERATOR else Role.MODERATOR
    people: dict[str, Callable[[], User]] = {
        "citizen": UserFactory,
        "author": lambda: petition.author,
        "same role at another authority": lambda: MembershipFactory(authority=AuthorityFactory(), role=right_role).user,
        "other role at this authority": lambda: MembershipFactory(authority=petition.authority, role=other_role).user,
        "right": lambda: MembershipFactory(authority=petition.authority, role=right_role).user,
    }
    return people[who]()


def _row(petition: Petition) -> Mapping[str, object]:
    return Petition.objects.filter(pk=petition.pk).values().get()


@pytest.mark.parametrize("action", ACTIONS)
def test_an_anonymous_person_is_sent_to_sign_in(action: str) -> None:
    before_state, name, data, _after, _role = ACTIONS[action]
    petition = PetitionFactory(state=before_state)
    row = _row(petition)
    assert_login_redirect(Client().post(url(name, petition), data))
    assert _row(petition) == row


@pytest.mark.parametrize("who", WRONG_PEOPLE)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_wrong_person_is_refused_with_a_reason_and_nothing_changes(
    unchanged: Unchanged, action: str, who: str
) -> None:
    before_state, name, data, _after, role = ACTIONS[action]
    petition = PetitionFactory(state=before_state)
    client = as_user(_person(who, petition, role))
    with unchanged():
        response = client.post(url(name, petition), data)
    if action == "answer":
        # The answer page itself is refused to anyone but the authority's officials.
        assert response.status_code == 403
        assert client.get(url(name, petition)).status_code == 403
    elif before_state == S.SUBMITTED and who in {"citizen", "same role at another authority"}:
        # They may not see a petition awaiting moderation: refused as if it did not exist, without a reason that
        # would tell them it does.
        assert response.status_code == 404
        assert not messages_of(response)
    else:
        assert response.status_code == 303
        assert response["Location"] == url("detail", petition)
        [message] = messages_of(response)
        assert message.startswith("Only a moderator") or message.startswith("Only an official")


@pytest.mark.parametrize("action", ACTIONS)
def test_the_right_person_changes_the_state(action: str) -> None:
    before_state, name, data, after_state, role = ACTIONS[action]
    petition = PetitionFactory(state=before_state)
    response = as_user(_person("right", petition, role)).post(url(name, petition), data)
    assert response.status_code == 303
    assert response["Location"] == url("detail", petition)
    assert len(messages_of(response)) == 1
    petition.refresh_from_db()
    assert petition.status == after_state


def test_reject_without_a_valid_reason_changes_nothing(unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    client = as_user(moderator_of(petition.authority))
    with unchanged():
        response = client.post(url("reject", petition), {"reason": "spam"})
    assert response.status_code == 303
    assert messages_of(response) == ["Choose a reason from the list."]


def test_publish_twice_says_why_and_changes_nothing(unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    client = as_user(moderator_of(petition.authority))
    with unchanged():
        response = client.post(url("publish", petition))
    [message] = messages_of(response)
    assert "not possible" in message


def test_a_short_answer_is_422_on_the_form_and_changes_nothing(
    unchanged: Unchanged,
) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    client = as_user(responder_of(petition.authority))
    with unchanged():
        response = client.post(url("answer", petition), {"decision": "supported", "text": "Ні."})
    assert response.status_code == 422
    assert "at least 20 characters" in text(response)


def test_an_answer_without_a_decision_is_422(unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    client = as_user(responder_of(petition.authority))
    with unchanged():
        response = client.post(url("answer", petition), {"text": ANSWER_TEXT})
    assert response.status_code == 422
    assert "This field is required." in text(response)


def test_moderation_actions_need_post() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    client = as_user(moderator_of(petition.authority))
    for name in ("publish", "reject", "start", "submit"):
        assert client.get(url(name, petition)).status_code == 405
    petition.refresh_from_db()
    assert petition.status == S.SUBMITTED


# --- cabinet and inbox --------------------------------------------------------------------------


def test_the_cabinet_lists_my_petitions_and_my_signatures_only() -> None:
    me = UserFactory()
    draft = PetitionFactory(author=me)
    mine_published = PetitionFactory(author=me, state=S.PUBLISHED)
    signed = PetitionFactory(state=S.PUBLISHED)
    services.petition_sign(petition_id=signed.pk, signer=me)
    someone_elses = PetitionFactory(state=S.PUBLISHED)
    sign_by(someone_elses, 1)

    html = text(as_user(me).get(reverse("web:petition_cabinet")))

    assert draft.title in html
    assert mine_published.title in html
    assert signed.title in html
    assert someone_elses.title not in html
    assert_login_redirect(Client().get(reverse("web:petition_cabinet")))


def test_the_inbox_shows_my_authoritys_work_overdue_first() -> None:
    authority = AuthorityFactory()
    moderator, responder = moderator_of(authority), responder_of(authority)
    with time_machine.travel(clock.now() - dt.timedelta(days=30), tick=False):
        overdue = PetitionFactory(state=S.THRESHOLD_REACHED, authority=authority, title="Стара петиція")
    fresh = PetitionFactory(state=S.THRESHOLD_REACHED, authority=authority, title="Нова петиція")
    to_moderate = PetitionFactory(state=S.SUBMITTED, authority=authority, title="На модерації")
    elsewhere = PetitionFactory(state=S.SUBMITTED, title="Чужа на модерації")
    answered = PetitionFactory(state=S.ANSWERED, authority=authority, title="Вже з відповіддю")

    answer_html = text(as_user(responder).get(reverse("web:petition_inbox")))
    assert titles_in_order(as_user(responder).get(reverse("web:petition_inbox")), [fresh, overdue]) == [
        overdue.title,
        fresh.title,
    ]
    assert re.search(r'<tr class="overdue">.*?' + overdue.title, answer_html, re.S)
    assert to_moderate.title not in answer_html
    assert answered.title not in answer_html

    moderation_html = text(as_user(moderator).get(reverse("web:petition_inbox")))
    assert to_moderate.title in moderation_html
    assert elsewhere.title not in moderation_html
    assert overdue.title not in moderation_html

    citizen_html = text(as_user(UserFactory()).get(reverse("web:petition_inbox")))
    assert "Nothing is waiting for you here." in citizen_html


@pytest.mark.parametrize("action", ["sign", "submit", "publish", "reject", "start"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_acting_on_a_hidden_petition_answers_exactly_like_a_missing_one(action: str, headers: dict[str, str]) -> None:
    hidden = PetitionFactory(state=S.DRAFT)  # someone else's draft: nobody else may know it exists
    missing_pk = hidden.pk + 1000
    outsider = as_user(UserFactory())
    data = {"reason": "duplicate"}
    answers = []
    for pk in (hidden.pk, missing_pk):
        response = outsider.post(reverse(f"web:petition_{action}", args=[pk]), data, headers=headers)
        answers.append((response.status_code, [str(m) for m in get_messages(response.wsgi_request)]))
    assert answers[0] == answers[1] == (404, [])
    assert Petition.objects.get(pk=hidden.pk).status == S.DRAFT
    assert not Signature.objects.exists()


def test_a_collecting_petitions_count_updates_in_place() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    html = text(Client().get(url("detail", petition)))
    assert f'hx-get="{url("count", petition)}"' in html
    assert "The count is updated every few seconds." in html
    sign_by(petition, 2)
    services.signature_counts_recount()
    fragment = text(Client().get(url("count", petition)))
    assert '<strong id="signature-count">2</strong>' in fragment
    assert "<html" not in fragment


def test_an_answered_petition_says_nothing_of_updates_and_polls_nothing() -> None:
    petition = PetitionFactory(state=S.ANSWERED)
    html = text(Client().get(url("detail", petition)))
    assert "The count is updated every few seconds." not in html
    assert url("count", petition) not in html


def test_the_call_to_sign_in_also_offers_to_register() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    html = text(Client().get(url("detail", petition)))
    assert f'href="{reverse("account_signup")}?next=' in html
    assert f'href="{reverse("account_login")}?next=' in html

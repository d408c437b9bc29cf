"""The consultation pages through Django's test client: who sees and may do what; a refused request
says why and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.models import Role
from vzaemo.accounts.tests.factories import CsoFactory, UnverifiedUserFactory, UserFactory, representative_of
from vzaemo.consultations.models import Consultation, Proposal, Subscription
from vzaemo.consultations.states import ConsultationStatus, Decision, ModerationReason, ProposalStatus, Topic
from vzaemo.consultations.tests.factories import (
    REPORT_SUMMARY,
    AuthorityFactory,
    ConsultationFactory,
    notice,
    official_of,
    propose,
)
from vzaemo.core import clock, idempotency
from vzaemo.core.testing import Unchanged

pytestmark = pytest.mark.django_db

S = ConsultationStatus


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def url(name: str, *args: Any) -> str:
    return reverse(f"web:consultation_{name}", args=args)


def as_user(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    assert isinstance(response, HttpResponse)
    return response.content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def key() -> dict[str, str]:
    """A new one-time key, as each display of a form carries."""
    return {"idempotency_key": idempotency.issue()}


def notice_post(**overrides: Any) -> dict[str, Any]:
    data = notice(**overrides)
    data["closes_on"] = data["closes_on"].isoformat() if data["closes_on"] else ""
    return {**data, **key()}


# --- the public list ----------------------------------------------------------------------------


def test_the_list_shows_public_consultations_with_filters_and_an_empty_state() -> None:
    open_one = ConsultationFactory(state=S.OPEN, title="Відкрита консультація", topic=Topic.ENVIRONMENT)
    past = ConsultationFactory(state=S.REPORT_PUBLISHED, title="Минула консультація")
    ConsultationFactory(title="Чернетка консультації")

    html = text(Client().get(url("list")))
    assert "Відкрита консультація" in html
    assert "Минула консультація" in html
    assert "Чернетка" not in html

    html = text(Client().get(url("list"), {"phase": "open"}))
    assert "Відкрита консультація" in html
    assert "Минула консультація" not in html
    html = text(Client().get(url("list"), {"phase": "past"}))
    assert "Відкрита консультація" not in html
    assert "Минула консультація" in html
    html = text(Client().get(url("list"), {"authority": past.authority.slug}))
    assert "Минула консультація" in html
    assert "Відкрита консультація" not in html
    html = text(Client().get(url("list"), {"topic": Topic.ENVIRONMENT}))
    assert "Відкрита консультація" in html
    assert "Минула консультація" not in html
    html = text(Client().get(url("list"), {"topic": Topic.NAMES}))
    assert "No consultations match" in html
    assert open_one.pk


def test_the_list_paginates() -> None:
    authority = AuthorityFactory()
    official = official_of(authority)
    for _ in range(21):
        ConsultationFactory(state=S.OPEN, authority=authority, official=official)
    first = text(Client().get(url("list")))
    assert first.count('class="card"') == 20
    assert text(Client().get(url("list"), {"page": 2})).count('class="card"') == 1


# --- the consultation page ----------------------------------------------------------------------


def test_the_page_labels_every_item_of_the_notice_and_shows_clauses_with_proposals() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    propose(consultation, clause=2, text="Пропоную інший строк розгляду.")
    html = text(Client().get(url("detail", consultation.pk)))
    for label in [
        "Authority",
        "Title of the draft act",
        "Summary of the draft",
        "Affected social groups and stakeholders",
        "Possible consequences of the act",
        "Email address for proposals",
        "Deadline for proposals",
        "Form of proposals",
        "Text of the draft act",
    ]:
        assert f"<dt>{label}</dt>" in html
    assert consultation.contact_email in html
    # The draft numbers its clauses 1-3 after a title: the page uses the draft's numbers, not its own count.
    assert "Clause 3" in html
    assert "Clause 4" not in html
    assert html.index("Пропоную інший строк") > html.index("Clause 1") > html.index("Title and preamble")
    assert html.index("Clause 2") > html.index("Пропоную інший строк")
    assert "register</a> to make a proposal" in html


def test_a_draft_is_visible_only_to_its_authoritys_officials() -> None:
    consultation = ConsultationFactory()
    assert Client().get(url("detail", consultation.pk)).status_code == 404
    assert as_user(official_of(AuthorityFactory())).get(url("detail", consultation.pk)).status_code == 404
    assert as_user(consultation.created_by).get(url("detail", consultation.pk)).status_code == 200


def test_a_signed_in_person_proposes_and_is_redirected_with_303() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    clause = consultation.clauses.get(number=3)
    response = as_user(UserFactory()).post(
        url("propose", consultation.pk), {"clause": clause.pk, "text": "Пропоную строк у два робочі дні.", **key()}
    )
    assert response.status_code == 303
    assert Proposal.objects.get().clause == clause


@pytest.mark.usefixtures("no_rate_limits")
def test_a_resent_proposal_is_published_once() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    client = as_user(UserFactory())
    data = {"text": "Пропоную строк у два робочі дні.", **key()}
    responses = [client.post(url("propose", consultation.pk), data) for _ in range(20)]
    assert {r.status_code for r in responses} == {303}
    assert Proposal.objects.count() == 1
    # Another display of the form is another proposal.
    assert client.post(url("propose", consultation.pk), {**data, **key()}).status_code == 303
    assert Proposal.objects.count() == 2


@pytest.mark.parametrize("value", [None, "forged"])
def test_a_proposal_without_a_valid_key_is_refused_with_the_form_kept(value: str | None) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    data = {"text": "Пропоную строк у два робочі дні."}
    if value is not None:
        data["idempotency_key"] = value
    response = as_user(UserFactory()).post(url("propose", consultation.pk), data)
    html = text(response)
    assert response.status_code == 422
    assert "This form arrived incomplete" in html
    assert "Пропоную строк у два робочі дні." in html
    assert not Proposal.objects.exists()


def test_anonymous_proposals_are_sent_to_sign_in_and_change_nothing() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    response = Client().post(url("propose", consultation.pk), {"text": "Анонімна пропозиція до проєкту."})
    assert response.status_code == 303
    assert reverse("account_login") in response["Location"]
    assert not Proposal.objects.exists()


def test_an_unverified_person_is_refused_with_the_form_kept() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    response = as_user(UnverifiedUserFactory()).post(
        url("propose", consultation.pk), {"text": "Пропозиція без підтвердженої пошти.", **key()}
    )
    assert response.status_code == 403
    assert "Confirm your email address" in text(response)
    assert not Proposal.objects.exists()


def test_a_short_proposal_answers_422_with_the_error() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    response = as_user(UserFactory()).post(url("propose", consultation.pk), {"text": "так", **key()})
    assert response.status_code == 422
    assert "at least 10 characters" in text(response)
    assert not Proposal.objects.exists()


def test_on_behalf_offers_only_the_persons_own_csos() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    mine, other = CsoFactory(name="ГО «Моя»"), CsoFactory(name="ГО «Чужа»")
    rep = representative_of(mine)
    html = text(as_user(rep).get(url("detail", consultation.pk)))
    assert "ГО «Моя»" in html
    assert "ГО «Чужа»" not in html
    # Forcing another organisation's id is rejected by the form (not one of the choices).
    response = as_user(rep).post(
        url("propose", consultation.pk), {"on_behalf": other.pk, "text": "Пропозиція від чужої організації.", **key()}
    )
    assert response.status_code == 422
    assert not Proposal.objects.exists()
    response = as_user(rep).post(
        url("propose", consultation.pk), {"on_behalf": mine.pk, "text": "Пропозиція від моєї організації.", **key()}
    )
    assert response.status_code == 303
    assert Proposal.objects.get().cso == mine


# --- the official's pages -----------------------------------------------------------------------


def test_an_official_creates_a_draft_and_a_missing_item_answers_422() -> None:
    authority = AuthorityFactory()
    official = official_of(authority)
    client = as_user(official)
    assert client.get(url("create")).status_code == 200

    response = client.post(url("create"), {**notice_post(affected_groups=""), "authority": authority.pk})
    assert response.status_code == 422
    assert not Consultation.objects.exists()

    response = client.post(url("create"), {**notice_post(), "authority": authority.pk})
    consultation = Consultation.objects.get()
    assert response.status_code == 303
    assert response["Location"] == url("detail", consultation.pk)
    assert consultation.clauses.count() == 4


def test_a_resent_notice_creates_one_draft() -> None:
    authority = AuthorityFactory()
    client = as_user(official_of(authority))
    data = {**notice_post(), "authority": authority.pk}
    responses = [client.post(url("create"), data) for _ in range(10)]
    consultation = Consultation.objects.get()
    assert {(r.status_code, r["Location"]) for r in responses} == {(303, url("detail", consultation.pk))}


def test_citizens_and_other_authorities_cannot_create_or_edit() -> None:
    consultation = ConsultationFactory()
    assert as_user(UserFactory()).get(url("create")).status_code == 403
    outsider = official_of(AuthorityFactory())
    response = as_user(outsider).post(url("create"), {**notice_post(), "authority": consultation.authority.pk})
    assert response.status_code == 422  # the authority is not among the choices
    assert as_user(outsider).get(url("edit", consultation.pk)).status_code == 404
    assert Consultation.objects.count() == 1


def test_opening_too_short_says_why_and_changes_nothing() -> None:
    consultation = ConsultationFactory(closes_on=clock.today() + dt.timedelta(days=3))
    response = as_user(consultation.created_by).post(url("open", consultation.pk))
    assert response.status_code == 303
    assert any("at least 15 days" in m for m in messages_of(response))
    consultation.refresh_from_db()
    assert consultation.status == S.DRAFT


def test_another_authoritys_official_cannot_open_decide_or_publish() -> None:
    draft = ConsultationFactory()
    closed = ConsultationFactory(state=S.CLOSED, proposals=1)
    proposal = closed.proposals.get()
    outsider = as_user(official_of(AuthorityFactory()))

    outsider.post(url("open", draft.pk))
    assert outsider.get(url("decisions", closed.pk)).status_code == 403
    response = outsider.post(
        url("decisions", closed.pk), {"proposal": proposal.pk, f"p{proposal.pk}-decision": Decision.ACCEPTED}
    )
    assert response.status_code == 403
    response = outsider.post(url("publish_report", closed.pk), {"summary": REPORT_SUMMARY})
    assert response.status_code == 403

    draft.refresh_from_db()
    closed.refresh_from_db()
    proposal.refresh_from_db()
    assert (draft.status, closed.status, proposal.decision) == (S.DRAFT, S.CLOSED, "")


def test_a_moderator_hides_a_proposal_and_the_reason_is_shown() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    proposal = propose(consultation, text="Текст із забороненим вмістом.")
    moderator = official_of(consultation.authority, Role.MODERATOR)
    assert (
        as_user(UserFactory())
        .post(url("hide", consultation.pk, proposal.pk), {"reason": ModerationReason.OBSCENE})
        .status_code
        == 303
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PUBLISHED

    response = as_user(moderator).post(url("hide", consultation.pk, proposal.pk), {"reason": ModerationReason.OBSCENE})
    assert response.status_code == 303
    html = text(Client().get(url("detail", consultation.pk)))
    assert "Текст із забороненим вмістом" not in html
    assert "obscene language" in html


def test_decisions_then_the_report() -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=2)
    first, second = consultation.proposals.order_by("pk")
    client = as_user(consultation.created_by)

    response = client.post(url("publish_report", consultation.pk), {"summary": REPORT_SUMMARY})
    assert response.status_code == 422
    assert "2 without a decision" in text(response)

    response = client.post(
        url("decisions", consultation.pk), {"proposal": first.pk, f"p{first.pk}-decision": Decision.REJECTED}
    )
    assert response.status_code == 422
    assert "Give the reason" in text(response)
    first.refresh_from_db()
    assert first.decision == ""

    for proposal, decision, reason in [
        (first, Decision.REJECTED, "Суперечить закону про реєстрацію."),
        (second, Decision.ACCEPTED, ""),
    ]:
        response = client.post(
            url("decisions", consultation.pk),
            {"proposal": proposal.pk, f"p{proposal.pk}-decision": decision, f"p{proposal.pk}-reason": reason},
        )
        assert response.status_code == 303

    assert Client().get(url("report", consultation.pk)).status_code == 404  # not yet published
    response = client.post(url("publish_report", consultation.pk), {"summary": REPORT_SUMMARY})
    assert response.status_code == 303
    assert response["Location"] == url("report", consultation.pk)

    html = text(Client().get(url("report", consultation.pk)))
    assert REPORT_SUMMARY in html
    assert "Суперечить закону про реєстрацію." in html
    assert '<dd class="participants">2</dd>' in html
    assert '<dd class="proposal-count">2</dd>' in html
    # The proposals are on the draft's title, its first part: the draft numbers its clauses after it.
    assert html.index("Title and preamble") < html.index("Суперечить закону")


# --- subscriptions ------------------------------------------------------------------------------


def test_subscriptions_are_managed_by_the_signed_in_person() -> None:
    user = UserFactory()
    client = as_user(user)
    assert Client().get(url("subscriptions")).status_code == 302

    response = client.post(url("subscriptions"), {"authority": "", "topic": ""})
    assert response.status_code == 422
    assert not Subscription.objects.exists()
    response = client.post(url("subscriptions"), {"topic": Topic.ENVIRONMENT})
    assert response.status_code == 303
    subscription = Subscription.objects.get()
    assert client.post(url("subscriptions"), {"topic": Topic.ENVIRONMENT}).status_code == 409

    assert as_user(UserFactory()).post(url("unsubscribe", subscription.pk)).status_code == 303
    assert Subscription.objects.exists()
    assert client.post(url("unsubscribe", subscription.pk)).status_code == 303
    assert not Subscription.objects.exists()


def test_the_office_lists_the_authoritys_consultations(unchanged: Unchanged) -> None:
    consultation = ConsultationFactory(title="Чернетка мого органу")
    assert "Чернетка мого органу" in text(as_user(consultation.created_by).get(url("office")))
    assert as_user(UserFactory()).get(url("office")).status_code == 403

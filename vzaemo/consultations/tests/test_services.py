"""Every consultation service: each transition leaves its record, cited deadlines and obligations; each
refusal says why (error type and code) and changes nothing (docs/design.md rule 10).

Dates: martial law is in force since 2022-03-24 (seeded), so only Saturdays and Sundays are off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoCaptureOnCommitCallbacks

from vzaemo.accounts.models import Membership, Role
from vzaemo.accounts.tests.factories import CsoFactory, UnverifiedUserFactory, UserFactory, representative_of
from vzaemo.consultations import rules, services
from vzaemo.consultations.models import Clause, Consultation, Proposal, Subscription
from vzaemo.consultations.states import (
    PROPOSAL_MACHINE,
    ConsultationStatus,
    Decision,
    ModerationReason,
    ProposalStatus,
    Topic,
)
from vzaemo.consultations.tests.factories import (
    REPORT_SUMMARY,
    AuthorityFactory,
    ConsultationFactory,
    notice,
    official_of,
    propose,
)
from vzaemo.core import chronograph
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from vzaemo.core.models import AuditEntry, Obligation, ObligationOutcome
from vzaemo.core.testing import Refused

pytestmark = pytest.mark.django_db

S = ConsultationStatus
NOW = dt.datetime(2025, 12, 5, 10, 0, tzinfo=KYIV)  # a Friday: 15 days later is Saturday 20 December


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(year, month, day), dt.time.max, tzinfo=KYIV)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def tags(subject: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
        .order_by("pk")
        .values_list("tag", flat=True)
    )


def obligation(kind: str, subject: Any) -> Obligation:
    return Obligation.objects.get(kind=kind, subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


# --- splitting the draft ------------------------------------------------------------------------


def test_numbered_lines_start_clauses_and_a_preamble_is_a_clause_of_its_own() -> None:
    text = "Проєкт наказу\r\n\r\n1. Перше.\n   а) підпункт;\n2) Друге.\n\n3.1. Третє\nпродовження"
    assert rules.split_clauses(text) == [
        "Проєкт наказу",
        "1. Перше.\n   а) підпункт;",
        "2) Друге.",
        "3.1. Третє\nпродовження",
    ]


def test_a_numbered_drafts_clauses_keep_the_drafts_own_numbers() -> None:
    """The preamble is not "clause 1": pages say "Clause 2" for the clause the draft calls 2."""
    clauses = rules.split_clauses("Проєкт наказу\n1. Перше.\n2) Друге.\n3.1. Третє")
    assert rules.clause_labels(clauses) == ["", "1", "2", "3.1"]
    assert rules.clause_labels(rules.split_clauses("Перший абзац\n\nДругий абзац")) == ["1", "2"]


def test_without_numbering_every_paragraph_is_a_clause() -> None:
    assert rules.split_clauses("Перший абзац\nрядок два\n\n \n\nДругий абзац\n1. лише один номер") == [
        "Перший абзац\nрядок два",
        "Другий абзац\n1. лише один номер",
    ]
    assert rules.split_clauses("   ") == []


# --- create and edit the draft ------------------------------------------------------------------


def test_an_official_creates_a_draft_split_into_numbered_clauses() -> None:
    authority = AuthorityFactory()
    official = official_of(authority)

    consultation = services.consultation_create(official=official, authority=authority, **notice())

    assert consultation.status == S.DRAFT
    assert consultation.opens_at is None
    assert consultation.closes_at == end_of(2025, 12, 25)
    assert list(consultation.clauses.values_list("number", "text")) == [
        (1, "Проєкт наказу Міністерства юстиції України"),
        (2, "1. Затвердити Порядок електронної реєстрації громадських об'єднань."),
        (3, "2. Строк розгляду заяви становить три робочі дні."),
        (4, "3. Наказ набирає чинності з дня його офіційного опублікування."),
    ]
    assert tags(consultation) == ["consultation:create"]


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.RESPONDER])
def test_only_officials_and_admins_prepare_consultations(refused: Refused, role: Role) -> None:
    authority = AuthorityFactory()
    member = official_of(authority, role)
    refused(
        NotAllowed,
        "not_official",
        lambda: services.consultation_create(official=member, authority=authority, **notice()),
    )


def test_an_official_of_another_authority_cannot_create(refused: Refused) -> None:
    other = official_of(AuthorityFactory())
    authority = AuthorityFactory()
    refused(
        NotAllowed,
        "not_official",
        lambda: services.consultation_create(official=other, authority=authority, **notice()),
    )


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"title": "  "}, "title_required", "title"),
        ({"summary": ""}, "summary_required", "summary"),
        ({"affected_groups": ""}, "affected_groups_required", "affected_groups"),
        ({"consequences": " "}, "consequences_required", "consequences"),
        ({"contact_email": "not-an-email"}, "contact_email_invalid", "contact_email"),
        ({"proposals_form": ""}, "proposals_form_required", "proposals_form"),
        ({"topic": "weather"}, "topic_invalid", "topic"),
        ({"draft_text": "\n\n"}, "draft_text_required", "draft_text"),
        ({"closes_on": None}, "closes_on_required", "closes_on"),
        ({"closes_on": dt.date(2025, 12, 5)}, "closes_on_past", "closes_on"),
    ],
)
def test_every_item_of_the_notice_is_required(
    refused: Refused, override: dict[str, Any], code: str, field: str
) -> None:
    authority = AuthorityFactory()
    official = official_of(authority)
    error = refused(
        ValidationFailed,
        code,
        lambda: services.consultation_create(official=official, authority=authority, **notice(**override)),
    )
    assert error.field == field


def test_editing_a_draft_resplits_the_clauses() -> None:
    consultation = ConsultationFactory()
    official = consultation.created_by

    services.consultation_update_draft(
        consultation_id=consultation.pk, official=official, **notice(draft_text="Абзац один.\n\nАбзац два.")
    )

    assert list(Clause.objects.filter(consultation=consultation).values_list("number", "text")) == [
        (1, "Абзац один."),
        (2, "Абзац два."),
    ]
    assert tags(consultation) == ["consultation:create", "consultation:edit"]


def test_an_open_consultation_cannot_be_edited(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    refused(
        NotAllowed,
        "consultation_not_draft",
        lambda: services.consultation_update_draft(
            consultation_id=consultation.pk, official=consultation.created_by, **notice()
        ),
    )


# --- open ---------------------------------------------------------------------------------------


def test_opening_publishes_the_notice_and_cites_the_rules(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    consultation = ConsultationFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        services.consultation_open(consultation_id=consultation.pk, official=consultation.created_by)
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN
    assert consultation.opens_at == NOW
    assert consultation.rules_applied["closes_at"]["key"] == rules.MIN_DURATION
    assert consultation.rules_applied["closes_at"]["value"] == "15"
    assert consultation.rules_applied["proposal_publication"]["unit"] == "working_days"
    assert tags(consultation) == ["consultation:create", "consultation:open"]
    assert len(callbacks) == 1  # the subscribers' email


@pytest.mark.parametrize("closes_on", [dt.date(2025, 12, 19), dt.date(2025, 12, 20), dt.date(2025, 12, 21)])
def test_fifteen_days_ending_on_a_weekend_run_to_the_next_working_day(refused: Refused, closes_on: dt.date) -> None:
    """Opened Friday 5 Dec: day 15 is Saturday 20 Dec, so the term runs to Monday 22 Dec (CC art. 254 p. 5)."""
    consultation = ConsultationFactory(closes_on=closes_on)
    error = refused(
        ValidationFailed,
        "consultation_too_short",
        lambda: services.consultation_open(consultation_id=consultation.pk, official=consultation.created_by),
    )
    assert error.field == "closes_on"
    assert "22.12.2025" in str(error.message)


def test_the_earliest_lawful_deadline_is_accepted() -> None:
    consultation = ConsultationFactory(closes_on=dt.date(2025, 12, 22))
    services.consultation_open(consultation_id=consultation.pk, official=consultation.created_by)
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN


def test_a_draft_left_until_its_term_became_too_short_cannot_open(
    refused: Refused, frozen: time_machine.Traveller
) -> None:
    consultation = ConsultationFactory()  # deadline 25 Dec: fine today, too short on 15 Dec
    frozen.move_to(dt.datetime(2025, 12, 15, 9, 0, tzinfo=KYIV))
    refused(
        ValidationFailed,
        "consultation_too_short",
        lambda: services.consultation_open(consultation_id=consultation.pk, official=consultation.created_by),
    )


def test_another_authoritys_official_cannot_open(refused: Refused) -> None:
    consultation = ConsultationFactory()
    other = official_of(AuthorityFactory())
    refused(
        NotAllowed, "not_official", lambda: services.consultation_open(consultation_id=consultation.pk, official=other)
    )


def test_opening_twice_is_refused(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    refused(
        InvalidTransition,
        "consultation_cannot_open",
        lambda: services.consultation_open(consultation_id=consultation.pk, official=consultation.created_by),
    )


# --- proposals ----------------------------------------------------------------------------------


def test_a_verified_person_comments_on_a_clause_and_on_the_whole() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    author = UserFactory(full_name="Оксана Бойко")

    on_clause = propose(consultation, clause=2, author=author)
    on_whole = propose(consultation, clause=None, author=author, text="Загалом підтримую проєкт наказу.")

    assert on_clause.clause is not None
    assert on_clause.clause.number == 2
    assert on_whole.clause is None
    assert on_clause.status == ProposalStatus.PUBLISHED
    assert on_clause.author_name == "Оксана Бойко"
    assert tags(on_clause) == ["proposal:submit"]


def test_anonymous_unverified_and_nameless_people_are_refused(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    nameless = UserFactory(full_name=" ")
    for kind, code, who in [
        (NotAllowed, "sign_in_required", AnonymousUser()),
        (NotAllowed, "email_not_verified", UnverifiedUserFactory()),
        (ValidationFailed, "author_name_required", nameless),
    ]:
        # An anonymous visitor is outside the service's signature on purpose: the service refuses it all the same.
        refused(kind, code, partial(propose, consultation, author=who))  # type: ignore[arg-type]


def test_only_a_representative_speaks_for_a_cso(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    cso = CsoFactory()
    citizen = UserFactory()
    refused(NotAllowed, "not_cso_representative", lambda: propose(consultation, author=citizen, cso=cso))
    # A representative of another organisation is no representative of this one.
    other_representative = representative_of(CsoFactory())
    refused(
        NotAllowed,
        "not_cso_representative",
        lambda: propose(consultation, author=other_representative, cso=cso),
    )

    proposal = propose(consultation, author=representative_of(cso), cso=cso)
    assert proposal.cso == cso


def test_a_clause_of_another_draft_is_refused(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    foreign = ConsultationFactory(state=S.OPEN).clauses.first()
    assert foreign is not None
    author = UserFactory()
    refused(
        ValidationFailed,
        "clause_invalid",
        lambda: services.proposal_submit(
            consultation_id=consultation.pk, author=author, text="Пропозиція до пункту.", clause_id=foreign.pk
        ),
    )


def test_too_short_proposals_are_refused(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    author = UserFactory()
    refused(ValidationFailed, "proposal_too_short", lambda: propose(consultation, author=author, text="  так  "))


def test_no_proposals_before_opening_or_after_the_deadline(refused: Refused, frozen: time_machine.Traveller) -> None:
    draft = ConsultationFactory()
    author = UserFactory()
    refused(NotAllowed, "consultation_not_open", lambda: propose(draft, author=author))
    consultation = ConsultationFactory(state=S.OPEN)
    frozen.move_to(consultation.closes_at + dt.timedelta(seconds=1))  # passed, not yet closed by the job
    refused(NotAllowed, "consultation_not_open", lambda: propose(consultation, author=author))


# --- moderation ---------------------------------------------------------------------------------


def test_a_moderator_hides_forbidden_content_with_a_reason() -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    proposal = propose(consultation)
    moderator = official_of(consultation.authority, Role.MODERATOR)

    services.proposal_hide(proposal_id=proposal.pk, moderator=moderator, reason=ModerationReason.OBSCENE, note="Лайка.")

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.HIDDEN
    assert proposal.moderation_reason == ModerationReason.OBSCENE
    assert proposal.moderated_by == moderator
    assert tags(proposal) == ["proposal:submit", "proposal:hide"]


def test_hiding_is_refused_without_a_listed_reason_by_outsiders_and_twice(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    proposal = propose(consultation)
    moderator = official_of(consultation.authority, Role.MODERATOR)
    outsider = official_of(AuthorityFactory(), Role.MODERATOR)

    refused(
        ValidationFailed,
        "moderation_reason_invalid",
        lambda: services.proposal_hide(proposal_id=proposal.pk, moderator=moderator, reason="dislike"),
    )
    refused(
        NotAllowed,
        "not_moderator",
        lambda: services.proposal_hide(proposal_id=proposal.pk, moderator=outsider, reason=ModerationReason.OBSCENE),
    )
    services.proposal_hide(proposal_id=proposal.pk, moderator=moderator, reason=ModerationReason.OBSCENE)
    # The proposal state machine refuses a second hiding (and the database is as it was).
    refused(
        InvalidTransition,
        "proposal_cannot_hide",
        lambda: services.proposal_hide(proposal_id=proposal.pk, moderator=moderator, reason=ModerationReason.HATRED),
    )


@pytest.mark.parametrize("verb", sorted(PROPOSAL_MACHINE.transitions))
@pytest.mark.parametrize("state", list(ProposalStatus))
def test_the_proposal_machine_hides_and_decides_only_published_proposals(verb: str, state: ProposalStatus) -> None:
    if state == ProposalStatus.PUBLISHED:
        assert PROPOSAL_MACHINE.target(verb, state) in set(ProposalStatus)
    else:
        with pytest.raises(InvalidTransition) as info:
            PROPOSAL_MACHINE.target(verb, state)
        assert info.value.code == f"proposal_cannot_{verb}"


def test_a_decided_proposal_cannot_be_hidden(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=1)
    proposal = consultation.proposals.get()
    official = consultation.created_by
    services.proposal_decide(proposal_id=proposal.pk, official=official, decision=Decision.ACCEPTED)
    refused(
        Conflict,
        "proposal_already_decided",
        lambda: services.proposal_hide(proposal_id=proposal.pk, moderator=official, reason=ModerationReason.OBSCENE),
    )


# --- close (chronograph) ------------------------------------------------------------------------


def test_the_job_closes_after_the_deadline_and_opens_the_duties(frozen: time_machine.Traveller) -> None:
    consultation = ConsultationFactory(state=S.OPEN)
    kept, also, hidden = propose(consultation), propose(consultation, clause=None), propose(consultation)
    services.proposal_hide(
        proposal_id=hidden.pk,
        moderator=official_of(consultation.authority, Role.MODERATOR),
        reason=ModerationReason.ADVERTISING,
    )

    frozen.move_to(consultation.closes_at - dt.timedelta(seconds=1))
    assert services.consultation_deadlines_apply() == 0
    frozen.move_to(consultation.closes_at + dt.timedelta(minutes=1))  # 26 Dec 00:00:59 Kyiv
    assert services.consultation_deadlines_apply() == 1
    assert services.consultation_deadlines_apply() == 0  # idempotent
    assert services.consultation_close(consultation_id=consultation.pk) is None

    consultation.refresh_from_db()
    assert consultation.status == S.CLOSED
    # 14 days from the deadline (the end of 25 Dec), not from when the job ran: Thursday 8 Jan.
    assert consultation.report_due_at == end_of(2026, 1, 8)
    assert consultation.rules_applied["report_due_at"]["confidence"] == "M"
    for proposal in (kept, also):
        duty = obligation(services.PROPOSAL_DECISION, proposal)
        assert duty.due_at == consultation.report_due_at
        assert duty.outcome == ObligationOutcome.OPEN
        assert duty.authority_id == consultation.authority_id
    assert not Obligation.objects.filter(kind=services.PROPOSAL_DECISION, subject_id=str(hidden.pk)).exists()
    assert obligation(services.REPORT, consultation).due_at == consultation.report_due_at
    assert tags(consultation).count("consultation:close") == 1


def test_the_chronograph_runs_the_close_job() -> None:
    names = {job.name: job for job in chronograph.jobs()}
    assert names["consultations.deadlines"].func == services.consultation_deadlines_apply


def test_hiding_after_the_deadline_cancels_the_duty_to_decide() -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=1)
    proposal = consultation.proposals.get()
    services.proposal_hide(
        proposal_id=proposal.pk,
        moderator=official_of(consultation.authority, Role.MODERATOR),
        reason=ModerationReason.PERSONAL_DATA,
    )
    assert obligation(services.PROPOSAL_DECISION, proposal).outcome == ObligationOutcome.CANCELLED


# --- decisions and the report -------------------------------------------------------------------


def test_decisions_close_each_proposals_duty() -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=2)
    official = consultation.created_by
    first, second = consultation.proposals.order_by("pk")

    services.proposal_decide(proposal_id=first.pk, official=official, decision=Decision.ACCEPTED)
    services.proposal_decide(
        proposal_id=second.pk,
        official=official,
        decision=Decision.PARTIALLY_ACCEPTED,
        reason="Строк скорочено до двох днів, а не до одного.",
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.decision, first.decision_reason, first.decided_by) == (Decision.ACCEPTED, "", official)
    assert second.decision == Decision.PARTIALLY_ACCEPTED
    assert second.decided_at == NOW
    for proposal in (first, second):
        duty = obligation(services.PROPOSAL_DECISION, proposal)
        assert duty.outcome == ObligationOutcome.FULFILLED
        assert duty.closed_at == NOW
    assert obligation(services.REPORT, consultation).outcome == ObligationOutcome.OPEN


@pytest.mark.parametrize("decision", [Decision.REJECTED, Decision.PARTIALLY_ACCEPTED])
def test_rejecting_in_whole_or_part_needs_a_reason(refused: Refused, decision: str) -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=1)
    proposal = consultation.proposals.get()
    error = refused(
        ValidationFailed,
        "decision_reason_required",
        lambda: services.proposal_decide(
            proposal_id=proposal.pk, official=consultation.created_by, decision=decision, reason=" ні "
        ),
    )
    assert error.field == "reason"


def test_decisions_are_refused_while_open_by_outsiders_on_hidden_proposals_and_unknown_values(
    refused: Refused,
) -> None:
    open_one = ConsultationFactory(state=S.OPEN, proposals=1)
    refused(
        InvalidTransition,
        "consultation_cannot_decide",
        lambda: services.proposal_decide(
            proposal_id=open_one.proposals.get().pk, official=open_one.created_by, decision=Decision.ACCEPTED
        ),
    )
    closed = ConsultationFactory(state=S.CLOSED, proposals=2)
    first, second = closed.proposals.order_by("pk")
    outsider = official_of(AuthorityFactory())
    refused(
        NotAllowed,
        "not_official",
        lambda: services.proposal_decide(proposal_id=first.pk, official=outsider, decision=Decision.ACCEPTED),
    )
    refused(
        ValidationFailed,
        "decision_invalid",
        lambda: services.proposal_decide(proposal_id=first.pk, official=closed.created_by, decision="maybe"),
    )
    services.proposal_hide(proposal_id=second.pk, moderator=closed.created_by, reason=ModerationReason.OBSCENE)
    refused(
        InvalidTransition,
        "proposal_cannot_decide",
        lambda: services.proposal_decide(proposal_id=second.pk, official=closed.created_by, decision=Decision.ACCEPTED),
    )


def test_the_report_waits_for_every_decision(refused: Refused) -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=2)
    official = consultation.created_by
    first = consultation.proposals.order_by("pk").first()
    assert first is not None
    services.proposal_decide(proposal_id=first.pk, official=official, decision=Decision.ACCEPTED)

    error = refused(
        ValidationFailed,
        "decisions_missing",
        lambda: services.consultation_publish_report(
            consultation_id=consultation.pk, official=official, summary=REPORT_SUMMARY
        ),
    )
    assert "1" in str(error.message)


def test_publishing_the_report_closes_its_duty_and_notifies(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    consultation = ConsultationFactory(state=S.CLOSED, proposals=1)
    official = consultation.created_by
    services.proposal_decide(
        proposal_id=consultation.proposals.get().pk,
        official=official,
        decision=Decision.REJECTED,
        reason="Суперечить закону про державну реєстрацію.",
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.consultation_publish_report(consultation_id=consultation.pk, official=official, summary=REPORT_SUMMARY)

    consultation.refresh_from_db()
    assert consultation.status == S.REPORT_PUBLISHED
    assert consultation.report_published_at == NOW
    assert consultation.report_summary == REPORT_SUMMARY
    duty = obligation(services.REPORT, consultation)
    assert duty.outcome == ObligationOutcome.FULFILLED
    assert duty.closed_at == NOW
    assert tags(consultation)[-1] == "consultation:report"
    assert len(callbacks) == 1


def test_the_report_is_refused_before_closing_with_a_short_summary_and_by_outsiders(refused: Refused) -> None:
    open_one = ConsultationFactory(state=S.OPEN)
    refused(
        InvalidTransition,
        "consultation_cannot_publish_report",
        lambda: services.consultation_publish_report(
            consultation_id=open_one.pk, official=open_one.created_by, summary=REPORT_SUMMARY
        ),
    )
    closed = ConsultationFactory(state=S.CLOSED)
    outsider = official_of(AuthorityFactory())
    refused(
        ValidationFailed,
        "report_summary_too_short",
        lambda: services.consultation_publish_report(
            consultation_id=closed.pk, official=closed.created_by, summary="Ок"
        ),
    )
    refused(
        NotAllowed,
        "not_official",
        lambda: services.consultation_publish_report(
            consultation_id=closed.pk, official=outsider, summary=REPORT_SUMMARY
        ),
    )


def test_a_consultation_without_proposals_reports_at_once() -> None:
    consultation = ConsultationFactory(state=S.REPORT_PUBLISHED)
    assert consultation.status == S.REPORT_PUBLISHED
    assert obligation(services.REPORT, consultation).outcome == ObligationOutcome.FULFILLED


# --- subscriptions ------------------------------------------------------------------------------


def test_subscribing_to_an_authority_a_topic_or_both(refused: Refused) -> None:
    user = UserFactory()
    authority = AuthorityFactory()
    services.subscription_add(user=user, authority=authority)
    services.subscription_add(user=user, topic=Topic.ENVIRONMENT)
    pair = services.subscription_add(user=user, authority=authority, topic=Topic.ENVIRONMENT)
    assert Subscription.objects.filter(user=user).count() == 3

    refused(ValidationFailed, "subscription_empty", lambda: services.subscription_add(user=user))
    refused(Conflict, "already_subscribed", lambda: services.subscription_add(user=user, topic=Topic.ENVIRONMENT))
    refused(Conflict, "already_subscribed", lambda: services.subscription_add(user=user, authority=authority))
    unverified = UnverifiedUserFactory()
    refused(
        NotAllowed,
        "email_not_verified",
        lambda: services.subscription_add(user=unverified, authority=authority),
    )
    stranger = UserFactory()
    refused(
        NotFound,
        "subscription_not_found",
        lambda: services.subscription_remove(subscription_id=pair.pk, user=stranger),
    )

    services.subscription_remove(subscription_id=pair.pk, user=user)
    assert Subscription.objects.filter(user=user).count() == 2


def test_models_guard_the_invariants_the_services_keep() -> None:
    """Direct writes that skip the services still cannot store a hidden proposal without a reason."""
    from django.db import IntegrityError, transaction

    consultation = ConsultationFactory(state=S.OPEN, proposals=1)
    proposal = consultation.proposals.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.HIDDEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(decision=Decision.REJECTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=UserFactory(), created_at=NOW)
    assert Consultation.objects.filter(pk=consultation.pk, status=S.OPEN).exists()
    assert Membership.objects.exists()

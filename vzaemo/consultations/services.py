"""Every write to consultations (docs/design.md rule 1): one named, locked, audited service per change."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vzaemo.accounts.models import Authority, CivilSocietyOrganisation, User
from vzaemo.consultations import permissions, rules, tasks
from vzaemo.consultations.errors import ConsultationError
from vzaemo.consultations.models import Clause, Consultation, Proposal, Subscription
from vzaemo.consultations.permissions import ConsultationAction, ProposalAction
from vzaemo.consultations.states import (
    CONSULTATION_MACHINE,
    NEEDS_REASON,
    PROPOSAL_MACHINE,
    ConsultationStatus,
    Decision,
    ModerationReason,
    ProposalStatus,
    Topic,
)
from vzaemo.core import audit, calendar, clock, idempotency, obligations
from vzaemo.core import rules as registry
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vzaemo.core.models import ObligationOutcome

logger = logging.getLogger("vzaemo.consultations")

# The duties the responsiveness index counts (core.Obligation kinds).
PROPOSAL_DECISION = "consultation.proposal_decision"
REPORT = "consultation.report"

TITLE_MAX = 300
SUMMARY_MAX = 5_000
NOTICE_FIELD_MAX = 3_000
PROPOSALS_FORM_MAX = 2_000
DRAFT_MAX = 200_000
PROPOSAL_MIN = 10
PROPOSAL_MAX = 5_000
REASON_MIN = 10
REPORT_SUMMARY_MIN = 20

S = ConsultationStatus


def _snapshot(consultation: Consultation) -> dict[str, Any]:
    return {"status": consultation.status, "closes_at": consultation.closes_at.isoformat()}


def _locked(consultation_id: int) -> Consultation:
    try:
        return Consultation.objects.select_for_update().get(pk=consultation_id)
    except Consultation.DoesNotExist:
        raise NotFound(_("There is no such consultation."), code=ConsultationError.CONSULTATION_NOT_FOUND) from None


def _locked_proposal(proposal_id: int) -> tuple[Consultation, Proposal]:
    """The consultation first, then the proposal: every writer takes the locks in this order."""
    consultation_id = Proposal.objects.filter(pk=proposal_id).values_list("consultation_id", flat=True).first()
    if consultation_id is None:
        raise NotFound(_("There is no such proposal."), code=ConsultationError.PROPOSAL_NOT_FOUND)
    consultation = _locked(consultation_id)
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    proposal.consultation = consultation  # the locked row, read once: its permissions are judged on it
    return consultation, proposal


def _require_official(user: User) -> None:
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in first."), code=ConsultationError.SIGN_IN_REQUIRED)


# --- the notice and its draft ------------------------------------------------------------------


def _required(value: str, *, field: str, message: str, limit: int, collapse: bool = False) -> str:
    value = " ".join((value or "").split()) if collapse else (value or "").strip()
    if not value:
        raise ValidationFailed(message, code=ConsultationError(f"{field}_required"), field=field)
    if len(value) > limit:
        raise ValidationFailed(_("This text is too long."), code=ConsultationError(f"{field}_too_long"), field=field)
    return value


def _clean_notice(
    *,
    title: str,
    summary: str,
    affected_groups: str,
    consequences: str,
    contact_email: str,
    proposals_form: str,
    topic: str,
    draft_text: str,
    closes_on: dt.date | None,
) -> dict[str, Any]:
    """Every item of the notice (Res. 996 p. 17) is required; the first missing one is reported."""
    cleaned: dict[str, Any] = {
        "title": _required(
            title, field="title", message=_("Give the title of the draft act."), limit=TITLE_MAX, collapse=True
        ),
        "summary": _required(summary, field="summary", message=_("Summarise the draft act."), limit=SUMMARY_MAX),
        "affected_groups": _required(
            affected_groups,
            field="affected_groups",
            message=_("Name the social groups and stakeholders the draft affects."),
            limit=NOTICE_FIELD_MAX,
        ),
        "consequences": _required(
            consequences,
            field="consequences",
            message=_("Describe the possible consequences of the act."),
            limit=NOTICE_FIELD_MAX,
        ),
    }
    contact_email = (contact_email or "").strip()
    try:
        validate_email(contact_email)
    except ValidationError:
        raise ValidationFailed(
            _("Give a valid email address for proposals."),
            code=ConsultationError.CONTACT_EMAIL_INVALID,
            field="contact_email",
        ) from None
    cleaned["contact_email"] = contact_email
    cleaned["proposals_form"] = _required(
        proposals_form,
        field="proposals_form",
        message=_("Say in what form proposals are accepted."),
        limit=PROPOSALS_FORM_MAX,
    )
    if topic not in Topic.values:
        raise ValidationFailed(_("Choose a topic from the list."), code=ConsultationError.TOPIC_INVALID, field="topic")
    cleaned["topic"] = topic
    draft_text = _required(
        draft_text, field="draft_text", message=_("Paste the text of the draft act."), limit=DRAFT_MAX
    )
    if len(rules.split_clauses(draft_text)) > rules.MAX_CLAUSES:
        raise ValidationFailed(
            _("The draft splits into too many clauses."),
            code=ConsultationError.DRAFT_TEXT_TOO_MANY_CLAUSES,
            field="draft_text",
        )
    cleaned["draft_text"] = draft_text
    if closes_on is None:
        raise ValidationFailed(
            _("Set the deadline for proposals."), code=ConsultationError.CLOSES_ON_REQUIRED, field="closes_on"
        )
    if closes_on <= clock.today():
        raise ValidationFailed(
            _("The deadline for proposals must be a future date."),
            code=ConsultationError.CLOSES_ON_PAST,
            field="closes_on",
        )
    cleaned["closes_at"] = calendar.end_of_day(closes_on)
    return cleaned


def _write_clauses(consultation: Consultation) -> None:
    consultation.clauses.all().delete()
    clauses = rules.split_clauses(consultation.draft_text)
    Clause.objects.bulk_create(
        Clause(consultation=consultation, number=i, label=label, text=text)
        for i, (label, text) in enumerate(zip(rules.clause_labels(clauses), clauses, strict=True), start=1)
    )


@transaction.atomic
def consultation_create(
    *,
    official: User,
    authority: Authority,
    closes_on: dt.date | None,
    idempotency_key: str | None = None,
    **notice: str,
) -> Consultation:
    """A draft notice; the draft text is split into numbered clauses for the official to review. A repeat
    with the same `idempotency_key` returns the first draft."""
    _require_official(official)
    if not authority.is_active or not permissions.can_manage_at(official, authority.pk):
        raise NotAllowed(
            _("Only an official of the authority may prepare its consultations."), code=ConsultationError.NOT_OFFICIAL
        )
    claim = idempotency.claim(
        scope=AuditTag.CONSULTATION_CREATE, key=idempotency_key, actor=official, model=Consultation
    )
    if claim.first is not None:
        return claim.first
    cleaned = _clean_notice(closes_on=closes_on, **notice)
    now = clock.now()
    consultation = Consultation.objects.create(
        authority=authority,
        created_by=official,
        status=S.DRAFT,
        created_at=now,
        updated_at=now,
        **cleaned,
    )
    _write_clauses(consultation)
    audit.record(
        actor=official,
        subject=consultation,
        tag=AuditTag.CONSULTATION_CREATE,
        before=None,
        after={**_snapshot(consultation), "title": consultation.title, "clauses": consultation.clauses.count()},
    )
    return claim.settle(consultation)


@transaction.atomic
def consultation_update_draft(
    *, consultation_id: int, official: User, closes_on: dt.date | None, **notice: str
) -> Consultation:
    consultation = _locked(consultation_id)
    permissions.consultation_check(official, consultation, ConsultationAction.EDIT)
    cleaned = _clean_notice(closes_on=closes_on, **notice)
    before = {"title": consultation.title, "closes_at": consultation.closes_at.isoformat()}
    for field, value in cleaned.items():
        setattr(consultation, field, value)
    consultation.updated_at = clock.now()
    consultation.save()
    _write_clauses(consultation)
    audit.record(
        actor=official,
        subject=consultation,
        tag=AuditTag.CONSULTATION_EDIT,
        before=before,
        after={"title": consultation.title, "closes_at": consultation.closes_at.isoformat()},
    )
    return consultation


@transaction.atomic
def consultation_open(*, consultation_id: int, official: User) -> Consultation:
    """Publish the notice and the draft: proposals are accepted until `closes_at`, at least the minimum term."""
    consultation = _locked(consultation_id)
    permissions.consultation_check(official, consultation, ConsultationAction.OPEN)
    target = CONSULTATION_MACHINE.target("open", consultation.status_enum)
    if not consultation.clauses.exists():
        raise ValidationFailed(
            _("The draft has no clauses to comment on."), code=ConsultationError.NO_CLAUSES, field="draft_text"
        )
    now = clock.now()
    minimum = registry.get(rules.MIN_DURATION, authority=consultation.authority)
    earliest = rules.earliest_close(now, minimum)
    if consultation.closes_at < earliest:
        raise ValidationFailed(
            _(
                "A consultation must last at least %(n)s days: opened today, the deadline for proposals can be "
                "no earlier than %(date)s."
            )
            % {"n": minimum.as_int, "date": calendar.kyiv_date(earliest).strftime("%d.%m.%Y")},
            code=ConsultationError.CONSULTATION_TOO_SHORT,
            field="closes_on",
        )
    publication = registry.get(rules.PROPOSAL_PUBLICATION_TERM, authority=consultation.authority)
    before = _snapshot(consultation)
    consultation.status = target
    consultation.opens_at = now
    consultation.rules_applied = {
        **consultation.rules_applied,
        "closes_at": minimum.citation(),
        "proposal_publication": publication.citation(),
    }
    consultation.updated_at = now
    consultation.save()
    audit.record(
        actor=official,
        subject=consultation,
        tag=AuditTag.CONSULTATION_OPEN,
        before=before,
        after=_snapshot(consultation),
    )
    _enqueue_on_commit("notify_opened", consultation.pk)
    return consultation


@transaction.atomic
def consultation_close(*, consultation_id: int) -> Consultation | None:
    """The deadline passed: stop accepting proposals and open the duties to decide and report (chronograph; idempotent)."""
    consultation = _locked(consultation_id)
    now = clock.now()
    if consultation.status != S.OPEN or consultation.closes_at > now:
        return None
    term = registry.get(rules.REPORT_TERM, authority=consultation.authority)
    before = _snapshot(consultation)
    consultation.status = CONSULTATION_MACHINE.target("close", consultation.status_enum)
    consultation.closed_at = now
    # The term runs from the deadline for proposals, not from whenever the job noticed it passed.
    deadline = consultation.closes_at
    consultation.report_due_at = rules.due(deadline, term)
    consultation.rules_applied = {**consultation.rules_applied, "report_due_at": term.citation()}
    consultation.updated_at = now
    consultation.save()
    published = Proposal.objects.filter(consultation=consultation, status=ProposalStatus.PUBLISHED)
    for proposal in published.filter(decision=""):
        obligations.open_obligation(
            authority_id=consultation.authority_id,
            kind=PROPOSAL_DECISION,
            subject=proposal,
            due_at=consultation.report_due_at,
            rule=term.citation(),
            opened_at=deadline,
        )
    obligations.open_obligation(
        authority_id=consultation.authority_id,
        kind=REPORT,
        subject=consultation,
        due_at=consultation.report_due_at,
        rule=term.citation(),
        opened_at=deadline,
    )
    audit.record(
        actor=None,
        subject=consultation,
        tag=AuditTag.CONSULTATION_CLOSE,
        before=before,
        after={**_snapshot(consultation), "proposals": published.count()},
    )
    return consultation


def consultation_deadlines_apply() -> int:
    """Close every consultation whose deadline passed; safe to run any number of times, anywhere."""
    done = 0
    for pk in Consultation.objects.filter(status=S.OPEN, closes_at__lte=clock.now()).values_list("pk", flat=True):
        done += consultation_close(consultation_id=pk) is not None
    return done


# --- proposals ----------------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(
    *,
    consultation_id: int,
    author: User,
    text: str,
    clause_id: int | None = None,
    cso: CivilSocietyOrganisation | None = None,
    idempotency_key: str | None = None,
) -> Proposal:
    """A signed-in, verified person's proposal, published at once (well within the publication term).
    A repeat with the same `idempotency_key` returns the first proposal, even once the consultation closed."""
    # Locked so that a proposal cannot slip in beside the close that opens the duties to decide.
    consultation = _locked(consultation_id)
    claim = idempotency.claim(scope=AuditTag.PROPOSAL_SUBMIT, key=idempotency_key, actor=author, model=Proposal)
    if claim.first is not None:
        return claim.first
    permissions.consultation_check(author, consultation, ConsultationAction.PROPOSE)
    now = clock.now()
    clause = None
    if clause_id is not None:
        clause = Clause.objects.filter(pk=clause_id, consultation=consultation).first()
        if clause is None:
            raise ValidationFailed(
                _("Choose a clause of this draft."), code=ConsultationError.CLAUSE_INVALID, field="clause"
            )
    if cso is not None and not permissions.can_act_for(author, cso):
        raise NotAllowed(
            _("You can make proposals on behalf of an organisation only as its representative."),
            code=ConsultationError.NOT_CSO_REPRESENTATIVE,
        )
    text = (text or "").strip()
    if len(text) < PROPOSAL_MIN:
        raise ValidationFailed(
            _("Write a proposal of at least %(n)d characters.") % {"n": PROPOSAL_MIN},
            code=ConsultationError.PROPOSAL_TOO_SHORT,
            field="text",
        )
    if len(text) > PROPOSAL_MAX:
        raise ValidationFailed(_("The proposal is too long."), code=ConsultationError.PROPOSAL_TOO_LONG, field="text")
    proposal = Proposal.objects.create(
        consultation=consultation,
        clause=clause,
        author=author,
        author_name=author.full_name.strip(),
        cso=cso,
        text=text,
        created_at=now,
        status=ProposalStatus.PUBLISHED,
    )
    audit.record(
        actor=author,
        subject=proposal,
        tag=AuditTag.PROPOSAL_SUBMIT,
        before=None,
        after={"consultation": consultation.pk, "clause": clause and clause.number, "cso": cso and cso.pk},
    )
    return claim.settle(proposal)


@transaction.atomic
def proposal_hide(*, proposal_id: int, moderator: User, reason: str, note: str = "") -> Proposal:
    """Hide a proposal with forbidden content, giving the reason from the list (the author sees it)."""
    _consultation, proposal = _locked_proposal(proposal_id)
    permissions.proposal_check(moderator, proposal, ProposalAction.HIDE)
    if reason not in ModerationReason.values:
        raise ValidationFailed(
            _("Choose a reason from the list."), code=ConsultationError.MODERATION_REASON_INVALID, field="reason"
        )
    target = PROPOSAL_MACHINE.target("hide", proposal.status_enum)
    now = clock.now()
    before = {"status": proposal.status}
    proposal.status = target
    proposal.moderation_reason = reason
    proposal.moderation_note = (note or "").strip()
    proposal.moderated_at = now
    proposal.moderated_by = moderator
    proposal.save()
    # After the deadline, a hidden proposal no longer needs a decision.
    obligations.close_obligation(kind=PROPOSAL_DECISION, subject=proposal, outcome=ObligationOutcome.CANCELLED, at=now)
    audit.record(
        actor=moderator,
        subject=proposal,
        tag=AuditTag.PROPOSAL_HIDE,
        before=before,
        after={"status": proposal.status, "reason": reason},
    )
    return proposal


@transaction.atomic
def proposal_decide(*, proposal_id: int, official: User, decision: str, reason: str = "") -> Proposal:
    """Record accepted / partially accepted / rejected; a reason is required unless accepted in full."""
    consultation, proposal = _locked_proposal(proposal_id)
    permissions.proposal_check(official, proposal, ProposalAction.DECIDE)
    target = PROPOSAL_MACHINE.target("decide", proposal.status_enum)
    if decision not in Decision.values:
        raise ValidationFailed(_("Choose a decision."), code=ConsultationError.DECISION_INVALID, field="decision")
    reason = (reason or "").strip()
    if decision in NEEDS_REASON and len(reason) < REASON_MIN:
        raise ValidationFailed(
            _("Give the reason why the proposal is not accepted in full (at least %(n)d characters).")
            % {"n": REASON_MIN},
            code=ConsultationError.DECISION_REASON_REQUIRED,
            field="reason",
        )
    now = clock.now()
    before = {"decision": proposal.decision}
    proposal.status = target
    proposal.decision = decision
    proposal.decision_reason = reason
    proposal.decided_at = now
    proposal.decided_by = official
    proposal.save()
    obligations.close_obligation(kind=PROPOSAL_DECISION, subject=proposal, at=now)
    audit.record(
        actor=official,
        subject=proposal,
        tag=AuditTag.PROPOSAL_DECIDE,
        before=before,
        after={"decision": decision, "on_time": bool(consultation.report_due_at and now <= consultation.report_due_at)},
    )
    return proposal


@transaction.atomic
def consultation_publish_report(*, consultation_id: int, official: User, summary: str) -> Consultation:
    """Publish the report: participants, proposals and the decision on each, and the decisions taken."""
    consultation = _locked(consultation_id)
    permissions.consultation_check(official, consultation, ConsultationAction.PUBLISH_REPORT)
    target = CONSULTATION_MACHINE.target("publish_report", consultation.status_enum)
    undecided = Proposal.objects.filter(consultation=consultation, status=ProposalStatus.PUBLISHED, decision="")
    missing = undecided.count()
    if missing:
        raise ValidationFailed(
            _("Record a decision on every proposal first: %(n)d without a decision.") % {"n": missing},
            code=ConsultationError.DECISIONS_MISSING,
        )
    summary = (summary or "").strip()
    if len(summary) < REPORT_SUMMARY_MIN:
        raise ValidationFailed(
            _("Describe the decisions taken after the consultation (at least %(n)d characters).")
            % {"n": REPORT_SUMMARY_MIN},
            code=ConsultationError.REPORT_SUMMARY_TOO_SHORT,
            field="summary",
        )
    now = clock.now()
    before = _snapshot(consultation)
    consultation.status = target
    consultation.report_summary = summary
    consultation.report_published_at = now
    consultation.report_published_by = official
    consultation.updated_at = now
    consultation.save()
    obligations.close_obligation(kind=REPORT, subject=consultation, at=now)
    audit.record(
        actor=official,
        subject=consultation,
        tag=AuditTag.CONSULTATION_REPORT,
        before=before,
        after={
            **_snapshot(consultation),
            "on_time": bool(consultation.report_due_at and now <= consultation.report_due_at),
        },
    )
    _enqueue_on_commit("notify_report_published", consultation.pk)
    return consultation


# --- subscriptions ------------------------------------------------------------------------------


def subscription_add(*, user: User, authority: Authority | None = None, topic: str = "") -> Subscription:
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in to subscribe."), code=ConsultationError.SIGN_IN_REQUIRED)
    if not user.email_verified:
        raise NotAllowed(_("Confirm your email address before subscribing."), code=ConsultationError.EMAIL_NOT_VERIFIED)
    topic = topic or ""
    if topic and topic not in Topic.values:
        raise ValidationFailed(_("Choose a topic from the list."), code=ConsultationError.TOPIC_INVALID, field="topic")
    if authority is None and not topic:
        raise ValidationFailed(
            _("Choose an authority, a topic, or both."), code=ConsultationError.SUBSCRIPTION_EMPTY, field="authority"
        )
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                user=user, authority=authority, topic=topic, created_at=clock.now()
            )
            audit.record(
                actor=user,
                subject=subscription,
                tag=AuditTag.CONSULTATION_SUBSCRIBE,
                before=None,
                after={"authority": authority and authority.pk, "topic": topic},
            )
    except IntegrityError:
        raise Conflict(_("You already have this subscription."), code=ConsultationError.ALREADY_SUBSCRIBED) from None
    return subscription


@transaction.atomic
def subscription_remove(*, subscription_id: int, user: User) -> None:
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None or subscription.user_id != user.pk:
        raise NotFound(_("There is no such subscription."), code=ConsultationError.SUBSCRIPTION_NOT_FOUND)
    audit.record(
        actor=user,
        subject=subscription,
        tag=AuditTag.CONSULTATION_UNSUBSCRIBE,
        before={"authority": subscription.authority_id, "topic": subscription.topic},
        after=None,
    )
    subscription.delete()


def _enqueue_on_commit(task_name: str, consultation_id: int) -> None:
    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(consultation_id))

"""Every write to appeals (docs/design.md rule 1): one named, locked, audited service per change.

Each service keeps the authority's duties (core.Obligation) in step, in the same transaction:

* ``appeal.registration`` — opened when a body receives an appeal (submission or forwarding), due
  within the forwarding term (5 days, art. 7): register it or forward it to the competent body.
* ``appeal.answer`` — opened at registration, due at the answer term (15 days or 1 month from
  receipt, art. 20); moved by a lawful extension (never past 45 days); closed FULFILLED by an
  answer or a written refusal, TRANSFERRED when the appeal is forwarded after registration.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vzaemo.accounts.models import Authority, AuthorityKind, User
from vzaemo.appeals import permissions, rules, tasks
from vzaemo.appeals.errors import AppealError
from vzaemo.appeals.models import Appeal, AppealEvent
from vzaemo.appeals.permissions import AppealAction
from vzaemo.appeals.states import (
    APPEAL_MACHINE,
    AnswerTerm,
    AppealCategory,
    AppealKind,
    AppealStatus,
    EventKind,
    RefusalReason,
)
from vzaemo.core import audit, calendar, clock, idempotency, obligations
from vzaemo.core import rules as registry
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vzaemo.core.models import ObligationOutcome

# The duties the responsiveness index counts (core.Obligation kinds).
REGISTRATION = "appeal.registration"
ANSWER = "appeal.answer"

ESSENCE_MAX = 10_000
ANSWER_MIN = 20
REASONS_MIN = 20


def _snapshot(appeal: Appeal) -> dict[str, Any]:
    return {
        "status": appeal.status,
        "authority": appeal.authority_id,
        "due_at": appeal.due_at.isoformat() if appeal.due_at else None,
    }


def _locked(appeal_id: int) -> Appeal:
    try:
        return Appeal.objects.select_for_update().get(pk=appeal_id)
    except Appeal.DoesNotExist:
        raise NotFound(_("There is no such appeal."), code=AppealError.APPEAL_NOT_FOUND) from None


def _transition(appeal: Appeal, verb: str) -> AppealStatus:
    return APPEAL_MACHINE.target(verb, appeal.status_enum)


def _event(
    appeal: Appeal,
    kind: EventKind,
    *,
    actor: User | None,
    at: dt.datetime,
    params: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """One step of the history: codes and values in `params`, rendered in the reader's language when shown."""
    AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        actor=actor,
        authority_id=appeal.authority_id,
        at=at,
        params=params or {},
        note=note,
    )


def _save(appeal: Appeal, now: dt.datetime) -> None:
    appeal.updated_at = now
    appeal.save()


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _check_photo(photo: File[bytes] | None) -> tuple[str, str] | None:
    """JPEG or PNG only, by the file's first bytes (never its name or declared type); at most 5 MB."""
    if photo is None:
        return None
    if photo.size is None or photo.size > rules.PHOTO_MAX_BYTES:
        raise ValidationFailed(_("The photo is larger than 5 MB."), code=AppealError.PHOTO_TOO_LARGE, field="photo")
    photo.seek(0)
    head = photo.read(16)
    photo.seek(0)
    kind = rules.sniff_photo(head)
    if kind is None:
        raise ValidationFailed(
            _("The photo must be a JPEG or PNG image."), code=AppealError.PHOTO_TYPE_NOT_ALLOWED, field="photo"
        )
    return kind


def _open_registration(appeal: Appeal, now: dt.datetime) -> None:
    term = registry.get(rules.FORWARD_TERM, authority=appeal.authority)
    appeal.registration_due_at = rules.due(now, term)
    appeal.rules_applied = {**appeal.rules_applied, "registration_due_at": term.citation()}
    appeal.save(update_fields=["registration_due_at", "rules_applied"])
    obligations.open_obligation(
        authority_id=appeal.authority_id,
        kind=REGISTRATION,
        subject=appeal,
        due_at=appeal.registration_due_at,
        rule=term.citation(),
        opened_at=now,
    )


def _check_complaint_target(*, authority: Authority, complaint_about: Appeal | None) -> None:
    """Art. 7: a complaint may not be sent to the body (or the official) complained about."""
    if complaint_about is not None and complaint_about.authority_id == authority.pk:
        raise ValidationFailed(
            _("A complaint may not be addressed to the body it complains about."),
            code=AppealError.COMPLAINT_TO_SAME_BODY,
            field="authority",
        )


def _same_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _refuse_likely_duplicate(*, applicant: User, authority: Authority, essence: str, now: dt.datetime) -> None:
    """A hint, not a guarantee (an exact resend is caught by its idempotency key): the applicant's appeal
    to this body with the same text, up to case and spacing, within VZAEMO_APPEAL_DUPLICATE_SECONDS."""
    since = now - dt.timedelta(seconds=settings.VZAEMO_APPEAL_DUPLICATE_SECONDS)
    text = _same_text(essence)
    recent = Appeal.objects.filter(applicant=applicant, authority=authority, received_at__gte=since)
    for received_at, earlier in recent.order_by("-received_at").values_list("received_at", "essence"):
        if _same_text(earlier) == text:
            raise ValidationFailed(
                _(
                    "On %(when)s you already filed an appeal with this text to this authority. "
                    "To file it again, tick the box below and send the form."
                )
                % {"when": f"{received_at.astimezone(clock.KYIV):%d.%m.%Y %H:%M}"},
                code=AppealError.DUPLICATE_SUSPECTED,
                field="duplicate_confirmed",
            )


@transaction.atomic
def appeal_submit(  # noqa: PLR0912, PLR0915 - art. 5's requirements checked in order, each with its own error
    *,
    applicant: User,
    authority: Authority,
    kind: str,
    essence: str,
    full_name: str,
    place_of_residence: str,
    email: str,
    category: str = AppealCategory.GENERAL,
    location_text: str = "",
    photo: File[bytes] | None = None,
    complaint_about: Appeal | None = None,
    idempotency_key: str | None = None,
    duplicate_confirmed: bool = False,
) -> Appeal:
    """File an appeal (art. 5: full name, place of residence, essence; an e-appeal also an email;
    no e-signature). The body must register or forward it within the forwarding term.

    A repeat with the same `idempotency_key` returns the first appeal and files nothing. The same text to
    the same body within a day is refused until the applicant says they mean it (`duplicate_confirmed`):
    every appeal is a duty of the body, counted in its responsiveness."""
    if not applicant.is_authenticated:
        raise NotAllowed(_("Sign in to file an appeal."), code=AppealError.SIGN_IN_REQUIRED)
    if not applicant.email_verified:
        raise NotAllowed(_("Confirm your email address before filing an appeal."), code=AppealError.EMAIL_NOT_VERIFIED)
    claim = idempotency.claim(scope=AuditTag.APPEAL_SUBMIT, key=idempotency_key, actor=applicant, model=Appeal)
    if claim.first is not None:
        return claim.first
    full_name, place, email = " ".join((full_name or "").split()), _clean(place_of_residence), _clean(email)
    essence, location_text = _clean(essence), _clean(location_text)
    if kind not in AppealKind.values:
        raise ValidationFailed(_("Choose the type of the appeal."), code=AppealError.KIND_INVALID, field="kind")
    if category not in AppealCategory.values:
        raise ValidationFailed(_("Choose a category."), code=AppealError.CATEGORY_INVALID, field="category")
    if not full_name:
        raise ValidationFailed(
            _("The law requires your full name."), code=AppealError.FULL_NAME_REQUIRED, field="full_name"
        )
    if not place:
        raise ValidationFailed(
            _("The law requires your place of residence."),
            code=AppealError.RESIDENCE_REQUIRED,
            field="place_of_residence",
        )
    if not email:
        raise ValidationFailed(
            _("Give an email address for the answer."), code=AppealError.EMAIL_REQUIRED, field="email"
        )
    if not essence:
        raise ValidationFailed(
            _("Describe the essence of the appeal."), code=AppealError.ESSENCE_REQUIRED, field="essence"
        )
    if len(essence) > ESSENCE_MAX:
        raise ValidationFailed(
            pgettext("appeal", "The essence is too long."), code=AppealError.ESSENCE_TOO_LONG, field="essence"
        )
    if not authority.is_active:
        raise ValidationFailed(
            _("This authority does not accept appeals."), code=AppealError.AUTHORITY_INACTIVE, field="authority"
        )
    if category == AppealCategory.COMMUNITY_SAFETY:
        if authority.kind != AuthorityKind.POLICE_UNIT:
            raise ValidationFailed(
                _("Community-safety appeals go to a police unit."),
                code=AppealError.SAFETY_NEEDS_POLICE,
                field="authority",
            )
        if not location_text:
            raise ValidationFailed(
                _("Say where it happens: a community-safety appeal needs a location."),
                code=AppealError.LOCATION_REQUIRED,
                field="location_text",
            )
    if complaint_about is not None:
        if kind != AppealKind.COMPLAINT:
            raise ValidationFailed(
                _("Only a complaint refers to an earlier decision."), code=AppealError.KIND_INVALID, field="kind"
            )
        if complaint_about.applicant_id != applicant.pk:
            raise NotAllowed(
                _("You may complain only about decisions on your own appeals."), code=AppealError.NOT_APPLICANT
            )
        _check_complaint_target(authority=authority, complaint_about=complaint_about)
    photo_kind = _check_photo(photo)

    now = clock.now()
    if not duplicate_confirmed and complaint_about is None:  # a complaint is one per decision already
        _refuse_likely_duplicate(applicant=applicant, authority=authority, essence=essence, now=now)
    appeal = Appeal(
        applicant=applicant,
        full_name=full_name,
        place_of_residence=place,
        email=email,
        kind=kind,
        category=category,
        authority=authority,
        essence=essence,
        location_text=location_text,
        status=AppealStatus.SUBMITTED,
        received_at=now,
        registration_due_at=now,
        complaint_about=complaint_about,
        created_at=now,
        updated_at=now,
    )
    if photo is not None and photo_kind is not None:
        content_type, extension = photo_kind
        # A random name: the uploaded name never reaches the file system.
        appeal.photo.save(f"{uuid.uuid4().hex}.{extension}", photo, save=False)
        appeal.photo_type = content_type
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:
        if appeal.photo:
            appeal.photo.delete(save=False)
        raise Conflict(
            _("A complaint about this decision is already filed."), code=AppealError.COMPLAINT_EXISTS
        ) from None
    _open_registration(appeal, now)
    _event(appeal, EventKind.SUBMITTED, actor=applicant, at=now)
    audit.record(
        actor=applicant,
        subject=appeal,
        tag=AuditTag.APPEAL_SUBMIT,
        before=None,
        after={**_snapshot(appeal), "kind": kind, "category": category},
    )
    return claim.settle(appeal)


@transaction.atomic
def appeal_register(*, appeal_id: int, official: User, term: str) -> Appeal:
    """Register and choose the answer term (art. 20): 15 days without extra study, else 1 month,
    counted in calendar days from receipt (a term ending on a day off ends on the next working day)."""
    appeal = _locked(appeal_id)
    permissions.appeal_check(official, appeal, AppealAction.REGISTER)
    if term not in AnswerTerm.values:
        raise ValidationFailed(_("Choose the answer term."), code=AppealError.TERM_INVALID, field="term")
    target = _transition(appeal, "register")
    before = _snapshot(appeal)
    now = clock.now()
    rule = registry.get(rules.TERM_RULE[AnswerTerm(term)], authority=appeal.authority)
    appeal.status = target
    appeal.registered_at = now
    appeal.answer_term = term
    appeal.due_at = rules.due(appeal.received_at, rule)
    appeal.rules_applied = {**appeal.rules_applied, "due_at": rule.citation()}
    _save(appeal, now)
    obligations.close_obligation(kind=REGISTRATION, subject=appeal, at=now)
    obligations.open_obligation(
        authority_id=appeal.authority_id,
        kind=ANSWER,
        subject=appeal,
        due_at=appeal.due_at,
        rule=rule.citation(),
        opened_at=now,
    )
    _event(
        appeal,
        EventKind.REGISTERED,
        actor=official,
        at=now,
        params={"term": term, "value": rule.citation()["value"], "unit": rule.unit},
    )
    audit.record(actor=official, subject=appeal, tag=AuditTag.APPEAL_REGISTER, before=before, after=_snapshot(appeal))
    return appeal


@transaction.atomic
def appeal_forward(*, appeal_id: int, official: User, to: Authority, note: str) -> Appeal:
    """Send an appeal outside this body's competence to the competent body and tell the applicant
    (art. 7). This row ends as `forwarded`; the receiving body gets a new row, received now, with
    its own registration duty; the answer term runs from its receipt there. Returns the new row."""
    appeal = _locked(appeal_id)
    permissions.appeal_check(official, appeal, AppealAction.FORWARD)
    note = _clean(note)
    if to.pk == appeal.authority_id:
        raise ValidationFailed(
            _("Choose another body: this one already has the appeal."), code=AppealError.FORWARD_TO_SELF, field="to"
        )
    if not to.is_active:
        raise ValidationFailed(
            _("This authority does not accept appeals."), code=AppealError.AUTHORITY_INACTIVE, field="to"
        )
    complained = Appeal.objects.filter(pk=appeal.complaint_about_id).first() if appeal.complaint_about_id else None
    _check_complaint_target(authority=to, complaint_about=complained)
    if not note:
        raise ValidationFailed(
            _("Explain to the applicant why the appeal is forwarded."),
            code=AppealError.FORWARD_NOTE_REQUIRED,
            field="note",
        )
    target = _transition(appeal, "forward")
    before = _snapshot(appeal)
    now = clock.now()
    registered = appeal.status != AppealStatus.SUBMITTED
    appeal.status = target
    appeal.forwarded_at = now
    appeal.forward_note = note
    _save(appeal, now)
    # Forwarding is how the body meets its 5-day duty; a registered one hands its answer duty over.
    obligations.close_obligation(kind=REGISTRATION, subject=appeal, at=now)
    if registered:
        obligations.close_obligation(kind=ANSWER, subject=appeal, outcome=ObligationOutcome.TRANSFERRED, at=now)
    received = Appeal.objects.create(
        applicant_id=appeal.applicant_id,
        full_name=appeal.full_name,
        place_of_residence=appeal.place_of_residence,
        email=appeal.email,
        kind=appeal.kind,
        category=appeal.category,
        authority=to,
        essence=appeal.essence,
        location_text=appeal.location_text,
        photo=appeal.photo.name,
        photo_type=appeal.photo_type,
        status=AppealStatus.SUBMITTED,
        received_at=now,
        registration_due_at=now,
        forwarded_from=appeal,
        complaint_about_id=appeal.complaint_about_id,
        created_at=now,
        updated_at=now,
    )
    _open_registration(received, now)
    _event(appeal, EventKind.FORWARDED, actor=official, at=now, params={"authority_id": to.pk}, note=note)
    _event(received, EventKind.RECEIVED, actor=official, at=now, params={"authority_id": appeal.authority_id})
    audit.record(
        actor=official,
        subject=appeal,
        tag=AuditTag.APPEAL_FORWARD,
        before=before,
        after={**_snapshot(appeal), "to": to.pk, "new_appeal": received.pk},
    )
    audit.record(actor=official, subject=received, tag=AuditTag.APPEAL_RECEIVE, before=None, after=_snapshot(received))
    _enqueue_on_commit("notify_forwarded", appeal.pk)
    return received


@transaction.atomic
def appeal_start(*, appeal_id: int, official: User) -> Appeal:
    appeal = _locked(appeal_id)
    permissions.appeal_check(official, appeal, AppealAction.START)
    target = _transition(appeal, "start")
    before = _snapshot(appeal)
    now = clock.now()
    appeal.status = target
    _save(appeal, now)
    _event(appeal, EventKind.STARTED, actor=official, at=now)
    audit.record(actor=official, subject=appeal, tag=AuditTag.APPEAL_START, before=before, after=_snapshot(appeal))
    return appeal


@transaction.atomic
def appeal_extend(*, appeal_id: int, head: User, until: dt.date, reason: str) -> Appeal:
    """The head sets a longer term and the applicant is told (art. 20); the total term from
    receipt never exceeds 45 days. The new term ends at the end of `until` (Kyiv), or of the next
    working day when `until` is a day off."""
    appeal = _locked(appeal_id)
    permissions.appeal_check(head, appeal, AppealAction.EXTEND)
    reason = _clean(reason)
    target = _transition(appeal, "extend")
    max_total = registry.get(rules.MAX_TOTAL_TERM, authority=appeal.authority)
    # A term that would end on a day off ends on the next working day (Civil Code art. 254 part 5).
    new_due = calendar.end_of_day(calendar.next_working_day(until))
    if appeal.due_at is None or new_due <= appeal.due_at:
        raise ValidationFailed(
            _("The new term must end after the current one."), code=AppealError.EXTENSION_NOT_LATER, field="until"
        )
    if not rules.extension_allowed(received_at=appeal.received_at, until=new_due, max_total=max_total):
        limit = rules.due(appeal.received_at, max_total)
        raise ValidationFailed(
            _("The total term may not exceed %(term)s: the latest possible date is %(date)s.")
            % {"term": registry.amount(max_total), "date": calendar.kyiv_date(limit).strftime("%d.%m.%Y")},
            code=AppealError.EXTENSION_BEYOND_MAX,
            field="until",
        )
    if not reason:
        raise ValidationFailed(
            _("Give the applicant the reason for the extension."),
            code=AppealError.EXTENSION_REASON_REQUIRED,
            field="reason",
        )
    before = _snapshot(appeal)
    now = clock.now()
    appeal.status = target
    appeal.due_at = new_due
    appeal.extended_until = new_due
    appeal.extension_reason = reason
    appeal.rules_applied = {**appeal.rules_applied, "extended_until": max_total.citation()}
    _save(appeal, now)
    obligations.move_deadline(kind=ANSWER, subject=appeal, due_at=new_due)
    _event(appeal, EventKind.EXTENDED, actor=head, at=now, params={"until": until.isoformat()}, note=reason)
    audit.record(actor=head, subject=appeal, tag=AuditTag.APPEAL_EXTEND, before=before, after=_snapshot(appeal))
    _enqueue_on_commit("notify_extended", appeal.pk)
    return appeal


@transaction.atomic
def appeal_answer(*, appeal_id: int, official: User, text: str) -> Appeal:
    appeal = _locked(appeal_id)
    permissions.appeal_check(official, appeal, AppealAction.ANSWER)
    text = _clean(text)
    if len(text) < ANSWER_MIN:
        raise ValidationFailed(
            _("Write an answer of at least 20 characters: the law requires a reasoned response."),
            code=AppealError.ANSWER_TOO_SHORT,
            field="text",
        )
    target = _transition(appeal, "answer")
    before = _snapshot(appeal)
    now = clock.now()
    appeal.status = target
    appeal.answer_text = text
    appeal.answered_at = now
    appeal.decided_by = official
    _save(appeal, now)
    obligations.close_obligation(kind=ANSWER, subject=appeal, at=now)
    _event(appeal, EventKind.ANSWERED, actor=official, at=now)
    audit.record(
        actor=official,
        subject=appeal,
        tag=AuditTag.APPEAL_ANSWER,
        before=before,
        after={**_snapshot(appeal), "on_time": bool(appeal.due_at and now <= appeal.due_at)},
    )
    _enqueue_on_commit("notify_decided", appeal.pk)
    return appeal


@transaction.atomic
def appeal_refuse(*, appeal_id: int, official: User, reason: str, text: str) -> Appeal:
    """Not considered (art. 8): in writing, citing the ground and giving reasons (art. 15).
    A written refusal meets the body's duty (the obligation closes FULFILLED)."""
    appeal = _locked(appeal_id)
    permissions.appeal_check(official, appeal, AppealAction.REFUSE)
    if reason not in RefusalReason.values:
        raise ValidationFailed(
            _("Choose the legal ground from the list."), code=AppealError.REFUSAL_REASON_INVALID, field="reason"
        )
    text = _clean(text)
    if len(text) < REASONS_MIN:
        raise ValidationFailed(
            _("Write the reasons for the refusal (at least 20 characters)."),
            code=AppealError.REFUSAL_TEXT_TOO_SHORT,
            field="text",
        )
    target = _transition(appeal, "refuse")
    before = _snapshot(appeal)
    now = clock.now()
    appeal.status = target
    appeal.refusal_reason = reason
    appeal.refusal_text = text
    appeal.refused_at = now
    appeal.decided_by = official
    _save(appeal, now)
    obligations.close_obligation(kind=ANSWER, subject=appeal, at=now)
    _event(appeal, EventKind.REFUSED, actor=official, at=now, params={"reason": reason})
    audit.record(
        actor=official,
        subject=appeal,
        tag=AuditTag.APPEAL_REFUSE,
        before=before,
        after={**_snapshot(appeal), "reason": reason},
    )
    _enqueue_on_commit("notify_decided", appeal.pk)
    return appeal


def _mark_unsatisfactory(appeal: Appeal, applicant: User, now: dt.datetime) -> None:
    before = {"unsatisfactory": appeal.unsatisfactory}
    appeal.unsatisfactory = True
    appeal.unsatisfactory_at = now
    _save(appeal, now)
    _event(appeal, EventKind.UNSATISFACTORY, actor=applicant, at=now)
    audit.record(
        actor=applicant,
        subject=appeal,
        tag=AuditTag.APPEAL_UNSATISFACTORY,
        before=before,
        after={"unsatisfactory": True},
    )


@transaction.atomic
def appeal_mark_unsatisfactory(*, appeal_id: int, applicant: User) -> Appeal:
    appeal = _locked(appeal_id)
    permissions.appeal_check(applicant, appeal, AppealAction.MARK_UNSATISFACTORY)
    _mark_unsatisfactory(appeal, applicant, clock.now())
    return appeal


@transaction.atomic
def appeal_file_complaint(
    *,
    appeal_id: int,
    applicant: User,
    essence: str,
    place_of_residence: str = "",
    idempotency_key: str | None = None,
) -> Appeal:
    """In one step: the answer (or refusal) is marked unsatisfactory and a complaint about it is
    filed with the higher body — the authority's parent (art. 17), never the body complained about.

    Art. 17 windows: within 1 year of the decision and 1 month of learning of it. The decision is
    delivered electronically at once (cabinet and email), so the applicant learns of it when it is made.
    A repeat with the same `idempotency_key` returns the complaint the first request filed.
    """
    appeal = _locked(appeal_id)
    claim = idempotency.claim(scope=AuditTag.APPEAL_SUBMIT, key=idempotency_key, actor=applicant, model=Appeal)
    if claim.first is not None:
        return claim.first
    permissions.appeal_check(applicant, appeal, AppealAction.COMPLAIN)
    higher = appeal.authority.parent
    assert higher is not None  # noqa: S101 - the check above refuses an authority without a parent
    now = clock.now()
    decided_at = appeal.decided_at
    assert decided_at is not None  # noqa: S101 - DECIDED states always carry their moment
    after_decision = registry.get(rules.COMPLAINT_WINDOW_AFTER_DECISION, authority=higher)
    after_learning = registry.get(rules.COMPLAINT_WINDOW_AFTER_LEARNING, authority=higher)
    if not rules.complaint_window_open(
        now=now,
        decided_at=decided_at,
        learned_at=decided_at,
        after_decision=after_decision,
        after_learning=after_learning,
    ):
        raise ValidationFailed(
            _(
                "The term for a complaint has passed (art. 17: one month after learning of the decision, at most one year)."
            ),
            code=AppealError.COMPLAINT_TERM_PASSED,
        )
    if appeal.complaints.filter(forwarded_from__isnull=True).exists():
        raise Conflict(_("A complaint about this decision is already filed."), code=AppealError.COMPLAINT_EXISTS)
    if not appeal.unsatisfactory and appeal.status == AppealStatus.ANSWERED:
        _mark_unsatisfactory(appeal, applicant, now)
    complaint = appeal_submit(
        applicant=applicant,
        authority=higher,
        kind=AppealKind.COMPLAINT,
        essence=essence,
        full_name=appeal.full_name,
        place_of_residence=_clean(place_of_residence) or appeal.place_of_residence,
        email=appeal.email,
        complaint_about=appeal,
    )
    complaint.rules_applied = {
        **complaint.rules_applied,
        "complaint_window": [after_decision.citation(), after_learning.citation()],
    }
    complaint.save(update_fields=["rules_applied"])
    _event(appeal, EventKind.COMPLAINED, actor=applicant, at=now, params={"authority_id": higher.pk})
    return claim.settle(complaint)


def _enqueue_on_commit(task_name: str, appeal_id: int) -> None:
    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(appeal_id))

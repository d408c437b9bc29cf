"""Every write to petitions (docs/design.md rule 1): one named, locked, audited service per change."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vzaemo.accounts.models import Authority, User
from vzaemo.core import audit, clock, commit_order, idempotency, obligations
from vzaemo.core import rules as registry
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vzaemo.petitions import permissions, rules, tasks
from vzaemo.petitions.errors import PetitionError
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.permissions import PetitionAction
from vzaemo.petitions.states import PETITION_MACHINE, AnswerDecision, PetitionStatus, RejectionReason

logger = logging.getLogger("vzaemo.petitions")

# The duties the responsiveness index counts (core.Obligation kinds).
MODERATION = "petition.moderation"
ANSWER = "petition.answer"

TITLE_MAX = 200
ESSENCE_MAX = 10_000
ANSWER_MIN_LENGTH = 20  # characters: a reasoned answer, not a bare yes or no


def _snapshot(petition: Petition) -> dict[str, Any]:
    return {"status": petition.status, "signature_count": petition.signature_count}


def _locked(petition_id: int) -> Petition:
    try:
        return Petition.objects.select_for_update().get(pk=petition_id)
    except Petition.DoesNotExist:
        raise NotFound(_("There is no such petition."), code=PetitionError.PETITION_NOT_FOUND) from None


def _transition(petition: Petition, verb: str) -> PetitionStatus:
    return PETITION_MACHINE.target(verb, petition.status_enum)


def search_text(title: str, essence: str) -> str:
    return f"{title}\n{essence}".casefold()


def _clean_text(*, title: str, essence: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    essence = (essence or "").strip()
    errors = []
    if not title:
        errors.append(
            ValidationFailed(_("Give the petition a title."), code=PetitionError.TITLE_REQUIRED, field="title")
        )
    elif len(title) > TITLE_MAX:
        errors.append(ValidationFailed(_("The title is too long."), code=PetitionError.TITLE_TOO_LONG, field="title"))
    if not essence:
        errors.append(
            ValidationFailed(
                _("Describe the essence of the petition."), code=PetitionError.ESSENCE_REQUIRED, field="essence"
            )
        )
    elif len(essence) > ESSENCE_MAX:
        errors.append(
            ValidationFailed(
                pgettext("petition", "The essence is too long."), code=PetitionError.ESSENCE_TOO_LONG, field="essence"
            )
        )
    if errors:
        raise errors[0]
    return title, essence


@transaction.atomic
def petition_create(
    *,
    author: User,
    authority: Authority,
    title: str,
    essence: str,
    submit: bool = False,
    idempotency_key: str | None = None,
) -> Petition:
    """A draft, or with `submit` a draft submitted for moderation at once. Art. 23-1 requires the essence,
    the author's full name and email. A repeat with the same `idempotency_key` returns the first petition."""
    if not author.is_authenticated:
        raise NotAllowed(_("Sign in to create a petition."), code=PetitionError.SIGN_IN_REQUIRED)
    if not author.email_verified:
        raise NotAllowed(
            _("Confirm your email address before creating a petition."), code=PetitionError.EMAIL_NOT_VERIFIED
        )
    if not author.full_name.strip():
        raise ValidationFailed(
            _("Add your full name to your profile: the law requires it."), code=PetitionError.AUTHOR_NAME_REQUIRED
        )
    if not authority.accepts_petitions or not authority.is_active:
        raise ValidationFailed(
            _("This authority does not accept e-petitions."),
            code=PetitionError.AUTHORITY_NOT_PETITIONABLE,
            field="authority",
        )
    claim = idempotency.claim(scope=AuditTag.PETITION_CREATE, key=idempotency_key, actor=author, model=Petition)
    if claim.first is not None:
        return claim.first
    title, essence = _clean_text(title=title, essence=essence)
    now = clock.now()
    petition = Petition.objects.create(
        authority=authority,
        author=author,
        author_name=author.full_name,
        author_email=author.email,
        title=title,
        essence=essence,
        search_text=search_text(title, essence),
        status=PetitionStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    audit.record(
        actor=author,
        subject=petition,
        tag=AuditTag.PETITION_CREATE,
        before=None,
        after={"status": petition.status, "title": title},
    )
    if submit:
        petition = petition_submit(petition_id=petition.pk, author=author)
    return claim.settle(petition)


@transaction.atomic
def petition_update_draft(*, petition_id: int, author: User, title: str, essence: str) -> Petition:
    petition = _locked(petition_id)
    permissions.petition_check(author, petition, PetitionAction.EDIT)
    title, essence = _clean_text(title=title, essence=essence)
    before = {"title": petition.title, "essence": petition.essence}
    petition.title, petition.essence, petition.updated_at = title, essence, clock.now()
    petition.search_text = search_text(title, essence)
    petition.save(update_fields=["title", "essence", "search_text", "updated_at"])
    audit.record(
        actor=author,
        subject=petition,
        tag=AuditTag.PETITION_EDIT,
        before=before,
        after={"title": title, "essence": essence},
    )
    return petition


@transaction.atomic
def petition_submit(*, petition_id: int, author: User) -> Petition:
    petition = _locked(petition_id)
    permissions.petition_check(author, petition, PetitionAction.SUBMIT)
    target = _transition(petition, "submit")
    before = _snapshot(petition)
    now = clock.now()
    term = registry.get(rules.PUBLICATION_TERM, authority=petition.authority)
    petition.status = target
    petition.submitted_at = now
    petition.moderation_due_at = rules.due(now, term)
    petition.rules_applied = {**petition.rules_applied, "moderation_due_at": term.citation()}
    petition.updated_at = now
    petition.save()
    obligations.open_obligation(
        authority_id=petition.authority_id,
        kind=MODERATION,
        subject=petition,
        due_at=petition.moderation_due_at,
        rule=term.citation(),
    )
    audit.record(actor=author, subject=petition, tag=AuditTag.PETITION_SUBMIT, before=before, after=_snapshot(petition))
    return petition


@transaction.atomic
def petition_publish(*, petition_id: int, moderator: User) -> Petition:
    petition = _locked(petition_id)
    permissions.petition_check(moderator, petition, PetitionAction.PUBLISH)
    target = _transition(petition, "publish")
    before = _snapshot(petition)
    now = clock.now()
    threshold = registry.get(rules.THRESHOLD, authority=petition.authority)
    collection = registry.get(rules.COLLECTION_PERIOD, authority=petition.authority)
    petition.status = target
    petition.published_at = now
    petition.threshold = threshold.as_int
    petition.collection_ends_at = rules.due(now, collection)
    petition.moderated_by = moderator
    petition.rules_applied = {
        **petition.rules_applied,
        "threshold": threshold.citation(),
        "collection_ends_at": collection.citation(),
    }
    petition.updated_at = now
    petition.save()
    obligations.close_obligation(kind=MODERATION, subject=petition, at=now)
    audit.record(
        actor=moderator, subject=petition, tag=AuditTag.PETITION_PUBLISH, before=before, after=_snapshot(petition)
    )
    return petition


@transaction.atomic
def petition_reject(*, petition_id: int, moderator: User, reason: str, note: str = "") -> Petition:
    petition = _locked(petition_id)
    permissions.petition_check(moderator, petition, PetitionAction.REJECT)
    if reason not in RejectionReason.values:
        raise ValidationFailed(
            _("Choose a reason from the list."), code=PetitionError.REJECTION_REASON_INVALID, field="reason"
        )
    target = _transition(petition, "reject")
    before = _snapshot(petition)
    now = clock.now()
    petition.status = target
    petition.rejected_at = now
    petition.rejection_reason = reason
    petition.rejection_note = (note or "").strip()
    petition.moderated_by = moderator
    petition.updated_at = now
    petition.save()
    obligations.close_obligation(kind=MODERATION, subject=petition, at=now)
    audit.record(
        actor=moderator,
        subject=petition,
        tag=AuditTag.PETITION_REJECT,
        before=before,
        after={**_snapshot(petition), "reason": reason},
    )
    return petition


def petition_sign(*, petition_id: int, signer: User) -> Signature:
    """Insert one signature. The unique constraint, not a prior check, stops a second one.

    The petition row is read, never written: counts are batched (signature_counts_refresh), so
    thousands of signers of one popular petition never queue on its row.
    """
    refusal = permissions.signer_refusal(signer)
    if refusal is not None:
        raise refusal
    now = clock.now()
    # The hot path: one indexed read of two columns, no model instance, no ORDER BY.
    found = Petition.objects.filter(pk=petition_id).order_by().values_list("status", "collection_ends_at")[:1]
    if not found:
        raise NotFound(_("There is no such petition."), code=PetitionError.PETITION_NOT_FOUND)
    refusal = permissions.collecting_refusal(*found[0], at=now)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                petition_id=petition_id, signer=signer, signer_name=signer.full_name, created_at=now
            )
            audit.record(
                actor=signer,
                subject=signature,
                tag=AuditTag.PETITION_SIGN,
                before=None,
                after={"petition": petition_id},
            )
    except IntegrityError:
        raise Conflict(_("You have already signed this petition."), code=PetitionError.ALREADY_SIGNED) from None
    return signature


REMOVAL_REASON_MAX = 1_000


@transaction.atomic
def signature_remove(*, signature_id: int, actor: User, reason: str) -> Petition:
    """Remove a fraudulent signature: a moderator of the addressed authority, with a reason on the record.

    The petition's count is rewritten with the same exact COUNT(*) the batch job writes (docs/adr/0001),
    in this transaction: the job only looks at recently signed petitions and would never see a removal.
    A petition that already reached its threshold keeps its status; the count on the record says why.
    """
    try:
        signature = Signature.objects.select_for_update().select_related("petition").get(pk=signature_id)
    except Signature.DoesNotExist:
        raise NotAllowed(_("There is no such signature."), code="signature_not_found") from None
    if not permissions.can_moderate(actor, signature.petition):
        raise NotAllowed(_("Only a moderator of the addressed authority may remove a signature."), code="not_moderator")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("Say why the signature is removed."), code="removal_reason_required", field="reason")
    if len(reason) > REMOVAL_REASON_MAX:
        raise ValidationFailed(_("The reason is too long."), code="removal_reason_too_long", field="reason")
    petition = _locked(signature.petition_id)
    before = {
        "petition": petition.pk,
        "signer": signature.signer_id,
        "signer_name": signature.signer_name,
        "signed_at": audit.iso_timestamp(signature.created_at),
    }
    # Recorded first, while the subject still has its primary key.
    audit.record(
        actor=actor, subject=signature, tag=AuditTag.PETITION_SIGNATURE_REMOVE, before=before, after={"reason": reason}
    )
    signature.delete()
    _write_counts([petition.pk], at=clock.now())
    petition.refresh_from_db()
    return petition


@transaction.atomic
def petition_reach_threshold(*, petition_id: int) -> Petition | None:
    """Called by the counting job once the batched count reaches the threshold."""
    petition = _locked(petition_id)
    if petition.status != PetitionStatus.PUBLISHED or petition.threshold is None:
        return None
    if petition.signature_count < petition.threshold:
        return None
    before = _snapshot(petition)
    now = clock.now()
    start = registry.get(rules.CONSIDERATION_START_TERM, authority=petition.authority)
    consideration = registry.get(rules.CONSIDERATION_TERM, authority=petition.authority)
    petition.status = _transition(petition, "reach_threshold")
    petition.threshold_reached_at = now
    petition.answer_due_at = rules.answer_due_after_threshold(now, start, consideration)
    petition.rules_applied = {
        **petition.rules_applied,
        "answer_due_at": [start.citation(), consideration.citation()],
    }
    petition.updated_at = now
    petition.save()
    obligations.open_obligation(
        authority_id=petition.authority_id,
        kind=ANSWER,
        subject=petition,
        due_at=petition.answer_due_at,
        rule=petition.rules_applied["answer_due_at"],
        opened_at=now,
    )
    audit.record(
        actor=None, subject=petition, tag=AuditTag.PETITION_THRESHOLD_REACHED, before=before, after=_snapshot(petition)
    )
    _enqueue_on_commit("notify_threshold_reached", petition.pk)
    return petition


@transaction.atomic
def petition_start_consideration(*, petition_id: int, official: User) -> Petition:
    petition = _locked(petition_id)
    permissions.petition_check(official, petition, PetitionAction.START_CONSIDERATION)
    target = _transition(petition, "start_consideration")
    before = _snapshot(petition)
    now = clock.now()
    consideration = registry.get(rules.CONSIDERATION_TERM, authority=petition.authority)
    petition.status = target
    petition.consideration_started_at = now
    petition.answer_due_at = rules.answer_due_after_start(now, consideration, petition.answer_due_at)
    petition.updated_at = now
    petition.save()
    obligations.move_deadline(kind=ANSWER, subject=petition, due_at=petition.answer_due_at)
    audit.record(
        actor=official,
        subject=petition,
        tag=AuditTag.PETITION_CONSIDERATION_START,
        before=before,
        after=_snapshot(petition),
    )
    return petition


@transaction.atomic
def petition_answer(*, petition_id: int, official: User, decision: str, text: str) -> Petition:
    petition = _locked(petition_id)
    permissions.petition_check(official, petition, PetitionAction.ANSWER)
    if decision not in AnswerDecision.values:
        raise ValidationFailed(
            _("Say whether the petition is supported."), code=PetitionError.DECISION_INVALID, field="decision"
        )
    text = (text or "").strip()
    if len(text) < ANSWER_MIN_LENGTH:
        raise ValidationFailed(
            _("Write a public answer of at least 20 characters: the law requires a reasoned response."),
            code=PetitionError.ANSWER_TOO_SHORT,
            field="text",
        )
    target = _transition(petition, "answer")
    before = _snapshot(petition)
    now = clock.now()
    petition.status = target
    petition.answer_decision = decision
    petition.answer_text = text
    petition.answered_at = now
    petition.answered_by = official
    if petition.consideration_started_at is None:
        petition.consideration_started_at = now
    petition.updated_at = now
    petition.save()
    obligations.close_obligation(kind=ANSWER, subject=petition, at=now)
    audit.record(
        actor=official,
        subject=petition,
        tag=AuditTag.PETITION_ANSWER,
        before=before,
        after={
            **_snapshot(petition),
            "decision": decision,
            "on_time": bool(petition.answer_due_at and now <= petition.answer_due_at),
        },
    )
    _enqueue_on_commit("notify_answered", petition.pk)
    return petition


@transaction.atomic
def petition_close_collection(*, petition_id: int) -> Petition | None:
    """Collection ended below the threshold: closed (chronograph; idempotent)."""
    petition = _locked(petition_id)
    if petition.status != PetitionStatus.PUBLISHED or not petition.collection_ends_at:
        return None
    now = clock.now()
    if petition.collection_ends_at > now:
        return None
    # Late signatures may still be uncounted: count exactly before deciding.
    petition.signature_count = Signature.objects.filter(petition_id=petition.pk).count()
    petition.count_updated_at = now
    if petition.threshold is not None and petition.signature_count >= petition.threshold:
        petition.save(update_fields=["signature_count", "count_updated_at"])
        return petition_reach_threshold(petition_id=petition.pk)
    before = _snapshot(petition)
    petition.status = _transition(petition, "close")
    petition.closed_at = now
    petition.updated_at = now
    petition.save()
    audit.record(actor=None, subject=petition, tag=AuditTag.PETITION_CLOSE, before=before, after=_snapshot(petition))
    return petition


@transaction.atomic
def petition_mark_overdue(*, petition_id: int) -> Petition | None:
    """Record, once, that the answer term passed without an answer (chronograph; idempotent)."""
    petition = _locked(petition_id)
    now = clock.now()
    if (
        petition.status not in (PetitionStatus.THRESHOLD_REACHED, PetitionStatus.UNDER_CONSIDERATION)
        or petition.answer_overdue_since is not None
        or petition.answer_due_at is None
        # The due moment itself is still on time (petition_answer's `on_time` is `now <= answer_due_at`).
        or petition.answer_due_at >= now
    ):
        return None
    petition.answer_overdue_since = petition.answer_due_at
    petition.save(update_fields=["answer_overdue_since"])
    audit.record(
        actor=None,
        subject=petition,
        tag=AuditTag.PETITION_ANSWER_OVERDUE,
        before=None,
        after={"answer_due_at": petition.answer_due_at.isoformat()},
    )
    return petition


# --- batch jobs (chronograph) ---

# A signature's created_at is taken before its transaction commits; looking back this far
# catches every signature that committed after the previous run read the table.
COUNT_LOOKBACK = dt.timedelta(seconds=60)
_last_count_run: dt.datetime | None = None


def signature_counts_refresh(*, since: dt.datetime | None = None) -> int:
    """Write exact counts for petitions signed recently, then move those past the threshold.

    One UPDATE per active petition per run instead of one per signature (alphagov/e-petitions
    pull 691); the count lags by at most the chronograph interval.
    """
    with transaction.atomic():
        # Two runs at once could write an older, lower count last; the second one skips its turn.
        if not commit_order.try_single_runner_lock("petitions.counts"):
            return 0
        return _refresh_counts(since)


def _refresh_counts(since: dt.datetime | None) -> int:
    global _last_count_run  # noqa: PLW0603 - this process's last run bounds the next one's look-back
    started = clock.now()
    if since is None:
        since = (_last_count_run - COUNT_LOOKBACK) if _last_count_run else None
    active = Signature.objects.all()
    if since is not None:
        active = active.filter(created_at__gte=since)
    petition_ids = list(active.values_list("petition_id", flat=True).distinct())
    updated = _write_counts(petition_ids, at=started)
    _last_count_run = started
    return updated


def signature_counts_recount() -> int:
    """Exact counts for every petition (the reconcile step; `manage.py recount_signatures`)."""
    return _write_counts(list(Petition.objects.values_list("pk", flat=True)), at=clock.now())


def _write_counts(petition_ids: list[int], *, at: dt.datetime) -> int:
    if not petition_ids:
        return 0
    counts = dict(
        Signature.objects.filter(petition_id__in=petition_ids)
        .values("petition_id")
        .annotate(n=Count("id"))
        .values_list("petition_id", "n")
    )
    changed = 0
    for petition_id in petition_ids:
        n = counts.get(petition_id, 0)
        changed += (
            Petition.objects.filter(pk=petition_id)
            .exclude(signature_count=n)
            .update(signature_count=n, count_updated_at=at)
        )
    for petition_id in Petition.objects.filter(
        pk__in=petition_ids, status=PetitionStatus.PUBLISHED, signature_count__gte=F("threshold")
    ).values_list("pk", flat=True):
        petition_reach_threshold(petition_id=petition_id)
    return changed


def petition_deadlines_apply() -> int:
    """Close collections that ended and flag overdue answers; safe to run any number of times."""
    now = clock.now()
    done = 0
    for pk in Petition.objects.filter(status=PetitionStatus.PUBLISHED, collection_ends_at__lte=now).values_list(
        "pk", flat=True
    ):
        done += petition_close_collection(petition_id=pk) is not None
    for pk in Petition.objects.filter(
        status__in=[PetitionStatus.THRESHOLD_REACHED, PetitionStatus.UNDER_CONSIDERATION],
        answer_overdue_since__isnull=True,
        answer_due_at__lt=now,
    ).values_list("pk", flat=True):
        done += petition_mark_overdue(petition_id=pk) is not None
    return done


def _enqueue_on_commit(task_name: str, petition_id: int) -> None:
    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(petition_id))

"""Every petition service: each transition leaves its record and cited deadlines; each refusal says
why (error type and code) and changes nothing (docs/design.md rule 10: test both halves).

Dates: martial law is in force since 2022-03-24 (seeded), so public holidays are working days and
only Saturdays and Sundays are off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from vzaemo.accounts.models import Role, User
from vzaemo.accounts.tests.factories import AuthorityFactory, MembershipFactory, UnverifiedUserFactory, UserFactory
from vzaemo.core import chronograph
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from vzaemo.core.models import AuditEntry, RuleUnit
from vzaemo.core.testing import Refused, Unchanged
from vzaemo.petitions import rules, services
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.states import AnswerDecision, PetitionStatus, RejectionReason
from vzaemo.petitions.tests.factories import PetitionFactory, RuleOverrideFactory, moderator_of, responder_of, sign_by

pytestmark = pytest.mark.django_db

S = PetitionStatus
NOW = dt.datetime(2025, 12, 24, 10, 0, tzinfo=KYIV)  # a Wednesday; Thursday 25 Dec is Christmas
GOOD_ANSWER = "Рада підтримує петицію і виділяє кошти на укриття."


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=KYIV)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=KYIV)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def entries(subject: object, tag: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            subject_type=subject._meta.label_lower,  # type: ignore[attr-defined]
            subject_id=str(subject.pk),  # type: ignore[attr-defined]
            tag=tag,
        )
    )


def cited(citation: dict[str, str]) -> tuple[str, Decimal, str]:
    """A stored rule citation as (key, value, unit); the value is written in plain digits ("25000")."""
    assert "E" not in citation["value"]
    return citation["key"], Decimal(citation["value"]), citation["unit"]


def the_entry(subject: object, tag: str, actor: object) -> AuditEntry:
    found = entries(subject, tag)
    assert len(found) == 1, f"expected one {tag} entry, found {len(found)}"
    assert found[0].actor == actor
    return found[0]


def status_change(entry: AuditEntry) -> tuple[object, object]:
    """The entry's status before and after; a transition records both halves."""
    assert entry.before is not None
    assert entry.after is not None
    return entry.before["status"], entry.after["status"]


# --- create -------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_the_authors_name_and_email() -> None:
    author = UserFactory(full_name="Олена Петренко", email="olena@example.test")
    authority = AuthorityFactory()

    petition = services.petition_create(
        author=author, authority=authority, title="  Укриття   у школі ", essence=" Суть. "
    )

    petition.refresh_from_db()
    assert petition.status == S.DRAFT
    assert (petition.author_name, petition.author_email) == ("Олена Петренко", "olena@example.test")
    assert (petition.title, petition.essence) == ("Укриття у школі", "Суть.")
    assert petition.created_at == petition.updated_at == NOW
    assert petition.submitted_at is None
    assert petition.threshold is None
    entry = the_entry(petition, "petition:create", author)
    assert entry.after == {"status": "draft", "title": "Укриття у школі"}


@pytest.mark.parametrize(
    ("title", "essence", "code", "field"),
    [
        ("", "Суть", "title_required", "title"),
        ("   \n\t ", "Суть", "title_required", "title"),
        ("x" * 201, "Суть", "title_too_long", "title"),
        ("Назва", "", "essence_required", "essence"),
        ("Назва", "  \n ", "essence_required", "essence"),
        ("Назва", "x" * 10_001, "essence_too_long", "essence"),
    ],
)
def test_create_refuses_bad_text(refused: Refused, title: str, essence: str, code: str, field: str) -> None:
    author, authority = UserFactory(), AuthorityFactory()
    error = refused(
        ValidationFailed,
        code,
        lambda: services.petition_create(author=author, authority=authority, title=title, essence=essence),
    )
    assert error.field == field
    assert not Petition.objects.exists()


def test_create_accepts_the_longest_title_and_essence() -> None:
    petition = services.petition_create(
        author=UserFactory(), authority=AuthorityFactory(), title="x" * 200, essence="y" * 10_000
    )
    assert len(petition.title) == 200
    assert len(petition.essence) == 10_000


@pytest.mark.parametrize(
    ("make_author", "kind", "code"),
    [
        (AnonymousUser, NotAllowed, "sign_in_required"),
        (UnverifiedUserFactory, NotAllowed, "email_not_verified"),
        (lambda: UserFactory(full_name="  "), ValidationFailed, "author_name_required"),
    ],
    ids=["anonymous", "unverified", "no-full-name"],
)
def test_create_refuses_an_author_the_law_does_not_allow(
    refused: Refused, make_author: Callable[[], User | AnonymousUser], kind: type, code: str
) -> None:
    author, authority = make_author(), AuthorityFactory()
    # An anonymous visitor is outside the service's signature on purpose: the service refuses it all the same.
    refused(
        kind,
        code,
        lambda: services.petition_create(
            author=author,  # type: ignore[arg-type]
            authority=authority,
            title="Назва",
            essence="Суть",
        ),
    )


@pytest.mark.parametrize(
    "authority_kwargs", [{"accepts_petitions": False}, {"is_active": False}], ids=["not-accepting", "inactive"]
)
def test_create_refuses_an_authority_that_does_not_accept_petitions(
    refused: Refused, authority_kwargs: dict[str, bool]
) -> None:
    author, authority = UserFactory(), AuthorityFactory(**authority_kwargs)
    error = refused(
        ValidationFailed,
        "authority_not_petitionable",
        lambda: services.petition_create(author=author, authority=authority, title="Назва", essence="Суть"),
    )
    assert error.field == "authority"


# --- update_draft -------------------------------------------------------------------------------


def test_update_draft_changes_the_text_and_records_before_and_after(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(title="Стара назва", essence="Стара суть")
    frozen.shift(dt.timedelta(hours=1))

    services.petition_update_draft(
        petition_id=petition.pk, author=petition.author, title="Нова назва", essence="Нова суть"
    )

    petition.refresh_from_db()
    assert (petition.title, petition.essence, petition.status) == ("Нова назва", "Нова суть", S.DRAFT)
    assert petition.updated_at == NOW + dt.timedelta(hours=1)
    assert petition.created_at == NOW
    entry = the_entry(petition, "petition:edit", petition.author)
    assert entry.before == {"title": "Стара назва", "essence": "Стара суть"}
    assert entry.after == {"title": "Нова назва", "essence": "Нова суть"}


def test_update_draft_refuses_someone_else(refused: Refused) -> None:
    petition = PetitionFactory()
    stranger = UserFactory()
    refused(
        NotAllowed,
        "not_author",
        lambda: services.petition_update_draft(petition_id=petition.pk, author=stranger, title="Чуже", essence="Чуже"),
    )


def test_update_draft_refuses_a_submitted_petition(refused: Refused) -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    refused(
        NotAllowed,
        "petition_not_draft",
        lambda: services.petition_update_draft(
            petition_id=petition.pk, author=petition.author, title="Нове", essence="Нове"
        ),
    )


def test_update_draft_refuses_an_empty_title_and_keeps_the_old_one(refused: Refused) -> None:
    petition = PetitionFactory(title="Назва")
    refused(
        ValidationFailed,
        "title_required",
        lambda: services.petition_update_draft(
            petition_id=petition.pk, author=petition.author, title=" ", essence="Нове"
        ),
    )
    petition.refresh_from_db()
    assert petition.title == "Назва"


def test_update_draft_of_a_missing_petition(refused: Refused) -> None:
    author = UserFactory()
    refused(
        NotFound,
        "petition_not_found",
        lambda: services.petition_update_draft(petition_id=999_999, author=author, title="Назва", essence="Суть"),
    )


# --- submit -------------------------------------------------------------------------------------


def test_submit_sets_the_moderation_deadline_with_its_rule() -> None:
    petition = PetitionFactory()

    services.petition_submit(petition_id=petition.pk, author=petition.author)

    petition.refresh_from_db()
    assert petition.status == S.SUBMITTED
    assert petition.submitted_at == NOW
    # 2 working days from Wed 24 Dec: Christmas (Thu 25) is a working day under martial law.
    assert petition.moderation_due_at == end_of(dt.date(2025, 12, 26))
    citation = petition.rules_applied["moderation_due_at"]
    assert cited(citation) == (rules.PUBLICATION_TERM, Decimal(2), RuleUnit.WORKING_DAYS)
    assert "457" in citation["source"]
    assert citation["authority_id"] is None
    entry = the_entry(petition, "petition:submit", petition.author)
    assert status_change(entry) == ("draft", "submitted")


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (kyiv(2026, 1, 9, 15, 0), dt.date(2026, 1, 13)),  # Friday -> Mon 12, Tue 13
        (kyiv(2026, 1, 10, 12, 0), dt.date(2026, 1, 13)),  # Saturday -> Mon 12, Tue 13
        (kyiv(2025, 12, 31, 18, 0), dt.date(2026, 1, 2)),  # New Year's Day is a working day under martial law
        # 22:30 UTC on Thursday is already Friday in Kyiv: the term counts from the Kyiv date.
        (dt.datetime(2025, 12, 25, 22, 30, tzinfo=dt.UTC), dt.date(2025, 12, 30)),
    ],
    ids=["friday", "saturday", "new-year", "kyiv-midnight"],
)
def test_submit_deadline_skips_weekends_only(
    frozen: time_machine.Traveller, submitted: dt.datetime, due: dt.date
) -> None:
    petition = PetitionFactory()
    frozen.move_to(submitted)
    services.petition_submit(petition_id=petition.pk, author=petition.author)
    petition.refresh_from_db()
    assert petition.moderation_due_at == end_of(due)


def test_submit_by_someone_else_is_refused(refused: Refused) -> None:
    petition = PetitionFactory()
    stranger = UserFactory()
    refused(NotAllowed, "not_author", lambda: services.petition_submit(petition_id=petition.pk, author=stranger))


@pytest.mark.parametrize("state", [S.SUBMITTED, S.PUBLISHED, S.REJECTED])
def test_submit_twice_or_later_is_refused(refused: Refused, state: str) -> None:
    petition = PetitionFactory(state=state)
    error = refused(
        InvalidTransition,
        "petition_cannot_submit",
        lambda: services.petition_submit(petition_id=petition.pk, author=petition.author),
    )
    assert str(S(state).label) in str(error.message)


# --- publish ------------------------------------------------------------------------------------


def test_publish_sets_threshold_and_collection_end_with_their_rules(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    moderator = moderator_of(petition.authority)
    frozen.move_to(kyiv(2025, 11, 29, 10, 0))  # a Saturday

    services.petition_publish(petition_id=petition.pk, moderator=moderator)

    petition.refresh_from_db()
    assert petition.status == S.PUBLISHED
    assert petition.published_at == kyiv(2025, 11, 29, 10, 0)
    assert petition.moderated_by == moderator
    assert petition.threshold == 25_000
    # 3 months from 29 Nov end on Sat 28 Feb, so on the next working day, Mon 2 Mar.
    assert petition.collection_ends_at == end_of(dt.date(2026, 3, 2))
    threshold, collection = petition.rules_applied["threshold"], petition.rules_applied["collection_ends_at"]
    assert cited(threshold) == (rules.THRESHOLD, Decimal(25_000), RuleUnit.COUNT)
    assert cited(collection) == (rules.COLLECTION_PERIOD, Decimal(3), RuleUnit.MONTHS)
    assert "393/96" in threshold["source"]
    assert threshold["confidence"] == "C"
    assert "moderation_due_at" in petition.rules_applied  # earlier citations are kept
    entry = the_entry(petition, "petition:publish", moderator)
    assert status_change(entry) == ("submitted", "published")


def test_publish_applies_the_authoritys_charter() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    authority = petition.authority
    RuleOverrideFactory(authority=authority, key=rules.THRESHOLD, value=Decimal(150), unit=RuleUnit.COUNT)
    RuleOverrideFactory(
        authority=authority, key=rules.COLLECTION_PERIOD, value=Decimal(60), unit=RuleUnit.CALENDAR_DAYS
    )
    other = PetitionFactory(state=S.SUBMITTED)  # another authority keeps the law's values

    with time_machine.travel(kyiv(2025, 10, 1, 9, 0), tick=False):
        services.petition_publish(petition_id=petition.pk, moderator=moderator_of(authority))
        services.petition_publish(petition_id=other.pk, moderator=moderator_of(other.authority))

    petition.refresh_from_db()
    other.refresh_from_db()
    assert petition.threshold == 150
    # 60 calendar days from 1 Oct end on Sun 30 Nov, so on Mon 1 Dec.
    assert petition.collection_ends_at == end_of(dt.date(2025, 12, 1))
    citation = petition.rules_applied["collection_ends_at"]
    assert cited(citation) == (rules.COLLECTION_PERIOD, Decimal(60), RuleUnit.CALENDAR_DAYS)
    assert citation["authority_id"] == authority.pk
    assert citation["source"].startswith("Статут")
    assert citation["confidence"] == "S"
    assert petition.rules_applied["threshold"]["authority_id"] == authority.pk
    assert other.threshold == 25_000
    assert other.collection_ends_at == end_of(dt.date(2026, 1, 1))  # 3 months; 1 Jan is a working day now
    assert other.rules_applied["threshold"]["authority_id"] is None


def test_an_administrator_of_the_authority_may_publish() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    admin = MembershipFactory(authority=petition.authority, role=Role.ADMIN).user
    services.petition_publish(petition_id=petition.pk, moderator=admin)
    petition.refresh_from_db()
    assert petition.status == S.PUBLISHED


def _not_moderators(petition: Petition) -> dict[str, User]:
    return {
        # The services take a User; an AnonymousUser is passed on purpose to prove they refuse it at run time.
        "anonymous": AnonymousUser(),  # type: ignore[dict-item]
        "citizen": UserFactory(),
        "author": petition.author,
        "moderator of another authority": moderator_of(AuthorityFactory()),
        "responder of this authority": responder_of(petition.authority),
    }


@pytest.mark.parametrize(
    "who", ["anonymous", "citizen", "author", "moderator of another authority", "responder of this authority"]
)
def test_publish_by_anyone_but_the_moderator_is_refused(refused: Refused, who: str) -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    user = _not_moderators(petition)[who]
    refused(NotAllowed, "not_moderator", lambda: services.petition_publish(petition_id=petition.pk, moderator=user))


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED, S.REJECTED])
def test_publish_in_the_wrong_state_is_refused(refused: Refused, state: str) -> None:
    petition = PetitionFactory(state=state)
    moderator = moderator_of(petition.authority)
    refused(
        InvalidTransition,
        "petition_cannot_publish",
        lambda: services.petition_publish(petition_id=petition.pk, moderator=moderator),
    )


# --- reject -------------------------------------------------------------------------------------


def test_reject_records_reason_note_and_moderator() -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    moderator = moderator_of(petition.authority)

    services.petition_reject(
        petition_id=petition.pk, moderator=moderator, reason=RejectionReason.DUPLICATE, note="  Дублює № 7. "
    )

    petition.refresh_from_db()
    assert petition.status == S.REJECTED
    assert (petition.rejection_reason, petition.rejection_note) == ("duplicate", "Дублює № 7.")
    assert petition.rejected_at == NOW
    assert petition.moderated_by == moderator
    assert petition.published_at is None
    assert petition.threshold is None
    entry = the_entry(petition, "petition:reject", moderator)
    assert entry.after == {"status": "rejected", "signature_count": 0, "reason": "duplicate"}


@pytest.mark.parametrize("reason", ["", "spam", "OBSCENE"])
def test_reject_with_a_reason_not_in_the_law_is_refused(refused: Refused, reason: str) -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    moderator = moderator_of(petition.authority)
    error = refused(
        ValidationFailed,
        "rejection_reason_invalid",
        lambda: services.petition_reject(petition_id=petition.pk, moderator=moderator, reason=reason),
    )
    assert error.field == "reason"


@pytest.mark.parametrize(
    "who", ["anonymous", "citizen", "author", "moderator of another authority", "responder of this authority"]
)
def test_reject_by_anyone_but_the_moderator_is_refused(refused: Refused, who: str) -> None:
    petition = PetitionFactory(state=S.SUBMITTED)
    user = _not_moderators(petition)[who]
    refused(
        NotAllowed,
        "not_moderator",
        lambda: services.petition_reject(petition_id=petition.pk, moderator=user, reason=RejectionReason.OBSCENE),
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED, S.REJECTED])
def test_reject_in_the_wrong_state_is_refused(refused: Refused, state: str) -> None:
    petition = PetitionFactory(state=state)
    moderator = moderator_of(petition.authority)
    refused(
        InvalidTransition,
        "petition_cannot_reject",
        lambda: services.petition_reject(petition_id=petition.pk, moderator=moderator, reason=RejectionReason.OBSCENE),
    )


# --- sign ---------------------------------------------------------------------------------------


def test_sign_inserts_a_signature_and_leaves_the_petition_row_alone() -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    row_before = Petition.objects.filter(pk=petition.pk).values().get()
    signer = UserFactory(full_name="Іван Франко")

    signature = services.petition_sign(petition_id=petition.pk, signer=signer)

    assert (signature.petition_id, signature.signer, signature.signer_name, signature.created_at) == (
        petition.pk,
        signer,
        "Іван Франко",
        NOW,
    )
    # docs/design.md rule 6: no hot-row counter; the count is written by the batch job.
    assert Petition.objects.filter(pk=petition.pk).values().get() == row_before
    entry = the_entry(signature, "petition:sign", signer)
    assert entry.after == {"petition": petition.pk}


def test_signing_continues_after_the_threshold_is_reached() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    services.petition_sign(petition_id=petition.pk, signer=UserFactory())
    assert petition.signatures.count() == 3


def test_signing_twice_is_a_conflict(refused: Refused) -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    signer = UserFactory()
    services.petition_sign(petition_id=petition.pk, signer=signer)
    refused(Conflict, "already_signed", lambda: services.petition_sign(petition_id=petition.pk, signer=signer))
    assert Signature.objects.filter(signer=signer).count() == 1


@pytest.mark.parametrize(
    ("make_signer", "code"),
    [(AnonymousUser, "sign_in_required"), (UnverifiedUserFactory, "email_not_verified")],
    ids=["anonymous", "unverified"],
)
def test_sign_by_someone_the_law_does_not_count_is_refused(
    refused: Refused, make_signer: Callable[[], User | AnonymousUser], code: str
) -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    signer = make_signer()
    # An anonymous visitor is outside the service's signature on purpose: the service refuses it all the same.
    refused(
        NotAllowed,
        code,
        lambda: services.petition_sign(petition_id=petition.pk, signer=signer),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "state", [S.DRAFT, S.SUBMITTED, S.REJECTED, S.UNDER_CONSIDERATION, S.ANSWERED, "closed", "expired"]
)
def test_sign_a_petition_that_is_not_collecting_is_refused(refused: Refused, state: str) -> None:
    petition = PetitionFactory(state=state)
    signer = UserFactory()
    refused(
        NotAllowed, "petition_not_collecting", lambda: services.petition_sign(petition_id=petition.pk, signer=signer)
    )


def test_signing_stops_when_the_collection_term_ends(refused: Refused, frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.PUBLISHED)  # published Wed 24 Dec: collection ends at the end of Tue 24 Mar
    assert petition.collection_ends_at == end_of(dt.date(2026, 3, 24))
    frozen.move_to(kyiv(2026, 3, 24, 23, 59))
    services.petition_sign(petition_id=petition.pk, signer=UserFactory())  # the last day is a full day
    frozen.move_to(kyiv(2026, 3, 25, 0, 0))
    late = UserFactory()
    refused(NotAllowed, "petition_not_collecting", lambda: services.petition_sign(petition_id=petition.pk, signer=late))


def test_sign_a_missing_petition(refused: Refused) -> None:
    signer = UserFactory()
    refused(NotFound, "petition_not_found", lambda: services.petition_sign(petition_id=999_999, signer=signer))


# --- the batched count and the threshold --------------------------------------------------------


def test_the_count_lags_until_the_job_runs_then_reaches_the_threshold_once(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.PUBLISHED, threshold=3)
    sign_by(petition, 2)
    petition.refresh_from_db()
    assert petition.signature_count == 0

    assert services.signature_counts_refresh() == 1
    petition.refresh_from_db()
    assert (petition.signature_count, petition.status, petition.count_updated_at) == (2, S.PUBLISHED, NOW)

    frozen.move_to(kyiv(2025, 12, 26, 11, 0))  # Friday
    sign_by(petition, 1)
    services.signature_counts_refresh()

    petition.refresh_from_db()
    assert (petition.signature_count, petition.status) == (3, S.THRESHOLD_REACHED)
    assert petition.threshold_reached_at == kyiv(2025, 12, 26, 11, 0)
    # Start within 3 working days (Mon 29, Tue 30, Wed 31 Dec), answer within 10 more
    # (1, 2, 5, 6, 7, 8, 9, 12, 13, 14 Jan: New Year and 7 Jan are working days under martial law).
    assert petition.answer_due_at == end_of(dt.date(2026, 1, 14))
    start, consideration = petition.rules_applied["answer_due_at"]
    assert cited(start) == (rules.CONSIDERATION_START_TERM, Decimal(3), RuleUnit.WORKING_DAYS)
    assert cited(consideration) == (rules.CONSIDERATION_TERM, Decimal(10), RuleUnit.WORKING_DAYS)
    entry = the_entry(petition, "petition:threshold-reached", None)
    assert entry.actor_label == "system"
    assert entry.after == {"status": "threshold_reached", "signature_count": 3}

    # Idempotent: nothing new to count, no second transition.
    assert services.signature_counts_refresh() == 0
    assert services.signature_counts_refresh(since=NOW - dt.timedelta(days=1)) == 0
    petition.refresh_from_db()
    assert (petition.signature_count, petition.status) == (3, S.THRESHOLD_REACHED)
    assert len(entries(petition, "petition:threshold-reached")) == 1


def test_a_signature_that_commits_after_a_run_is_counted_by_the_next(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    frozen.move_to(NOW + dt.timedelta(seconds=5))
    services.signature_counts_refresh()  # the run reads the table before the signer's transaction commits
    frozen.move_to(NOW)
    sign_by(petition, 1)  # created_at is taken when the transaction starts, before the run
    frozen.move_to(NOW + dt.timedelta(seconds=7))
    services.signature_counts_refresh()
    petition.refresh_from_db()
    assert petition.signature_count == 1


def test_recount_repairs_a_wrong_count_and_is_idempotent() -> None:
    petition = PetitionFactory(state=S.PUBLISHED, signers=4)
    Petition.objects.filter(pk=petition.pk).update(signature_count=17)
    quiet = PetitionFactory(state=S.PUBLISHED)

    assert services.signature_counts_recount() == 1
    assert services.signature_counts_recount() == 0

    petition.refresh_from_db()
    quiet.refresh_from_db()
    assert (petition.signature_count, quiet.signature_count) == (4, 0)
    assert not AuditEntry.objects.filter(tag="petition:threshold-reached").exists()


# --- removing a fraudulent signature -------------------------------------------------------------


def test_a_moderator_removes_a_fraudulent_signature_with_a_reason_and_a_recount() -> None:
    petition = PetitionFactory(state=S.PUBLISHED, signers=3)
    moderator = moderator_of(petition.authority)
    signature = petition.signatures.order_by("pk").first()
    assert signature is not None
    assert petition.signature_count == 3
    signer_id, signer_name, signature_id = signature.signer_id, signature.signer_name, signature.pk

    recounted = services.signature_remove(signature_id=signature_id, actor=moderator, reason="  Підпис   бота. ")

    assert not Signature.objects.filter(pk=signature_id).exists()
    assert (recounted.signature_count, recounted.count_updated_at, recounted.status) == (2, NOW, S.PUBLISHED)
    entry = the_entry(signature, "petition:signature-remove", moderator)
    assert entry.before == {
        "petition": petition.pk,
        "signer": signer_id,
        "signer_name": signer_name,
        "signed_at": "2025-12-24T08:00:00.000000+00:00",
    }
    assert entry.after == {"reason": "Підпис бота."}
    # The next batch run agrees with the count the removal wrote.
    assert services.signature_counts_recount() == 0


def test_removing_a_signature_keeps_a_reached_threshold() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED, threshold=2)
    signature = petition.signatures.first()
    assert signature is not None
    services.signature_remove(signature_id=signature.pk, actor=moderator_of(petition.authority), reason="Дубль.")
    petition.refresh_from_db()
    assert (petition.status, petition.signature_count) == (S.THRESHOLD_REACHED, 1)


def test_signature_removal_refusals(refused: Refused) -> None:
    petition = PetitionFactory(state=S.PUBLISHED, signers=1)
    signature = petition.signatures.get()
    moderator = moderator_of(petition.authority)
    elsewhere = moderator_of(AuthorityFactory())

    refused(
        NotAllowed,
        "signature_not_found",
        lambda: services.signature_remove(signature_id=999_999, actor=moderator, reason="Бот."),
    )
    for stranger in (elsewhere, responder_of(petition.authority), signature.signer, AnonymousUser()):
        # An anonymous visitor is outside the service's signature on purpose: the service refuses it all the same.
        remove = partial(services.signature_remove, signature_id=signature.pk, actor=stranger, reason="Бот.")  # type: ignore[arg-type]
        refused(NotAllowed, "not_moderator", remove)
    refused(
        ValidationFailed,
        "removal_reason_required",
        lambda: services.signature_remove(signature_id=signature.pk, actor=moderator, reason="  \n "),
    )
    refused(
        ValidationFailed,
        "removal_reason_too_long",
        lambda: services.signature_remove(signature_id=signature.pk, actor=moderator, reason="x" * 1_001),
    )


def test_recount_moves_a_petition_past_its_threshold_once() -> None:
    petition = PetitionFactory(state=S.PUBLISHED, threshold=2, signers=2)  # the factory's recount reached it
    assert petition.status == S.THRESHOLD_REACHED
    services.signature_counts_recount()
    services.signature_counts_recount()
    assert len(entries(petition, "petition:threshold-reached")) == 1


def test_reach_threshold_below_the_threshold_does_nothing(unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=S.PUBLISHED, threshold=3, signers=2)
    with unchanged():
        assert services.petition_reach_threshold(petition_id=petition.pk) is None


# --- start consideration ------------------------------------------------------------------------


def test_starting_early_brings_the_answer_date_forward(frozen: time_machine.Traveller) -> None:
    frozen.move_to(kyiv(2025, 12, 26, 11, 0))
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    assert petition.answer_due_at == end_of(dt.date(2026, 1, 14))
    official = responder_of(petition.authority)
    frozen.move_to(kyiv(2025, 12, 29, 9, 0))  # Monday

    services.petition_start_consideration(petition_id=petition.pk, official=official)

    petition.refresh_from_db()
    assert petition.status == S.UNDER_CONSIDERATION
    assert petition.consideration_started_at == kyiv(2025, 12, 29, 9, 0)
    # 10 working days from Mon 29 Dec: 30, 31 Dec, 1, 2, 5, 6, 7, 8, 9, 12 Jan.
    assert petition.answer_due_at == end_of(dt.date(2026, 1, 12))
    assert [c["key"] for c in petition.rules_applied["answer_due_at"]] == [
        rules.CONSIDERATION_START_TERM,
        rules.CONSIDERATION_TERM,
    ]
    entry = the_entry(petition, "petition:consideration-start", official)
    assert status_change(entry) == ("threshold_reached", "under_consideration")


def test_starting_late_never_pushes_the_answer_date_back(frozen: time_machine.Traveller) -> None:
    frozen.move_to(kyiv(2025, 12, 26, 11, 0))
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    frozen.move_to(kyiv(2026, 1, 9, 9, 0))
    services.petition_start_consideration(petition_id=petition.pk, official=responder_of(petition.authority))
    petition.refresh_from_db()
    assert petition.answer_due_at == end_of(dt.date(2026, 1, 14))


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.ADMIN])
def test_other_answering_roles_may_start(role: str) -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    official = MembershipFactory(authority=petition.authority, role=role).user
    services.petition_start_consideration(petition_id=petition.pk, official=official)
    petition.refresh_from_db()
    assert petition.status == S.UNDER_CONSIDERATION


def _not_officials(petition: Petition) -> dict[str, User]:
    return {
        # The services take a User; an AnonymousUser is passed on purpose to prove they refuse it at run time.
        "anonymous": AnonymousUser(),  # type: ignore[dict-item]
        "citizen": UserFactory(),
        "author": petition.author,
        "responder of another authority": responder_of(AuthorityFactory()),
        "moderator of this authority": moderator_of(petition.authority),
    }


NOT_OFFICIALS = ["anonymous", "citizen", "author", "responder of another authority", "moderator of this authority"]


@pytest.mark.parametrize("who", NOT_OFFICIALS)
def test_start_by_anyone_but_an_official_is_refused(refused: Refused, who: str) -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    user = _not_officials(petition)[who]
    refused(
        NotAllowed,
        "not_official",
        lambda: services.petition_start_consideration(petition_id=petition.pk, official=user),
    )


@pytest.mark.parametrize("state", [S.PUBLISHED, S.UNDER_CONSIDERATION, S.ANSWERED])
def test_start_in_the_wrong_state_is_refused(refused: Refused, state: str) -> None:
    petition = PetitionFactory(state=state)
    official = responder_of(petition.authority)
    refused(
        InvalidTransition,
        "petition_cannot_start_consideration",
        lambda: services.petition_start_consideration(petition_id=petition.pk, official=official),
    )


# --- answer -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.THRESHOLD_REACHED, S.UNDER_CONSIDERATION])
def test_answer_publishes_the_decision(frozen: time_machine.Traveller, state: str) -> None:
    petition = PetitionFactory(state=state)
    official = responder_of(petition.authority)
    started = petition.consideration_started_at
    frozen.shift(dt.timedelta(days=2))

    services.petition_answer(
        petition_id=petition.pk, official=official, decision=AnswerDecision.NOT_SUPPORTED, text=f"  {GOOD_ANSWER}  "
    )

    petition.refresh_from_db()
    assert petition.status == S.ANSWERED
    assert (petition.answer_decision, petition.answer_text) == ("not_supported", GOOD_ANSWER)
    assert petition.answered_at == NOW + dt.timedelta(days=2)
    assert petition.answered_by == official
    # Answering without a formal start counts as starting at the answer.
    assert petition.consideration_started_at == (started or NOW + dt.timedelta(days=2))
    entry = the_entry(petition, "petition:answer", official)
    assert entry.after == {"status": "answered", "signature_count": 2, "decision": "not_supported", "on_time": True}


def test_a_late_answer_is_recorded_as_late(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    frozen.move_to(petition.answer_due_at + dt.timedelta(microseconds=1))
    official = responder_of(petition.authority)
    services.petition_answer(
        petition_id=petition.pk, official=official, decision=AnswerDecision.SUPPORTED, text=GOOD_ANSWER
    )
    entry = the_entry(petition, "petition:answer", official)
    assert entry.after is not None
    assert entry.after["on_time"] is False


def test_an_answer_of_exactly_twenty_characters_is_enough() -> None:
    petition = PetitionFactory(state=S.THRESHOLD_REACHED)
    services.petition_answer(
        petition_id=petition.pk,
        official=responder_of(petition.authority),
        decision="supported",
        text="  " + "а" * 20 + "  ",
    )
    petition.refresh_from_db()
    assert petition.status == S.ANSWERED


@pytest.mark.parametrize("text", ["", "Ні.", "а" * 19, "  " + "а" * 19 + "\n\n"])
def test_an_answer_too_short_is_refused(refused: Refused, text: str) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    official = responder_of(petition.authority)
    error = refused(
        ValidationFailed,
        "answer_too_short",
        lambda: services.petition_answer(petition_id=petition.pk, official=official, decision="supported", text=text),
    )
    assert error.field == "text"


@pytest.mark.parametrize("decision", ["", "maybe", "SUPPORTED"])
def test_an_answer_with_an_invalid_decision_is_refused(refused: Refused, decision: str) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    official = responder_of(petition.authority)
    error = refused(
        ValidationFailed,
        "decision_invalid",
        lambda: services.petition_answer(
            petition_id=petition.pk, official=official, decision=decision, text=GOOD_ANSWER
        ),
    )
    assert error.field == "decision"


@pytest.mark.parametrize("who", NOT_OFFICIALS)
def test_answer_by_anyone_but_an_official_is_refused(refused: Refused, who: str) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    user = _not_officials(petition)[who]
    refused(
        NotAllowed,
        "not_official",
        lambda: services.petition_answer(
            petition_id=petition.pk, official=user, decision="supported", text=GOOD_ANSWER
        ),
    )


@pytest.mark.parametrize("state", [S.SUBMITTED, S.PUBLISHED, S.ANSWERED, "closed"])
def test_answer_in_the_wrong_state_is_refused(refused: Refused, state: str) -> None:
    petition = PetitionFactory(state=state)
    official = responder_of(petition.authority)
    refused(
        InvalidTransition,
        "petition_cannot_answer",
        lambda: services.petition_answer(
            petition_id=petition.pk, official=official, decision="supported", text=GOOD_ANSWER
        ),
    )


# --- the deadlines job: closing collections and flagging overdue answers ------------------------


def test_deadlines_close_a_collection_below_the_threshold_once(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.PUBLISHED, signers=2)
    services.signature_counts_refresh()
    frozen.move_to(kyiv(2026, 3, 24, 23, 0))
    assert services.petition_deadlines_apply() == 0  # the last day is not over yet

    frozen.move_to(kyiv(2026, 3, 25, 0, 1))
    assert services.petition_deadlines_apply() == 1
    assert services.petition_deadlines_apply() == 0

    petition.refresh_from_db()
    assert petition.status == S.CLOSED
    assert petition.closed_at == kyiv(2026, 3, 25, 0, 1)
    assert petition.signature_count == 2
    entry = the_entry(petition, "petition:close", None)
    assert status_change(entry) == ("published", "closed")


def test_closing_counts_late_signatures_exactly_and_may_reach_the_threshold(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.PUBLISHED, threshold=3)
    sign_by(petition, 3)  # no count job has run: signature_count is still 0
    frozen.move_to(kyiv(2026, 3, 25, 0, 1))

    services.petition_deadlines_apply()
    services.petition_deadlines_apply()

    petition.refresh_from_db()
    assert (petition.status, petition.signature_count) == (S.THRESHOLD_REACHED, 3)
    assert petition.closed_at is None
    assert len(entries(petition, "petition:threshold-reached")) == 1
    assert entries(petition, "petition:close") == []


def test_closing_before_the_end_does_nothing(unchanged: Unchanged) -> None:
    petition = PetitionFactory(state=S.PUBLISHED)
    with unchanged():
        assert services.petition_close_collection(petition_id=petition.pk) is None


def test_deadlines_flag_an_overdue_answer_once(frozen: time_machine.Traveller) -> None:
    petition = PetitionFactory(state=S.UNDER_CONSIDERATION)
    answered = PetitionFactory(state=S.ANSWERED)
    due = petition.answer_due_at
    frozen.move_to(due)
    assert services.petition_deadlines_apply() == 0  # due at the end of the day: not yet overdue

    frozen.move_to(due + dt.timedelta(minutes=1))
    assert services.petition_deadlines_apply() == 1
    assert services.petition_deadlines_apply() == 0

    petition.refresh_from_db()
    assert petition.answer_overdue_since == due
    assert petition.status == S.UNDER_CONSIDERATION  # still owed an answer
    entry = the_entry(petition, "petition:answer-overdue", None)
    assert entry.after == {"answer_due_at": due.isoformat()}
    assert entries(answered, "petition:answer-overdue") == []


def test_the_chronograph_runs_the_petition_jobs(frozen: time_machine.Traveller) -> None:
    names = {job.name for job in chronograph.jobs()}
    assert {"petitions.counts", "petitions.deadlines"} <= names
    petition = PetitionFactory(state=S.PUBLISHED, threshold=2)
    sign_by(petition, 2)
    frozen.shift(dt.timedelta(seconds=3))
    for job in chronograph.jobs():
        if job.name.startswith("petitions."):
            job.func()
    petition.refresh_from_db()
    assert petition.status == S.THRESHOLD_REACHED

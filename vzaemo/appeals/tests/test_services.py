"""Every appeal service: each transition leaves its record, its cited deadline and its obligation;
each refusal says why (error type and code) and changes nothing (docs/design.md rule 10).

Dates: martial law is in force since 2022-03-24 (seeded), so public holidays are working days and
only Saturdays and Sundays are off. Appeal terms are calendar days; one ending on a day off ends on
the next working day (Civil Code art. 254 part 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from vzaemo.accounts.models import Role
from vzaemo.accounts.tests.factories import AuthorityFactory, UnverifiedUserFactory, UserFactory, member_of
from vzaemo.appeals import rules, services
from vzaemo.appeals.models import Appeal, AppealEvent
from vzaemo.appeals.states import AnswerTerm, AppealCategory, AppealKind, AppealStatus, EventKind, RefusalReason
from vzaemo.appeals.tests.factories import (
    ANSWER_TEXT,
    ESSENCE,
    JPEG,
    PNG,
    REFUSAL_TEXT,
    AppealFactory,
    PoliceUnitFactory,
    official_of,
)
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from vzaemo.core.models import AuditEntry, Obligation, ObligationOutcome
from vzaemo.core.testing import Refused

pytestmark = pytest.mark.django_db

S = AppealStatus
NOW = dt.datetime(2025, 12, 24, 10, 0, tzinfo=KYIV)  # a Wednesday
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def kyiv(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=KYIV)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(year, month, day), dt.time.max, tzinfo=KYIV)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def obligation(appeal: Appeal, kind: str) -> Obligation:
    return Obligation.objects.get(kind=kind, subject_type="appeals.appeal", subject_id=str(appeal.pk))


def tags(appeal: Appeal) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_type="appeals.appeal", subject_id=str(appeal.pk))
        .order_by("pk")
        .values_list("tag", flat=True)
    )


def events(appeal: Appeal) -> list[str]:
    return list(AppealEvent.objects.filter(appeal=appeal).order_by("pk").values_list("kind", flat=True))


def submit(**overrides: Any) -> Appeal:
    applicant = overrides.pop("applicant", None) or UserFactory()
    fields: dict[str, Any] = {
        "applicant": applicant,
        "authority": overrides.pop("authority", None) or AuthorityFactory(),
        "kind": AppealKind.STATEMENT,
        "essence": ESSENCE,
        "full_name": "Петренко Марія Іванівна",
        "place_of_residence": "м. Прилуки, вул. Київська, 1",
        "email": "maria@example.test",
    }
    fields.update(overrides)
    return services.appeal_submit(**fields)


# --- submit -------------------------------------------------------------------------------------


def test_submit_keeps_the_applicants_details_and_opens_the_registration_duty() -> None:
    appeal = submit()
    appeal.refresh_from_db()
    assert appeal.status == S.SUBMITTED
    assert (appeal.full_name, appeal.place_of_residence, appeal.email) == (
        "Петренко Марія Іванівна",
        "м. Прилуки, вул. Київська, 1",
        "maria@example.test",
    )
    assert appeal.received_at == NOW
    # 5 calendar days from Wed 24 Dec: Mon 29 Dec.
    assert appeal.registration_due_at == end_of(2025, 12, 29)
    assert appeal.rules_applied["registration_due_at"]["key"] == rules.FORWARD_TERM
    duty = obligation(appeal, services.REGISTRATION)
    assert duty.authority_id == appeal.authority_id
    assert duty.due_at == appeal.registration_due_at
    assert duty.outcome == ObligationOutcome.OPEN
    assert tags(appeal) == ["appeal:submit"]
    assert events(appeal) == [EventKind.SUBMITTED]


def test_the_forwarding_term_ending_on_a_saturday_moves_to_monday(frozen: time_machine.Traveller) -> None:
    frozen.move_to(kyiv(2025, 12, 22))  # Monday; +5 days = Saturday 27 Dec
    assert submit().registration_due_at == end_of(2025, 12, 29)


@pytest.mark.parametrize(
    ("overrides", "kind", "code"),
    [
        ({"full_name": "  "}, ValidationFailed, "full_name_required"),
        ({"place_of_residence": ""}, ValidationFailed, "residence_required"),
        ({"email": ""}, ValidationFailed, "email_required"),
        ({"essence": "   "}, ValidationFailed, "essence_required"),
        ({"essence": "x" * 10_001}, ValidationFailed, "essence_too_long"),
        ({"kind": "petition"}, ValidationFailed, "kind_invalid"),
        ({"category": "secret"}, ValidationFailed, "category_invalid"),
        (
            {"category": AppealCategory.COMMUNITY_SAFETY, "location_text": "вул. Шевченка, 1"},
            ValidationFailed,
            "safety_needs_police",
        ),
    ],
)
def test_submit_refuses_incomplete_appeals(refused: Refused, overrides: dict[str, Any], kind: type, code: str) -> None:
    applicant, authority = UserFactory(), AuthorityFactory()
    refused(kind, code, lambda: submit(applicant=applicant, authority=authority, **overrides))


def test_submit_refuses_an_unconfirmed_email_and_an_inactive_body(refused: Refused) -> None:
    unverified, authority = UnverifiedUserFactory(), AuthorityFactory()
    refused(NotAllowed, "email_not_verified", lambda: submit(applicant=unverified, authority=authority))
    closed = AuthorityFactory(is_active=False)
    applicant = UserFactory()
    refused(ValidationFailed, "authority_inactive", lambda: submit(applicant=applicant, authority=closed))


def test_a_community_safety_appeal_goes_to_a_police_unit_with_a_place_and_a_photo(settings: Any) -> None:
    police = PoliceUnitFactory()
    appeal = submit(
        authority=police,
        category=AppealCategory.COMMUNITY_SAFETY,
        location_text="м. Київ, вул. Героїв Дніпра, 34",
        photo=SimpleUploadedFile("evil.php", JPEG, content_type="text/plain"),
    )
    appeal.refresh_from_db()
    assert appeal.category == AppealCategory.COMMUNITY_SAFETY
    assert appeal.location_text
    assert appeal.photo_type == "image/jpeg"
    # A random name chosen by us, never the uploaded one.
    name = str(appeal.photo.name)
    assert name.startswith("appeals/")
    assert name.endswith(".jpg")
    assert "evil" not in name
    assert appeal.photo.read() == JPEG


def test_a_png_photo_is_accepted() -> None:
    appeal = submit(photo=SimpleUploadedFile("x.png", PNG, content_type="image/png"))
    assert appeal.photo_type == "image/png"
    assert str(appeal.photo.name).endswith(".png")


def test_a_community_safety_appeal_needs_a_location(refused: Refused) -> None:
    police, applicant = PoliceUnitFactory(), UserFactory()
    refused(
        ValidationFailed,
        "location_required",
        lambda: submit(applicant=applicant, authority=police, category=AppealCategory.COMMUNITY_SAFETY),
    )


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"GIF89a" + b"\x00" * 32, "photo_type_not_allowed"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "photo_type_not_allowed"),
        (b"%PDF-1.7 fake", "photo_type_not_allowed"),
        (JPEG + b"\x00" * (5 * 1024 * 1024), "photo_too_large"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    refused: Refused, settings: Any, content: bytes, code: str
) -> None:
    applicant, authority = UserFactory(), AuthorityFactory()
    photo = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    refused(ValidationFailed, code, lambda: submit(applicant=applicant, authority=authority, photo=photo))
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_photo_of_exactly_5_mb_is_accepted() -> None:
    content = JPEG + b"\x00" * (5 * 1024 * 1024 - len(JPEG))
    assert submit(photo=SimpleUploadedFile("p.jpg", content)).photo_type == "image/jpeg"


# --- register -----------------------------------------------------------------------------------


def test_register_with_the_standard_term_opens_the_answer_duty() -> None:
    appeal = AppealFactory()
    official = official_of(appeal.authority)
    services.appeal_register(appeal_id=appeal.pk, official=official, term=AnswerTerm.STANDARD)
    appeal.refresh_from_db()
    assert appeal.status == S.REGISTERED
    assert appeal.registered_at == NOW
    # One month from Wed 24 Dec 2025: Sat 24 Jan 2026 -> Mon 26 Jan.
    assert appeal.due_at == end_of(2026, 1, 26)
    assert appeal.rules_applied["due_at"]["key"] == rules.ANSWER_TERM
    assert obligation(appeal, services.REGISTRATION).outcome == ObligationOutcome.FULFILLED
    answer = obligation(appeal, services.ANSWER)
    assert answer.outcome == ObligationOutcome.OPEN
    assert answer.due_at == appeal.due_at
    assert tags(appeal) == ["appeal:submit", "appeal:register"]


def test_the_simple_term_is_15_calendar_days_and_a_holiday_counts_under_martial_law(
    frozen: time_machine.Traveller,
) -> None:
    frozen.move_to(kyiv(2025, 12, 10))  # + 15 days = Thu 25 Dec, Christmas: a working day under martial law
    appeal = AppealFactory(state=S.REGISTERED, term=AnswerTerm.SIMPLE)
    assert appeal.due_at == end_of(2025, 12, 25)
    assert appeal.rules_applied["due_at"]["key"] == rules.SIMPLE_ANSWER_TERM


def test_a_simple_term_ending_on_a_saturday_moves_to_monday(frozen: time_machine.Traveller) -> None:
    frozen.move_to(kyiv(2025, 12, 12))  # Friday + 15 days = Saturday 27 Dec
    assert AppealFactory(state=S.REGISTERED, term=AnswerTerm.SIMPLE).due_at == end_of(2025, 12, 29)


def test_a_one_month_term_from_31_january_ends_on_the_last_day_of_february_or_after(
    frozen: time_machine.Traveller,
) -> None:
    frozen.move_to(kyiv(2026, 1, 31))  # + 1 month = Sat 28 Feb 2026 -> Mon 2 Mar
    assert AppealFactory(state=S.REGISTERED).due_at == end_of(2026, 3, 2)


def test_the_term_runs_from_receipt_not_from_registration(frozen: time_machine.Traveller) -> None:
    appeal = AppealFactory()
    frozen.shift(dt.timedelta(days=3))
    services.appeal_register(appeal_id=appeal.pk, official=official_of(appeal.authority), term=AnswerTerm.SIMPLE)
    appeal.refresh_from_db()
    assert appeal.due_at == end_of(2026, 1, 8)  # 24 Dec + 15 days


def test_register_refusals(refused: Refused) -> None:
    appeal = AppealFactory()
    responder = member_of(appeal.authority, Role.RESPONDER)
    stranger_official = official_of(AuthorityFactory())
    official = official_of(appeal.authority)
    for who in (appeal.applicant, responder, stranger_official):
        refused(
            NotAllowed,
            "not_registry",
            partial(services.appeal_register, appeal_id=appeal.pk, official=who, term=AnswerTerm.SIMPLE),
        )
    refused(
        ValidationFailed,
        "term_invalid",
        lambda: services.appeal_register(appeal_id=appeal.pk, official=official, term="week"),
    )
    refused(
        NotFound,
        "appeal_not_found",
        lambda: services.appeal_register(appeal_id=999_999, official=official, term="simple"),
    )
    services.appeal_register(appeal_id=appeal.pk, official=official, term=AnswerTerm.SIMPLE)
    refused(
        InvalidTransition,
        "appeal_cannot_register",
        lambda: services.appeal_register(appeal_id=appeal.pk, official=official, term=AnswerTerm.SIMPLE),
    )


# --- forward ------------------------------------------------------------------------------------


def test_forwarding_a_submitted_appeal_meets_the_5_day_duty_and_starts_a_new_one_there(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, frozen: time_machine.Traveller
) -> None:
    police = PoliceUnitFactory()
    appeal = AppealFactory(authority=police, category=AppealCategory.COMMUNITY_SAFETY, location_text="вул. Лісова, 2")
    council = AuthorityFactory()
    frozen.shift(dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        received = services.appeal_forward(
            appeal_id=appeal.pk, official=official_of(police), to=council, note="Освітлення утримує міська рада."
        )
    appeal.refresh_from_db()
    assert appeal.status == S.FORWARDED
    assert appeal.forwarded_at == NOW + dt.timedelta(days=2)
    assert obligation(appeal, services.REGISTRATION).outcome == ObligationOutcome.FULFILLED
    assert not Obligation.objects.filter(kind=services.ANSWER, subject_id=str(appeal.pk)).exists()
    assert received.forwarded_from_id == appeal.pk
    assert received.authority == council
    assert received.status == S.SUBMITTED
    assert received.received_at == NOW + dt.timedelta(days=2)
    assert (received.essence, received.location_text, received.category) == (
        appeal.essence,
        appeal.location_text,
        appeal.category,
    )
    duty = obligation(received, services.REGISTRATION)
    assert duty.authority_id == council.pk
    assert duty.outcome == ObligationOutcome.OPEN
    assert events(appeal)[-1] == EventKind.FORWARDED
    assert events(received) == [EventKind.RECEIVED]
    assert tags(appeal)[-1] == "appeal:forward"
    assert tags(received) == ["appeal:receive"]
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "vzaemo.appeals.tasks.notify_forwarded"


def test_forwarding_a_registered_appeal_transfers_the_answer_duty_and_the_term_restarts_there(
    frozen: time_machine.Traveller,
) -> None:
    appeal = AppealFactory(state=S.REGISTERED, term=AnswerTerm.SIMPLE)
    council = AuthorityFactory()
    frozen.shift(dt.timedelta(days=4))  # Sun 28 Dec
    received = services.appeal_forward(
        appeal_id=appeal.pk, official=official_of(appeal.authority), to=council, note="Не наша компетенція."
    )
    answer = obligation(appeal, services.ANSWER)
    assert answer.outcome == ObligationOutcome.TRANSFERRED
    assert answer.closed_at == NOW + dt.timedelta(days=4)
    services.appeal_register(appeal_id=received.pk, official=official_of(council), term=AnswerTerm.SIMPLE)
    received.refresh_from_db()
    assert received.due_at == end_of(2026, 1, 12)  # 28 Dec + 15 days = Mon 12 Jan
    assert obligation(received, services.ANSWER).authority_id == council.pk


def test_forward_refusals(refused: Refused) -> None:
    appeal = AppealFactory()
    official = official_of(appeal.authority)
    council = AuthorityFactory()
    responder = member_of(appeal.authority, Role.RESPONDER)
    refused(
        NotAllowed,
        "not_registry",
        lambda: services.appeal_forward(appeal_id=appeal.pk, official=responder, to=council, note="x"),
    )
    refused(
        ValidationFailed,
        "forward_to_self",
        lambda: services.appeal_forward(appeal_id=appeal.pk, official=official, to=appeal.authority, note="x"),
    )
    refused(
        ValidationFailed,
        "forward_note_required",
        lambda: services.appeal_forward(appeal_id=appeal.pk, official=official, to=council, note="  "),
    )
    inactive = AuthorityFactory(is_active=False)
    refused(
        ValidationFailed,
        "authority_inactive",
        lambda: services.appeal_forward(appeal_id=appeal.pk, official=official, to=inactive, note="x"),
    )
    answered = AppealFactory(state=S.ANSWERED, official=official, authority=appeal.authority)
    refused(
        InvalidTransition,
        "appeal_cannot_forward",
        lambda: services.appeal_forward(appeal_id=answered.pk, official=official, to=council, note="x"),
    )


# --- start, extend --------------------------------------------------------------------------------


def test_start_and_its_refusals(refused: Refused) -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    responder = member_of(appeal.authority, Role.RESPONDER)
    refused(NotAllowed, "not_official", lambda: services.appeal_start(appeal_id=appeal.pk, official=appeal.applicant))
    services.appeal_start(appeal_id=appeal.pk, official=responder)
    appeal.refresh_from_db()
    assert appeal.status == S.IN_PROGRESS
    assert tags(appeal)[-1] == "appeal:start"
    refused(
        InvalidTransition, "appeal_cannot_start", lambda: services.appeal_start(appeal_id=appeal.pk, official=responder)
    )


def test_the_head_extends_the_term_up_to_45_days_and_the_obligation_moves(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    appeal = AppealFactory(state=S.IN_PROGRESS)
    head = official_of(appeal.authority)
    # 24 Dec + 45 days = Sat 7 Feb 2026 -> Mon 9 Feb: the latest lawful end.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.appeal_extend(appeal_id=appeal.pk, head=head, until=dt.date(2026, 2, 9), reason="Потрібна експертиза.")
    appeal.refresh_from_db()
    assert appeal.status == S.EXTENDED
    assert appeal.due_at == end_of(2026, 2, 9) == appeal.extended_until
    duty = obligation(appeal, services.ANSWER)
    assert duty.due_at == end_of(2026, 2, 9)
    assert duty.original_due_at == end_of(2026, 1, 26)
    assert appeal.rules_applied["extended_until"]["key"] == rules.MAX_TOTAL_TERM
    assert events(appeal)[-1] == EventKind.EXTENDED
    assert len(callbacks) == 1


def test_an_extension_to_a_day_off_ends_on_the_next_working_day() -> None:
    appeal = AppealFactory(state=S.IN_PROGRESS)
    # Saturday 31 Jan 2026 is a day off: the term ends at the end of Monday 2 Feb (Civil Code art. 254).
    services.appeal_extend(
        appeal_id=appeal.pk,
        head=official_of(appeal.authority),
        until=dt.date(2026, 1, 31),
        reason="Потрібна експертиза.",
    )
    appeal.refresh_from_db()
    assert appeal.due_at == end_of(2026, 2, 2) == obligation(appeal, services.ANSWER).due_at


def test_extension_refusals(refused: Refused) -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    head = official_of(appeal.authority)
    responder = member_of(appeal.authority, Role.RESPONDER)

    def extend(who: Any = head, until: dt.date = dt.date(2026, 2, 1), reason: str = "Потрібна перевірка.") -> Any:
        return lambda: services.appeal_extend(appeal_id=appeal.pk, head=who, until=until, reason=reason)

    refused(NotAllowed, "not_head", extend(who=responder))
    refused(ValidationFailed, "extension_beyond_max", extend(until=dt.date(2026, 2, 10)))
    refused(ValidationFailed, "extension_not_later", extend(until=dt.date(2026, 1, 26)))
    refused(ValidationFailed, "extension_reason_required", extend(reason=" "))
    submitted = AppealFactory(authority=appeal.authority)
    refused(
        InvalidTransition,
        "appeal_cannot_extend",
        lambda: services.appeal_extend(appeal_id=submitted.pk, head=head, until=dt.date(2026, 2, 1), reason="x"),
    )


# --- answer, refuse -----------------------------------------------------------------------------


def test_answer_on_time_closes_the_duty(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    appeal = AppealFactory(state=S.IN_PROGRESS)
    official = member_of(appeal.authority, Role.RESPONDER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(appeal_id=appeal.pk, official=official, text=ANSWER_TEXT)
    appeal.refresh_from_db()
    assert appeal.status == S.ANSWERED
    assert appeal.answer_text == ANSWER_TEXT
    assert not appeal.answered_late
    duty = obligation(appeal, services.ANSWER)
    assert duty.outcome == ObligationOutcome.FULFILLED
    assert duty.closed_at == NOW
    entry = AuditEntry.objects.get(tag="appeal:answer", subject_id=str(appeal.pk))
    assert entry.after is not None
    assert entry.after["on_time"] is True
    assert [m.to for m in mail.outbox] == [[appeal.email]]
    assert ANSWER_TEXT in mail.outbox[0].body


def test_a_late_answer_is_recorded_as_late_and_overdue_is_computed(frozen: time_machine.Traveller) -> None:
    appeal = AppealFactory(state=S.REGISTERED, term=AnswerTerm.SIMPLE)  # due end of 8 Jan
    frozen.move_to(end_of(2026, 1, 8))
    assert not appeal.is_overdue  # the due moment itself is still on time
    frozen.move_to(kyiv(2026, 1, 9))
    assert appeal.is_overdue
    services.appeal_answer(appeal_id=appeal.pk, official=official_of(appeal.authority), text=ANSWER_TEXT)
    appeal.refresh_from_db()
    assert appeal.answered_late
    assert not appeal.is_overdue
    entry = AuditEntry.objects.get(tag="appeal:answer", subject_id=str(appeal.pk))
    assert entry.after is not None
    assert entry.after["on_time"] is False


def test_answer_refusals(refused: Refused) -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    official = official_of(appeal.authority)
    refused(
        NotAllowed,
        "not_official",
        lambda: services.appeal_answer(appeal_id=appeal.pk, official=appeal.applicant, text=ANSWER_TEXT),
    )
    refused(
        ValidationFailed,
        "answer_too_short",
        lambda: services.appeal_answer(appeal_id=appeal.pk, official=official, text="Так."),
    )
    submitted = AppealFactory(authority=appeal.authority)
    refused(
        InvalidTransition,
        "appeal_cannot_answer",
        lambda: services.appeal_answer(appeal_id=submitted.pk, official=official, text=ANSWER_TEXT),
    )


@pytest.mark.parametrize("reason", [RefusalReason.ANONYMOUS, RefusalReason.REPEAT_DECIDED])
def test_refusal_with_written_reasons_fulfils_the_duty(reason: str) -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    services.appeal_refuse(
        appeal_id=appeal.pk, official=official_of(appeal.authority), reason=reason, text=REFUSAL_TEXT
    )
    appeal.refresh_from_db()
    assert appeal.status == S.REFUSED
    assert appeal.refusal_reason == reason
    assert appeal.refusal_text == REFUSAL_TEXT
    assert obligation(appeal, services.ANSWER).outcome == ObligationOutcome.FULFILLED
    assert tags(appeal)[-1] == "appeal:refuse"


def test_refusal_refusals(refused: Refused) -> None:
    appeal = AppealFactory(state=S.REGISTERED)
    official = official_of(appeal.authority)
    refused(
        ValidationFailed,
        "refusal_reason_invalid",
        lambda: services.appeal_refuse(appeal_id=appeal.pk, official=official, reason="dislike", text=REFUSAL_TEXT),
    )
    refused(
        ValidationFailed,
        "refusal_text_too_short",
        lambda: services.appeal_refuse(appeal_id=appeal.pk, official=official, reason="anonymous", text="Ні."),
    )
    stranger = UserFactory()
    refused(
        NotAllowed,
        "not_official",
        lambda: services.appeal_refuse(appeal_id=appeal.pk, official=stranger, reason="anonymous", text=REFUSAL_TEXT),
    )


# --- unsatisfactory and complaints --------------------------------------------------------------


def test_the_applicant_marks_an_answer_unsatisfactory_once(refused: Refused) -> None:
    appeal = AppealFactory(state=S.ANSWERED)
    stranger = UserFactory()
    refused(
        NotAllowed,
        "not_applicant",
        lambda: services.appeal_mark_unsatisfactory(appeal_id=appeal.pk, applicant=stranger),
    )
    services.appeal_mark_unsatisfactory(appeal_id=appeal.pk, applicant=appeal.applicant)
    appeal.refresh_from_db()
    assert appeal.unsatisfactory
    assert appeal.unsatisfactory_at == NOW
    refused(
        Conflict,
        "already_unsatisfactory",
        lambda: services.appeal_mark_unsatisfactory(appeal_id=appeal.pk, applicant=appeal.applicant),
    )
    open_one = AppealFactory(state=S.REGISTERED, applicant=appeal.applicant)
    refused(
        NotAllowed,
        "appeal_not_answered",
        lambda: services.appeal_mark_unsatisfactory(appeal_id=open_one.pk, applicant=appeal.applicant),
    )


def test_a_complaint_goes_to_the_parent_authority_in_one_step() -> None:
    parent = AuthorityFactory()
    appeal = AppealFactory(state=S.ANSWERED, authority=AuthorityFactory(parent=parent))
    complaint = services.appeal_file_complaint(
        appeal_id=appeal.pk, applicant=appeal.applicant, essence="Відповідь формальна, прошу розглянути по суті."
    )
    appeal.refresh_from_db()
    assert appeal.unsatisfactory
    assert complaint.kind == AppealKind.COMPLAINT
    assert complaint.authority == parent
    assert complaint.complaint_about_id == appeal.pk
    assert complaint.status == S.SUBMITTED
    assert complaint.full_name == appeal.full_name
    assert complaint.email == appeal.email
    assert [c["key"] for c in complaint.rules_applied["complaint_window"]] == [
        rules.COMPLAINT_WINDOW_AFTER_DECISION,
        rules.COMPLAINT_WINDOW_AFTER_LEARNING,
    ]
    assert obligation(complaint, services.REGISTRATION).authority_id == parent.pk
    assert events(appeal)[-2:] == [EventKind.UNSATISFACTORY, EventKind.COMPLAINED]


def test_a_refusal_can_be_complained_about_too() -> None:
    parent = AuthorityFactory()
    appeal = AppealFactory(state=S.REFUSED, authority=AuthorityFactory(parent=parent))
    complaint = services.appeal_file_complaint(
        appeal_id=appeal.pk, applicant=appeal.applicant, essence="Звернення не анонімне: я вказала ПІБ і адресу."
    )
    assert complaint.authority == parent


def test_complaint_refusals(refused: Refused, frozen: time_machine.Traveller) -> None:
    parent = AuthorityFactory()
    appeal = AppealFactory(state=S.ANSWERED, authority=AuthorityFactory(parent=parent))
    orphan = AppealFactory(state=S.ANSWERED, applicant=appeal.applicant)
    open_one = AppealFactory(state=S.REGISTERED, applicant=appeal.applicant, authority=appeal.authority)
    essence = "Відповідь формальна, прошу розглянути по суті."

    def complain(appeal_id: int, who: Any = appeal.applicant, text: str = essence) -> Callable[[], object]:
        return lambda: services.appeal_file_complaint(appeal_id=appeal_id, applicant=who, essence=text)

    refused(NotAllowed, "not_applicant", complain(appeal.pk, who=UserFactory()))
    refused(ValidationFailed, "no_higher_body", complain(orphan.pk))
    refused(NotAllowed, "appeal_not_decided", complain(open_one.pk))
    refused(ValidationFailed, "essence_required", complain(appeal.pk, text=" "))
    # One month after learning of the decision (answered 24 Dec): the last day is Sat 24 Jan -> Mon 26 Jan.
    frozen.move_to(end_of(2026, 1, 27))
    refused(ValidationFailed, "complaint_term_passed", complain(appeal.pk))
    frozen.move_to(end_of(2026, 1, 26))
    services.appeal_file_complaint(appeal_id=appeal.pk, applicant=appeal.applicant, essence=essence)
    refused(Conflict, "complaint_exists", complain(appeal.pk))


def test_a_complaint_may_not_be_routed_to_the_body_complained_about(refused: Refused) -> None:
    parent = AuthorityFactory()
    complained_body = AuthorityFactory(parent=parent)
    appeal = AppealFactory(state=S.ANSWERED, authority=complained_body)
    complaint = services.appeal_file_complaint(
        appeal_id=appeal.pk, applicant=appeal.applicant, essence="Прошу скасувати рішення нижчого органу."
    )
    superior = official_of(parent)
    refused(
        ValidationFailed,
        "complaint_to_same_body",
        lambda: services.appeal_forward(
            appeal_id=complaint.pk, official=superior, to=complained_body, note="За належністю."
        ),
    )
    # Filing it directly with the body complained about is refused as well.
    refused(
        ValidationFailed,
        "complaint_to_same_body",
        lambda: submit(
            applicant=appeal.applicant, authority=complained_body, kind=AppealKind.COMPLAINT, complaint_about=appeal
        ),
    )


# --- notices --------------------------------------------------------------------------------------


def test_the_applicant_is_told_of_forwarding_extension_and_refusal(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    settings.VZAEMO_SITE_URL = "http://vzaemo.test"
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = AppealFactory(state=S.FORWARDED, to=AuthorityFactory(name_uk="Рада-одержувач"))
        extended = AppealFactory(state=S.EXTENDED)
        refused_one = AppealFactory(state=S.REFUSED)
    bodies = {m.to[0]: m.body for m in mail.outbox}
    received = forwarded.forwarded_to
    assert f"/appeals/{received.pk}/" in bodies[forwarded.email]
    assert "Рада-одержувач" in bodies[forwarded.email] or "Не належить" in bodies[forwarded.email]
    assert "Потрібна перевірка на місці." in bodies[extended.email]
    assert REFUSAL_TEXT in bodies[refused_one.email]

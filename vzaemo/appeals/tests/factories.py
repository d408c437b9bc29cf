"""Factories for appeal tests. Appeals are walked to their state THROUGH THE SERVICES."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from vzaemo.accounts.models import Authority, AuthorityKind, Role, User
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory, member_of
from vzaemo.appeals import services
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import AnswerTerm, AppealCategory, AppealKind, AppealStatus, RefusalReason
from vzaemo.core import calendar

S = AppealStatus

ESSENCE = "Просимо відремонтувати тротуар біля будинку № 12: люди падають, особливо взимку."
ANSWER_TEXT = "Ремонт тротуару включено до плану робіт комунального підприємства на травень."
REFUSAL_TEXT = "Звернення не підписане і не містить даних про заявника: анонімне (ст. 8 Закону)."
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class PoliceUnitFactory(AuthorityFactory):
    slug = factory.Sequence(lambda n: f"police-{n}")
    name_uk = factory.Sequence(lambda n: f"Відділ поліції № {n}")
    name_en = factory.Sequence(lambda n: f"Police unit No. {n}")
    kind = AuthorityKind.POLICE_UNIT
    accepts_petitions = False


def official_of(authority: Authority) -> User:
    """An official: may register, forward, answer, refuse and extend (the head's role)."""
    return member_of(authority, Role.OFFICIAL)


class AppealFactory(DjangoModelFactory):
    """`AppealFactory(state=...)` walks a new appeal to `state` with the real services.

    States: submitted, registered, in_progress, extended, answered, refused, forwarded (returns the
    forwarding body's row; its `forwarded_to` is the new one). `official` acts for the authority
    (made when not given); `term` is the registration term.
    """

    class Meta:
        model = Appeal

    applicant = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)
    kind = AppealKind.STATEMENT
    essence = ESSENCE

    @classmethod
    def _create(cls, model_class: type[Appeal], *args: Any, **kwargs: Any) -> Appeal:
        state: str = kwargs.pop("state", S.SUBMITTED)
        official: User | None = kwargs.pop("official", None)
        term: str = kwargs.pop("term", AnswerTerm.STANDARD)
        to: Authority | None = kwargs.pop("to", None)
        applicant: User = kwargs["applicant"]
        authority: Authority = kwargs["authority"]
        appeal = services.appeal_submit(
            applicant=applicant,
            authority=authority,
            kind=kwargs["kind"],
            essence=kwargs["essence"],
            full_name=applicant.full_name,
            place_of_residence=kwargs.get("place_of_residence", "м. Прилуки, вул. Київська, 1"),
            email=applicant.email,
            category=kwargs.get("category", AppealCategory.GENERAL),
            location_text=kwargs.get("location_text", ""),
            photo=kwargs.get("photo"),
            # Factory appeals share one text; a test of the duplicate hint calls the service itself.
            duplicate_confirmed=True,
        )
        if state == S.SUBMITTED:
            return _fresh(appeal)
        official = official or official_of(authority)
        if state == S.FORWARDED:
            services.appeal_forward(
                appeal_id=appeal.pk, official=official, to=to or AuthorityFactory(), note="Не належить до компетенції."
            )
            return _fresh(appeal)
        services.appeal_register(appeal_id=appeal.pk, official=official, term=term)
        if state == S.IN_PROGRESS:
            services.appeal_start(appeal_id=appeal.pk, official=official)
        elif state == S.EXTENDED:
            appeal.refresh_from_db()
            assert appeal.due_at is not None
            until = calendar.kyiv_date(appeal.received_at) + dt.timedelta(days=40)
            services.appeal_extend(
                appeal_id=appeal.pk, head=official, until=until, reason="Потрібна перевірка на місці."
            )
        elif state == S.ANSWERED:
            services.appeal_answer(appeal_id=appeal.pk, official=official, text=ANSWER_TEXT)
        elif state == S.REFUSED:
            services.appeal_refuse(
                appeal_id=appeal.pk, official=official, reason=RefusalReason.ANONYMOUS, text=REFUSAL_TEXT
            )
        return _fresh(appeal)


def _fresh(appeal: Appeal) -> Appeal:
    appeal.refresh_from_db()
    return appeal

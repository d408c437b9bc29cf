"""Factories for petition tests. Petitions are walked to their state THROUGH THE SERVICES.

A petition made here has the timestamps, deadlines, rule citations and audit entries that a real
one in that state has, because the same code produced them; nothing sets `status` by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
import time_machine
from factory.django import DjangoModelFactory

from vzaemo.accounts.models import Authority, Role, User
from vzaemo.accounts.tests.factories import (
    AuthorityFactory,
    UserFactory,
    member_of,
)
from vzaemo.core import clock
from vzaemo.core.models import LegalRuleOverride, RuleUnit
from vzaemo.petitions import rules, services
from vzaemo.petitions.models import Petition
from vzaemo.petitions.states import AnswerDecision, PetitionStatus, RejectionReason

S = PetitionStatus

ESSENCE = "Просимо облаштувати укриття в гімназії № 3, щоб навчання не переривалося під час тривог."
ANSWER_TEXT = "Міська рада підтримує петицію: кошти передбачено у бюджеті громади на наступний рік."
# Long enough ago that any collection term (3 months by law, 60 days in the test charters) has ended.
LONG_AGO = dt.timedelta(days=120)


class RuleOverrideFactory(DjangoModelFactory):
    """An authority's charter value for an overridable rule (default: a threshold of 150)."""

    class Meta:
        model = LegalRuleOverride

    key = rules.THRESHOLD
    authority = factory.SubFactory(AuthorityFactory)
    value = Decimal(150)
    unit = RuleUnit.COUNT
    source = "Статут територіальної громади, ст. 42"
    source_url = "https://rada.example.test/statut"
    effective_from = dt.date(2015, 1, 1)


def moderator_of(authority: Authority) -> User:
    return member_of(authority, Role.MODERATOR)


def responder_of(authority: Authority) -> User:
    return member_of(authority, Role.RESPONDER)


def set_threshold(authority: Authority, value: int) -> LegalRuleOverride:
    override, _ = LegalRuleOverride.objects.update_or_create(
        key=rules.THRESHOLD,
        authority=authority,
        effective_from=dt.date(2015, 1, 1),
        defaults={"value": Decimal(value), "unit": RuleUnit.COUNT, "source": "Статут громади, ст. 42"},
    )
    return override


def sign_by(petition: Petition, n: int) -> list[User]:
    """`n` new verified people sign `petition` through the service."""
    signers: list[User] = UserFactory.create_batch(n)
    for signer in signers:
        services.petition_sign(petition_id=petition.pk, signer=signer)
    return signers


class PetitionFactory(DjangoModelFactory):
    """`PetitionFactory(state=...)` walks a new petition to `state` with the real services.

    Extra knobs: `moderator` / `official` (made at the authority when not given), `threshold`
    (a charter override so that threshold states are reachable with a few signers; default 2) and
    `signers` (how many people sign a published petition; they are counted by the batch job).
    States: draft, submitted, published, rejected, threshold_reached, under_consideration,
    answered, closed, and "expired" (published, collection ended, not yet closed by the job).
    """

    class Meta:
        model = Petition

    authority = factory.SubFactory(AuthorityFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Облаштувати укриття № {n}")
    essence = ESSENCE

    @classmethod
    def _create(cls, model_class: type[Petition], *args: Any, **kwargs: Any) -> Petition:
        state: str = kwargs.pop("state", S.DRAFT)
        moderator: User | None = kwargs.pop("moderator", None)
        official: User | None = kwargs.pop("official", None)
        threshold: int | None = kwargs.pop("threshold", None)
        signers: int = kwargs.pop("signers", 0)
        decision: str = kwargs.pop("decision", AnswerDecision.SUPPORTED)
        authority: Authority = kwargs["authority"]
        author: User = kwargs["author"]

        if state in ("closed", "expired"):
            # Live the petition's collection in the past, then (for "closed") let the job close it now.
            with time_machine.travel(clock.now() - LONG_AGO, tick=False):
                petition = cls._create(
                    model_class, state=S.PUBLISHED, moderator=moderator, threshold=threshold, signers=signers, **kwargs
                )
            if state == "closed":
                services.petition_close_collection(petition_id=petition.pk)
            petition.refresh_from_db()
            return petition

        petition = services.petition_create(
            author=author, authority=authority, title=kwargs["title"], essence=kwargs["essence"]
        )
        if state == S.DRAFT:
            return petition
        services.petition_submit(petition_id=petition.pk, author=author)
        if state == S.SUBMITTED:
            return _fresh(petition)
        moderator = moderator or moderator_of(authority)
        if state == S.REJECTED:
            services.petition_reject(
                petition_id=petition.pk, moderator=moderator, reason=RejectionReason.OBSCENE, note="Нецензурна лексика."
            )
            return _fresh(petition)
        reaches = state in (S.THRESHOLD_REACHED, S.UNDER_CONSIDERATION, S.ANSWERED)
        if reaches or threshold is not None:
            set_threshold(authority, threshold or 2)
        services.petition_publish(petition_id=petition.pk, moderator=moderator)
        if reaches:
            signers = max(signers, threshold or 2)
        if signers:
            sign_by(petition, signers)
        if state == S.PUBLISHED and not signers:
            return _fresh(petition)
        services.signature_counts_recount()
        if state == S.PUBLISHED:
            return _fresh(petition)
        official = official or responder_of(authority)
        if state == S.UNDER_CONSIDERATION:
            services.petition_start_consideration(petition_id=petition.pk, official=official)
        elif state == S.ANSWERED:
            services.petition_answer(petition_id=petition.pk, official=official, decision=decision, text=ANSWER_TEXT)
        return _fresh(petition)


def _fresh(petition: Petition) -> Petition:
    petition.refresh_from_db()
    return petition

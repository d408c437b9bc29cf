"""Factories for consultation tests. Consultations are walked to their state THROUGH THE SERVICES."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
import time_machine
from factory.django import DjangoModelFactory

from vzaemo.accounts.models import Authority, AuthorityKind, Role, User
from vzaemo.accounts.tests import factories as accounts
from vzaemo.accounts.tests.factories import (
    UserFactory,
    member_of,
)
from vzaemo.consultations import services
from vzaemo.consultations.models import Consultation, Proposal
from vzaemo.consultations.states import ConsultationStatus, Decision, Topic
from vzaemo.core import clock

S = ConsultationStatus

DRAFT_TEXT = """Проєкт наказу Міністерства юстиції України

1. Затвердити Порядок електронної реєстрації громадських об'єднань.
2. Строк розгляду заяви становить три робочі дні.
3. Наказ набирає чинності з дня його офіційного опублікування."""
REPORT_SUMMARY = "Проєкт доопрацьовано з урахуванням пропозицій і подано на державну реєстрацію."
PROPOSAL_TEXT = "Пропоную скоротити строк розгляду заяви до одного робочого дня."
# Far enough back that a consultation opened then, with the shortest lawful term, has closed.
LONG_AGO = dt.timedelta(days=40)


class AuthorityFactory(accounts.AuthorityFactory):
    """A ministry: drafts of acts are mostly put to consultation by central executive bodies."""

    slug = factory.Sequence(lambda n: f"ministry-{n}")
    name_uk = factory.Sequence(lambda n: f"Міністерство № {n}")
    name_en = factory.Sequence(lambda n: f"Ministry No. {n}")
    kind = AuthorityKind.CENTRAL_EXECUTIVE
    edrpou = factory.Sequence(lambda n: f"{30_000_000 + n:08d}")
    email = factory.Sequence(lambda n: f"ministry{n}@gov.example.test")
    accepts_petitions = False


def official_of(authority: Authority, role: Role = Role.OFFICIAL) -> User:
    return member_of(authority, role)


def notice(**overrides: Any) -> dict[str, Any]:
    """Every item of the notice (Res. 996 p. 17), valid; the deadline 20 days from today."""
    return {
        "title": "Проєкт наказу про електронну реєстрацію громадських об'єднань",
        "summary": "Проєкт спрощує реєстрацію громадських об'єднань онлайн.",
        "affected_groups": "Громадські об'єднання, їх засновники, органи реєстрації.",
        "consequences": "Скорочення строків реєстрації, зменшення паперового документообігу.",
        "contact_email": "consult@minjust.example.test",
        "proposals_form": "Письмово на цій сторінці або електронною поштою.",
        "topic": Topic.CSO_STATUS,
        "draft_text": DRAFT_TEXT,
        "closes_on": clock.today() + dt.timedelta(days=20),
        **overrides,
    }


def propose(consultation: Consultation, *, clause: int | None = 1, author: User | None = None, **kw: Any) -> Proposal:
    clause_id = consultation.clauses.get(number=clause).pk if clause is not None else None
    return services.proposal_submit(
        consultation_id=consultation.pk,
        author=author or UserFactory(),
        text=kw.pop("text", PROPOSAL_TEXT),
        clause_id=clause_id,
        **kw,
    )


class ConsultationFactory(DjangoModelFactory):
    """`ConsultationFactory(state=..., proposals=n)`: draft, open, closed or report_published.

    `official` is made at the authority when not given; `proposals` people propose on clause 1 while it
    is open; "closed" and "report_published" lived their open term LONG_AGO and were closed by the job now.
    """

    class Meta:
        model = Consultation

    authority = factory.SubFactory(AuthorityFactory)

    @classmethod
    def _create(cls, model_class: type[Consultation], *args: Any, **kwargs: Any) -> Consultation:
        state: str = kwargs.pop("state", S.DRAFT)
        proposals: int = kwargs.pop("proposals", 0)
        authority: Authority = kwargs.pop("authority")
        official: User = kwargs.pop("official", None) or official_of(authority)
        if state in (S.CLOSED, S.REPORT_PUBLISHED):
            with time_machine.travel(clock.now() - LONG_AGO, tick=False):
                consultation = cls._create(
                    model_class, state=S.OPEN, proposals=proposals, authority=authority, official=official, **kwargs
                )
            services.consultation_close(consultation_id=consultation.pk)
            if state == S.REPORT_PUBLISHED:
                for proposal in consultation.proposals.all():
                    services.proposal_decide(proposal_id=proposal.pk, official=official, decision=Decision.ACCEPTED)
                services.consultation_publish_report(
                    consultation_id=consultation.pk, official=official, summary=REPORT_SUMMARY
                )
            return _fresh(consultation)
        consultation = services.consultation_create(official=official, authority=authority, **notice(**kwargs))
        if state == S.DRAFT:
            return consultation
        services.consultation_open(consultation_id=consultation.pk, official=official)
        for _ in range(proposals):
            propose(consultation)
        return _fresh(consultation)


def _fresh(consultation: Consultation) -> Consultation:
    consultation.refresh_from_db()
    return consultation

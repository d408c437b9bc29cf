"""Demo appeals walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import time_machine

from vzaemo.accounts.demo import DemoPeople
from vzaemo.accounts.models import User
from vzaemo.appeals import services
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import AnswerTerm, AppealCategory, AppealKind, RefusalReason
from vzaemo.core import clock

T = TypeVar("T")


def _at(moment: dt.datetime, action: Callable[[], T]) -> T:
    with time_machine.travel(moment, tick=False):
        return action()


def seed_appeals(people: DemoPeople) -> int:
    """Idempotent: does nothing once any appeal exists. Returns how many appeals exist."""
    if Appeal.objects.exists():
        return 0
    now = clock.now().replace(microsecond=0)
    a, o, c = people.authorities, people.officials, people.citizens
    police = o["official.police@vzaemo.example"]
    kmr_registry = o["moderator.kmr@vzaemo.example"]
    kmr_answer = o["official.kmr@vzaemo.example"]
    kmu = o["official.kmu@vzaemo.example"]
    day = dt.timedelta(days=1)

    def submit(citizen: User, authority: str, kind: str, essence: str, days_ago: int, **extra: object) -> Appeal:
        return _at(
            now - day * days_ago,
            lambda: services.appeal_submit(
                applicant=citizen,
                authority=a[authority],
                kind=kind,
                essence=essence,
                full_name=citizen.full_name,
                place_of_residence=citizen.place_of_residence or "м. Київ",
                email=citizen.email,
                **extra,  # type: ignore[arg-type]
            ),
        )

    def at(days_ago: float, action: Callable[[], T]) -> T:
        return _at(now - dt.timedelta(days=days_ago), action)

    # Community safety: the police unit forwards a street-lighting problem to the city council, which answers.
    safety = submit(
        c[0],
        "kyiv-police",
        AppealKind.STATEMENT,
        "Уночі на перехресті не горять ліхтарі, біля зупинки збираються нетверезі люди. Просимо посилити патрулювання та відновити освітлення.",
        20,
        category=AppealCategory.COMMUNITY_SAFETY,
        location_text="м. Київ, вул. Героїв Дніпра, 34, зупинка «Оболонь»",
    )
    at(19, lambda: services.appeal_register(appeal_id=safety.pk, official=police, term=AnswerTerm.STANDARD))
    council_copy = at(
        18,
        lambda: services.appeal_forward(
            appeal_id=safety.pk,
            official=police,
            to=a["kyiv-city-council"],
            note="Зовнішнє освітлення утримує міська рада; патрулювання посилено, решту передано за належністю.",
        ),
    )
    at(17, lambda: services.appeal_register(appeal_id=council_copy.pk, official=kmr_registry, term=AnswerTerm.SIMPLE))
    at(
        10,
        lambda: services.appeal_answer(
            appeal_id=council_copy.pk,
            official=kmr_answer,
            text="КП «Київміськсвітло» замінило два світильники на перехресті 12-го числа; освітлення відновлено.",
        ),
    )

    # Answered on time by the police unit; the applicant finds it unsatisfactory and complains to its
    # higher body, the National Police (the unit's parent authority).
    on_time = submit(
        c[1],
        "kyiv-police",
        AppealKind.STATEMENT,
        "Прошу надати інформацію, чому на мою заяву про пошкодження автомобіля у дворі не відреагував патруль.",
        30,
    )
    at(29, lambda: services.appeal_register(appeal_id=on_time.pk, official=police, term=AnswerTerm.STANDARD))
    at(
        9,
        lambda: services.appeal_answer(
            appeal_id=on_time.pk,
            official=police,
            text="Виклик зареєстровано, екіпаж прибув через 40 хвилин через одночасні виклики; проведено службову перевірку.",
        ),
    )
    at(
        5,
        lambda: services.appeal_file_complaint(
            appeal_id=on_time.pk,
            applicant=c[1],
            essence="Відповідь формальна: не названо висновків службової перевірки. Прошу Національну поліцію розглянути по суті.",
        ),
    )

    # Answered late (past the 15-day term).
    late = submit(
        c[2], "kyiv-city-council", AppealKind.STATEMENT, "Прошу відремонтувати ліфт у будинку на вул. Сабурова, 5.", 40
    )
    at(39, lambda: services.appeal_register(appeal_id=late.pk, official=kmr_registry, term=AnswerTerm.SIMPLE))
    at(
        15,
        lambda: services.appeal_answer(
            appeal_id=late.pk, official=kmr_answer, text="Ремонт ліфта включено до графіка робіт; виконано 3-го числа."
        ),
    )

    # Overdue now: registered, no answer within 15 days.
    overdue = submit(
        c[3], "kyiv-city-council", AppealKind.COMPLAINT, "Скаржуся на бездіяльність ЖЕК щодо протікання даху.", 25
    )
    at(24, lambda: services.appeal_register(appeal_id=overdue.pk, official=kmr_registry, term=AnswerTerm.SIMPLE))
    at(20, lambda: services.appeal_start(appeal_id=overdue.pk, official=kmr_answer))

    # Extended by the head (within 45 days in total).
    extended = submit(
        c[4], "cabinet", AppealKind.PROPOSAL, "Пропоную спростити порядок отримання статусу УБД для добровольців.", 25
    )
    at(24, lambda: services.appeal_register(appeal_id=extended.pk, official=kmu, term=AnswerTerm.STANDARD))
    at(
        3,
        lambda: services.appeal_extend(
            appeal_id=extended.pk,
            head=kmu,
            until=(extended.received_at + dt.timedelta(days=44)).date(),
            reason="Потрібні висновки Міноборони та Мінветеранів.",
        ),
    )

    # Refused: repeats an issue already decided on the merits.
    refused = submit(
        c[5], "kyiv-city-council", AppealKind.STATEMENT, "Повторно прошу перейменувати вулицю Московську.", 12
    )
    at(11, lambda: services.appeal_register(appeal_id=refused.pk, official=kmr_registry, term=AnswerTerm.SIMPLE))
    at(
        8,
        lambda: services.appeal_refuse(
            appeal_id=refused.pk,
            official=kmr_answer,
            reason=RefusalReason.REPEAT_DECIDED,
            text="Питання вирішено по суті рішенням Київради від 12.05.2023; нових обставин не наведено (ст. 8 Закону).",
        ),
    )

    # Just submitted: waiting for registration at the police.
    submit(
        c[6],
        "kyiv-police",
        AppealKind.STATEMENT,
        "Біля школи № 120 автомобілі систематично перевищують швидкість. Просимо встановити камеру.",
        1,
        category=AppealCategory.COMMUNITY_SAFETY,
        location_text="м. Київ, вул. Лайоша Гавро, 10",
    )
    return Appeal.objects.count()

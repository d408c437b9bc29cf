"""Demo appeals walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from random import Random
from typing import TypeVar

import time_machine

from vzaemo.accounts.demo import (
    LATE,
    NEVER,
    ON_TIME,
    STREETS,
    YEAR_DAYS,
    DemoPeople,
    YearAuthority,
    fate,
    year_authorities,
)
from vzaemo.accounts.models import AuthorityKind, User
from vzaemo.appeals import services
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import AnswerTerm, AppealCategory, AppealKind, RefusalReason
from vzaemo.core import clock
from vzaemo.core.errors import DomainError

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


# --- a year of activity ---------------------------------------------------------------------------------

YEAR_APPEALS_PER_AUTHORITY = 14
YEAR_FORWARDED = 0.12  # the share of police appeals that are the city council's business
YEAR_REFUSED = 0.04
YEAR_EXTENDED = 0.06
YEAR_COMPLAINED = 0.05
YEAR_SIMPLE = 0.6  # the share registered with the 15-day term
POLICE_TOPICS = [
    "Біля будинку № {n} на вулиці {street} щоночі збираються нетверезі люди і шумлять. Просимо посилити патрулювання.",
    "На вулиці {street} автомобілі систематично перевищують швидкість біля школи. Просимо встановити камеру фіксації.",
    "Біля зупинки на вулиці {street} вночі не горять ліхтарі, мешканці бояться повертатися додому.",
    "Автомобілі паркуються на тротуарі біля будинку № {n} на вулиці {street}, люди з візочками йдуть проїжджою частиною.",
    "Прошу повідомити результати розгляду моєї заяви про крадіжку велосипеда з під'їзду будинку № {n}.",
    "На вулиці {street} відкрито торгують підакцизними товарами без документів. Просимо перевірити.",
]
COUNCIL_TOPICS = [
    "Прошу відремонтувати ліфт у будинку № {n} на вулиці {street}: він не працює третій тиждень.",
    "Скаржуся на бездіяльність управителя будинку № {n} на вулиці {street} щодо протікання даху.",
    "Пропоную встановити лавки і урни на алеї вздовж вулиці {street}.",
    "Прошу прибрати аварійне дерево біля будинку № {n} на вулиці {street}, воно нахилилося над дитячим майданчиком.",
    "Прошу пояснити, чому у будинку № {n} на вулиці {street} немає гарячої води з початку місяця.",
    "Пропоную облаштувати зупинку громадського транспорту з навісом на вулиці {street}.",
]
STATE_TOPICS = [
    "Пропоную спростити порядок подання документів для отримання допомоги внутрішньо переміщеним особам.",
    "Прошу роз'яснити порядок нарахування доплати педагогічним працівникам за роботу в укритті.",
    "Скаржуся на відмову в направленні на лікування за програмою медичних гарантій, прошу перевірити.",
    "Пропоную оприлюднювати відкритими даними графік ремонту доріг місцевого значення в області.",
    "Прошу повідомити, коли буде відновлено автобусне сполучення між селом і районним центром.",
    "Пропоную запровадити електронну чергу на отримання статусу учасника бойових дій.",
]
YEAR_ANSWERS = [
    "Ваше звернення розглянуто. Інформацію перевірено, вжито заходів: роботи виконано, про що повідомлено "
    "відповідальних посадових осіб.",
    "Повідомляємо, що питання включено до плану робіт на поточний квартал; про результати буде повідомлено додатково.",
    "За результатами розгляду надано роз'яснення щодо порядку, визначеного законодавством, і контакти "
    "відповідального підрозділу.",
]


def _topics(kind: str) -> list[str]:
    if kind == AuthorityKind.POLICE_UNIT:
        return POLICE_TOPICS
    return COUNCIL_TOPICS if kind == AuthorityKind.LOCAL_SELF_GOVERNMENT else STATE_TOPICS


def _quietly(action: Callable[[], T]) -> T | None:
    """A step the law may refuse on an unlucky date (a term already long enough, a complaint window): skipped,
    never seeded as a refusal."""
    try:
        return action()
    except DomainError:
        return None


def _year_answer(appeal: Appeal, who: YearAuthority, rng: Random, now: dt.datetime) -> None:
    """Register, then answer on time, late or never by `who`'s temper; a few are refused or extended."""
    day = dt.timedelta(days=1)
    official = who.official
    registration = fate(rng, who)
    t1 = appeal.received_at + day * (rng.uniform(0.1, 2) if registration != LATE else rng.uniform(6, 10))
    if t1 > now:
        return
    term = AnswerTerm.SIMPLE if rng.random() < YEAR_SIMPLE else AnswerTerm.STANDARD
    appeal = _at(t1, functools.partial(services.appeal_register, appeal_id=appeal.pk, official=official, term=term))
    if rng.random() < YEAR_REFUSED:
        refused = t1 + day * rng.uniform(1, 5)
        if refused < now:
            _at(
                refused,
                functools.partial(
                    services.appeal_refuse,
                    appeal_id=appeal.pk,
                    official=official,
                    reason=RefusalReason.REPEAT_DECIDED,
                    text="Питання вже вирішено по суті попередньою відповіддю; нових обставин не наведено (ст. 8 Закону).",
                ),
            )
        return
    answer = fate(rng, who)
    if term == AnswerTerm.STANDARD and rng.random() < YEAR_EXTENDED and t1 + 5 * day < now:
        until = (appeal.received_at + dt.timedelta(days=44)).astimezone(clock.KYIV).date()
        extended = _quietly(
            lambda: _at(
                t1 + 5 * day,
                functools.partial(
                    services.appeal_extend,
                    appeal_id=appeal.pk,
                    head=official,
                    until=until,
                    reason="Потрібні висновки інших органів і додаткова перевірка на місці.",
                ),
            )
        )
        appeal = extended or appeal
    due = appeal.due_at or now
    if answer == NEVER:
        return
    at = t1 + (due - t1) * rng.uniform(0.2, 0.95) if answer == ON_TIME else due + day * rng.uniform(1, 30)
    if at > now:
        return
    _at(
        at,
        functools.partial(
            services.appeal_answer, appeal_id=appeal.pk, official=official, text=rng.choice(YEAR_ANSWERS)
        ),
    )
    complained = at + day * rng.uniform(2, 10)
    if who.authority.parent_id and rng.random() < YEAR_COMPLAINED and complained < now:
        _quietly(
            lambda: _at(
                complained,
                functools.partial(
                    services.appeal_file_complaint,
                    appeal_id=appeal.pk,
                    applicant=appeal.applicant,
                    essence="Відповідь формальна, по суті питання не розглянуто. Прошу вищий орган перевірити.",
                ),
            )
        )


def seed_appeals_year(people: DemoPeople) -> int:
    """A year of appeals to every authority of the year: registered, answered on time, late or never by each
    one's temper; some police appeals forwarded to the city council of their oblast. Idempotent: does nothing
    once those authorities have appeals. Returns how many appeals it filed (forwarded copies included)."""
    year = year_authorities(people)
    if Appeal.objects.filter(authority__in=[y.authority for y in year]).exists():
        return 0
    rng = Random(2027)  # noqa: S311 - reproducible demo data, not secrets
    now = clock.now().replace(microsecond=0)
    councils = {y.authority.region: y for y in year if y.authority.kind == AuthorityKind.LOCAL_SELF_GOVERNMENT}
    made = 0
    for who in year:
        kind = who.authority.kind
        for _ in range(YEAR_APPEALS_PER_AUTHORITY):
            citizen = rng.choice(people.citizens)
            place = {"street": rng.choice(STREETS), "n": rng.randint(2, 120)}
            police = kind == AuthorityKind.POLICE_UNIT
            appeal = _at(
                now - dt.timedelta(days=rng.uniform(1, YEAR_DAYS)),
                functools.partial(
                    services.appeal_submit,
                    applicant=citizen,
                    authority=who.authority,
                    kind=rng.choice(
                        [AppealKind.STATEMENT, AppealKind.STATEMENT, AppealKind.COMPLAINT, AppealKind.PROPOSAL]
                    ),
                    essence=rng.choice(_topics(kind)).format(**place),
                    full_name=citizen.full_name,
                    place_of_residence=citizen.place_of_residence or "Україна",
                    email=citizen.email,
                    category=AppealCategory.COMMUNITY_SAFETY if police else AppealCategory.GENERAL,
                    location_text=f"вул. {place['street']}, {place['n']}" if police else "",
                    duplicate_confirmed=True,
                ),
            )
            made += 1
            council = councils.get(who.authority.region)
            forward_at = appeal.received_at + dt.timedelta(days=rng.uniform(0.5, 2))
            if police and council is not None and rng.random() < YEAR_FORWARDED and forward_at < now:
                _at(
                    forward_at - dt.timedelta(hours=1),
                    functools.partial(
                        services.appeal_register, appeal_id=appeal.pk, official=who.official, term=AnswerTerm.STANDARD
                    ),
                )
                copy = _at(
                    forward_at,
                    functools.partial(
                        services.appeal_forward,
                        appeal_id=appeal.pk,
                        official=who.official,
                        to=council.authority,
                        note="Питання належить до повноважень міської ради; патрулювання посилено.",
                    ),
                )
                made += 1
                _year_answer(copy, council, rng, now)
                continue
            _year_answer(appeal, who, rng, now)
    return made

"""Demo petitions in every state, walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from random import Random
from typing import TypeVar

import time_machine

from vzaemo.accounts.demo import LATE, NEVER, ON_TIME, STREETS, YEAR_DAYS, DemoPeople, fate, year_authorities
from vzaemo.accounts.models import User
from vzaemo.core import clock
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.states import AnswerDecision, RejectionReason

T = TypeVar("T")


def _at(moment: dt.datetime, action: Callable[[], T]) -> T:
    with time_machine.travel(moment, tick=False):
        return action()


def seed_petitions(people: DemoPeople) -> int:
    if Petition.objects.exists():
        return 0
    now = clock.now().replace(microsecond=0)
    a, o, c = people.authorities, people.officials, people.citizens
    pryluky_official = o["official.pryluky@vzaemo.example"]

    def life(
        *,
        author_index: int,
        authority: str,
        title: str,
        essence: str,
        days_ago: int,
        moderator: str | None,
        signers: int = 0,
        start: bool = False,
        answer: tuple[str, str] | None = None,
        reject: str | None = None,
        submit: bool = True,
    ) -> Petition:
        t0 = now - dt.timedelta(days=days_ago)
        author = c[author_index]
        petition = _at(
            t0, lambda: services.petition_create(author=author, authority=a[authority], title=title, essence=essence)
        )
        if not submit:
            return petition
        _at(t0 + dt.timedelta(minutes=5), lambda: services.petition_submit(petition_id=petition.pk, author=author))
        if moderator is None:
            return petition
        mod = o[moderator]
        t1 = t0 + dt.timedelta(days=1)
        if reject:
            _at(
                t1,
                lambda: services.petition_reject(
                    petition_id=petition.pk, moderator=mod, reason=reject, note="Текст містить нецензурну лексику."
                ),
            )
            return petition
        _at(t1, lambda: services.petition_publish(petition_id=petition.pk, moderator=mod))
        for i, signer in enumerate(c[:signers]):
            _at(
                t1 + dt.timedelta(hours=2, seconds=37 * i),
                functools.partial(services.petition_sign, petition_id=petition.pk, signer=signer),
            )
        t2 = t1 + dt.timedelta(days=2)
        _at(t2, services.signature_counts_recount)
        if start:
            _at(
                t2 + dt.timedelta(days=1),
                lambda: services.petition_start_consideration(petition_id=petition.pk, official=pryluky_official),
            )
        if answer:
            decision, text = answer
            _at(
                t2 + dt.timedelta(days=4),
                lambda: services.petition_answer(
                    petition_id=petition.pk, official=pryluky_official, decision=decision, text=text
                ),
            )
        return petition

    mod_p = "official.pryluky@vzaemo.example"
    life(
        author_index=0,
        authority="pryluky-city-council",
        days_ago=50,
        moderator=mod_p,
        signers=162,
        start=True,
        title="Облаштувати укриття в гімназії № 3",
        essence="Просимо міську раду облаштувати найпростіше укриття в підвалі гімназії № 3, щоб навчання не переривалося під час повітряних тривог.",
        answer=(
            AnswerDecision.SUPPORTED,
            "Міська рада підтримує петицію. Кошти на облаштування укриття передбачено змінами до бюджету громади, роботи завершаться до 1 березня.",
        ),
    )
    life(
        author_index=1,
        authority="pryluky-city-council",
        days_ago=45,
        moderator=mod_p,
        signers=155,
        title="Перейменувати вулицю Московську на вулицю Героїв Крут",
        essence="Пропонуємо перейменувати вулицю відповідно до Закону України про засудження російської імперської політики.",
        answer=(
            AnswerDecision.NOT_SUPPORTED,
            "Вулицю вже перейменовано рішенням сесії від 12.05.2023; повторне перейменування не потрібне. Дякуємо за активність.",
        ),
    )
    life(
        author_index=2,
        authority="pryluky-city-council",
        days_ago=20,
        moderator=mod_p,
        signers=151,
        start=True,
        title="Встановити світлофор біля ліцею № 6",
        essence="Біля ліцею № 6 немає світлофора, діти щодня переходять жваву дорогу. Просимо встановити світлофор із кнопкою виклику.",
    )
    life(
        author_index=3,
        authority="pryluky-city-council",
        days_ago=40,
        moderator=mod_p,
        signers=150,
        title="Відкрити пункт незламності у мікрорайоні Квашина",
        essence="У мікрорайоні немає пункту незламності з генератором і зв'язком. Просимо відкрити його в приміщенні бібліотеки.",
    )
    life(
        author_index=4,
        authority="cabinet",
        days_ago=10,
        moderator="moderator.kmu@vzaemo.example",
        signers=12,
        title="Запровадити єдиний електронний квиток для приміських поїздів",
        essence="Пропонуємо доручити Мінінфраструктури запровадити єдиний електронний квиток на приміських поїздах усіх регіонів.",
    )
    life(
        author_index=5,
        authority="kyiv-city-council",
        days_ago=5,
        moderator="moderator.kmr@vzaemo.example",
        signers=9,
        title="Створити велодоріжку вздовж Набережного шосе",
        essence="Просимо Київраду передбачити в програмі розвитку транспорту безпечну велодоріжку вздовж Набережного шосе.",
    )
    life(
        author_index=6,
        authority="kyiv-city-council",
        days_ago=75,
        moderator="moderator.kmr@vzaemo.example",
        signers=4,
        title="Повернути тролейбусний маршрут № 16",
        essence="Після оптимізації маршрутів мешканці Оболоні втратили прямий зв'язок з центром. Просимо відновити маршрут № 16.",
    )
    life(
        author_index=7,
        authority="cabinet",
        days_ago=3,
        moderator="moderator.kmu@vzaemo.example",
        reject=RejectionReason.OBSCENE,
        title="Про ***",
        essence="Текст петиції, відхиленої модератором через нецензурну лексику.",
    )
    life(
        author_index=8,
        authority="kyiv-city-council",
        days_ago=1,
        moderator=None,
        title="Облаштувати пандуси в підземних переходах на Хрещатику",
        essence="Частина підземних переходів недоступна для людей з інвалідністю, батьків з візочками та літніх людей. Просимо облаштувати пандуси або ліфти.",
    )
    life(
        author_index=0,
        authority="cabinet",
        days_ago=0,
        moderator=None,
        submit=False,
        title="Чернетка: спростити реєстрацію громадських організацій",
        essence="Чернетка петиції про скорочення строків реєстрації громадських організацій.",
    )
    services.petition_deadlines_apply()
    return Petition.objects.count()


# --- a year of activity ---------------------------------------------------------------------------------

YEAR_PETITIONS_PER_COUNCIL = 28
YEAR_REJECTED = 0.06  # the share a moderator rejects
YEAR_POPULAR = 0.45  # the share that gathers the threshold's signatures
YEAR_STARTED = 0.5  # the share of those whose consideration is started before the answer
YEAR_TOPICS = [
    (
        "Облаштувати пішохідний перехід на вулиці {street}",
        "Біля будинку № {n} на вулиці {street} люди щодня перебігають дорогу. Просимо облаштувати регульований "
        "пішохідний перехід з освітленням і острівцем безпеки.",
    ),
    (
        "Відремонтувати дорогу на вулиці {street}",
        "Покриття вулиці {street} зруйноване, ями глибиною до 20 см. Просимо включити капітальний ремонт до "
        "програми на наступний рік і оприлюднити графік робіт.",
    ),
    (
        "Облаштувати укриття в ліцеї № {n}",
        "У ліцеї № {n} немає укриття, що вміщує всіх учнів, тому навчання переривається під час тривог. Просимо "
        "облаштувати укриття в підвальному приміщенні.",
    ),
    (
        "Створити сквер на місці пустиря на вулиці {street}",
        "Пустир на вулиці {street} захаращений і небезпечний. Просимо створити там сквер з лавами, деревами і "
        "дитячим майданчиком, з урахуванням думки мешканців.",
    ),
    (
        "Продовжити автобусний маршрут № {n}",
        "Мешканці нових кварталів не мають прямого сполучення з центром. Просимо продовжити маршрут № {n} до "
        "кінця вулиці {street} і збільшити кількість рейсів у години пік.",
    ),
    (
        "Встановити камери відеоспостереження у парку на вулиці {street}",
        "У парку на вулиці {street} увечері трапляються хуліганські дії. Просимо встановити камери і "
        "підключити їх до системи «Безпечне місто».",
    ),
    (
        "Відкрити інклюзивно-ресурсний центр у мікрорайоні на вулиці {street}",
        "Діти з особливими освітніми потребами їздять на заняття через усе місто. Просимо відкрити "
        "інклюзивно-ресурсний центр ближче до домівок.",
    ),
    (
        "Облаштувати безбар'єрний вхід до центру надання адміністративних послуг",
        "Вхід до ЦНАП має сходи без пандуса, люди на кріслах колісних і батьки з візочками не можуть потрапити "
        "всередину. Просимо облаштувати пандус і кнопку виклику.",
    ),
    (
        "Встановити контейнери для роздільного збору сміття на вулиці {street}",
        "На вулиці {street} стоять лише контейнери для змішаних відходів. Просимо встановити контейнери для "
        "пластику, скла і паперу та поширити графік вивезення.",
    ),
    (
        "Перейменувати вулицю {street} на честь загиблого захисника",
        "Просимо перейменувати провулок біля вулиці {street} на честь нашого земляка, який загинув, захищаючи "
        "Україну, за поданням його побратимів.",
    ),
    (
        "Облаштувати велодоріжку вздовж вулиці {street}",
        "Велосипедисти їдуть проїжджою частиною разом з вантажівками. Просимо облаштувати відокремлену "
        "велодоріжку вздовж вулиці {street}.",
    ),
    (
        "Відновити вуличне освітлення на вулиці {street}",
        "Після пошкодження мереж вулиця {street} вночі не освітлюється. Просимо відновити освітлення з "
        "автономним живленням на сонячних панелях.",
    ),
    (
        "Заборонити продаж алкоголю вночі біля школи № {n}",
        "Біля школи № {n} цілодобово торгують алкоголем, вночі збираються компанії. Просимо заборонити продаж "
        "алкоголю з 22:00 до 8:00 у радіусі 300 метрів.",
    ),
    (
        "Створити пункт незламності у будинку культури на вулиці {street}",
        "Під час відключень мешканцям немає де зарядити телефони і зігрітися. Просимо облаштувати пункт "
        "незламності з генератором у будинку культури.",
    ),
    (
        "Збільшити кількість місць у дитячому садку № {n}",
        "Черга до дитячого садка № {n} перевищує 200 дітей. Просимо відкрити додаткові групи і відремонтувати "
        "приміщення, що пустує.",
    ),
    (
        "Оприлюднювати засідання виконкому в прямому ефірі",
        "Просимо транслювати засідання виконавчого комітету наживо і зберігати записи на сайті ради, щоб "
        "мешканці бачили, як ухвалюються рішення.",
    ),
]
YEAR_ANSWERS = {
    AnswerDecision.SUPPORTED: [
        "Виконавчий комітет підтримує петицію. Кошти передбачено у програмі на наступний рік, відповідальне "
        "управління оприлюднить графік робіт до кінця кварталу.",
        "Петицію підтримано: доручено профільному департаменту підготувати проєкт рішення і винести його на "
        "найближчу сесію ради.",
    ],
    AnswerDecision.NOT_SUPPORTED: [
        "Петицію не підтримано: питання вже вирішене рішенням сесії, роботи виконуються за затвердженим "
        "графіком. Дякуємо за активну позицію.",
        "Петицію не підтримано через відсутність коштів у бюджеті громади цього року; пропозицію враховано під "
        "час формування програми на наступний рік.",
    ],
}


def _year_sign(petition_id: int, signers: list[User], start: dt.datetime, end: dt.datetime, rng: Random) -> None:
    """Signatures as `petition_sign` inserts them, in bulk: the rows and their times; not one audit entry each."""
    span = max((end - start).total_seconds(), 1.0)
    Signature.objects.bulk_create(
        [
            Signature(
                petition_id=petition_id,
                signer=signer,
                signer_name=signer.full_name,
                created_at=start + dt.timedelta(seconds=rng.uniform(0, span)),
            )
            for signer in signers
        ],
        batch_size=2000,
    )


def seed_petitions_year(people: DemoPeople) -> int:
    """A year of petitions to the city councils of the year's authorities, answered on time, late or never
    by each council's temper. Idempotent: does nothing once they have petitions. Returns how many it made."""
    councils = [y for y in year_authorities(people) if y.authority.accepts_petitions]
    if Petition.objects.filter(authority__in=[y.authority for y in councils]).exists():
        return 0
    rng = Random(2026)  # noqa: S311 - reproducible demo data, not secrets
    now = clock.now().replace(microsecond=0)
    day = dt.timedelta(days=1)
    made = 0
    for council in councils:
        official = council.official
        for _ in range(YEAR_PETITIONS_PER_COUNCIL):
            t0 = now - day * rng.uniform(1, YEAR_DAYS)
            author = rng.choice(people.citizens)
            title, essence = rng.choice(YEAR_TOPICS)
            place = {"street": rng.choice(STREETS), "n": rng.randint(2, 40)}
            petition = _at(
                t0,
                functools.partial(
                    services.petition_create,
                    author=author,
                    authority=council.authority,
                    title=title.format(**place),
                    essence=essence.format(**place),
                    submit=True,
                ),
            )
            made += 1
            moderation = fate(rng, council)
            t1 = t0 + day * (rng.uniform(0.1, 1.5) if moderation != LATE else rng.uniform(6, 15))
            if t1 > now or (moderation == NEVER and t0 > now - 20 * day):
                continue  # still awaiting moderation
            if rng.random() < YEAR_REJECTED:
                _at(
                    t1,
                    functools.partial(
                        services.petition_reject,
                        petition_id=petition.pk,
                        moderator=official,
                        reason=RejectionReason.OBSCENE,
                        note="Текст містить нецензурну лексику.",
                    ),
                )
                continue
            petition = _at(
                t1, functools.partial(services.petition_publish, petition_id=petition.pk, moderator=official)
            )
            threshold, ends = petition.threshold or 1, petition.collection_ends_at or now
            reach = t1 + (ends - t1) * rng.uniform(0.1, 0.8)
            if rng.random() < YEAR_POPULAR and reach < now:
                signers = rng.sample(people.citizens, min(len(people.citizens), threshold + rng.randint(0, 25)))
                _year_sign(petition.pk, signers, t1, reach, rng)
                Petition.objects.filter(pk=petition.pk).update(signature_count=len(signers), count_updated_at=reach)
                _at(reach, functools.partial(services.petition_reach_threshold, petition_id=petition.pk))
                answer = fate(rng, council)
                if rng.random() < YEAR_STARTED:
                    _at(
                        reach + day,
                        functools.partial(
                            services.petition_start_consideration, petition_id=petition.pk, official=official
                        ),
                    )
                petition.refresh_from_db()
                due = petition.answer_due_at or now
                if answer == NEVER:
                    continue
                at = (
                    reach + (due - reach) * rng.uniform(0.3, 0.95)
                    if answer == ON_TIME
                    else due + day * rng.uniform(2, 40)
                )
                if at > now:
                    continue
                decision = rng.choice(list(YEAR_ANSWERS))
                _at(
                    at,
                    functools.partial(
                        services.petition_answer,
                        petition_id=petition.pk,
                        official=official,
                        decision=decision,
                        text=rng.choice(YEAR_ANSWERS[decision]),
                    ),
                )
            else:
                signers = rng.sample(
                    people.citizens, min(len(people.citizens), rng.randint(threshold // 50 + 1, threshold * 4 // 5))
                )
                _year_sign(petition.pk, signers, t1, min(ends, now), rng)
                if ends <= now:
                    _at(
                        ends + dt.timedelta(minutes=1),
                        functools.partial(services.petition_close_collection, petition_id=petition.pk),
                    )
    services.signature_counts_recount()
    services.petition_deadlines_apply()
    return made

"""Demo petitions in every state, walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar

import time_machine

from vzaemo.accounts.demo import DemoPeople
from vzaemo.core import clock
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition
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

"""Demo consultations in each public state, walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from random import Random
from typing import TypeVar

import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from vzaemo.accounts.demo import DEMO_PASSWORD, NEVER, ON_TIME, YEAR_DAYS, DemoPeople, fate, year_authorities
from vzaemo.accounts.models import Authority, AuthorityKind, Role, User
from vzaemo.accounts.services import membership_grant
from vzaemo.consultations import services
from vzaemo.consultations.models import Consultation
from vzaemo.consultations.states import Decision, Topic
from vzaemo.core import clock

T = TypeVar("T")

MINJUST_OFFICIAL = "official.minjust@vzaemo.example"

MINJUST_DRAFT = """Проєкт наказу Міністерства юстиції України «Про затвердження Порядку електронної реєстрації громадських об'єднань»

1. Затвердити Порядок електронної реєстрації громадських об'єднань, що додається.
2. Заява про державну реєстрацію подається через вебпортал електронних послуг і підписується кваліфікованим електронним підписом засновника.
3. Строк розгляду заяви становить три робочі дні з дня її надходження.
4. Відомості про зареєстроване об'єднання оприлюднюються в Єдиному державному реєстрі в день реєстрації.
5. Наказ набирає чинності з дня його офіційного опублікування."""

MINJUST_PAST_DRAFT = """Проєкт постанови Кабінету Міністрів України «Про внесення змін до Порядку проведення конкурсу з визначення програм, розроблених інститутами громадянського суспільства»

1. Конкурсна комісія оприлюднює протоколи засідань протягом п'яти робочих днів.
2. Мінімальний обсяг співфінансування з боку інституту громадянського суспільства становить 15 відсотків.
3. Звіт про виконання програми оприлюднюється на вебсайті органу."""

KYIV_DRAFT = """Проєкт рішення Київської міської ради «Про затвердження Правил благоустрою парків і скверів»

Пункт перший. Заборонити вирубку дерев у парках без висновку комісії з питань зелених насаджень.

Пункт другий. Облаштувати пандуси і безбар'єрні доріжки в усіх парках до 2027 року.

Пункт третій. Щороку оприлюднювати звіт про стан зелених насаджень."""


def _at(moment: dt.datetime, action: Callable[[], T]) -> T:
    with time_machine.travel(moment, tick=False):
        return action()


def _official(email: str, name: str, authority: Authority, admin: User | None) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "password": make_password(DEMO_PASSWORD), "email_verified": True}
    )
    if created:
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    membership_grant(actor=admin, user=user, role=Role.OFFICIAL, authority=authority)
    return user


def seed_consultations(people: DemoPeople) -> int:
    """Idempotent: does nothing once any consultation exists. Returns how many consultations there are."""
    if Consultation.objects.exists():
        return 0
    now = clock.now().replace(microsecond=0)
    a, c, csos = people.authorities, people.citizens, list(people.csos.values())
    admin = people.officials.get("admin")
    minjust = _official(MINJUST_OFFICIAL, "Олена Литвиненко", a["minjust"], admin)
    kyiv = _official("official.kmr@vzaemo.example", "Сергій Шевчук", a["kyiv-city-council"], admin)

    def consultation(
        *, official: User, authority: str, opened_days_ago: int, days: int, topic: str, title: str, draft: str
    ) -> Consultation:
        t0 = now - dt.timedelta(days=opened_days_ago)
        created = _at(
            t0 - dt.timedelta(hours=2),
            lambda: services.consultation_create(
                official=official,
                authority=a[authority],
                title=title,
                summary=f"Проєкт акта: {title}. Пропозиції приймаються до визначеного строку.",
                affected_groups="Громадські об'єднання, їх засновники і члени, органи місцевого самоврядування.",
                consequences="Спрощення процедур, зменшення строків і витрат, більша прозорість рішень.",
                contact_email=f"consult@{authority}.vzaemo.example",
                proposals_form="Письмово на цій сторінці (після входу) або електронною поштою на вказану адресу.",
                topic=topic,
                draft_text=draft,
                closes_on=(t0 + dt.timedelta(days=days)).astimezone(clock.KYIV).date(),
            ),
        )
        _at(t0, lambda: services.consultation_open(consultation_id=created.pk, official=official))
        return created

    def comment(item: Consultation, at: dt.datetime, who: int, clause: int | None, text: str, *, cso: bool) -> int:
        clause_id = item.clauses.get(number=clause).pk if clause else None
        proposal = _at(
            at,
            lambda: services.proposal_submit(
                consultation_id=item.pk,
                author=c[who],
                text=text,
                clause_id=clause_id,
                cso=csos[who] if cso and who < len(csos) else None,
            ),
        )
        return proposal.pk

    # 1. The Ministry of Justice: open now.
    open_one = consultation(
        official=minjust,
        authority="minjust",
        opened_days_ago=3,
        days=25,
        topic=Topic.CSO_STATUS,
        title="Порядок електронної реєстрації громадських об'єднань",
        draft=MINJUST_DRAFT,
    )
    start = now - dt.timedelta(days=2)
    comment(
        open_one,
        start,
        0,
        4,
        "Пропонуємо скоротити строк розгляду до одного робочого дня для типових статутів.",
        cso=True,
    )
    comment(
        open_one,
        start + dt.timedelta(hours=3),
        1,
        3,
        "Варто дозволити підпис через Дія.Підпис, а не лише КЕП.",
        cso=True,
    )
    comment(
        open_one,
        start + dt.timedelta(hours=5),
        3,
        None,
        "Загалом підтримую проєкт, він зменшить черги в ЦНАПах.",
        cso=False,
    )

    # 2. The Ministry of Justice: done, with a published report.
    past = consultation(
        official=minjust,
        authority="minjust",
        opened_days_ago=50,
        days=20,
        topic=Topic.CSO_STATUS,
        title="Зміни до порядку конкурсу програм інститутів громадянського суспільства",
        draft=MINJUST_PAST_DRAFT,
    )
    t = now - dt.timedelta(days=48)
    p1 = comment(past, t, 0, 2, "Оприлюднювати протоколи протягом трьох робочих днів, а не п'яти.", cso=True)
    p2 = comment(
        past,
        t + dt.timedelta(hours=1),
        1,
        3,
        "Знизити співфінансування до 10 відсотків для малих організацій.",
        cso=True,
    )
    p3 = comment(past, t + dt.timedelta(days=1), 2, 4, "Додати до звіту фотофіксацію та фінансові документи.", cso=True)
    closed_at = past.closes_at + dt.timedelta(minutes=1)
    _at(closed_at, lambda: services.consultation_close(consultation_id=past.pk))
    decided = closed_at + dt.timedelta(days=4)
    for pk, decision, reason in [
        (p1, Decision.ACCEPTED, ""),
        (p2, Decision.PARTIALLY_ACCEPTED, "Для організацій з річним бюджетом до 500 тис. грн співфінансування — 10 %."),
        (p3, Decision.REJECTED, "Фінансові документи вже подаються до комісії; фотофіксація не є обов'язковою."),
    ]:
        _at(
            decided,
            functools.partial(
                services.proposal_decide, proposal_id=pk, official=minjust, decision=decision, reason=reason
            ),
        )
    _at(
        decided + dt.timedelta(days=2),
        lambda: services.consultation_publish_report(
            consultation_id=past.pk,
            official=minjust,
            summary="Проєкт постанови доопрацьовано з урахуванням пропозицій і подано на розгляд Кабінету Міністрів.",
        ),
    )

    # 3. Kyiv City Council: closed, awaiting decisions.
    kyiv_one = consultation(
        official=kyiv,
        authority="kyiv-city-council",
        opened_days_ago=25,
        days=17,
        topic=Topic.ENVIRONMENT,
        title="Правила благоустрою парків і скверів Києва",
        draft=KYIV_DRAFT,
    )
    t = now - dt.timedelta(days=20)
    comment(kyiv_one, t, 1, 2, "Додати обов'язкове громадське обговорення перед будь-якою вирубкою.", cso=True)
    comment(
        kyiv_one,
        t + dt.timedelta(hours=2),
        2,
        3,
        "Пропонуємо встановити освітлення на безбар'єрних доріжках.",
        cso=True,
    )
    comment(
        kyiv_one,
        t + dt.timedelta(days=1),
        4,
        None,
        "Прошу додати пункт про догляд за деревами після посадки.",
        cso=False,
    )
    services.consultation_deadlines_apply()
    return Consultation.objects.count()


# --- a year of activity ---------------------------------------------------------------------------------

YEAR_CONSULTATIONS = 24
YEAR_DRAFTS = [
    (
        "Програма розвитку громадського транспорту на 2027–2029 роки",
        Topic.STRATEGY,
        [
            "Оновити рухомий склад: придбати 40 низькопідлогових автобусів і 20 тролейбусів.",
            "Запровадити єдиний електронний квиток з безкоштовною пересадкою протягом 60 хвилин.",
            "Облаштувати виділені смуги на основних магістралях.",
            "Щороку оприлюднювати звіт про виконання програми.",
        ],
    ),
    (
        "Правила благоустрою території громади",
        Topic.COMMUNITY,
        [
            "Власники будівель утримують прилеглу територію в належному стані.",
            "Заборонити розміщення реклами на деревах і опорах освітлення.",
            "Вирубка зелених насаджень можлива лише за висновком комісії з громадськістю.",
        ],
    ),
    (
        "Порядок надання соціальних послуг внутрішньо переміщеним особам",
        Topic.CONSTITUTIONAL_RIGHTS,
        [
            "Заява про надання послуги подається через ЦНАП або онлайн.",
            "Строк ухвалення рішення становить десять робочих днів.",
            "Перелік послуг оприлюднюється на сайті органу.",
            "Скарга на відмову розглядається комісією за участю громадськості.",
        ],
    ),
    (
        "Положення про громадський бюджет",
        Topic.COMMUNITY,
        [
            "Обсяг громадського бюджету становить один відсоток видатків загального фонду.",
            "Подати проєкт може кожен мешканець громади віком від 16 років.",
            "Голосування проводиться електронно з верифікацією особи.",
        ],
    ),
    (
        "Регіональна екологічна програма",
        Topic.ENVIRONMENT,
        [
            "Збудувати два сміттєсортувальні комплекси до 2028 року.",
            "Створити мережу станцій моніторингу якості повітря з відкритими даними.",
            "Відновити заплави малих річок.",
        ],
    ),
    (
        "Порядок конкурсу програм інститутів громадянського суспільства",
        Topic.CSO_STATUS,
        [
            "Оголошення про конкурс оприлюднюється не пізніше ніж за 30 днів до кінця прийому заявок.",
            "До складу конкурсної комісії входять не менш як третина представників громадськості.",
            "Рейтинг проєктів і протоколи засідань оприлюднюються.",
        ],
    ),
    (
        "Порядок видачі дозволів на розміщення літніх майданчиків",
        Topic.BUSINESS,
        [
            "Дозвіл видається через ЦНАП у строк до п'яти робочих днів.",
            "Плата за розміщення залежить від зони міста.",
            "Майданчик не повинен звужувати тротуар менш ніж до двох метрів.",
        ],
    ),
]
YEAR_PROPOSALS = [
    "Пропонуємо скоротити строк до п'яти робочих днів і дозволити подання через Дію.",
    "Додати обов'язкове громадське обговорення перед ухваленням рішення.",
    "Передбачити окремі умови для людей з інвалідністю і маломобільних груп.",
    "Оприлюднювати всі рішення у форматі відкритих даних.",
    "Уточнити джерела фінансування і відповідальних виконавців.",
    "Пропоную додати щоквартальний, а не щорічний звіт.",
    "Підтримую проєкт загалом, але строки виконання нереалістичні.",
]
YEAR_REASONS = {
    Decision.ACCEPTED: "",
    Decision.PARTIALLY_ACCEPTED: "Враховано частково: строк скорочено, але не так суттєво, як пропонується.",
    Decision.REJECTED: "Не враховано: пропозиція суперечить вимогам чинного законодавства.",
}


def seed_consultations_year(people: DemoPeople) -> int:
    """A year of consultations by ministries, oblast administrations and city councils of the year, with
    proposals decided and reports published on time, late or never by each one's temper. Idempotent: does
    nothing once those authorities have consultations. Returns how many it made."""
    hosts = year_authorities(
        people,
        AuthorityKind.CENTRAL_EXECUTIVE,
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
    )
    if Consultation.objects.filter(authority__in=[y.authority for y in hosts]).exists():
        return 0
    rng = Random(2028)  # noqa: S311 - reproducible demo data, not secrets
    now = clock.now().replace(microsecond=0)
    day = dt.timedelta(days=1)
    csos = list(people.csos.values())
    for _ in range(YEAR_CONSULTATIONS):
        who = rng.choice(hosts)
        title, topic, clauses = rng.choice(YEAR_DRAFTS)
        t0 = now - day * rng.uniform(3, YEAR_DAYS)
        draft = f"Проєкт рішення «Про затвердження: {title}»\n\n" + "\n".join(
            f"{n}. {text}" for n, text in enumerate(clauses, start=1)
        )
        created = _at(
            t0 - dt.timedelta(hours=2),
            functools.partial(
                services.consultation_create,
                official=who.official,
                authority=who.authority,
                title=title,
                summary=f"Проєкт акта: {title}. Пропозиції приймаються до визначеного строку.",
                affected_groups="Мешканці, громадські об'єднання, суб'єкти господарювання.",
                consequences="Прозоріші процедури, коротші строки, більше участі громадськості.",
                contact_email=f"consult@{who.authority.slug}.vzaemo.example",
                proposals_form="Письмово на цій сторінці (після входу) або електронною поштою.",
                topic=topic,
                draft_text=draft,
                closes_on=(t0 + day * rng.randint(16, 30)).astimezone(clock.KYIV).date(),
            ),
        )
        consultation = _at(
            t0, functools.partial(services.consultation_open, consultation_id=created.pk, official=who.official)
        )
        numbers = list(consultation.clauses.values_list("number", "pk"))
        for i in range(rng.randint(2, 6)):
            at = t0 + (consultation.closes_at - t0) * rng.uniform(0.05, 0.95)
            if at > now:
                continue
            author_index = rng.randrange(len(people.citizens))
            _, clause_id = rng.choice(numbers)
            _at(
                at,
                functools.partial(
                    services.proposal_submit,
                    consultation_id=consultation.pk,
                    author=people.citizens[author_index],
                    text=YEAR_PROPOSALS[(i + author_index) % len(YEAR_PROPOSALS)],
                    clause_id=clause_id,
                    cso=csos[author_index] if author_index < len(csos) else None,
                ),
            )
        closed_at = consultation.closes_at + dt.timedelta(minutes=1)
        if closed_at > now:
            continue
        closed = _at(closed_at, functools.partial(services.consultation_close, consultation_id=consultation.pk))
        due = (closed.report_due_at if closed else None) or now
        answer = fate(rng, who)
        if answer == NEVER:
            continue
        decided = (
            closed_at + (due - closed_at) * rng.uniform(0.2, 0.8)
            if answer == ON_TIME
            else due + day * rng.uniform(2, 20)
        )
        if decided > now:
            continue
        for proposal_id in consultation.proposals.values_list("pk", flat=True):
            decision = rng.choice(list(YEAR_REASONS))
            _at(
                decided,
                functools.partial(
                    services.proposal_decide,
                    proposal_id=proposal_id,
                    official=who.official,
                    decision=decision,
                    reason=YEAR_REASONS[decision],
                ),
            )
        _at(
            decided + dt.timedelta(hours=4),
            functools.partial(
                services.consultation_publish_report,
                consultation_id=consultation.pk,
                official=who.official,
                summary="Проєкт доопрацьовано з урахуванням пропозицій; таблицю пропозицій оприлюднено.",
            ),
        )
    return YEAR_CONSULTATIONS

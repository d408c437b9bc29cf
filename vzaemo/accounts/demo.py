"""Ukrainian demo organisations and people (all fictitious; EDRPOU codes are illustrative)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from vzaemo.accounts.models import (
    Authority,
    AuthorityKind,
    CivilSocietyOrganisation,
    LegalForm,
    Region,
    Role,
    User,
)
from vzaemo.accounts.services import membership_grant
from vzaemo.core.models import LegalRuleOverride, RuleUnit

DEMO_PASSWORD = "vzaemo-demo-2026"  # noqa: S105 - the published password of fictitious demo accounts


@dataclass(frozen=True)
class YearAuthority:
    """An authority of the demo's year of activity, with its official and its temper: the shares of its
    duties it meets on time and late (the rest it never meets), so the responsiveness index has leaders
    and laggards."""

    authority: Authority
    official: User
    on_time: float
    late: float


@dataclass
class DemoPeople:
    authorities: dict[str, Authority]
    csos: dict[str, CivilSocietyOrganisation]
    officials: dict[str, User]
    citizens: list[User]
    year: list[YearAuthority] = field(default_factory=list)


AUTHORITIES = [
    (
        "cabinet",
        "Кабінет Міністрів України",
        "Cabinet of Ministers of Ukraine",
        AuthorityKind.CABINET,
        "00031101",
        None,
        Region.NATIONAL,
        True,
    ),
    (
        "minjust",
        "Міністерство юстиції України",
        "Ministry of Justice of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "00015622",
        "cabinet",
        Region.NATIONAL,
        False,
    ),
    (
        "kyiv-city-council",
        "Київська міська рада",
        "Kyiv City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        "22883141",
        None,
        Region.KYIV_CITY,
        True,
    ),
    (
        "pryluky-city-council",
        "Прилуцька міська рада",
        "Pryluky City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        "04061843",
        None,
        Region.CHERNIHIV,
        True,
    ),
    (
        "npu",
        "Національна поліція України",
        "National Police of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "40108578",
        "cabinet",
        Region.NATIONAL,
        False,
    ),
    (
        "kyiv-police",
        "Головне управління Національної поліції у м. Києві",
        "Main Directorate of the National Police in Kyiv",
        AuthorityKind.POLICE_UNIT,
        "40108583",
        "npu",
        Region.KYIV_CITY,
        False,
    ),
]

# The year of activity (each app's `seed_*_year`): ministries, oblast administrations, city councils and police
# units beyond the story's six, each with one official (`official.<slug>@vzaemo.example`) and a temper
# (on time, late). Names are real bodies; codes, people and everything they do are fictitious.
# slug, name_uk, name_en, kind, parent, region, on_time, late, (petition threshold, collection days) or None
YEAR_AUTHORITIES: list[tuple[str, str, str, str, str | None, str, float, float, tuple[int, int] | None]] = [
    (
        "mon",
        "Міністерство освіти і науки України",
        "Ministry of Education and Science of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.8,
        0.15,
        None,
    ),
    (
        "moz",
        "Міністерство охорони здоров'я України",
        "Ministry of Health of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.55,
        0.3,
        None,
    ),
    (
        "mintsyfra",
        "Міністерство цифрової трансформації України",
        "Ministry of Digital Transformation of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.95,
        0.05,
        None,
    ),
    (
        "minsotspolityky",
        "Міністерство соціальної політики України",
        "Ministry of Social Policy of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.5,
        0.3,
        None,
    ),
    (
        "mindovkillia",
        "Міністерство захисту довкілля та природних ресурсів України",
        "Ministry of Environmental Protection and Natural Resources of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.6,
        0.2,
        None,
    ),
    (
        "mvs",
        "Міністерство внутрішніх справ України",
        "Ministry of Internal Affairs of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.75,
        0.2,
        None,
    ),
    (
        "minveteraniv",
        "Міністерство у справах ветеранів України",
        "Ministry of Veterans Affairs of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.65,
        0.25,
        None,
    ),
    (
        "mingromad",
        "Міністерство розвитку громад та територій України",
        "Ministry for Development of Communities and Territories of Ukraine",
        AuthorityKind.CENTRAL_EXECUTIVE,
        "cabinet",
        Region.NATIONAL,
        0.45,
        0.35,
        None,
    ),
    (
        "lviv-oda",
        "Львівська обласна державна адміністрація",
        "Lviv Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.LVIV,
        0.85,
        0.1,
        None,
    ),
    (
        "odesa-oda",
        "Одеська обласна державна адміністрація",
        "Odesa Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.ODESA,
        0.5,
        0.25,
        None,
    ),
    (
        "kharkiv-oda",
        "Харківська обласна державна адміністрація",
        "Kharkiv Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.KHARKIV,
        0.7,
        0.2,
        None,
    ),
    (
        "dnipro-oda",
        "Дніпропетровська обласна державна адміністрація",
        "Dnipropetrovsk Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.DNIPROPETROVSK,
        0.6,
        0.3,
        None,
    ),
    (
        "poltava-oda",
        "Полтавська обласна державна адміністрація",
        "Poltava Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.POLTAVA,
        0.75,
        0.15,
        None,
    ),
    (
        "vinnytsia-oda",
        "Вінницька обласна державна адміністрація",
        "Vinnytsia Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.VINNYTSIA,
        0.9,
        0.08,
        None,
    ),
    (
        "chernihiv-oda",
        "Чернігівська обласна державна адміністрація",
        "Chernihiv Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.CHERNIHIV,
        0.55,
        0.2,
        None,
    ),
    (
        "zakarpattia-oda",
        "Закарпатська обласна державна адміністрація",
        "Zakarpattia Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.ZAKARPATTIA,
        0.4,
        0.3,
        None,
    ),
    (
        "kyiv-oda",
        "Київська обласна державна адміністрація",
        "Kyiv Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.KYIV_OBLAST,
        0.7,
        0.25,
        None,
    ),
    (
        "if-oda",
        "Івано-Франківська обласна державна адміністрація",
        "Ivano-Frankivsk Oblast State Administration",
        AuthorityKind.LOCAL_STATE_ADMINISTRATION,
        "cabinet",
        Region.IVANO_FRANKIVSK,
        0.8,
        0.1,
        None,
    ),
    (
        "lviv-city-council",
        "Львівська міська рада",
        "Lviv City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.LVIV,
        0.9,
        0.08,
        (450, 90),
    ),
    (
        "odesa-city-council",
        "Одеська міська рада",
        "Odesa City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.ODESA,
        0.35,
        0.3,
        (500, 90),
    ),
    (
        "kharkiv-city-council",
        "Харківська міська рада",
        "Kharkiv City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.KHARKIV,
        0.7,
        0.2,
        (500, 60),
    ),
    (
        "dnipro-city-council",
        "Дніпровська міська рада",
        "Dnipro City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.DNIPROPETROVSK,
        0.55,
        0.3,
        (450, 60),
    ),
    (
        "vinnytsia-city-council",
        "Вінницька міська рада",
        "Vinnytsia City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.VINNYTSIA,
        0.95,
        0.05,
        (250, 60),
    ),
    (
        "poltava-city-council",
        "Полтавська міська рада",
        "Poltava City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.POLTAVA,
        0.6,
        0.2,
        (250, 60),
    ),
    (
        "chernihiv-city-council",
        "Чернігівська міська рада",
        "Chernihiv City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.CHERNIHIV,
        0.65,
        0.25,
        (200, 60),
    ),
    (
        "uzhhorod-city-council",
        "Ужгородська міська рада",
        "Uzhhorod City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.ZAKARPATTIA,
        0.3,
        0.3,
        (150, 60),
    ),
    (
        "if-city-council",
        "Івано-Франківська міська рада",
        "Ivano-Frankivsk City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.IVANO_FRANKIVSK,
        0.85,
        0.1,
        (250, 90),
    ),
    (
        "bila-tserkva-city-council",
        "Білоцерківська міська рада",
        "Bila Tserkva City Council",
        AuthorityKind.LOCAL_SELF_GOVERNMENT,
        None,
        Region.KYIV_OBLAST,
        0.5,
        0.35,
        (150, 60),
    ),
    (
        "lviv-police",
        "Головне управління Національної поліції у Львівській області",
        "Main Directorate of the National Police in Lviv Oblast",
        AuthorityKind.POLICE_UNIT,
        "npu",
        Region.LVIV,
        0.85,
        0.1,
        None,
    ),
    (
        "odesa-police",
        "Головне управління Національної поліції в Одеській області",
        "Main Directorate of the National Police in Odesa Oblast",
        AuthorityKind.POLICE_UNIT,
        "npu",
        Region.ODESA,
        0.6,
        0.25,
        None,
    ),
    (
        "kharkiv-police",
        "Головне управління Національної поліції в Харківській області",
        "Main Directorate of the National Police in Kharkiv Oblast",
        AuthorityKind.POLICE_UNIT,
        "npu",
        Region.KHARKIV,
        0.75,
        0.2,
        None,
    ),
    (
        "dnipro-police",
        "Головне управління Національної поліції в Дніпропетровській області",
        "Main Directorate of the National Police in Dnipropetrovsk Oblast",
        AuthorityKind.POLICE_UNIT,
        "npu",
        Region.DNIPROPETROVSK,
        0.65,
        0.2,
        None,
    ),
    (
        "vinnytsia-police",
        "Головне управління Національної поліції у Вінницькій області",
        "Main Directorate of the National Police in Vinnytsia Oblast",
        AuthorityKind.POLICE_UNIT,
        "npu",
        Region.VINNYTSIA,
        0.9,
        0.05,
        None,
    ),
    (
        "poltava-police",
        "Головне управління Національної поліції в Полтавській області",
        "Main Directorate of the National Police in Poltava Oblast",
        AuthorityKind.POLICE_UNIT,
        "npu",
        Region.POLTAVA,
        0.5,
        0.3,
        None,
    ),
]
OFFICIAL_GIVEN = ["Олена", "Андрій", "Ірина", "Сергій", "Тетяна", "Максим", "Наталія", "Віктор", "Оксана", "Юрій"]
OFFICIAL_FAMILY = ["Гуменюк", "Кравець", "Онищенко", "Приходько", "Захарченко", "Білоус", "Дячук", "Ярошенко"]

CSOS = [
    ("opora", "Громадська мережа «Відкрита громада»", "public_organisation", "38512345", dt.date(2012, 5, 14)),
    ("zelenyi-kyiv", "ГО «Зелений Київ»", "public_organisation", "41234567", dt.date(2017, 9, 1)),
    ("bezpechne-misto", "ГС «Безпечне місто»", "public_union", "43345678", dt.date(2020, 2, 20)),
]

OFFICIALS = [
    ("moderator.kmu@vzaemo.example", "Олена Ковальчук", "cabinet", [Role.MODERATOR]),
    ("official.kmu@vzaemo.example", "Андрій Бондаренко", "cabinet", [Role.RESPONDER, Role.OFFICIAL]),
    ("moderator.kmr@vzaemo.example", "Ірина Мельник", "kyiv-city-council", [Role.MODERATOR]),
    ("official.kmr@vzaemo.example", "Сергій Шевчук", "kyiv-city-council", [Role.RESPONDER]),
    ("official.pryluky@vzaemo.example", "Тетяна Савченко", "pryluky-city-council", [Role.MODERATOR, Role.RESPONDER]),
    ("official.police@vzaemo.example", "Максим Ткаченко", "kyiv-police", [Role.OFFICIAL, Role.RESPONDER]),
]

CITIZEN_NAMES = [
    "Марія Петренко",
    "Іван Коваленко",
    "Оксана Бойко",
    "Дмитро Кравченко",
    "Наталія Олійник",
    "Василь Шевченко",
    "Юлія Поліщук",
    "Олександр Лисенко",
    "Анна Мороз",
    "Богдан Руденко",
    "Христина Гаврилюк",
    "Тарас Марченко",
]


def seed_people(*, extra_citizens: int) -> DemoPeople:
    password = make_password(DEMO_PASSWORD)
    authorities: dict[str, Authority] = {}
    for slug, name_uk, name_en, kind, edrpou, parent, region, petitions in AUTHORITIES:
        authorities[slug], _ = Authority.objects.update_or_create(
            slug=slug,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "kind": kind,
                "edrpou": edrpou,
                "parent": authorities.get(parent) if parent else None,
                "region": region,
                "email": f"petitions@{slug}.vzaemo.example",
                "accepts_petitions": petitions,
            },
        )
    # Local thresholds come from community charters (docs/reference/ukraine-rules.md, summary row 13).
    charters = [
        ("kyiv-city-council", "petition.signature_threshold", 6000, RuleUnit.COUNT),
        ("kyiv-city-council", "petition.collection_period", 60, RuleUnit.CALENDAR_DAYS),
        ("pryluky-city-council", "petition.signature_threshold", 150, RuleUnit.COUNT),
        ("pryluky-city-council", "petition.collection_period", 60, RuleUnit.CALENDAR_DAYS),
    ]
    for slug, key, value, unit in charters:
        LegalRuleOverride.objects.update_or_create(
            key=key,
            authority=authorities[slug],
            effective_from=dt.date(2016, 1, 1),
            defaults={
                "value": Decimal(value),
                "unit": unit,
                "source": f"Статут територіальної громади ({authorities[slug].name_uk}), положення про електронні петиції",
                "act_uk": f"Статут територіальної громади ({authorities[slug].name_uk})",
                "act_en": f"Charter of the territorial community ({authorities[slug].name_en})",
            },
        )
    csos: dict[str, CivilSocietyOrganisation] = {}
    for slug, name, form, edrpou, registered in CSOS:
        csos[slug], _ = CivilSocietyOrganisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "legal_form": LegalForm(form),
                "edrpou": edrpou,
                "registered_on": registered,
                "email": f"info@{slug}.vzaemo.example",
                "region": Region.KYIV_CITY,
            },
        )

    def person(email: str, name: str, **extra: object) -> User:
        user, _ = User.objects.update_or_create(
            email=email, defaults={"full_name": name, "password": password, "email_verified": True, **extra}
        )
        _verify_allauth_email(user)
        return user

    admin = person("admin@vzaemo.example", "Адміністратор Платформи", is_staff=True, is_superuser=True)
    officials: dict[str, User] = {"admin": admin}
    for email, name, slug, roles in OFFICIALS:
        officials[email] = person(email, name)
        for role in roles:
            membership_grant(actor=admin, user=officials[email], role=role, authority=authorities[slug])
    citizens = [person(f"citizen{i + 1}@vzaemo.example", name) for i, name in enumerate(CITIZEN_NAMES)]
    for representative, cso in zip(citizens, csos.values(), strict=False):
        membership_grant(actor=admin, user=representative, role=Role.REPRESENTATIVE, cso=cso)
    citizens += _bulk_citizens(extra_citizens, password)
    year = _year_authorities(authorities, admin, person)
    return DemoPeople(authorities=authorities, csos=csos, officials=officials, citizens=citizens, year=year)


def _year_authorities(
    authorities: dict[str, Authority], admin: User, person: Callable[..., User]
) -> list[YearAuthority]:
    year = []
    for i, (slug, name_uk, name_en, kind, parent, region, on_time, late, charter) in enumerate(YEAR_AUTHORITIES):
        authority, _ = Authority.objects.update_or_create(
            slug=slug,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "kind": kind,
                "edrpou": f"{26_900_000 + i:08d}",
                "parent": authorities.get(parent) if parent else None,
                "region": region,
                "email": f"office@{slug}.vzaemo.example",
                "accepts_petitions": charter is not None,
            },
        )
        authorities[slug] = authority
        if charter is not None:
            threshold, days = charter
            for key, value, unit in (
                ("petition.signature_threshold", threshold, RuleUnit.COUNT),
                ("petition.collection_period", days, RuleUnit.CALENDAR_DAYS),
            ):
                LegalRuleOverride.objects.update_or_create(
                    key=key,
                    authority=authority,
                    effective_from=dt.date(2016, 1, 1),
                    defaults={
                        "value": Decimal(value),
                        "unit": unit,
                        "source": f"Статут територіальної громади ({name_uk}), положення про електронні петиції",
                        "act_uk": f"Статут територіальної громади ({name_uk})",
                        "act_en": f"Charter of the territorial community ({name_en})",
                    },
                )
        name = f"{OFFICIAL_GIVEN[i % len(OFFICIAL_GIVEN)]} {OFFICIAL_FAMILY[(i // 2) % len(OFFICIAL_FAMILY)]}"
        official = person(f"official.{slug}@vzaemo.example", name)
        # One person does every duty of a small office: moderation, registry, answers, consultations.
        for role in (Role.MODERATOR, Role.OFFICIAL):
            membership_grant(actor=admin, user=official, role=role, authority=authority)
        year.append(YearAuthority(authority=authority, official=official, on_time=on_time, late=late))
    return year


def _verify_allauth_email(user: User) -> None:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def _bulk_citizens(n: int, password: str) -> list[User]:
    existing = set(User.objects.filter(email__startswith="resident").values_list("email", flat=True))
    surnames = ["Головко", "Сидоренко", "Павленко", "Костенко", "Левченко", "Кузьменко", "Гончаренко", "Романенко"]
    names = ["Олег", "Ірина", "Петро", "Світлана", "Микола", "Людмила", "Роман", "Галина"]
    users = [
        User(
            email=f"resident{i}@vzaemo.example",
            full_name=f"{names[i % 8]} {surnames[(i // 8) % 8]}",
            password=password,
            email_verified=True,
        )
        for i in range(n)
        if f"resident{i}@vzaemo.example" not in existing
    ]
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(email__startswith="resident").order_by("pk"))


# --- the year of activity: shared by each app's seed_*_year ---------------------------------------------

YEAR_DAYS = 365
ON_TIME, LATE, NEVER = "on_time", "late", "never"
STREETS = [
    "Шевченка",
    "Грушевського",
    "Лесі Українки",
    "Франка",
    "Героїв Майдану",
    "Соборна",
    "Незалежності",
    "Січових Стрільців",
    "Котляревського",
    "Садова",
    "Замкова",
    "Вишнева",
    "Київська",
    "Героїв УПА",
    "Хмельницького",
    "Миру",
]


def fate(rng: random.Random, who: YearAuthority) -> str:
    """Whether `who` meets one more duty on time, late or never, by its temper."""
    roll = rng.random()
    if roll < who.on_time:
        return ON_TIME
    return LATE if roll < who.on_time + who.late else NEVER


def year_authorities(people: DemoPeople, *kinds: str) -> list[YearAuthority]:
    return [y for y in people.year if not kinds or y.authority.kind in kinds]

"""Ukrainian demo organisations and people (all fictitious; EDRPOU codes are illustrative)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


@dataclass
class DemoPeople:
    authorities: dict[str, Authority]
    csos: dict[str, CivilSocietyOrganisation]
    officials: dict[str, User]
    citizens: list[User]


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
    return DemoPeople(authorities=authorities, csos=csos, officials=officials, citizens=citizens)


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

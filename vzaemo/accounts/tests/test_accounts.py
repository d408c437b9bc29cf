"""Sign-up, email verification, staff MFA and organisation constraints."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from vzaemo.accounts.models import Authority, AuthorityKind, CivilSocietyOrganisation, Membership, Role, User
from vzaemo.accounts.services import membership_grant
from vzaemo.core import clock
from vzaemo.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-passphrase-2026"


def _signup(client: Client, **overrides: str) -> object:
    data = {"email": "olena@example.org", "full_name": "Коваленко Олена", "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", {**data, **overrides}, HTTP_ACCEPT_LANGUAGE="en")


def test_signup_stores_the_full_name_and_confirming_the_email_verifies_and_signs_in() -> None:
    client = Client()
    _signup(client)
    user = User.objects.get(email="olena@example.org")
    assert user.full_name == "Коваленко Олена"
    assert not user.email_verified
    signed_up = AuditEntry.objects.get(tag="account:sign-up", subject_id=str(user.pk))
    assert (signed_up.actor, signed_up.before, signed_up.after) == (
        user,
        {"full_name": ""},
        {"full_name": "Коваленко Олена"},
    )
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", str(mail.outbox[-1].body))
    assert link is not None
    client.post(link.group(1))
    user.refresh_from_db()
    assert user.email_verified
    assert client.get("/").wsgi_request.user == user
    assert AuditEntry.objects.filter(tag="account:email:verified", subject_id=str(user.pk)).count() == 1


@pytest.mark.parametrize(
    ("full_name", "message"),
    [("", "This field is required."), ("Олена", "Enter your surname and given name.")],
)
def test_signup_without_a_full_name_is_refused_and_creates_nobody(full_name: str, message: str) -> None:
    response = _signup(Client(), full_name=full_name)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not User.objects.exists()


def _staff(client: Client) -> User:
    user = User.objects.create_user(
        "staff@example.org", PASSWORD, full_name="Адмін Тест", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return user


def test_staff_without_totp_are_sent_to_set_it_up() -> None:
    client = Client()
    _staff(client)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # The MFA pages stay reachable, or nobody could set it up (allauth first asks a session that was
    # not opened by a password sign-in to re-enter the password).
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200 or setup["Location"].startswith("/accounts/reauthenticate/")
    assert client.get("/accounts/reauthenticate/").status_code == 200


def _staff_with_totp() -> tuple[User, str]:
    user = User.objects.create_user(
        "staff@example.org", PASSWORD, full_name="Адмін Тест", is_staff=True, is_superuser=True, email_verified=True
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


@pytest.fixture
def still_clock() -> Iterator[None]:
    # A code is good for its 30-second step only (allauth's default tolerance is 0): the step must not turn mid-test.
    with time_machine.travel(clock.now(), tick=False):
        yield


def _totp_code(secret: str) -> str:
    code: str = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))  # allauth: untyped
    return code


@pytest.mark.usefixtures("still_clock")
def test_staff_with_totp_reach_the_admin_after_the_password_and_the_code() -> None:
    client = Client()
    _, secret = _staff_with_totp()
    response = client.post("/accounts/login/", {"login": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # The password alone opened nothing.
    assert client.get("/admin/").status_code == 302
    assert client.post("/accounts/2fa/authenticate/", {"code": _totp_code(secret)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_hands_over_to_the_login_with_the_second_factor() -> None:
    client = Client()
    _staff_with_totp()
    response = client.post("/admin/login/?next=/admin/", {"username": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert client.get("/admin/").status_code == 302
    assert not client.session.get("_auth_user_id")


@pytest.mark.usefixtures("still_clock")
def test_a_session_opened_by_the_password_alone_must_still_enter_the_code() -> None:
    # Any login but allauth's (here Django's own authenticate-and-login) leaves no MFA record in the session.
    client = Client()
    _, secret = _staff_with_totp()
    assert client.login(username="staff@example.org", password=PASSWORD)
    response = client.get("/admin/auth/group/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fauth%2Fgroup%2F"
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_people_who_are_not_staff_need_no_second_factor() -> None:
    client = Client()
    client.force_login(User.objects.create_user("citizen@example.org", PASSWORD, full_name="Петренко Марія"))
    assert client.get("/petitions/").status_code == 200


def _authority() -> Authority:
    return Authority.objects.create(
        slug="rada", name_uk="Рада", name_en="Council", kind=AuthorityKind.LOCAL_SELF_GOVERNMENT, edrpou="12345678"
    )


def _cso() -> CivilSocietyOrganisation:
    import datetime as dt

    return CivilSocietyOrganisation.objects.create(
        slug="go",
        name="ГО",
        edrpou="87654321",
        legal_form="public_organisation",
        registered_on=dt.date(2020, 1, 1),
        email="go@example.org",
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": Role.MODERATOR},  # no organisation
        {"role": Role.MODERATOR, "both": True},  # two organisations
        {"role": Role.REPRESENTATIVE, "authority": True},  # a CSO role at an authority
        {"role": Role.MODERATOR, "cso": True},  # an authority role at a CSO
    ],
)
def test_the_database_refuses_memberships_that_make_no_sense(kwargs: dict[str, object]) -> None:
    user = User.objects.create_user("m@example.org", PASSWORD, full_name="Мельник Ірина")
    fields: dict[str, object] = {"user": user, "role": kwargs["role"]}
    if kwargs.get("authority") or kwargs.get("both"):
        fields["authority"] = _authority()
    if kwargs.get("cso") or kwargs.get("both"):
        fields["cso"] = _cso()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(**fields)
    assert not Membership.objects.exists()


def test_granting_a_role_is_audited_once_and_idempotent() -> None:
    user = User.objects.create_user("r@example.org", PASSWORD, full_name="Шевчук Сергій")
    authority = _authority()
    first = membership_grant(actor=None, user=user, role=Role.RESPONDER, authority=authority)
    again = membership_grant(actor=None, user=user, role=Role.RESPONDER, authority=authority)
    assert first.pk == again.pk
    assert AuditEntry.objects.filter(tag="account:membership:grant").count() == 1


def test_an_edrpou_code_must_be_eight_digits() -> None:
    from django.core.exceptions import ValidationError

    authority = Authority(slug="x", name_uk="X", name_en="X", kind=AuthorityKind.OTHER, edrpou="12AB")
    with pytest.raises(ValidationError) as error:
        authority.full_clean()
    assert "edrpou" in error.value.message_dict

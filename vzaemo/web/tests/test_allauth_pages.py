"""allauth's pages in the site's form style and in the project's own Ukrainian (vzaemo/accounts/allauth_texts.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ukrainian() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    return client


def test_sign_in_uses_the_sites_form_and_button(ukrainian: Client) -> None:
    html = ukrainian.get("/accounts/login/").content.decode()
    assert '<form method="post" class="stacked"' in html
    assert 'class="button primary" type="submit"' in html


def test_our_catalogue_wins_over_djangos_and_allauths(ukrainian: Client) -> None:
    login = ukrainian.get("/accounts/login/").content.decode()
    reset = ukrainian.get("/accounts/password/reset/").content.decode()
    # Django's auth catalogue leaves "Email" English; allauth's keeps English title case.
    assert "Електронна пошта:" in login
    assert "Запам\u2019ятати мене" in login
    assert "Відновлення пароля" in reset
    assert "Відновлення Пароля" not in reset

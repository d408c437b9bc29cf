"""The platform as people meet it: the production topology, a real browser, a real (fake-SMTP) email."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import register_and_confirm
from tests.e2e.harness import LivePlatform


def test_home_page_renders_without_csp_violations(page: Page, browser_log: BrowserLog) -> None:
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
    # Static files come from whitenoise under the strict CSP: the stylesheet applies here, and htmx loads on a page
    # that uses it (only there: ADR 0021).
    assert page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).display") == "flex"
    assert page.evaluate("() => typeof window.htmx") == "undefined"
    page.goto("/petitions/")
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert browser_log.csp_violations == []
    assert browser_log.errors == []


def test_a_person_registers_confirms_the_email_and_is_signed_in(
    page: Page, live_platform: LivePlatform, browser_log: BrowserLog, unique_email: str
) -> None:
    register_and_confirm(
        page,
        live_platform,
        email=unique_email,
        full_name="Коваленко Олена Петрівна",
        password="a-long-e2e-passphrase-2026",
    )

    # Signed in: the header shows the person's name and a sign-out button.
    header = page.locator("header")
    expect(header).to_contain_text("Коваленко Олена Петрівна")
    expect(header.locator("form[action*='logout']")).to_have_count(1)
    assert re.match(rf"^{re.escape(live_platform.base_url)}/", page.url)
    assert browser_log.csp_violations == []

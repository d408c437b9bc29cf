"""The platform as people meet it: the production topology, a real browser, a real (fake-SMTP) email."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.harness import LivePlatform


def test_home_page_renders_without_csp_violations(page: Page, browser_log: BrowserLog) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_be_visible()
    # Static files come from whitenoise under the strict CSP: the stylesheet and scripts loaded.
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert browser_log.csp_violations == []
    assert browser_log.errors == []


def test_a_person_registers_confirms_the_email_and_is_signed_in(
    page: Page, live_platform: LivePlatform, browser_log: BrowserLog, unique_email: str
) -> None:
    page.goto("/accounts/signup/")
    form = page.locator("form:has(input[name=password1])")
    form.locator("input[name=email]").fill(unique_email)
    form.locator("input[name=full_name]").fill("Коваленко Олена Петрівна")
    form.locator("input[name=password1]").fill("a-long-e2e-passphrase-2026")
    form.locator("input[name=password2]").fill("a-long-e2e-passphrase-2026")
    form.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accounts/signup/" not in page.url, page.locator("main").inner_text()

    mail = live_platform.latest_email_to(unique_email)
    page.goto(mail.link_containing("/accounts/confirm-email/"))
    confirm = page.locator("form[action*='confirm-email']")
    if confirm.count():  # allauth asks for a POST unless ACCOUNT_CONFIRM_EMAIL_ON_GET
        confirm.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_load_state()

    # Signed in: the header shows the person's name and a sign-out button.
    header = page.locator("header")
    expect(header).to_contain_text("Коваленко Олена Петрівна")
    expect(header.locator("form[action*='logout']")).to_have_count(1)
    assert re.match(rf"^{re.escape(live_platform.base_url)}/", page.url)
    assert browser_log.csp_violations == []

"""Steps that several end-to-end stories share, done the way a person does them."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.harness import LivePlatform


def register_and_confirm(page: Page, platform: LivePlatform, *, email: str, full_name: str, password: str) -> None:
    """Sign up, open the confirmation link from the outbox (the fake SMTP), and end signed in."""
    page.goto("/accounts/signup/")
    form = page.locator("form:has(input[name=password1])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=full_name]").fill(full_name)
    form.locator("input[name=password1]").fill(password)
    form.locator("input[name=password2]").fill(password)
    form.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accounts/signup/" not in page.url, page.locator("main").inner_text()
    page.goto(platform.latest_email_to(email).link_containing("/accounts/confirm-email/"))
    confirm = page.locator("form[action*='confirm-email']")
    if confirm.count():  # allauth asks for a POST unless ACCOUNT_CONFIRM_EMAIL_ON_GET
        confirm.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_load_state()
    expect(page.locator("header")).to_contain_text(full_name)


def sign_in(page: Page, *, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("header form[action*='logout']")).to_have_count(1)


def tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user does; fails if it never gets it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")

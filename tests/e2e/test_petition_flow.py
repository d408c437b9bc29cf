"""An e-petition's whole life in a real browser against the production topology."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import register_and_confirm, sign_in
from tests.e2e.harness import LivePlatform

PASSWORD = "a-long-e2e-passphrase-2026"


def _set_up_authority(platform: LivePlatform, tag: str) -> dict[str, str]:
    """A local council whose charter threshold is 3 signatures, with a moderator and a responder."""
    moderator, responder = f"mod-{tag}@example.org", f"resp-{tag}@example.org"
    for email, name in ((moderator, "Мельник Ірина"), (responder, "Шевчук Сергій")):
        platform.create_user(email, PASSWORD, full_name=name)
    edrpou = str(uuid.uuid4().int)[:8]
    platform.shell(
        f"""
        import datetime
        from decimal import Decimal
        from vzaemo.accounts.models import Authority, AuthorityKind, Role, User
        from vzaemo.accounts.services import membership_grant
        from vzaemo.core.models import LegalRuleOverride, RuleUnit
        authority = Authority.objects.create(
            slug="council-{tag}", name_uk="Рада громади {tag}", name_en="Community council {tag}",
            kind=AuthorityKind.LOCAL_SELF_GOVERNMENT, edrpou="{edrpou}", accepts_petitions=True,
        )
        LegalRuleOverride.objects.create(
            key="petition.signature_threshold", authority=authority, value=Decimal(3), unit=RuleUnit.COUNT,
            source="Статут громади (e2e)", effective_from=datetime.date(2016, 1, 1),
        )
        membership_grant(actor=None, user=User.objects.get(email="{moderator}"), role=Role.MODERATOR, authority=authority)
        membership_grant(actor=None, user=User.objects.get(email="{responder}"), role=Role.RESPONDER, authority=authority)
        """
    )
    return {"moderator": moderator, "responder": responder, "authority": f"Community council {tag}"}


def test_register_create_publish_sign_count_answer(
    page: Page,
    new_page: Callable[..., Page],
    live_platform: LivePlatform,
    browser_log: BrowserLog,
    unique_email: str,
) -> None:
    tag = uuid.uuid4().hex[:6]
    people = _set_up_authority(live_platform, tag)

    # A citizen registers and confirms the email from the (fake SMTP) outbox.
    register_and_confirm(page, live_platform, email=unique_email, full_name="Бойко Оксана Іванівна", password=PASSWORD)

    # ... creates a petition: a missing essence is refused with a message, then it is submitted.
    page.goto("/petitions/new/")
    page.select_option("select[name=authority]", label=people["authority"])
    page.fill("input[name=title]", f"Відремонтувати міст через Удай {tag}")
    page.click("button[name=submit]")
    expect(page.locator(".errorlist")).to_be_visible()
    page.fill(
        "textarea[name=essence]", "Пішохідний міст через річку Удай аварійний. Просимо відремонтувати його до зими."
    )
    page.click("button[name=submit]")
    expect(page.locator(".status")).to_contain_text("awaiting moderation")
    petition_url = page.url
    petition_path = re.sub(r"^https?://[^/]+", "", petition_url)

    # The public cannot see it before moderation.
    public = new_page(browser_log)
    assert public.goto(petition_path).status == 404  # type: ignore[union-attr]

    # A moderator of the addressed council publishes it.
    moderator = new_page(browser_log)
    sign_in(moderator, email=people["moderator"], password=PASSWORD)
    moderator.goto("/petitions/inbox/")
    moderator.click(f"text=Відремонтувати міст через Удай {tag}")
    moderator.click("form[action$='/publish/'] button")
    expect(moderator.locator(".status")).to_contain_text("collecting signatures")
    expect(moderator.locator(".rules")).to_contain_text("Статут громади (e2e)")

    # Three citizens sign, each in their own browser; the page answers without a reload (htmx).
    for i in range(3):
        email = f"signer{i}-{tag}@example.org"
        live_platform.create_user(email, PASSWORD, full_name=f"Підписант Номер{i}")
        signer = new_page(browser_log)
        sign_in(signer, email=email, password=PASSWORD)
        signer.goto(petition_path)
        signer.click("#sign-box button")
        expect(signer.locator("#sign-box")).to_contain_text("your signature is recorded")
        signer.reload()
        expect(signer.locator("#sign-box")).to_contain_text("You have signed this petition")

    # The batched count catches up within seconds and the threshold is reached.
    deadline = time.monotonic() + 20
    while True:
        public.goto(petition_path)
        if "threshold reached" in public.locator(".status").inner_text() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(public.locator("#signature-count")).to_have_text("3")
    expect(public.locator(".status")).to_contain_text("threshold reached")
    expect(public.locator(".signers")).to_contain_text("Підписант Номер2")
    # Emails go out in the platform's language (Ukrainian): match the petition's title, not the wording.
    threshold_mail = live_platform.latest_email_to(unique_email, after=1)
    assert tag in threshold_mail.subject
    assert petition_path in threshold_mail.body

    # A responder of the council answers; a too-short answer is refused first.
    responder = new_page(browser_log)
    sign_in(responder, email=people["responder"], password=PASSWORD)
    responder.goto(petition_path + "answer/")
    responder.check("input[name=decision][value=supported]")
    responder.fill("textarea[name=text]", "Так.")
    responder.click("main form button[type=submit]")
    expect(responder.locator(".errorlist")).to_contain_text("at least 20 characters")
    responder.fill("textarea[name=text]", "Рада підтримує петицію: ремонт мосту включено до плану робіт на жовтень.")
    responder.click("main form button[type=submit]")
    expect(responder.locator(".answer")).to_contain_text("ремонт мосту включено")

    # The answer is public, and the author is told.
    public.goto(petition_path)
    expect(public.locator(".status")).to_contain_text("answered")
    expect(public.locator(".answer")).to_contain_text("supported")
    answer_mail = live_platform.latest_email_to(unique_email, after=2)
    assert tag in answer_mail.subject
    assert "ремонт мосту включено" in answer_mail.body
    assert browser_log.csp_violations == []
    assert browser_log.errors == []

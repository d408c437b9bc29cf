"""The one stop's promise in a real browser: a CSO representative follows a ministry, the ministry opens a
consultation, and the digest email arrives with a working link and a working one-click unsubscribe; the
cabinet shows the consultation with its deadline, and the ministry's calendar feed contains it."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import sign_in
from tests.e2e.harness import LivePlatform

PASSWORD = "a-long-e2e-passphrase-2026"


def test_a_cso_follows_a_ministry_and_hears_of_its_consultation(
    page: Page, new_page: Callable[..., Page], live_platform: LivePlatform, browser_log: BrowserLog
) -> None:
    tag = uuid.uuid4().hex[:8]
    rep = f"rep-{tag}@example.org"
    live_platform.create_user(rep, PASSWORD, full_name="Бойко Оксана")
    code = str(uuid.uuid4().int)[:8]
    live_platform.shell(
        f"""
        import datetime
        from vzaemo.accounts.models import Authority, AuthorityKind, CivilSocietyOrganisation, Role, User
        from vzaemo.accounts.services import membership_grant
        Authority.objects.create(
            slug="ministry-{tag}", name_uk="Міністерство {tag}", name_en="Ministry {tag}",
            kind=AuthorityKind.CENTRAL_EXECUTIVE, edrpou="{code}",
        )
        cso = CivilSocietyOrganisation.objects.create(
            slug="cso-{tag}", name="ГО «Громада {tag}»", edrpou="{code[::-1]}", legal_form="public_organisation",
            registered_on=datetime.date(2015, 1, 1), email="cso-{tag}@example.org",
        )
        membership_grant(actor=None, user=User.objects.get(email="{rep}"), role=Role.REPRESENTATIVE, cso=cso)
        """
    )

    # The representative follows the ministry, with email at once, before it has published anything.
    sign_in(page, email=rep, password=PASSWORD)
    page.goto("/subscriptions/")
    chooser = page.locator("form.follow-new:has(input[name=target][value=authority])")
    chooser.locator("select[name=value]").select_option(label=f"Ministry {tag}")
    chooser.locator("select[name=frequency]").select_option("instant")
    chooser.locator("button[type=submit]").click()
    expect(page.locator(".subscriptions")).to_contain_text(f"Ministry {tag}")

    # The ministry opens a consultation (through the module's own services).
    title = f"Про порядок звітування громадських об'єднань {tag}"
    live_platform.shell(
        f"""
        from vzaemo.accounts.models import Authority
        from vzaemo.consultations.tests.factories import ConsultationFactory
        ConsultationFactory(state="open", authority=Authority.objects.get(slug="ministry-{tag}"), title="{title}")
        """
    )

    # The digest arrives (the sealer, the index and the digest job run every second or two here).
    email = live_platform.latest_email_to(rep, timeout=60)
    assert title in email.body
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    item_link = next(link for link in email.links if "/consultations/" in link)
    page.goto(item_link)
    expect(page.locator("h1")).to_contain_text(title)

    # The cabinet shows it with its deadline.
    page.goto("/cabinet/")
    followed = page.locator(".cabinet-followed")
    expect(followed).to_contain_text(title)
    expect(followed.locator(".due")).to_have_count(1)

    # The ministry's calendar feed contains it.
    with urllib.request.urlopen(live_platform.url(f"/calendar.ics?authority=ministry-{tag}"), timeout=10) as response:  # noqa: S310 - loopback
        # RFC 5545 folds long lines with CRLF + space; unfold before looking.
        assert title in response.read().decode().replace("\r\n ", "")

    # Unsubscribe from a browser that is not signed in: one click, then no more email.
    unsubscribe = str(email.message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe in email.body
    anonymous = new_page()
    anonymous.goto(unsubscribe)
    anonymous.locator("main form button[type=submit]").click()
    expect(anonymous.locator("main [role=status]")).to_be_visible()
    page.goto("/subscriptions/")
    expect(page.locator(".subscriptions select option[selected]")).to_have_attribute("value", "none")
    assert not browser_log.csp_violations

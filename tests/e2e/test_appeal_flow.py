"""A community-safety appeal's life in a real browser against the production topology: a citizen files
it with a police unit, the unit forwards it to the city council, the council answers, and the applicant
reads the answer in the cabinet. Outsiders never learn the appeal exists."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import register_and_confirm, sign_in
from tests.e2e.harness import LivePlatform

PASSWORD = "a-long-e2e-passphrase-2026"
ANSWER = "Ліхтарі на перехресті замінено 12-го числа; освітлення відновлено, патрулювання посилено."


def _set_up_bodies(platform: LivePlatform, tag: str) -> dict[str, str]:
    """A police unit and a city council, each with an official (registers, forwards, answers)."""
    officer, clerk = f"police-{tag}@example.org", f"council-{tag}@example.org"
    platform.create_user(officer, PASSWORD, full_name="Ткаченко Максим")
    platform.create_user(clerk, PASSWORD, full_name="Шевчук Сергій")
    police_code, council_code = str(uuid.uuid4().int)[:8], str(uuid.uuid4().int)[:8]
    platform.shell(
        f"""
        from vzaemo.accounts.models import Authority, AuthorityKind, Role, User
        from vzaemo.accounts.services import membership_grant
        police = Authority.objects.create(
            slug="police-{tag}", name_uk="Відділ поліції {tag}", name_en="Police unit {tag}",
            kind=AuthorityKind.POLICE_UNIT, edrpou="{police_code}",
        )
        council = Authority.objects.create(
            slug="council-{tag}", name_uk="Міська рада {tag}", name_en="City council {tag}",
            kind=AuthorityKind.LOCAL_SELF_GOVERNMENT, edrpou="{council_code}",
        )
        membership_grant(actor=None, user=User.objects.get(email="{officer}"), role=Role.OFFICIAL, authority=police)
        membership_grant(actor=None, user=User.objects.get(email="{clerk}"), role=Role.OFFICIAL, authority=council)
        """
    )
    return {
        "officer": officer,
        "clerk": clerk,
        "police": f"Police unit {tag}",
        "council": f"City council {tag}",
    }


def test_a_community_safety_appeal_is_forwarded_answered_and_read_in_the_cabinet(
    page: Page,
    new_page: Callable[..., Page],
    live_platform: LivePlatform,
    browser_log: BrowserLog,
    unique_email: str,
) -> None:
    tag = uuid.uuid4().hex[:6]
    bodies = _set_up_bodies(live_platform, tag)

    register_and_confirm(page, live_platform, email=unique_email, full_name="Бойко Оксана Іванівна", password=PASSWORD)

    # The citizen files a community-safety appeal with the police unit; a missing place is refused first.
    page.goto("/appeals/new/")
    page.check("input[name=kind][value=statement]")
    page.select_option("select[name=category]", value="community_safety")
    page.select_option("select[name=authority]", label=bodies["police"])
    page.fill("textarea[name=essence]", f"Уночі не горять ліхтарі на перехресті, біля зупинки небезпечно ({tag}).")
    page.fill("input[name=place_of_residence]", "м. Київ, вул. Героїв Дніпра, 30")
    page.click("main form button[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("needs a location")
    page.fill("input[name=location_text]", "м. Київ, вул. Героїв Дніпра, 34, зупинка «Оболонь»")
    page.click("main form button[type=submit]")
    expect(page.locator(".status")).to_contain_text("submitted")
    appeal_path = re.sub(r"^https?://[^/]+", "", page.url)

    # Nobody else learns that it exists: an anonymous visitor gets 404.
    outsider = new_page(browser_log)
    assert outsider.goto(appeal_path).status == 404  # type: ignore[union-attr]

    # The police unit sees it in its inbox and forwards it to the council with a reason.
    officer = new_page(browser_log)
    sign_in(officer, email=bodies["officer"], password=PASSWORD)
    officer.goto("/appeals/inbox/")
    officer.click(f"table.appeals a[href='{appeal_path}']")
    officer.click("text=Forward to the competent body")
    officer.select_option("select[name=to]", label=bodies["council"])
    officer.fill("textarea[name=note]", "Зовнішнє освітлення утримує міська рада.")
    officer.click("main form button[type=submit]")
    expect(officer.locator(".status")).to_contain_text("forwarded")

    # The council registers it (15 days: no extra study) and answers.
    clerk = new_page(browser_log)
    sign_in(clerk, email=bodies["clerk"], password=PASSWORD)
    clerk.goto("/appeals/inbox/")
    clerk.click("table.appeals a[href^='/appeals/']")  # the council has only this appeal
    clerk.check("input[name=term][value=simple]")
    clerk.click("form.register button[type=submit]")
    expect(clerk.locator(".status")).to_contain_text("registered")
    expect(clerk.locator(".rules")).to_contain_text("393/96")
    clerk.click("text=Write the answer")
    clerk.fill("textarea[name=text]", "Так.")
    clerk.click("main form button[type=submit]")
    expect(clerk.locator(".errorlist")).to_contain_text("at least 20 characters")
    clerk.fill("textarea[name=text]", ANSWER)
    clerk.click("main form button[type=submit]")
    expect(clerk.locator(".answer")).to_contain_text("освітлення відновлено")

    # The applicant reads the answer in the cabinet, and the history shows the forwarding.
    page.goto("/appeals/my/")
    expect(page.locator("table.appeals")).to_contain_text(bodies["council"])
    expect(page.locator("table.appeals")).to_contain_text("освітлення відновлено")
    page.click("table.appeals a[href^='/appeals/']")
    expect(page.locator(".answer")).to_contain_text(ANSWER)
    expect(page.locator(".history")).to_contain_text("forwarded")

    # The answer reached the applicant by email too (the platform writes in Ukrainian: match the answer).
    live_platform.latest_email_to(unique_email, after=2)  # confirmation, forwarding notice, answer
    assert any("освітлення відновлено" in m.body for m in live_platform.emails_to(unique_email))
    assert browser_log.csp_violations == []
    assert browser_log.errors == []

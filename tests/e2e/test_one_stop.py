"""The one stop in a real browser against the production topology: a CSO's representative comments on a
consultation for their CSO; after the chronograph seals the log and follows it into the index, the CSO's
cabinet shows the consultation with its deadline, search and the calendar list it, the calendar's iCalendar
feed for that authority contains it, and none of these pages is wider than a 390-px phone screen."""

from __future__ import annotations

import uuid

from icalendar import Calendar
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import sign_in
from tests.e2e.harness import LivePlatform

PASSWORD = "a-long-e2e-passphrase-2026"
PHONE = ViewportSize(width=390, height=844)


def _set_up(platform: LivePlatform, tag: str) -> dict[str, str]:
    rep = f"rep-{tag}@example.org"
    platform.create_user(rep, PASSWORD, full_name="Бойко Оксана")
    codes = [str(uuid.uuid4().int)[:8] for _ in range(2)]
    out = platform.shell(
        f"""
        import datetime
        from vzaemo.accounts.models import Authority, AuthorityKind, CivilSocietyOrganisation, Role, User
        from vzaemo.accounts.services import membership_grant
        from vzaemo.consultations import services
        from vzaemo.core import clock
        ministry = Authority.objects.create(
            slug="ministry-{tag}", name_uk="Міністерство {tag}", name_en="Ministry {tag}",
            kind=AuthorityKind.CENTRAL_EXECUTIVE, edrpou="{codes[0]}", region="lviv",
        )
        official = User.objects.create_user("official-{tag}@example.org", "x", full_name="Литвиненко Олена")
        membership_grant(actor=None, user=official, role=Role.OFFICIAL, authority=ministry)
        cso = CivilSocietyOrganisation.objects.create(
            slug="cso-{tag}", name="ГО «Громада {tag}»", edrpou="{codes[1]}", legal_form="public_organisation",
            registered_on=datetime.date(2015, 1, 1), email="cso-{tag}@example.org", region="lviv",
        )
        membership_grant(actor=None, user=User.objects.get(email="{rep}"), role=Role.REPRESENTATIVE, cso=cso)
        consultation = services.consultation_create(
            official=official, authority=ministry, title="Правила благоустрою {tag}",
            summary="Проєкт правил благоустрою громади.", affected_groups="Мешканці громади.",
            consequences="Чистіші вулиці.", contact_email="consult@ministry.example.org",
            proposals_form="На цій сторінці.", topic="community",
            draft_text="Правила благоустрою\\n\\n1. Прибирати вулиці щодня.\\n2. Висаджувати дерева навесні.",
            closes_on=clock.today() + datetime.timedelta(days=20),
        )
        services.consultation_open(consultation_id=consultation.pk, official=official)
        print(consultation.pk)
        """
    )
    return {"rep": rep, "id": out.strip().splitlines()[-1], "slug": f"ministry-{tag}", "cso": f"ГО «Громада {tag}»"}


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_a_cso_finds_its_consultation_in_the_cabinet_search_calendar_and_feed(
    page: Page, live_platform: LivePlatform, browser_log: BrowserLog
) -> None:
    tag = uuid.uuid4().hex[:6]
    made = _set_up(live_platform, tag)
    title = f"Правила благоустрою {tag}"
    path = f"/consultations/{made['id']}/"

    sign_in(page, email=made["rep"], password=PASSWORD)
    page.goto(path)
    page.locator("#clause-1 a[href*='clause=']").click()
    page.select_option("select[name=on_behalf]", label=made["cso"])
    page.fill("textarea[name=text]", "Прибирати двічі на день у центрі.")
    page.click("#propose button[type=submit]")
    expect(page.locator("#clause-1 .proposals")).to_contain_text("Прибирати двічі")

    # What the chronograph does within seconds: seal the audit log, then follow it into the one-stop index.
    live_platform.manage("chronograph", "--once")

    page.set_viewport_size(PHONE)
    page.goto("/cabinet/")
    group = page.locator(".cabinet-cso", has_text=made["cso"])
    expect(group).to_contain_text(title)
    expect(group.locator(".due")).to_contain_text("Open until")
    _fits_the_phone(page)

    page.goto(f"/search/?q={tag}")
    expect(page.locator("#results")).to_contain_text(title)
    _fits_the_phone(page)

    page.goto(f"/calendar/?authority={made['slug']}")
    expect(page.locator("main")).to_contain_text(title)
    _fits_the_phone(page)
    feed_link = page.locator("a[type='text/calendar']")
    href = feed_link.get_attribute("href")
    assert href is not None
    assert f"authority={made['slug']}" in href
    response = page.request.get(href)
    assert response.status == 200
    calendar = Calendar.from_ical(response.body())
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"consultation-{made['id']}-")]
    assert title in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(path)

    page.goto("/?region=lviv")
    expect(page.locator(".open-now")).to_contain_text(title)
    _fits_the_phone(page)
    assert browser_log.csp_violations == []
    assert browser_log.errors == []

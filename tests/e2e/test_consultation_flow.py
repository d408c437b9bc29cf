"""An e-consultation's whole life in a real browser against the production topology: a ministry opens a
consultation on a draft, two CSOs' representatives comment on its clauses, the ministry decides on each
proposal and publishes the report, and the public reads it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import sign_in
from tests.e2e.harness import LivePlatform

PASSWORD = "a-long-e2e-passphrase-2026"
KYIV = ZoneInfo("Europe/Kyiv")
DRAFT = (
    "Проєкт наказу про електронну реєстрацію громадських об'єднань\n\n"
    "1. Затвердити Порядок електронної реєстрації.\n"
    "2. Строк розгляду заяви становить три робочі дні.\n"
    "3. Наказ набирає чинності з дня опублікування."
)


def _set_up(platform: LivePlatform, tag: str) -> dict[str, str]:
    """A ministry with an official, two CSOs each with a representative, and a topic subscriber."""
    people = {
        "official": f"official-{tag}@example.org",
        "rep1": f"rep1-{tag}@example.org",
        "rep2": f"rep2-{tag}@example.org",
        "subscriber": f"watcher-{tag}@example.org",
    }
    names = {
        "official": "Литвиненко Олена",
        "rep1": "Бойко Оксана",
        "rep2": "Кравченко Дмитро",
        "subscriber": "Мороз Анна",
    }
    for key, email in people.items():
        platform.create_user(email, PASSWORD, full_name=names[key])
    codes = [str(uuid.uuid4().int)[:8] for _ in range(3)]
    platform.shell(
        f"""
        import datetime
        from vzaemo.accounts.models import Authority, AuthorityKind, CivilSocietyOrganisation, Role, User
        from vzaemo.accounts.services import membership_grant
        from vzaemo.consultations import services
        ministry = Authority.objects.create(
            slug="ministry-{tag}", name_uk="Міністерство {tag}", name_en="Ministry {tag}",
            kind=AuthorityKind.CENTRAL_EXECUTIVE, edrpou="{codes[0]}",
        )
        membership_grant(actor=None, user=User.objects.get(email="{people["official"]}"), role=Role.OFFICIAL, authority=ministry)
        for n, (email, code) in enumerate([("{people["rep1"]}", "{codes[1]}"), ("{people["rep2"]}", "{codes[2]}")], start=1):
            cso = CivilSocietyOrganisation.objects.create(
                slug=f"cso{{n}}-{tag}", name=f"ГО «Громада {{n}} {tag}»", edrpou=code, legal_form="public_organisation",
                registered_on=datetime.date(2015, 1, 1), email=f"cso{{n}}-{tag}@example.org",
            )
            membership_grant(actor=None, user=User.objects.get(email=email), role=Role.REPRESENTATIVE, cso=cso)
        services.subscription_add(user=User.objects.get(email="{people["subscriber"]}"), authority=ministry)
        """
    )
    return {**people, "ministry": f"Ministry {tag}", "cso1": f"ГО «Громада 1 {tag}»", "cso2": f"ГО «Громада 2 {tag}»"}


def _propose(page: Page, path: str, *, clause: int, cso: str, text: str) -> None:
    page.goto(path)
    page.locator(f"#clause-{clause} a[href*='clause=']").click()
    page.select_option("select[name=on_behalf]", label=cso)
    page.fill("textarea[name=text]", text)
    page.click("#propose button[type=submit]")
    expect(page.locator(f"#clause-{clause} .proposals")).to_contain_text(text)


def test_ministry_consults_csos_comment_report_is_public(
    page: Page, new_page: Callable[..., Page], live_platform: LivePlatform, browser_log: BrowserLog
) -> None:
    tag = uuid.uuid4().hex[:6]
    people = _set_up(live_platform, tag)
    title = f"Порядок електронної реєстрації {tag}"

    # The ministry's official prepares the notice and the draft; a missing item is refused first.
    sign_in(page, email=people["official"], password=PASSWORD)
    page.goto("/consultations/new/")
    page.select_option("select[name=authority]", label=people["ministry"])
    page.fill("input[name=title]", title)
    page.fill("textarea[name=summary]", "Проєкт спрощує реєстрацію громадських об'єднань онлайн.")
    page.fill("textarea[name=consequences]", "Коротші строки реєстрації.")
    page.fill("input[name=contact_email]", "consult@ministry.example.org")
    page.select_option("select[name=topic]", value="cso_status")
    page.fill("input[name=closes_on]", (dt.datetime.now(tz=KYIV).date() + dt.timedelta(days=20)).isoformat())
    page.fill("textarea[name=draft_text]", DRAFT)
    page.click("main form button[type=submit]")
    expect(page.locator(".errorlist")).to_be_visible()
    page.fill("textarea[name=affected_groups]", "Громадські об'єднання та їх засновники.")
    page.click("main form button[type=submit]")
    expect(page.locator(".status")).to_contain_text("draft")
    expect(page.locator("#clause-4")).to_contain_text("3. Наказ набирає чинності")
    path = re.sub(r"^https?://[^/]+", "", page.url)

    # The public cannot see a draft; the official opens it.
    public = new_page(browser_log)
    assert public.goto(path).status == 404  # type: ignore[union-attr]
    page.click("form[action$='/open/'] button")
    expect(page.locator(".status")).to_contain_text("open for proposals")
    expect(page.locator(".rules")).to_contain_text("3841-IX")
    opened_mail = live_platform.latest_email_to(people["subscriber"])
    assert tag in opened_mail.subject
    assert path in opened_mail.body

    # Anonymous visitors see the notice and are asked to sign in.
    public.goto(path)
    expect(public.locator(".notice")).to_contain_text("Громадські об'єднання та їх засновники.")
    expect(public.locator("#propose")).to_contain_text("Sign in or register to make a proposal")

    # Two CSOs' representatives comment on clauses on behalf of their organisations.
    rep1 = new_page(browser_log)
    sign_in(rep1, email=people["rep1"], password=PASSWORD)
    _propose(rep1, path, clause=3, cso=people["cso1"], text="Скоротити строк розгляду до одного робочого дня.")
    rep2 = new_page(browser_log)
    sign_in(rep2, email=people["rep2"], password=PASSWORD)
    _propose(rep2, path, clause=2, cso=people["cso2"], text="Дозволити подання через Дія.Підпис.")
    expect(rep2.locator("#clause-2 .proposals")).to_contain_text(people["cso2"])

    # The deadline passes; the chronograph closes the consultation.
    consultation_id = path.strip("/").split("/")[-1]
    live_platform.shell(
        f"""
        import datetime
        from vzaemo.consultations.models import Consultation
        from vzaemo.core import clock
        Consultation.objects.filter(pk={consultation_id}).update(closes_at=clock.now() - datetime.timedelta(minutes=1))
        """
    )
    live_platform.manage("chronograph", "--once")
    public.goto(path)
    expect(public.locator(".status")).to_contain_text("closed")

    # The official records a decision on each proposal (a rejection without a reason is refused first).
    page.goto(path + "decisions/")
    cards = page.locator("main .card")
    expect(cards).to_have_count(2)
    first = cards.filter(has_text="Скоротити строк розгляду")
    first.locator("input[value=rejected]").check()
    first.locator("button[type=submit]").click()
    expect(page.locator(".errorlist")).to_contain_text("Give the reason")
    first = page.locator("main .card").filter(has_text="Скоротити строк розгляду")
    first.locator("input[value=rejected]").check()
    first.locator("textarea").fill("Три дні потрібні для перевірки установчих документів.")
    first.locator("button[type=submit]").click()
    second = page.locator("main .card").filter(has_text="Дія.Підпис")
    second.locator("input[value=accepted]").check()
    second.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("0 proposals still need a decision")

    # ... and publishes the report.
    page.goto(path + "report/publish/")
    page.fill(
        "textarea[name=summary]", "Проєкт доопрацьовано: додано подання через Дія.Підпис; строк розгляду залишено."
    )
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Report on the consultation")

    # The public reads the report: participants, each clause with its proposals, outcomes and reasons.
    public.goto(path + "report/")
    expect(public.locator(".participants")).to_contain_text("2")
    expect(public.locator("#clause-3")).to_contain_text("rejected")
    expect(public.locator("#clause-3")).to_contain_text("Три дні потрібні для перевірки")
    expect(public.locator("#clause-2")).to_contain_text("accepted")
    public.goto("/consultations/?phase=past")
    expect(public.locator("#results")).to_contain_text(title)
    report_mail = live_platform.latest_email_to(people["subscriber"], after=1)
    assert tag in report_mail.subject
    assert browser_log.csp_violations == []
    assert browser_log.errors == []

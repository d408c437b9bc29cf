"""Live auctions in real browsers against the production topology: three bidders in three browser
contexts bid through their pages while an observer watches the SSE stream; the winner and the signed
protocol come out right. Sandbox auctions run 30 times faster (test mode only)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserLog
from tests.e2e.flows import tab_to
from tests.e2e.harness import LivePlatform
from tests.e2e.surface import PHONE

SPEEDUP = 30
TURN_WAIT_MS = 40_000  # longest wait for one's turn (pauses and other turns are a few seconds each)


def _sandbox(platform: LivePlatform, *args: str) -> dict[str, Any]:
    result = platform.manage("live_sandbox_auction", "--speedup", str(SPEEDUP), "--start-in", "12", *args)
    made: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return made


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _open(new_page: Callable[..., Page], url: str, log: BrowserLog) -> Page:
    page = new_page(log)
    response = page.goto(_path(url))
    assert response is not None
    assert response.status == 200
    # The stream is connected: updates come by themselves from here on.
    expect(page.locator('[data-live="connection"]')).to_have_text(re.compile("Live"), timeout=15_000)
    return page


def _bid_when_allowed(page: Page, amount: str | None = None) -> str:
    """Wait for this bidder's moment, bid (the least allowed amount unless given) and wait for the ack."""
    expect(page.locator('[data-live="min"]')).to_contain_text("You may bid from", timeout=TURN_WAIT_MS)
    field = page.locator('[data-live="amount"]')
    if amount is not None:
        field.fill(amount)
    placed = field.input_value()
    page.locator('[data-live="submit"]').click()
    expect(page.locator('[data-live="feedback"]')).to_contain_text(f"Your bid of {shown(placed)} UAH is accepted")
    return placed


def shown(amount: str) -> str:
    """An amount as the English pages write money (the `money` filter and web/live.js): 100,500.00."""
    return f"{Decimal(amount):,.2f}"


def _sees(observer: Page, amount: str) -> None:
    expect(observer.locator('[data-live="standings"]')).to_contain_text(shown(amount), timeout=5_000)


def test_an_english_auction_with_three_bidders_and_an_observer(
    new_page: Callable[..., Page], live_platform: LivePlatform
) -> None:
    made = _sandbox(live_platform, "--procedure", "english", "--bidders", "3")
    logs = [BrowserLog() for _ in range(4)]
    observer = _open(new_page, made["observer"], logs[0])
    bidders = [_open(new_page, b["url"], logs[i + 1]) for i, b in enumerate(made["bidders"])]
    bidders[0].set_viewport_size(PHONE)
    for n, page in enumerate(bidders, start=1):
        expect(page.locator("h1")).to_have_text(f"You are Bidder {n}")

    # Round 1: equal initial bids, so the later registration moves first: Bidder 3, 2, 1.
    amounts = {}
    for n in (3, 2, 1):
        amounts[n] = _bid_when_allowed(bidders[n - 1])
        _sees(observer, amounts[n])
    # Round 2 opens with Bidder 1 (equal amounts: the latest moves first); Bidder 1 raises by two steps, on a
    # phone and with the keyboard only: the turn is announced, the form is on screen, bid and cancel look apart.
    step = Decimal("1000.00")  # 1% of 100,000 (the seeded bid step rule)
    raised = f"{Decimal(amounts[1]) + 2 * step:.2f}"
    phone = bidders[0]
    expect(phone.locator('[data-live="stage"]')).to_have_text("Round 2: turn of Bidder 1", timeout=TURN_WAIT_MS)
    expect(phone.locator('[data-live="your-turn"]')).to_have_text("Your turn: you may bid now.")
    expect(phone.locator('[data-live="submit"]')).to_be_in_viewport()
    colours = [
        phone.locator(f'[data-live="{b}"]').evaluate(
            "e => getComputedStyle(e).backgroundColor + getComputedStyle(e).color"
        )
        for b in ("submit", "cancel")
    ]
    assert colours[0] != colours[1], colours
    tab_to(phone, phone.locator('[data-live="amount"]'))
    phone.keyboard.press("Control+A")
    phone.keyboard.type(raised)
    tab_to(phone, phone.locator('[data-live="submit"]'))
    phone.keyboard.press("Enter")
    expect(phone.locator('[data-live="feedback"]')).to_contain_text(f"Your bid of {shown(raised)} UAH is accepted")
    expect(phone.locator('[data-live="your-turn"]')).to_be_empty(timeout=TURN_WAIT_MS)
    _sees(observer, raised)

    # The end: the observer sees the result and the protocol; it names the winner and the runner-up.
    expect(observer.locator('[data-live="result"]')).to_contain_text("The auction is over", timeout=120_000)
    protocol_link = observer.locator('[data-live="protocol"] a')
    expect(protocol_link).to_be_visible(timeout=30_000)
    protocol_link.click()
    expect(observer.locator("h1")).to_have_text("Auction protocol")
    result = observer.locator("dl.auc-facts")
    expect(result).to_contain_text(f"Bidder 1 — {shown(raised)}")
    expect(result).to_contain_text(f"Bidder 3 — {shown(amounts[3])}")  # equal amounts: the earlier bid ranks higher
    for bidder in made["bidders"]:
        expect(observer.locator("main")).to_contain_text(bidder["name"])
    for log in logs:
        assert log.csp_violations == [], log
        assert log.errors == [], log


def test_a_dutch_auction_accept_sealed_and_best_bid(new_page: Callable[..., Page], live_platform: LivePlatform) -> None:
    # Four price levels instead of eighty keep the test short (test-mode timing override).
    made = _sandbox(live_platform, "--procedure", "dutch", "--bidders", "3", "--dutch-steps", "4")
    logs = [BrowserLog() for _ in range(4)]
    observer = _open(new_page, made["observer"], logs[0])
    bidders = [_open(new_page, b["url"], logs[i + 1]) for i, b in enumerate(made["bidders"])]

    # Bidder 1 accepts the first price (100% of the start price) and wins the Dutch stage.
    accepted = _bid_when_allowed(bidders[0])
    assert accepted == "100000.00"
    _sees(observer, accepted)
    # Sealed bids of the others (secret from the observer until the window closes).
    expect(bidders[1].locator('[data-live="stage"]')).to_contain_text("Sealed bids", timeout=TURN_WAIT_MS * 2)
    sealed_2 = _bid_when_allowed(bidders[1], "101500.00")
    sealed_3 = _bid_when_allowed(bidders[2], "100500.00")
    # Best bid: only the Dutch winner, at least the best sealed bid + 1% of the start price.
    expect(bidders[0].locator('[data-live="stage"]')).to_contain_text("Best bid", timeout=TURN_WAIT_MS)
    best = _bid_when_allowed(bidders[0])
    assert best == "102500.00"
    _sees(observer, sealed_2)

    expect(observer.locator('[data-live="result"]')).to_contain_text("The auction is over", timeout=120_000)
    protocol_link = observer.locator('[data-live="protocol"] a')
    expect(protocol_link).to_be_visible(timeout=30_000)
    protocol_link.click()
    result = observer.locator("dl.auc-facts")
    expect(result).to_contain_text(f"Bidder 1 — {shown(best)}")
    expect(result).to_contain_text(f"Bidder 2 — {shown(sealed_2)}")
    expect(observer.locator("main")).to_contain_text(shown(sealed_3))
    for log in logs:
        assert log.csp_violations == [], log
        assert log.errors == [], log

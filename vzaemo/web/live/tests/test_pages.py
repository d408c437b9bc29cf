"""The live auction pages: observer (public), bidder (signed link), the bid endpoint, the protocol."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from vzaemo.live import links, services
from vzaemo.live.models import LivePost
from vzaemo.live.sandbox import sandbox_auction
from vzaemo.live.tests.conftest import NOW, open_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as t:
        yield t


def _bidder_url(auction_id: int, bid_id: int) -> str:
    return links.participation_path(auction_id, bid_id)


def test_the_observer_page_shows_numbers_not_names(client: Client, traveller: Any) -> None:
    live = open_live(traveller)
    live.at(300)
    page = client.get(reverse("web:live-observer", args=[live.auction.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "live-initial" in html
    assert "live-labels" in html
    for bid in live.bids:
        assert bid.bidder_name not in html
    assert 'data-events-url="/live/' in html  # no SSE_ORIGIN: the page's own origin (nginx routes it)
    with override_settings(SSE_ORIGIN="http://127.0.0.1:9001,http://localhost:9001"):
        html = client.get(reverse("web:live-observer", args=[live.auction.pk])).content.decode()
    assert f'data-events-url="http://127.0.0.1:9001/live/{live.auction.pk}/events"' in html


def test_the_observer_page_of_an_auction_without_a_live_session_is_404(client: Client) -> None:
    assert client.get(reverse("web:live-observer", args=[999_999])).status_code == 404


def test_the_bidder_page_needs_its_own_signed_link(client: Client, traveller: Any) -> None:
    live = open_live(traveller)
    own = live.bids[2]
    assert client.get(_bidder_url(live.auction.pk, own.pk)).status_code == 200
    foreign = links.participation_path(live.auction.pk, live.bids[0].pk).split("?sig=")[1]
    url = reverse("web:live-bidder", args=[live.auction.pk, own.pk])
    assert client.get(f"{url}?sig={foreign}").status_code == 403
    assert client.get(f"{url}?sig=tampered").status_code == 403
    assert client.get(url).status_code == 403


def test_bids_through_the_endpoint(traveller: Any) -> None:
    client = Client(enforce_csrf_checks=False)
    live = open_live(traveller)
    live.at(300)
    owner = live.bids[2]
    page = client.get(_bidder_url(live.auction.pk, owner.pk))
    assert page.status_code == 200
    sig = _bidder_url(live.auction.pk, owner.pk).split("?sig=")[1]
    url = reverse("web:live-bid", args=[live.auction.pk, owner.pk])
    amount = f"{live.auction.value + live.auction.minimal_step:.2f}"
    json_headers = {"Accept": "application/json"}

    made = client.post(url, {"sig": sig, "amount": amount, "idempotency_key": "k-1"}, headers=json_headers)
    assert made.status_code == 201, made.content
    assert made.json()["data"]["amount"] == amount
    again = client.post(url, {"sig": sig, "amount": amount, "idempotency_key": "k-1"}, headers=json_headers)
    assert again.status_code == 200
    assert again.json()["data"]["seq"] == made.json()["data"]["seq"]

    limited = client.post(url, {"sig": sig, "amount": amount, "idempotency_key": "k-2"}, headers=json_headers)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "1"
    assert limited.json()["errors"][0]["code"] == "rate_limited"

    live.at(302)
    low = client.post(url, {"sig": sig, "amount": "1.00", "idempotency_key": "k-3"}, headers=json_headers)
    assert low.status_code == 422
    assert low.json()["errors"][0]["code"] == "amount_too_low"

    other = live.bids[0]
    other_sig = _bidder_url(live.auction.pk, other.pk).split("?sig=")[1]
    out_of_turn = client.post(
        reverse("web:live-bid", args=[live.auction.pk, other.pk]),
        {"sig": other_sig, "amount": "999999.00", "idempotency_key": "k-4"},
        headers=json_headers,
    )
    assert out_of_turn.status_code == 409
    assert out_of_turn.json()["errors"][0]["code"] == "not_your_turn"

    forged = client.post(url, {"sig": other_sig, "amount": amount, "idempotency_key": "k-5"}, headers=json_headers)
    assert forged.status_code == 403
    assert LivePost.objects.count() == 1


def test_a_form_without_javascript_redirects_back_with_a_message(traveller: Any) -> None:
    client = Client()
    live = open_live(traveller)
    live.at(300)
    owner = live.bids[2]
    path = _bidder_url(live.auction.pk, owner.pk)
    client.get(path)
    sig = path.split("?sig=")[1]
    url = reverse("web:live-bid", args=[live.auction.pk, owner.pk])
    response = client.post(url, {"sig": sig, "amount": "1.00", "idempotency_key": "form-1"})
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert "UAH" in page.content.decode() or "грн" in page.content.decode()
    assert LivePost.objects.count() == 0


def test_the_protocol_page_after_the_finish(client: Client, traveller: Any) -> None:
    live = open_live(traveller)
    url = reverse("web:live-protocol", args=[live.auction.pk])
    assert client.get(url).status_code == 404
    live.at(300)
    services.live_bid_place(
        auction_id=live.auction.pk,
        bid_id=live.bids[2].pk,
        amount=live.auction.value + live.auction.minimal_step,
        idempotency_key="p",
    )
    live.at(300 + 9 * 180 + 2 * 180)
    services.live_finish(auction_id=live.auction.pk)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert live.bids[2].bidder_name.replace("«", "&laquo;") in html or live.bids[2].bidder_name in html
    detail = client.get(reverse("web:auction_detail", args=[live.auction.pk])).content.decode()
    assert url in detail


# RUF001: digits that look like 0-9 but are not are what this test sends.
@pytest.mark.parametrize("digits", ["0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "０１２３４５６７８９", "०१२३४५६७८९"])  # noqa: RUF001
def test_a_bid_written_in_other_digits_than_0_to_9_is_refused(traveller: Any, digits: str) -> None:
    client = Client()
    live = open_live(traveller)
    live.at(300)
    owner = live.bids[2]
    path = _bidder_url(live.auction.pk, owner.pk)
    sig = path.split("?sig=")[1]
    url = reverse("web:live-bid", args=[live.auction.pk, owner.pk])
    ascii_amount = f"{live.auction.value + live.auction.minimal_step:.2f}"
    amount = ascii_amount.translate(str.maketrans("0123456789", digits))
    response = client.post(
        url, {"sig": sig, "amount": amount, "idempotency_key": "k-1"}, headers={"Accept": "application/json"}
    )
    if digits == "0123456789":  # the same amount in 0-9 is a good bid
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert (error["code"], error["field"]) == ("amount_invalid", "amount")
    assert "гривнях" in error["message"]  # "an amount in hryvnias", in the page's language
    assert LivePost.objects.count() == 0


def test_a_sandbox_auctions_pages_link_to_no_missing_page() -> None:
    """A test-mode auction has no public auction or lot page: its observer and protocol pages do not link there."""
    client = Client()
    made = sandbox_auction(start_in=0)
    observer = client.get(reverse("web:live-observer", args=[made.auction.pk]))
    assert observer.status_code == 200
    links = re.findall(r'<a href="(/[^"]*)"', observer.content.decode())
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link
    assert reverse("web:auction_detail", args=[made.auction.pk]) not in links


def test_money_is_written_one_way_on_the_live_and_the_auction_pages(traveller: Any) -> None:
    """The live pages once wrote `100000.00 грн` while the auction pages wrote `100 000,00 грн`."""
    client = Client(headers={"accept-language": "uk"})
    live = open_live(traveller)
    live.at(300)
    observer = client.get(reverse("web:live-observer", args=[live.auction.pk])).content.decode()
    detail = client.get(reverse("web:auction_detail", args=[live.auction.pk])).content.decode()
    assert "100\u00a0000,00\u00a0грн" in observer
    assert "100\u00a0000,00\u00a0грн" in detail
    assert "100000.00 грн" not in observer

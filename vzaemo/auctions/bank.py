"""A fake bank for the demo and tests (docs/design.md rule 10: fakes only for outside systems).

In production the organiser's bank statement feed calls the same services as `BANK_FEED`.
"""

from __future__ import annotations

import itertools

from vzaemo.auctions import services
from vzaemo.auctions.models import Award, Bid
from vzaemo.auctions.permissions import BANK_FEED

_numbers = itertools.count(1)


class FakeBank:
    def pay_guarantee(self, bid: Bid) -> Bid:
        return services.bid_confirm_guarantee(
            actor=BANK_FEED, bid_id=bid.pk, amount=bid.auction.guarantee, reference=f"FAKE-G-{bid.pk}-{next(_numbers)}"
        )

    def pay_price(self, award: Award) -> Award:
        due = award.value - award.auction.guarantee
        return services.award_confirm_payment(
            actor=BANK_FEED, award_id=award.pk, amount=due, reference=f"FAKE-P-{award.pk}-{next(_numbers)}"
        )

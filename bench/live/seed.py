"""Seed live English auctions for bench/live (standalone: DATABASE_URL + vzaemo.settings).

Usage: DATABASE_URL=postgres://… uv run python bench/live/seed.py --auctions 200 --bidders 25 --out seed.json

The first auction is made by the real services end to end (`vzaemo.live.sandbox.sandbox_auction`: lot,
auction, bids, the fake bank's guarantees, the end of tendering, `live_session_open` with the sandbox
accelerator, its audit entries). It is the idle-baseline auction and the template of the others.
The `--auctions` load auctions are copies of it in bulk — one lot, one auction in `active.auction`,
`--bidders` active qualified bids and one `LiveSession` each, field for field what the services wrote for
the template (the session's `bidders` list names the copy's own bids; its `live:open` audit entry is
recorded too). Copies skip the template's history (revisions, tendering audit entries, bank payments):
nothing on the live path reads them.

Timing: the production profile (300 s first pause, 180 s turns and pauses) divided by `--speedup`
(default 90: 3 s / 2 s / 2 s), with `rounds` raised so the live stage outlasts the run (`--cover` s).
Starts are staggered over one turn (`start + i * turn / N`), so turn boundaries — and the bids that follow
them — are spread evenly instead of arriving in bursts of N.

Writes one JSON file: per auction its id, role, start, frozen timing, minimal step, start value and
bidders (bid id, initial amount, initial time, participation signature).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from vzaemo.auctions.models import Auction, Bid, Lot  # noqa: E402
from vzaemo.auctions.permissions import LIVE_ENGINE  # noqa: E402
from vzaemo.core import audit, clock  # noqa: E402
from vzaemo.live import links  # noqa: E402
from vzaemo.live import services as live_services  # noqa: E402
from vzaemo.live.models import LiveSession  # noqa: E402
from vzaemo.live.sandbox import sandbox_auction  # noqa: E402


def describe(session: LiveSession, role: str) -> dict:
    return {
        "auction_id": session.auction_id,
        "role": role,
        "procedure": session.procedure,
        "start": session.start.isoformat(),
        "start_value": f"{session.start_value:.2f}",
        "minimal_step": f"{session.minimal_step:.2f}",
        "timing": session.timing,
        "bidders": [{**b, "sig": links.sign(session.auction_id, int(b["bid_id"]))} for b in session.bidders],
    }


def copy_auctions(template: LiveSession, count: int, first_start: dt.datetime, batch: int) -> list[LiveSession]:
    auction = Auction.objects.get(pk=template.auction_id)
    lot = Lot.objects.get(pk=auction.lot_id)
    bids = list(Bid.objects.filter(pk__in=[int(b["bid_id"]) for b in template.bidders]).order_by("id"))
    turn = dt.timedelta(seconds=int(template.timing["turn"]))
    assert template.version == 0  # a fresh session
    assert template.finished_at is None
    session_fields = [f for f in LiveSession._meta.concrete_fields if not f.primary_key]
    sessions: list[LiveSession] = []
    for lo in range(0, count, batch):
        n = min(batch, count - lo)
        with transaction.atomic():
            now = clock.now()
            lots: list[Lot] = []
            for i in range(lo, lo + n):
                lot_copy = Lot(
                    **{f.attname: getattr(lot, f.attname) for f in Lot._meta.concrete_fields if not f.primary_key}
                )
                lot_copy.title = f"{lot.title} (bench/live {i + 1})"
                lot_copy.enforcement_proceeding = f"ВП № BENCH-LIVE-{i + 1}"
                lot_copy.created_at = lot_copy.date_modified = now
                lots.append(lot_copy)
            lots = Lot.objects.bulk_create(lots)
            auctions: list[Auction] = []
            for copy_lot in lots:
                auction_copy = Auction(
                    **{
                        f.attname: getattr(auction, f.attname)
                        for f in Auction._meta.concrete_fields
                        if not f.primary_key
                    }
                )
                auction_copy.lot_id = copy_lot.pk
                auction_copy.previous_id = None
                auction_copy.created_at = auction_copy.date_modified = auction_copy.date = now
                auctions.append(auction_copy)
            auctions = Auction.objects.bulk_create(auctions)
            new_bids: list[Bid] = []
            for copy_auction in auctions:
                for bid in bids:
                    bid_copy = Bid(
                        **{f.attname: getattr(bid, f.attname) for f in Bid._meta.concrete_fields if not f.primary_key}
                    )
                    bid_copy.auction_id = copy_auction.pk
                    new_bids.append(bid_copy)
            new_bids = Bid.objects.bulk_create(new_bids)
            by_auction: dict[int, list[Bid]] = {}
            for bid in new_bids:
                by_auction.setdefault(bid.auction_id, []).append(bid)
            new_sessions: list[LiveSession] = []
            for k, copy_auction in enumerate(auctions):
                i = lo + k
                own = sorted(by_auction[copy_auction.pk], key=lambda b: b.pk)
                # Field for field the template's session (whatever fields the model has), with its own
                # auction, start and bids.
                copy = LiveSession(**{f.attname: getattr(template, f.attname) for f in session_fields})
                copy.auction_id = copy_auction.pk
                copy.start = first_start + turn * i / count
                copy.bidders = [{**template.bidders[j], "bid_id": b.pk} for j, b in enumerate(own)]
                copy.created_at = now
                new_sessions.append(copy)
            new_sessions = LiveSession.objects.bulk_create(new_sessions)
            for session in new_sessions:
                audit.record(
                    actor=LIVE_ENGINE,
                    subject=session,
                    tag="live:open",
                    before=None,
                    after={
                        "auction": session.auction_id,
                        "bidders": len(session.bidders),
                        "timing": session.timing,
                        "speedup": session.speedup,
                    },
                )
            sessions += new_sessions
    return sessions


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--auctions", type=int, default=200, help="load auctions (the baseline auction comes on top)")
    p.add_argument("--bidders", type=int, default=25)
    p.add_argument("--speedup", type=int, default=90, help="sandbox accelerator: production timing / this")
    p.add_argument("--start-in", type=float, default=8.0, help="seconds from now to every auction's first pause")
    p.add_argument("--cover", type=float, default=1500.0, help="seconds the live stage must last at least")
    p.add_argument("--batch", type=int, default=50, help="auctions per transaction")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    t0 = time.monotonic()
    # The timing live_session_open would freeze (registry, divided by --speedup), with enough rounds to cover
    # the run: the bench must never watch an auction end.
    scaled, _cited = live_services._timing(a.speedup)  # the same computation, not a copy
    period = scaled["turn"] * a.bidders + scaled["pause"]
    rounds = max(3, math.ceil((a.cover - scaled["first_pause"]) / period) + 1)
    made = sandbox_auction(bidders=a.bidders, speedup=a.speedup, start_in=a.start_in, timing={"rounds": rounds})
    template = made.session
    t_template = time.monotonic() - t0
    sessions = copy_auctions(template, a.auctions, template.start, a.batch)
    out = {
        "baseline": describe(template, "baseline"),
        "auctions": [describe(s, "load") for s in sessions],
        "rounds": rounds,
        "seconds_template": round(t_template, 2),
        "seconds_total": round(time.monotonic() - t0, 2),
    }
    Path(a.out).write_text(json.dumps(out))
    print(
        json.dumps(
            {
                "baseline": template.auction_id,
                "auctions": len(sessions),
                "timing": template.timing,
                "seconds_template": out["seconds_template"],
                "seconds_total": out["seconds_total"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU per bid and per stream state, in-process, against a database seeded by bench/live/seed.py.

    DATABASE_URL=… VZAEMO_VAR_DIR=… uv run python bench/live/profile_live.py [--rounds 3] [--profile]

* bid: the owner of the current turn of every live auction posts its least amount through Django's full
  handler (middleware, CSRF, the view, `live_bid_place`), one request per auction per round (a round waits
  for the next turn, so the 1/s throttle never refuses): CPU ms and wall ms per request, SQL per request.
* stream state: `selectors.stream_state` for the public view and for one bidder's view (what the SSE
  process computes per change and per distinct view), CPU ms each, and its SQL.
* chronograph: one `live_sessions_finish()` pass over every started session (nothing has ended): CPU ms.

`--profile` adds a cProfile of the bids (CPU time; PROFILE_DUMP=x.prof keeps it).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")
# One process, nothing kept: a key of its own (production settings refuse to run without one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from vzaemo.core import clock  # noqa: E402
from vzaemo.live import engine, links, selectors, services  # noqa: E402
from vzaemo.live.models import LiveSession  # noqa: E402


def turn_owners() -> list[tuple[int, int, str, dt.datetime]]:
    """(auction, owner bid, least amount, turn end) for every live auction in a turn now."""
    out = []
    now = clock.now()
    for session in LiveSession.objects.filter(finished_at__isnull=True, start__lte=now):
        state = selectors.live_state(session, now=now)
        if state.stage.kind == engine.Kind.TURN and state.stage.owner is not None and state.stage.end is not None:
            minimum = state.min_amount(state.stage.owner)
            out.append((session.auction_id, state.stage.owner, f"{minimum:.2f}", state.stage.end))
    return out


def bid_round(client: Client, token: str, timings: list[tuple[float, float]], queries: list[int]) -> int:
    owners = [o for o in turn_owners() if (o[3] - clock.now()).total_seconds() > 0.5]
    for auction_id, bid_id, amount, _end in owners:
        body = {"sig": links.sign(auction_id, bid_id), "amount": amount, "idempotency_key": secrets.token_hex(8)}
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.post(
                f"/live/{auction_id}/bidder/{bid_id}/bid",
                body,
                HTTP_ACCEPT="application/json",
                HTTP_X_CSRFTOKEN=token,
            )
            timings.append((time.process_time() - c0, time.perf_counter() - w0))
        queries.append(len(ctx.captured_queries))
        if response.status_code != 201:
            print(f"  {auction_id}/{bid_id}: {response.status_code} {response.content[:120]!r}")
    return len(owners)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client(enforce_csrf_checks=True)
    token = secrets.token_hex(16)
    client.cookies["csrftoken"] = token

    timings: list[tuple[float, float]] = []
    queries: list[int] = []
    profiler = cProfile.Profile() if a.profile else None
    bid_round(client, token, [], [])  # warm-up
    for _ in range(a.rounds):
        time.sleep(max(0.0, 2.05 - (time.time() % 2)))  # the next turn boundary of most auctions
        if profiler:
            profiler.enable()
        bid_round(client, token, timings, queries)
        if profiler:
            profiler.disable()
    if timings:
        cpu = sorted(t[0] for t in timings)
        wall = sorted(t[1] for t in timings)
        print(
            f"bid via the full handler: {len(timings)} requests, CPU ms p50 {cpu[len(cpu) // 2] * 1000:.2f} "
            f"mean {sum(cpu) / len(cpu) * 1000:.2f}; wall ms p50 {wall[len(wall) // 2] * 1000:.2f}; "
            f"SQL statements per request {sum(queries) / len(queries):.1f}"
        )
    session = LiveSession.objects.filter(finished_at__isnull=True).order_by("id").last()
    assert session is not None
    viewer = int(session.bidders[0]["bid_id"])
    posts = session.posts.count()
    for label, viewer_id in (("public", None), ("bidder", viewer)):
        selectors.stream_state(session.auction_id, viewer_bid_id=viewer_id)
        with CaptureQueriesContext(connection) as ctx:
            c0 = time.process_time()
            for _ in range(200):
                selectors.stream_state(session.auction_id, viewer_bid_id=viewer_id)
            per_call = (time.process_time() - c0) / 200
        print(
            f"stream_state ({label} view, {len(session.bidders)} bidders, {posts} posts): CPU ms {per_call * 1000:.2f}, "
            f"SQL per call {len(ctx.captured_queries) / 200:.0f}"
        )
    reset_queries()
    sessions = LiveSession.objects.filter(finished_at__isnull=True, start__lte=clock.now()).count()
    c0 = time.process_time()
    services.live_sessions_finish()
    print(
        f"chronograph live.finish pass over {sessions} started sessions: CPU ms {(time.process_time() - c0) * 1000:.1f}"
    )
    if profiler:
        dump = os.environ.get("PROFILE_DUMP")
        if dump:
            profiler.dump_stats(dump)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())

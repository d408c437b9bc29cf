"""Where the time of one feed page goes, in-process (no HTTP server): bench/feed's profiling aid.

Usage (against a database seeded by bench/feed/seed.py):
  DATABASE_URL=… DJANGO_SETTINGS_MODULE=bench.feed.settings uv run python bench/feed/profile_feed.py \
      [--rounds 5] [--limit 1000] [--profile]

Prints CPU/wall ms per 1,000 objects for: full passes through Django's handler (real and naive feed,
whatever the real feed in vzaemo/broker_api/ does now), and the pieces of the real one — the watermark query, the
rows as whole instances with lot and owner joined (select_related), without the join, with
`.only(id, date_modified, commit_txid)`, as `values_list`, the item dicts, and the response's
validation + JSON rendering. Run it from any directory; best of `--rounds`. `--profile` adds a
cProfile of full real requests (PROFILE_DUMP=x.prof keeps it).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.feed.settings")
# One process, nothing kept: a key of its own (production settings refuse to run without one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django

django.setup()

from django.test import Client  # noqa: E402

from vzaemo.auctions import selectors  # noqa: E402
from vzaemo.auctions.states import Mode  # noqa: E402
from vzaemo.core import commit_order  # noqa: E402


def timed(label: str, fn, objects: int, rounds: int) -> None:
    best_cpu = best_wall = float("inf")
    for _ in range(rounds):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    k = 1000 / objects
    print(f"  {label:<58} cpu {best_cpu * 1000 * k:7.1f} ms   wall {best_wall * 1000 * k:7.1f} ms   per 1,000 objects")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args()
    client = Client(HTTP_HOST="127.0.0.1")

    def full(path: str) -> int:
        uri, n = f"{path}?feed=changes&limit={a.limit}", 0
        while True:
            doc = client.get(uri).json()
            n += len(doc["data"])
            if len(doc["data"]) < a.limit:
                return n
            uri = doc["next_page"]["uri"]

    total = full("/api/broker/v1/auctions")
    print(f"{total} objects, pages of {a.limit}, best of {a.rounds} rounds")
    timed(
        "full pass, real feed (Django handler, no HTTP server)",
        lambda: full("/api/broker/v1/auctions"),
        total,
        a.rounds,
    )
    timed("full pass, naive feed", lambda: full("/bench/feed/naive/auctions"), total, a.rounds)

    public = selectors.auction_list_public(mode=Mode.REAL)
    timed(
        "watermark query x pages", lambda: [commit_order.watermark() for _ in range(total // a.limit)], total, a.rounds
    )
    whole = public.select_related("lot", "owner")
    timed("whole instances, lot + owner joined", lambda: list(commit_order.committed(whole)), total, a.rounds)
    plain = public.select_related(None)
    timed("whole Auction instances, no join", lambda: list(commit_order.committed(plain)), total, a.rounds)
    slim = plain.only("id", "date_modified", "commit_txid")
    timed("only(id, date_modified, commit_txid)", lambda: list(commit_order.committed(slim)), total, a.rounds)
    timed(
        "values_list(id, date_modified, commit_txid)",
        lambda: list(commit_order.committed(public).values_list("id", "date_modified", "commit_txid")),
        total,
        a.rounds,
    )
    rows = list(commit_order.committed(public))
    timed(
        "item dicts from model instances",
        lambda: [{"id": str(r.pk), "dateModified": selectors.iso_utc(r.date_modified)} for r in rows],
        total,
        a.rounds,
    )
    items = [{"id": str(r.pk), "dateModified": selectors.iso_utc(r.date_modified)} for r in rows]
    from vzaemo.broker_api.api import api
    from vzaemo.broker_api.schemas import FeedOut

    def render() -> None:
        for i in range(0, len(items), a.limit):
            doc = {"data": items[i : i + a.limit], "next_page": {"offset": "x", "uri": "http://x/"}}
            out = FeedOut.model_validate(doc).model_dump(by_alias=True)
            api.renderer.render(None, out, response_status=200)

    timed("FeedOut validation + ninja JSON rendering", render, total, a.rounds)

    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(a.rounds):
            full("/api/broker/v1/auctions")
        prof.disable()
        if os.environ.get("PROFILE_DUMP"):
            prof.dump_stats(os.environ["PROFILE_DUMP"])
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

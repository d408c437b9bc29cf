"""The change feed never skips an object while writers commit out of order (PostgreSQL, real threads).

Writers register bidders on published auctions in parallel, each in its own transaction through the
auctions services, some holding the transaction open 5–50 ms after the write (so later transactions
commit first). A reader follows `next_page` from the start the whole time. At the end every auction
must have been seen with its final `dateModified`.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import itertools
import random
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from django.test import Client

from vzaemo.auctions import services
from vzaemo.auctions.models import Auction
from vzaemo.auctions.tests import factories as f
from vzaemo.auctions.tests.test_concurrency import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.serial]

WRITERS = 6
WRITES_PER_WRITER = 25
AUCTIONS = 12


@pytest.fixture(autouse=True)
def seeded_rules() -> None:
    for module in ("vzaemo.core.migrations.0002_calendar_seed", "vzaemo.auctions.migrations.0002_seed_rules"):
        importlib.import_module(module).seed(django_apps, None)


def _run_once(run: int) -> tuple[int, dict[str, str], dict[str, str]]:
    w = f.world()
    w.bidders.extend(f.broker() for _ in range(WRITERS))
    auctions = [f.auction(w) for _ in range(AUCTIONS)]
    identifiers = itertools.count(run * 1_000_000 + 10_000_000)
    lock = threading.Lock()

    def writer(n: int) -> None:
        rng = random.Random(n)  # test jitter
        for _ in range(WRITES_PER_WRITER):
            with lock:
                ident = f"{next(identifiers):08d}"
            target = rng.choice(auctions)
            with transaction.atomic():
                services.bid_create(
                    broker=w.bidders[n % len(w.bidders)],
                    auction_id=target.pk,
                    bidder_name=f"Покупець {ident}",
                    bidder_identifier=ident,
                    value=str(target.value),
                )
                if rng.random() < 0.5:
                    time.sleep(rng.uniform(0.005, 0.05))

    seen: dict[str, str] = {}
    client = Client()
    uri = "/api/broker/v1/auctions?feed=changes&limit=7"
    pages = 0

    def read_page() -> bool:
        nonlocal uri, pages
        body = client.get(uri).json()
        pages += 1
        for item in body["data"]:
            seen[item["id"]] = item["dateModified"]
        uri = body["next_page"]["uri"]
        return bool(body["data"])

    workers = [Worker(functools.partial(writer, n)) for n in range(WRITERS)]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        read_page()
    for worker in workers:
        worker.join()
        assert worker.error is None, worker.error
    final = {
        str(pk): _iso(modified)
        for pk, modified in Auction.objects.filter(pk__in=[a.pk for a in auctions]).values_list("pk", "date_modified")
    }
    # Every writer has committed: the reader catches up by following next_page only (the watermark is
    # server-wide, so allow other sessions a few seconds to finish their transactions).
    deadline = time.monotonic() + 15
    while read_page() or ({pk: seen.get(pk) for pk in final} != final and time.monotonic() < deadline):
        time.sleep(0.01)
    return pages, seen, final


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


@pytest.mark.parametrize("run", range(3))
def test_reader_following_next_page_skips_nothing(run: int) -> None:
    pages, seen, final = _run_once(run)
    skipped = {pk for pk, modified in final.items() if seen.get(pk) != modified}
    assert pages > 3
    assert skipped == set(), (
        f"skipped {len(skipped)} of {len(final)}: {[(pk, seen.get(pk), final[pk]) for pk in skipped]}"
    )

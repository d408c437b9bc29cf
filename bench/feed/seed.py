"""Seed N published real-mode auctions for bench/feed (standalone: DATABASE_URL + vzaemo.settings).

Usage: DATABASE_URL=postgres://… uv run python bench/feed/seed.py --auctions 20000 [--batch 2000]

One broker, one enforcement office, one lot and one auction go through the real services
(`lot_create`, `auction_create`, `auction_publish`), so the template is a genuine published auction
(active.tendering, mode real, periods and rules_applied set, revision and audit entry written). It is
then copied in SQL, one lot per copy, `--batch` rows per transaction: every copy is stamped as a
service stamps a row — `commit_txid` = the inserting transaction's id (core.commit_order's expression),
`date_modified` = clock_timestamp(). Copies get no Revision/audit rows (the feed does not read them).
Adds the (date_modified, id) index the naive feed needs (bench only). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from vzaemo.accounts.models import Authority, AuthorityKind, Region  # noqa: E402
from vzaemo.auctions import rules, services  # noqa: E402
from vzaemo.auctions.models import Auction, Broker, Lot  # noqa: E402
from vzaemo.auctions.states import AuctionStatus, Category, Mode, OrganiserKind, Procedure  # noqa: E402
from vzaemo.core import calendar, clock, commit_order  # noqa: E402
from vzaemo.core import rules as registry  # noqa: E402

TXID = "pg_current_xact_id()::text::bigint"  # the expression core.commit_order stamps rows with
assert commit_order._TXID_SQL == TXID, "core.commit_order changed its stamp expression; update bench/feed"


def first_allowed_start(value, _procedure: str) -> dt.datetime:
    """10:00 Kyiv on the earliest day the listing lead time allows (as the auction test factories do)."""
    band = rules.lead_band(value, registry.get(rules.LEAD_BAND1_MAX_VALUE), registry.get(rules.LEAD_BAND2_MAX_VALUE))
    day = calendar.add_working_days(clock.today(), registry.get(f"{rules.LEAD_MIN}{band}").as_int)
    return calendar.at_kyiv(day, dt.time(10))


def template() -> Auction:
    with transaction.atomic():
        broker = Broker.objects.create(
            name="Bench broker", edrpou="39999999", can_create=True, can_edit=True, created_at=clock.now()
        )
        office = Authority.objects.create(
            slug="bench-dvs",
            name_uk="Відділ державної виконавчої служби (bench)",
            name_en="State enforcement office (bench)",
            kind=AuthorityKind.CENTRAL_EXECUTIVE,
            edrpou="38888888",
        )
        lot = services.lot_create(
            broker=broker,
            organiser=office,
            organiser_kind=OrganiserKind.STATE,
            title="Автонавантажувач Toyota 2015 р.",
            description="Арештоване майно боржника, технічно справне. Зберігається на охоронюваному майданчику.",
            category=Category.MOVABLE,
            region=Region.KYIV_CITY,
            address="м. Київ, вул. Промислова, 1",
            enforcement_proceeding="ВП № 71234567",
            encumbrances="Податкова застава",
            start_value="100000.00",
            mode=Mode.REAL,
        )
        draft = services.auction_create(
            broker=broker,
            lot_id=lot.pk,
            procedure=Procedure.ENGLISH,
            auction_start=first_allowed_start(lot.start_value, Procedure.ENGLISH),
        )
    with transaction.atomic():
        services.auction_publish(broker=broker, auction_id=draft.pk)
    auction = Auction.objects.get(pk=draft.pk)
    assert auction.status == AuctionStatus.TENDERING
    assert auction.mode == Mode.REAL
    assert auction.commit_txid
    return auction


def copy_sql() -> str:
    """INSERT %s copies of lot %s and, for each, a copy of auction %s pointing at it (one statement)."""
    override_lot = {
        "title": "t.title || ' №' || g",
        "created_at": "clock_timestamp()",
        "date_modified": "clock_timestamp()",
        "commit_txid": TXID,
    }
    override_auction = {
        "lot_id": "l.id",
        "created_at": "clock_timestamp()",
        "date_modified": "clock_timestamp()",
        "commit_txid": TXID,
    }
    lot_cols = [f.column for f in Lot._meta.concrete_fields if not f.primary_key]
    auc_cols = [f.column for f in Auction._meta.concrete_fields if not f.primary_key]
    lot_sel = ", ".join(override_lot.get(c, f"t.{c}") for c in lot_cols)
    auc_sel = ", ".join(override_auction.get(c, f"a.{c}") for c in auc_cols)
    return f"""
        WITH l AS (
            INSERT INTO {Lot._meta.db_table} ({", ".join(lot_cols)})
            SELECT {lot_sel} FROM {Lot._meta.db_table} t CROSS JOIN generate_series(1, %s) g
            WHERE t.id = %s ORDER BY g
            RETURNING id
        )
        INSERT INTO {Auction._meta.db_table} ({", ".join(auc_cols)})
        SELECT {auc_sel} FROM l CROSS JOIN {Auction._meta.db_table} a WHERE a.id = %s ORDER BY l.id
    """


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--auctions", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=2_000, help="copies per transaction (each its own commit_txid)")
    args = p.parse_args()
    t0 = time.monotonic()
    first = template()
    sql = copy_sql()
    left = args.auctions - 1
    while left > 0:
        n = min(args.batch, left)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [n, first.lot_id, first.pk])
        left -= n
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS bench_feed_auction_modified_idx ON {Auction._meta.db_table} (date_modified, id)"
        )
    public = Auction.objects.filter(mode=Mode.REAL, status=AuctionStatus.TENDERING)
    ids = list(public.order_by("id").values_list("id", flat=True))
    print(
        json.dumps(
            {
                "auctions": len(ids),
                "unstamped": public.filter(commit_txid__isnull=True).count(),
                "template": first.pk,
                "seconds": round(time.monotonic() - t0, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

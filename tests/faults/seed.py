"""Seed a fault run (standalone: the platform's environment, DATABASE_URL + vzaemo.settings).

    python tests/faults/seed.py --users 3000 --auctions 3 --notify-petitions 10 > seed.json

Writes one JSON document:

* ``petition``: a published petition the signing load signs (threshold out of reach);
* ``users``: verified people, each with a real session row and a CSRF secret (the HTTP path checks both);
* ``notify``: published petitions with a threshold of one signature, one per fault that should show the task
  worker working again: one signature makes the chronograph move it and enqueue the author's email;
* ``auctions``: live English auctions made by the real services (`live.sandbox.sandbox_auction`) whose
  rounds outlast the run, with what the bidding load needs to replay them with the engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import transaction  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from vzaemo.accounts.models import Authority, User  # noqa: E402
from vzaemo.core import clock  # noqa: E402
from vzaemo.live import links  # noqa: E402
from vzaemo.live.sandbox import sandbox_auction  # noqa: E402
from vzaemo.petitions.models import Petition  # noqa: E402
from vzaemo.petitions.states import PetitionStatus  # noqa: E402

BATCH = 2000
# Long enough that no auction ends during a run, short enough that bids come every few seconds.
TIMING = {"first_pause": 3, "turn": 3, "pause": 1, "rounds": 100_000}


def _petition(authority: Authority, author: User, title: str, threshold: int) -> Petition:
    now = clock.now()
    return Petition.objects.create(
        authority=authority,
        author=author,
        author_name=author.full_name,
        author_email=author.email,
        title=title,
        essence="A petition the fault run signs.",
        status=PetitionStatus.PUBLISHED,
        threshold=threshold,
        created_at=now,
        updated_at=now,
        published_at=now,
        collection_ends_at=now + dt.timedelta(days=90),
    )


def seed_petitions(users: int, notify: int) -> dict[str, object]:
    tag = get_random_string(6).lower()
    with transaction.atomic():
        authority, _ = Authority.objects.get_or_create(
            slug="faults-authority",
            defaults={
                "name_uk": "Рада відмов",
                "name_en": "Fault council",
                "kind": "local_self_government",
                "edrpou": "99999998",
                "accepts_petitions": True,
            },
        )
        authors = [
            User.objects.create_user(
                email=f"fault-author-{tag}-{i}@faults.invalid", full_name="Автор Відмовостійкий", email_verified=True
            )
            for i in range(notify + 1)
        ]
        main = _petition(authority, authors[0], "Fault run: signatures", 10_000_000)
        notifying = [
            {"id": _petition(authority, author, f"Fault run: notify {i}", 1).pk, "author": author.email}
            for i, author in enumerate(authors[1:])
        ]
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    expire = clock.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    people: list[list[object]] = []
    for start in range(0, users, BATCH):
        batch = [
            User(
                email=f"fault-signer-{tag}-{i}@faults.invalid",
                full_name=f"Підписант {i}",
                email_verified=True,
                password=make_password(None),
            )
            for i in range(start, min(users, start + BATCH))
        ]
        with transaction.atomic():
            User.objects.bulk_create(batch)  # PostgreSQL returns the primary keys
            sessions = []
            for user in batch:
                key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
                data = {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
                sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
                people.append([user.pk, key, get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)])
            Session.objects.bulk_create(sessions)
    return {"petition": main.pk, "users": people, "notify": notifying}


def seed_auctions(count: int, bidders: int, start_in: float) -> list[dict[str, object]]:
    made = []
    for _ in range(count):
        session = sandbox_auction(bidders=bidders, speedup=1, start_in=start_in, timing=TIMING).session
        made.append(
            {
                "auction_id": session.auction_id,
                "procedure": session.procedure,
                "start": session.start.isoformat(),
                "start_value": f"{session.start_value:.2f}",
                "minimal_step": f"{session.minimal_step:.2f}",
                "special_bid": session.special_bid,
                "timing": session.timing,
                "bidders": [{**b, "sig": links.sign(session.auction_id, int(b["bid_id"]))} for b in session.bidders],
            }
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--notify-petitions", type=int, required=True)
    parser.add_argument("--auctions", type=int, required=True)
    parser.add_argument("--bidders", type=int, default=3)
    parser.add_argument("--start-in", type=float, default=5.0)
    args = parser.parse_args()
    started = time.monotonic()
    seeded = seed_petitions(args.users, args.notify_petitions)
    petitions = time.monotonic()
    seeded["auctions"] = seed_auctions(args.auctions, args.bidders, args.start_in)
    seeded["seconds"] = {"petitions": petitions - started, "auctions": time.monotonic() - petitions}
    sys.stdout.write(json.dumps(seeded, default=str))


if __name__ == "__main__":
    main()

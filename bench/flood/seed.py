"""Seed bench/flood (standalone: DATABASE_URL + vzaemo.settings), printing one JSON line with what it made.

Usage: DATABASE_URL=postgres://… uv run python bench/flood/seed.py --out people.json [--real 60] [--unverified 4000]

Published petitions (one the flood aims at, one per real user's signing round), people with live sessions
(rows the configured SessionStore encodes, as a sign-in leaves them) and a CSRF secret each:

* `real`: verified people who read pages and sign, each from an address of their own;
* `unverified`: accounts whose email address was never confirmed, the bots of the flood;
* `hammer`: one verified account that signs as fast as it can.

The petitions are inserted as the signing benchmark does (bench/signatures): published rows, no moderation walk,
since what is measured is the signing and reading path, not how a petition got published.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
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
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from vzaemo.accounts.models import Authority, User  # noqa: E402
from vzaemo.petitions.models import Petition  # noqa: E402
from vzaemo.petitions.states import PetitionStatus  # noqa: E402

BATCH = 2000


def petitions(count: int) -> list[int]:
    now = timezone.now()
    authority, _ = Authority.objects.get_or_create(
        slug="flood-authority",
        defaults={
            "name_uk": "Рада (flood)",
            "name_en": "Council (flood)",
            "kind": "local_self_government",
            "edrpou": "99999998",
            "accepts_petitions": True,
        },
    )
    author = User.objects.create_user(
        email=f"flood-author-{get_random_string(8).lower()}@bench.invalid", full_name="Автор Флуд", email_verified=True
    )
    made = Petition.objects.bulk_create(
        Petition(
            authority=authority,
            author=author,
            author_name=author.full_name,
            author_email=author.email,
            title=f"Петиція для навантажувального тесту № {n}",
            essence="Петиція, яку підписують під час навантажувального тесту.",
            status=PetitionStatus.PUBLISHED,
            threshold=10_000_000,
            created_at=now,
            updated_at=now,
            published_at=now,
            collection_ends_at=now + dt.timedelta(days=90),
        )
        for n in range(count)
    )
    return [p.pk for p in made]


def people(kind: str, count: int, *, verified: bool) -> list[dict[str, object]]:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    expire = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    tag = get_random_string(6).lower()
    out: list[dict[str, object]] = []
    for start in range(0, count, BATCH):
        batch = [
            User(
                email=f"{kind}-{tag}-{i}@bench.invalid",
                full_name=f"Людина Флуд {i}",
                email_verified=verified,
                password=make_password(None),
            )
            for i in range(start, min(count, start + BATCH))
        ]
        with transaction.atomic():
            User.objects.bulk_create(batch)
            sessions = []
            for user in batch:
                key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
                data = {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
                sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
                out.append(
                    {"id": user.pk, "session": key, "csrf": get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)}
                )
            Session.objects.bulk_create(sessions)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--real", type=int, default=60)
    parser.add_argument("--unverified", type=int, default=4000)
    parser.add_argument("--real-petitions", type=int, default=4, help="each real person signs each once")
    args = parser.parse_args()
    with transaction.atomic():
        ids = petitions(1 + args.real_petitions)
    made = {
        "target": ids[0],
        "real_petitions": ids[1:],
        "real": people("real", args.real, verified=True),
        "unverified": people("unverified", args.unverified, verified=False),
        "hammer": people("hammer", 1, verified=True)[0],
    }
    Path(args.out).write_text(json.dumps(made))
    print(json.dumps({"target": made["target"], "real": args.real, "unverified": args.unverified}))


if __name__ == "__main__":
    main()

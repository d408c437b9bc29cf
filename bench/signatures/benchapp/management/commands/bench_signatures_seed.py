"""Seed the signing benchmark: one published petition per phase and N verified users with live sessions.

Writes one line per user, `user_id session_key csrf_secret`, for the wrk Lua script. Sessions are
encoded by the configured SessionStore (cached_db) and stored as ordinary session rows, so the first
request of each user is a normal cache miss that loads the row from the database. The CSRF value is
the unmasked secret, sent both as the `csrftoken` cookie and as the X-CSRFToken header (Django
accepts an unmasked 32-character token).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils import timezone
from django.utils.crypto import get_random_string

from bench.signatures.benchapp.models import NaivePetitionCounter
from vzaemo.accounts.models import Authority, User
from vzaemo.petitions.models import Petition
from vzaemo.petitions.states import PetitionStatus

BATCH = 5000


class Command(BaseCommand):
    help = "Create the benchmark's petitions, verified users and their sessions (bench/signatures only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=60_000)
        parser.add_argument("--petitions", nargs="+", default=["warmup", "bare", "naive", "real"])
        parser.add_argument("--out", required=True, help="users file for the Lua script")

    def handle(self, *args: Any, users: int, petitions: list[str], out: str, **options: Any) -> None:
        now = timezone.now()
        with transaction.atomic():
            authority, _ = Authority.objects.get_or_create(
                slug="bench-authority",
                defaults={
                    "name_uk": "Бенчмарк-рада",
                    "name_en": "Benchmark council",
                    "kind": "local_self_government",
                    "edrpou": "99999999",
                    "accepts_petitions": True,
                },
            )
            author = User.objects.create_user(
                email=f"bench-author-{get_random_string(8).lower()}@bench.invalid",
                full_name="Bench Author",
                email_verified=True,
            )
            ids = {}
            for name in petitions:
                petition = Petition.objects.create(
                    authority=authority,
                    author=author,
                    author_name=author.full_name,
                    author_email=author.email,
                    title=f"Benchmark petition: {name}",
                    essence="A petition the signing benchmark signs.",
                    status=PetitionStatus.PUBLISHED,
                    threshold=10_000_000,
                    created_at=now,
                    updated_at=now,
                    published_at=now,
                    collection_ends_at=now + dt.timedelta(days=90),
                )
                NaivePetitionCounter.objects.create(petition_id=petition.pk, count=0)
                ids[name] = petition.pk

        store_cls = import_module(settings.SESSION_ENGINE).SessionStore
        encoder = store_cls()
        expire = now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        tag = get_random_string(6).lower()
        backend = settings.AUTHENTICATION_BACKENDS[0]
        with open(out, "w") as fh:
            for start in range(0, users, BATCH):
                batch = [
                    User(
                        email=f"signer-{tag}-{i}@bench.invalid",
                        full_name=f"Підписант Бенчмарк {i}",
                        email_verified=True,
                        password=make_password(None),
                    )
                    for i in range(start, min(users, start + BATCH))
                ]
                with transaction.atomic():
                    User.objects.bulk_create(batch)  # PostgreSQL returns the primary keys
                    sessions, lines = [], []
                    for user in batch:
                        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
                        data = {
                            SESSION_KEY: str(user.pk),
                            BACKEND_SESSION_KEY: backend,
                            HASH_SESSION_KEY: user.get_session_auth_hash(),
                        }
                        sessions.append(Session(session_key=key, session_data=encoder.encode(data), expire_date=expire))
                        lines.append(f"{user.pk} {key} {get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)}\n")
                    Session.objects.bulk_create(sessions)
                fh.writelines(lines)
        # Prove the rows are real sessions the configured engine can load.
        key = sessions[-1].session_key
        assert store_cls(key).get(SESSION_KEY) == str(batch[-1].pk), "seeded session does not load"
        self.stdout.write(json.dumps({"petitions": ids, "users": users}))

"""Where the CPU of one signing request goes: in-process, single-threaded, no profiler overhead.

Usage (against a seeded database, VZAEMO_BENCH=1 and DATABASE_URL set, e.g. the one `run --keep-db`
leaves, or any database seeded with `manage.py bench_signatures_seed`):
    uv run python bench/signatures/breakdown.py USERS_FILE REAL_PETITION_ID [N] [ROUNDS]

Each variant runs N requests through Django's full handler (the same middleware the server uses,
CSRF enforced) and prints CPU ms per request. Variants: the real endpoint, the bare insert, the bare
insert with the session already in the cache, the bare insert without each middleware in turn (its
marginal cost), and an anonymous request (middleware only, refused in the view).
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")
# One process, nothing kept: a key of its own (production settings refuse to run without one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402


def run(
    users: list[list[str]],
    path: str,
    *,
    middleware: list[str] | None = None,
    session_cached: bool = False,
    anonymous: bool = False,
) -> tuple[float, dict[int, int]]:
    with override_settings(MIDDLEWARE=middleware if middleware is not None else settings.MIDDLEWARE):
        client = Client(enforce_csrf_checks=True)

        def one(u: list[str]) -> int:
            client.cookies.clear()
            if not anonymous:
                client.cookies["sessionid"] = u[1]
            client.cookies["csrftoken"] = u[2]
            return client.post(path, HTTP_X_CSRFTOKEN=u[2], HTTP_HX_REQUEST="true").status_code

        for u in users[:30]:
            one(u)
        body = users[30:]
        if session_cached:
            for u in body:  # the cached_db store fills the cache on the first load
                client.cookies["sessionid"] = u[1]
                client.get("/bench/warm-nonexistent/")
        statuses: dict[int, int] = {}
        c0 = time.process_time()
        for u in body:
            s = one(u)
            statuses[s] = statuses.get(s, 0) + 1
        return 1000 * (time.process_time() - c0) / len(body), statuses


def main() -> None:
    users_file, real_pid = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    lines = [line.split() for line in Path(users_file).read_text().split("\n") if line.strip()]
    pool = lines[-(n + 30) * (2 + rounds) :]  # the tail, away from a benchmark's users
    random.seed(1)

    def bare_path() -> str:
        return f"/bench/bare-sign/{random.randint(10**8, 10**9)}/"  # a fresh petition id: every insert is new

    def users(k: int = 0) -> list[list[str]]:
        return pool[k * (n + 30) : (k + 1) * (n + 30)]

    full = list(settings.MIDDLEWARE)
    variants: list[tuple[str, dict]] = [
        ("real endpoint (full stack)", {"real": True}),
        ("bare insert (full stack)", {}),
        ("bare insert, session already in cache", {"session_cached": True}),
        ("anonymous: middleware + 403 from the view", {"anonymous": True}),
    ]
    for mw in full:
        if mw.endswith(("SessionMiddleware", "CsrfViewMiddleware", "AuthenticationMiddleware")):
            continue  # needed for the request to be a signed-in, CSRF-checked signature
        variants.append((f"bare without {mw.rsplit('.', 1)[-1]}", {"middleware": [m for m in full if m != mw]}))
    best: dict[str, tuple[float, dict[int, int]]] = {}
    for r in range(rounds):  # interleaved rounds, best of: the box is shared and noisy
        for name, variant in variants:
            kw = dict(variant)
            cache.clear()
            if kw.pop("real", False):
                result = run(users(2 + r), f"/petitions/{real_pid}/sign/")
            else:
                result = run(users(1), bare_path(), **kw)
            if name not in best or result[0] < best[name][0]:
                best[name] = result
    base = best["bare insert (full stack)"][0]
    print(f"{f'variant (best of {rounds} rounds)':<52}{'CPU ms/req':>11}{'vs bare':>9}  statuses")
    for name, _ in variants:
        ms, st = best[name]
        print(f"{name:<52}{ms:>11.2f}{ms - base:>+9.2f}  {st}")


if __name__ == "__main__":
    main()

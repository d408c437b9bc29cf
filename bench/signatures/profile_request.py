"""CPU cost of one signing request, in-process and single-threaded (no server, no load generator).

Usage (against an already seeded database, VZAEMO_BENCH=1 and DATABASE_URL set):
    uv run python bench/signatures/profile_request.py USERS_FILE PATH_TEMPLATE PETITION_ID [N] [--profile]
PATH_TEMPLATE e.g. /petitions/{pid}/sign/ or /bench/bare-sign/{pid}/. Uses users from the end of the
file (so as not to collide with a running benchmark) and prints ms of CPU and wall per request,
SQL statements per request and, with --profile, the top of a cProfile (CPU time) by cumulative time
(PROFILE_SORT=tottime to change the order, PROFILE_DUMP=file.prof to keep it for pstats/snakeviz).
"""

from __future__ import annotations

import cProfile
import os
import pstats
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> None:
    users_file, template, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    n = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4].isdigit() else 500
    lines = Path(users_file).read_text().split("\n")
    users = [line.split() for line in lines if line.strip()][-n - 50 :]
    client = Client(enforce_csrf_checks=True)
    path = template.format(pid=pid)

    def one(u: list[str]) -> int:
        client.cookies["sessionid"] = u[1]
        client.cookies["csrftoken"] = u[2]
        return client.post(path, HTTP_X_CSRFTOKEN=u[2], HTTP_HX_REQUEST="true").status_code

    for u in users[:50]:  # warm-up
        one(u)
    statements: list[str] = []

    def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        one(users[50])
    statuses: dict[int, int] = {}
    prof = cProfile.Profile(time.process_time) if "--profile" in sys.argv else None
    c0, w0 = time.process_time(), time.perf_counter()
    if prof:
        prof.enable()
    for u in users[51:]:
        s = one(u)
        statuses[s] = statuses.get(s, 0) + 1
    if prof:
        prof.disable()
    c1, w1 = time.process_time(), time.perf_counter()
    k = len(users) - 51
    if prof and os.environ.get("PROFILE_DUMP"):
        prof.dump_stats(os.environ["PROFILE_DUMP"])
    print(
        f"{path}: {k} requests, CPU {1000 * (c1 - c0) / k:.2f} ms/req, wall {1000 * (w1 - w0) / k:.2f} ms/req, "
        f"statuses {statuses}, {len(statements)} SQL statements per request:"
    )
    for sql in statements:
        print("   ", sql[:160])
    if prof:
        pstats.Stats(prof).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()

"""The fault run from the command line: figures on stdout, exit status 1 when anything was lost or late.

    uv run python -m tests.faults.run                      # 20 WSGI worker kills, 5 ASGI, 5 task worker, 5 PostgreSQL
    uv run python -m tests.faults.run --wsgi-kills 3 --asgi-kills 1 --worker-kills 1 --pg-restarts 1
    uv run python -m tests.faults.run --help

Needs uv and PostgreSQL's server binaries (/usr/lib/postgresql/*/bin); it starts and removes its own cluster.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

from tests.faults.harness import Plan, run


def main(argv: list[str] | None = None) -> int:
    defaults = Plan()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("wsgi_kills", "asgi_kills", "worker_kills", "pg_restarts", "signers", "auctions", "users", "seed"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    for name in ("sign_rate", "recovery_seconds", "gap_seconds", "task_seconds"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(defaults, name))
    parser.add_argument("--json", action="store_true", help="Also print the figures as one JSON line.")
    args = vars(parser.parse_args(argv))
    as_json = args.pop("json")
    plan = Plan(**args)
    started = time.strftime("%Y-%m-%d %H:%M:%S")

    def log(line: str) -> None:
        print(line, flush=True)

    log(f"fault run {started}: {dataclasses.asdict(plan)}")
    result = run(plan, log)
    print(result.report(), flush=True)
    if as_json:
        print(
            json.dumps(
                {"plan": dataclasses.asdict(plan), "figures": result.figures, "failures": result.failures}, default=str
            )
        )
    return 0 if not result.failures else 1


if __name__ == "__main__":
    sys.exit(main())

"""Create a test-mode live auction that starts in a few seconds and print its links as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vzaemo.live.sandbox import sandbox_auction


class Command(BaseCommand):
    help = "A sandbox (test-mode) live auction starting soon; prints the observer and bidder links as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--procedure", choices=["english", "dutch"], default="english")
        parser.add_argument("--bidders", type=int, default=3)
        parser.add_argument("--speedup", type=int, default=30, help="Every stage runs this many times faster.")
        parser.add_argument("--start-in", type=float, default=10.0, help="Seconds until the first pause begins.")
        parser.add_argument("--dutch-steps", type=int, default=None, help="Fewer Dutch price levels (test only).")
        parser.add_argument("--count", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        # Checked before anything is written: a refused run leaves no half-made lot behind.
        for name, least in (("bidders", 2), ("speedup", 1), ("count", 1), ("dutch_steps", 1)):
            if options[name] is not None and options[name] < least:
                raise CommandError(f"--{name.replace('_', '-')} must be at least {least}.")
        if options["start_in"] < 0:
            raise CommandError("--start-in cannot be negative.")
        timing = {"dutch_steps": options["dutch_steps"]} if options["dutch_steps"] is not None else None
        made = [
            sandbox_auction(
                procedure=options["procedure"],
                bidders=options["bidders"],
                speedup=options["speedup"],
                start_in=options["start_in"],
                timing=timing,
            ).as_dict(settings.VZAEMO_SITE_URL.rstrip("/"))
            for _ in range(options["count"])
        ]
        self.stdout.write(json.dumps(made if options["count"] > 1 else made[0], ensure_ascii=False))

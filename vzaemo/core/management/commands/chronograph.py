from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vzaemo.core import chronograph
from vzaemo.core.checks import require_secret_key


class Command(BaseCommand):
    help = "Run the time-driven jobs (signature counts, deadlines, audit sealing) in a loop, or once with --once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument("--tick", type=float, default=0.5)

    def handle(self, *args: Any, once: bool, tick: float, **options: Any) -> None:
        if once:
            for name in chronograph.run_due(force=True):
                self.stdout.write(f"ran {name}")
            return
        require_secret_key()
        chronograph.loop(tick=tick)

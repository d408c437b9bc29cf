from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vzaemo.core import audit


class Command(BaseCommand):
    help = "Recompute the audit hash chain and check every signed checkpoint; exits non-zero when broken."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if not result.ok:
            where = "" if result.first_broken_position is None else f" at position {result.first_broken_position}"
            raise CommandError(
                f"audit chain BROKEN{where}: {result.reason} "
                f"({result.entries_checked} entries verified before it, {result.checkpoints_checked} checkpoints)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain OK: {result.entries_checked} entries, {result.checkpoints_checked} checkpoints"
            )
        )

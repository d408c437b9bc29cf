"""Restore the configured PostgreSQL database into a new cluster and verify it (vzaemo/core/backup_drill.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vzaemo.core.backup_drill import METHODS, DrillError, describe, run_drill


class Command(BaseCommand):
    help = (
        "Backup and restore drill: pg_dump/pg_restore (--method dump) or a base backup with point-in-time recovery "
        "from the WAL archive (--method pitr --wal-archive DIR) into a new cluster; then the same row counts, audit "
        "head and checkpoint, and audit_verify on the restored database. Exits non-zero when anything differs."
    )
    requires_system_checks: tuple[str, ...] = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--method", choices=METHODS, default="dump")
        parser.add_argument("--wal-archive", type=Path, help="pitr: the directory the archive_command copies into.")
        parser.add_argument("--work-dir", type=Path, help="Where the backup and the new cluster go (a temporary one).")
        parser.add_argument("--keep", action="store_true", help="Leave the new cluster running and its files in place.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            drill = run_drill(
                method=options["method"],
                work_dir=options["work_dir"],
                wal_archive=options["wal_archive"],
                keep=options["keep"],
                log=self.stdout.write,
            )
        except DrillError as error:
            raise CommandError(str(error)) from error
        for line in describe(drill):
            self.stdout.write(line)
        if not drill.ok:
            raise CommandError(f"the restored database differs in {len(drill.differences)} way(s)")

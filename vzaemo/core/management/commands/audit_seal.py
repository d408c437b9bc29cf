from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vzaemo.core import audit, audit_witness


class Command(BaseCommand):
    help = "Seal committed audit entries into the hash chain, then publish a signed checkpoint to the witnesses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=audit.DEFAULT_BATCH, help="Entries per transaction.")
        parser.add_argument("--no-checkpoint", action="store_true", help="Seal only; do not sign the head.")

    def handle(self, *args: Any, batch: int, no_checkpoint: bool, **options: Any) -> None:
        sealed = audit.seal(max_batch=batch)
        self.stdout.write(f"sealed {sealed} entries")
        if not no_checkpoint:
            # An operator running this by hand wants the head signed now, not after the interval.
            checkpoint = audit.publish_checkpoint(min_interval=0)
            if checkpoint is not None:
                self.stdout.write(f"checkpoint size={checkpoint.size} head={checkpoint.head_hash}")
            logged = audit_witness.publish()
            if logged:
                self.stdout.write(f"{logged} checkpoints appended to the witness log {audit_witness.log_path()}")
        pending = audit.pending_count()
        if pending:
            self.stdout.write(f"{pending} entries not sealed yet (their transactions are still open or uncommitted)")

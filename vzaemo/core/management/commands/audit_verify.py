from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vzaemo.core import audit, audit_witness, signing


def _read(argument: str) -> tuple[str, str]:
    """The text of a --witness argument and a name for messages: a file, '-' for stdin, or inline JSON."""
    if argument == "-":
        return sys.stdin.read(), "stdin"
    if argument.lstrip().startswith(("{", "[")):
        return argument, "the --witness JSON"
    path = Path(argument)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read witness file {path}: {error}") from None


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chain and check every signed checkpoint; with --witness, also prove the log "
        "extends checkpoints kept outside the database (ADR 0015). Exits non-zero when anything is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--witness",
            action="append",
            default=[],
            metavar="FILE_OR_JSON",
            help=(
                "Checkpoints seen earlier: a saved statement, /audit/checkpoints.json, the witness log (JSON Lines, "
                "every line is checked), '-' for stdin, or the JSON itself. May be given more than once."
            ),
        )
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            help=(
                "Check witnessed signatures with this key (PEM, or a saved /audit/public-key.json) instead of the "
                "platform's key ring."
            ),
        )

    def handle(self, *args: Any, witness: list[str], public_key: str | None, **options: Any) -> None:
        witnessed: list[audit.CheckpointStatement] = []
        for argument in witness:
            text, source = _read(argument)
            try:
                witnessed.extend(audit_witness.parse(text, source=source))
            except audit_witness.WitnessInputError as error:
                raise CommandError(f"bad witness input: {error}") from None
        ring = None
        if public_key is not None:
            try:
                ring = signing.load_public_ring(Path(public_key).read_bytes())
            except (OSError, ValueError) as error:
                raise CommandError(f"bad public key {public_key}: {error}") from None

        result = audit.verify(witnessed=witnessed, ring=ring)
        counts = f"{result.entries_checked} entries, {result.checkpoints_checked} checkpoints"
        if witnessed:
            counts += f", {result.witnessed_checked} witnessed checkpoints"
        if not result.ok:
            where = "" if result.first_broken_position is None else f" at position {result.first_broken_position}"
            raise CommandError(f"audit chain BROKEN{where}: {result.reason} ({counts} read)")
        message = f"audit chain OK: {counts}"
        if witnessed:
            message += f"; the log extends every witnessed checkpoint (largest {max(s.size for s in witnessed)})"
        self.stdout.write(self.style.SUCCESS(message))

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vzaemo.petitions.services import signature_counts_recount


class Command(BaseCommand):
    help = "Make every petition's signature count exact (the batched count may lag by a few seconds)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = signature_counts_recount()
        self.stdout.write(f"{changed} petition counts corrected")

from typing import Any

from django.core.management.base import BaseCommand

from vzaemo.onestop import projection


class Command(BaseCommand):
    help = "Rebuild the one-stop index (search and calendar) from every registered module."

    def handle(self, *args: Any, **options: Any) -> None:
        stored = projection.index_rebuild()
        self.stdout.write(f"one-stop index rebuilt: {stored} public items")

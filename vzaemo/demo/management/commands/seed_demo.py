from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from vzaemo.accounts.demo import DEMO_PASSWORD, seed_people
from vzaemo.appeals.demo import seed_appeals, seed_appeals_year
from vzaemo.auctions.demo import seed_auctions, seed_auctions_year
from vzaemo.consultations.demo import seed_consultations, seed_consultations_year
from vzaemo.live.demo import seed_live
from vzaemo.onestop.projection import index_rebuild
from vzaemo.petitions.demo import seed_petitions, seed_petitions_year


class Command(BaseCommand):
    help = "Load the Ukrainian demo data (idempotent: run it again and nothing is duplicated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents",
            type=int,
            default=600,
            help="Extra verified citizens to create (the year's petitions draw their signers from them).",
        )

    def handle(self, *args: Any, residents: int, **options: Any) -> None:
        queued_before = set(DBTaskResult.objects.filter(status="READY").values_list("id", flat=True))
        with transaction.atomic():
            people = seed_people(extra_citizens=residents)
            # Each module's story (a few hand-made cases) first, then its year of activity.
            petitions = seed_petitions(people)
            petitions += seed_petitions_year(people)
            consultations = seed_consultations(people)
            consultations += seed_consultations_year(people)
            appeals = seed_appeals(people)
            appeals += seed_appeals_year(people)
            auctions = seed_auctions(people)
            auctions += seed_live()
            auctions += seed_auctions_year(people)
        # The services queued their emails on commit, as they always do; a year of history is not news, and
        # nobody should find thousands of stale notifications in the demo outbox.
        unsent, _ = DBTaskResult.objects.filter(status="READY").exclude(id__in=queued_before).delete()
        # The one-stop index (search, calendar, home page) follows the audit log as the chronograph seals it;
        # rebuilt here so that the demo's pages are complete before the platform first runs.
        indexed = index_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(people.citizens)} citizens, {len(people.authorities)} authorities, "
                f"{petitions} new petitions, {consultations} new consultations, {appeals} new appeals, "
                f"{auctions} new lots; {unsent} notifications of the seeded history dropped unsent."
            )
        )
        self.stdout.write(f"One-stop index: {indexed} public items.")
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        self.stdout.write("The emails the platform sends are at /outbox/ (VZAEMO_DEMO=1).")
        self.stdout.write(
            "A live auction to watch and bid in, starting in a minute (sandbox, 10x faster): "
            "uv run python manage.py live_sandbox_auction --speedup 10 --start-in 60"
        )

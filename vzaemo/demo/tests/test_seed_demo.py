"""`seed_demo` loads a year of activity through the services, and running it again changes nothing."""

from __future__ import annotations

import importlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command, get_commands
from django.db import models
from django.db.models.functions import Now
from django_tasks_db.models import DBTaskResult

from vzaemo.accounts.models import Authority, Membership, User
from vzaemo.appeals.models import Appeal
from vzaemo.auctions.models import Auction, Bid, Lot, LotPhoto
from vzaemo.auctions.states import Mode
from vzaemo.consultations.models import Consultation, Proposal
from vzaemo.core.models import AuditEntry, Obligation
from vzaemo.documents.models import Document
from vzaemo.petitions.models import Petition, Signature

COUNTED: list[type[models.Model]] = [
    User,
    Authority,
    Membership,
    Petition,
    Signature,
    Appeal,
    Consultation,
    Proposal,
    Lot,
    Auction,
    Bid,
    LotPhoto,
    Document,
    Obligation,
    AuditEntry,
]


def test_seed_demo_is_the_demo_apps_command() -> None:
    assert get_commands()["seed_demo"] == "vzaemo.demo"


def _counts() -> dict[str, int]:
    return {model.__name__: model._base_manager.count() for model in COUNTED}


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


# The migrations that seed rows (legal rules, the martial-law period): an earlier transactional test on the same
# worker flushed those rows, and a transactional test does not get them back by itself.
SEEDING_MIGRATIONS = [
    "vzaemo.core.migrations.0002_calendar_seed",
    "vzaemo.petitions.migrations.0002_seed_rules",
    "vzaemo.appeals.migrations.0002_seed_rules",
    "vzaemo.consultations.migrations.0002_seed_rules",
    "vzaemo.auctions.migrations.0002_seed_rules",
    "vzaemo.live.migrations.0002_seed_rules",
]


@pytest.fixture
def migrations_data(transactional_db: None) -> None:
    for module in SEEDING_MIGRATIONS:
        importlib.import_module(module).seed(django_apps, None)  # each seeds what is missing only


# Committed for real, so the services' on-commit notifications are queued and seed_demo must drop them.
@pytest.mark.django_db(transaction=True)
def test_a_year_of_activity_is_seeded_once_and_a_second_run_adds_nothing(
    settings: Any,
    tmp_path: Path,
    migrations_data: None,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VZAEMO_SIGNING_KEY_PATH = str(tmp_path / "keys" / "ed25519.pem")
    _seed()
    first = _counts()
    # Dozens of authorities, hundreds of petitions and appeals, consultations, lots: see the module's demo.py.
    assert first["Authority"] >= 40
    assert first["Petition"] >= 250
    assert first["Appeal"] >= 400
    assert first["Consultation"] >= 20
    assert first["Lot"] >= 15
    # Answered on time, late and never: the index has something to tell.
    answers = Obligation.objects.filter(kind__endswith=".answer")
    assert answers.filter(closed_at__isnull=False, closed_at__lte=models.F("due_at")).exists()
    assert answers.filter(closed_at__gt=models.F("due_at")).exists()
    assert answers.filter(closed_at__isnull=True, due_at__lt=Now()).exists()
    # Every real lot has photos, each with its two documents and both text alternatives.
    assert not Lot.objects.filter(mode=Mode.REAL, photos__isnull=True).exists()
    assert Document.objects.filter(owner_type="auction-lot").count() == 2 * LotPhoto.objects.count()
    assert not LotPhoto.objects.filter(models.Q(alt_uk="") | models.Q(alt_en="")).exists()
    # The history's notifications are not queued for the worker.
    assert not DBTaskResult.objects.filter(status="READY").exists()

    again = _seed()
    assert _counts() == first
    assert "0 new petitions, 0 new consultations, 0 new appeals, 0 new lots" in again

"""A real streaming replica of the test cluster (pg_basebackup -R, a hot standby on another port) behind the
`replica` alias: public reads come from it and see the primary's writes; write paths never touch it (ADR 0018)."""

from __future__ import annotations

import copy
import importlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.auctions.tests import factories as auctions
from vzaemo.core.replica import REPLICA, replica_reads
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.states import PetitionStatus
from vzaemo.petitions.tests.factories import PetitionFactory

# The standby replays only committed transactions, so the tests commit. The replica is a test mirror of the
# primary: never flushed itself.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.serial,
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]
# The flush after each transactional test empties the tables the migrations seeded; each test seeds them again.
SEEDS = (
    "vzaemo.core.migrations.0002_calendar_seed",
    "vzaemo.petitions.migrations.0002_seed_rules",
    "vzaemo.auctions.migrations.0002_seed_rules",
)
CATCH_UP_SECONDS = 30.0


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    return found[-1].parent


def _as_postgres(args: list[str]) -> list[str]:
    # The server refuses to run as root; Debian's packages make a postgres user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup: None) -> Iterator[str]:
    """A hot standby of the primary the tests use, streaming from it, on a port of its own, as the `replica`
    alias that settings make from DATABASE_REPLICA_URL. Module-wide, so the alias exists before each test's
    database access is set up."""
    primary = connections["default"].settings_dict
    bin_dir = _pg_bin()
    data = Path(tempfile.mkdtemp(prefix="vzaemo-standby-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    data.chmod(0o700)
    port = _free_port()
    subprocess.run(
        _as_postgres([
            str(bin_dir / "pg_basebackup"), "-h", str(primary["HOST"] or "127.0.0.1"), "-p", str(primary["PORT"]),
            "-U", str(primary["USER"]), "-D", str(data), "-R", "-X", "stream", "-c", "fast",
        ]),
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data} -c hot_standby=on"
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data / "standby.log"), "-o", options, "-w",
                      "-t", "60", "start"]),
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip
    settings_dict = copy.deepcopy(primary)
    settings_dict["PORT"] = str(port)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = settings_dict
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False, capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(autouse=True)
def _seeded_rules(replica: str) -> None:
    for module in SEEDS:
        importlib.import_module(module).seed(django_apps, None)


def _caught_up() -> None:
    """Wait (bounded) until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + CATCH_UP_SECONDS
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the standby did not replay up to {lsn} within {CATCH_UP_SECONDS:.0f} s")
            time.sleep(0.05)


def _queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


def _read_only(captured: CaptureQueriesContext) -> list[str]:
    statements = [q["sql"].lstrip().split(None, 1)[0].upper() for q in captured.captured_queries]
    assert set(statements) <= {"SELECT"}, statements
    return [q["sql"] for q in captured.captured_queries]


def test_the_replica_is_a_standby_of_the_primary(replica: str) -> None:
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        in_recovery, name = cursor.fetchone()
    assert in_recovery is True
    assert name == connections["default"].settings_dict["NAME"]


def test_a_write_on_the_primary_is_read_through_the_replica_by_an_anonymous_visitor(replica: str) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED, title="Відновити бомбосховище на вул. Реплік")
    _caught_up()
    with _queries(replica) as on_replica, _queries("default") as on_primary:
        response = Client().get(reverse("web:petition_detail", args=[petition.pk]))
    assert response.status_code == 200
    assert "Відновити бомбосховище на вул. Реплік" in response.content.decode()
    sql = _read_only(on_replica)
    assert any('"petitions_petition"' in q for q in sql)
    assert on_primary.captured_queries == []


def test_a_signed_in_person_reads_and_writes_only_the_primary(replica: str) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED)
    signer = UserFactory()
    client = Client()
    client.force_login(signer)
    _caught_up()
    with _queries(replica) as on_replica:
        page = client.get(reverse("web:petition_detail", args=[petition.pk]))
        signed = client.post(reverse("web:petition_sign", args=[petition.pk]))
    assert page.status_code == 200
    assert signed.status_code == 303
    assert Signature.objects.filter(petition=petition, signer=signer).count() == 1
    assert on_replica.captured_queries == []


def test_an_anonymous_post_never_touches_the_replica(replica: str) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED)
    _caught_up()
    with _queries(replica) as on_replica:
        response = Client().post(reverse("web:petition_sign", args=[petition.pk]))
    assert response.status_code == 303  # to the sign-in page
    assert on_replica.captured_queries == []


def test_inside_a_marked_context_writes_and_transactions_use_the_primary(replica: str) -> None:
    petition = PetitionFactory(state=PetitionStatus.PUBLISHED)
    _caught_up()
    with _queries(replica) as on_replica, replica_reads():
        assert Petition.objects.filter(pk=petition.pk).exists()  # outside a transaction: the replica
        with transaction.atomic():
            locked = Petition.objects.select_for_update().get(pk=petition.pk)
            Petition.objects.filter(pk=locked.pk).update(title="Змінено на первинному сервері")
            assert Petition.objects.get(pk=petition.pk).title == "Змінено на первинному сервері"
        UserFactory()  # a write outside a transaction: the primary too
    assert len(_read_only(on_replica)) == 1


def test_the_broker_change_feed_reads_rows_and_watermark_from_the_replica(replica: str) -> None:
    auction = auctions.auction(auctions.world())
    _caught_up()
    with _queries(replica) as on_replica:
        response = Client().get("/api/broker/v1/auctions", {"feed": "changes", "limit": "100"})
    assert response.status_code == 200
    assert str(auction.pk) in {str(item["id"]) for item in response.json()["data"]}
    sql = _read_only(on_replica)
    assert any("pg_current_snapshot" in q for q in sql)

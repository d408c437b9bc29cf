"""The backup and restore drill on a throwaway cluster of its own that archives its WAL: both methods restore a
database with audit entries and a signed checkpoint into a new cluster, and the comparison finds every
difference."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from vzaemo.core.backup_drill import Figures, compare

pytestmark = [pytest.mark.serial, pytest.mark.postgres]

REPO = Path(settings.BASE_DIR)


class Source:
    def __init__(self, *, archive: bool) -> None:
        self.dir = tempfile.mkdtemp(prefix="vzaemo-drill-src.")
        self.archive = tempfile.mkdtemp(prefix="vzaemo-drill-wal.") if archive else ""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "PG_WAL_ARCHIVE": self.archive}
        script = str(REPO / "scripts" / "pg-throwaway")
        self.url = subprocess.run([script, "start", self.dir, str(port)], env=env, check=True, capture_output=True,
                                  text=True).stdout.strip()  # fmt: skip
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE vzaemo")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_"))},
            "DATABASE_URL": self.url,
            "VZAEMO_VAR_DIR": str(Path(self.dir + "-var")),
            "DJANGO_SETTINGS_MODULE": "vzaemo.settings",
        }

    def sql(self, *statements: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, check=check, timeout=300)  # fmt: skip

    def stop(self) -> None:
        subprocess.run([str(REPO / "scripts" / "pg-throwaway"), "stop", self.dir], check=False, capture_output=True)
        for path in (self.dir, self.archive, self.dir + "-var"):
            if path:
                shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def source() -> Iterator[Source]:
    """A migrated database with a live auction made by the services (audit entries) and a sealed checkpoint."""
    made = Source(archive=True)
    try:
        made.sql("ALTER SYSTEM SET fsync = off", "SELECT pg_reload_conf()")  # setting up is not under test
        made.manage("migrate", "--noinput", "-v", "0")
        subprocess.run(
            [sys.executable, str(REPO / "tests" / "faults" / "seed.py"), "--users", "20", "--notify-petitions", "1",
             "--auctions", "1"],
            cwd=REPO, env=made.env, check=True, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        made.manage("audit_seal")
        made.sql("ALTER SYSTEM SET fsync = on", "SELECT pg_reload_conf()", "CHECKPOINT")
        yield made
    finally:
        made.stop()


def _drill(source: Source, *args: str) -> subprocess.CompletedProcess[str]:
    return source.manage("backup_drill", *args, check=False)


def test_dump_restores_the_same_rows_audit_head_and_checkpoint(source: Source) -> None:
    done = _drill(source, "--method", "dump")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: the restored database equals the source" in done.stdout
    assert "audit_verify: audit chain OK" in done.stdout
    assert "pg_dump:" in done.stdout
    assert "petitions_signature" not in done.stdout or "DIFFERENT" not in done.stdout


def test_point_in_time_recovery_to_the_marked_time(source: Source) -> None:
    done = _drill(source, "--method", "pitr", "--wal-archive", source.archive)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: the restored database equals the source" in done.stdout
    assert "audit_verify: audit chain OK" in done.stdout
    assert "pg_basebackup:" in done.stdout
    assert "recovered to the target" in done.stdout
    # The head is a sealed entry with a checkpoint over it, not an empty chain compared with an empty chain.
    head = next(line for line in done.stdout.splitlines() if line.startswith("audit head:"))
    assert "None" not in head


def test_pitr_refuses_a_database_that_does_not_archive_its_wal() -> None:
    plain = Source(archive=False)
    try:
        done = _drill(plain, "--method", "pitr", "--wal-archive", plain.dir)
    finally:
        plain.stop()
    assert done.returncode != 0
    assert "does not archive its WAL" in done.stderr


def test_compare_names_every_difference() -> None:
    source = Figures(counts={"a": 3, "b": 1}, audit_head=(9, "h9"), checkpoint=(9, "h9", "sig"))
    assert compare(source, Figures(counts={"a": 3, "b": 1}, audit_head=(9, "h9"), checkpoint=(9, "h9", "sig"))) == []
    restored = Figures(counts={"a": 2}, audit_head=(8, "h8"), checkpoint=(8, "h8", "sig8"))
    differences = compare(source, restored)
    assert differences == [
        "table b missing",
        "a: 3 rows in the source, 2 restored",
        "audit head (9, 'h9') in the source, (8, 'h8') restored",
        "latest checkpoint (9, 'h9', 'sig') in the source, (8, 'h8', 'sig8') restored",
    ]

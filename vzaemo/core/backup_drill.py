"""The backup and restore drill (`manage.py backup_drill`, docs/operations.md "Backups"): restore the configured
PostgreSQL database into a new cluster and prove that what came back is what was there.

Two methods:

* ``dump`` (small sites): ``pg_dump`` in a snapshot exported by the transaction that counts the rows, so the dump
  and the expected figures are the same instant; ``initdb`` of a new cluster, ``pg_restore`` into it.
* ``pitr``: ``pg_basebackup`` of the running cluster, which must archive its WAL (``archive_mode = on`` and an
  ``archive_command`` copying into the directory given); then a target time is marked (below), the WAL up to it
  archived, and the base backup started as a new cluster that replays the archive to ``recovery_target_time``
  and promotes itself.

The mark of a point-in-time target: one transaction takes SHARE locks on every table of the database (it waits
for the writers in flight and holds new ones back for milliseconds), reads the clock and exports its snapshot;
a second transaction imports the snapshot and counts. Every commit before the mark precedes the clock reading,
every later one follows the release of the locks, so recovery to that time yields exactly the counted state.

Verified against the restored database: the row count of every table, the audit chain's head (position and hash)
and its latest signed checkpoint, and ``manage.py audit_verify`` (the whole chain recomputed, every checkpoint's
signature checked).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql

from vzaemo.core import clock

METHODS = ("dump", "pitr")
READY_SECONDS = 120.0
LOCK_TIMEOUT = "5s"


class DrillError(Exception):
    """The drill could not run or what came back differs; the message says which."""


@dataclasses.dataclass
class Figures:
    """What a database holds at one instant: the drill compares the source's with the restored one's."""

    counts: dict[str, int]
    audit_head: tuple[int, str] | None  # (position, entry hash) of the last sealed entry
    checkpoint: tuple[int, str, str] | None  # (size, head hash, signature) of the latest checkpoint


@dataclasses.dataclass
class Drill:
    method: str
    source: Figures | None = None
    restored: Figures | None = None
    target_time: dt.datetime | None = None
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    sizes: dict[str, int] = dataclasses.field(default_factory=dict)
    audit_verify: str = ""
    differences: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


# ------------------------------------------------------------------------------------------------ tools
def bin_dir() -> Path:
    """PostgreSQL's programs: VZAEMO_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else the PATH's."""
    if configured := os.environ.get("VZAEMO_PG_BIN"):
        return Path(configured)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise DrillError("PostgreSQL's server programs (initdb, pg_ctl) are not installed; set VZAEMO_PG_BIN.")
    return Path(initdb).parent


def _as_server_user(argv: list[str]) -> list[str]:
    # The server refuses to run as root; Debian's packages make the postgres user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")


def _run(argv: list[str], *, env: dict[str, str] | None = None, server_user: bool = False) -> str:
    command = _as_server_user(argv) if server_user else argv
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our argv
    if done.returncode != 0:
        raise DrillError(
            f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextlib.contextmanager
def _timed(drill: Drill, step: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    drill.seconds[step] = time.monotonic() - started


# ------------------------------------------------------------------------------------------------ the source
def source_params() -> dict[str, Any]:
    """libpq keywords of the configured database (settings.DATABASES["default"])."""
    if connection.vendor != "postgresql":
        raise DrillError("The drill restores PostgreSQL; the configured database is not (set DATABASE_URL).")
    params = dict(connection.get_connection_params())
    keep = {"host", "port", "user", "password", "dbname"}
    return {k: v for k, v in params.items() if k in keep and v not in (None, "")}


def _libpq_env(params: dict[str, Any]) -> dict[str, str]:
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in params.items()})
    return env


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ).fetchall()
    return [r[0] for r in rows]


def read_figures(conn: psycopg.Connection[Any], tables: list[str]) -> Figures:
    counts = {
        table: int(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0])  # type: ignore[index]
        for table in tables
    }
    head = conn.execute(
        "SELECT position, entry_hash FROM core_auditentry WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
    ).fetchone()
    checkpoint = conn.execute(
        "SELECT size, head_hash, signature FROM core_auditcheckpoint ORDER BY size DESC LIMIT 1"
    ).fetchone()
    return Figures(
        counts=counts,
        audit_head=(int(head[0]), str(head[1])) if head else None,
        checkpoint=(int(checkpoint[0]), str(checkpoint[1]), str(checkpoint[2])) if checkpoint else None,
    )


@contextlib.contextmanager
def _exported_snapshot(params: dict[str, Any], *, lock: bool) -> Iterator[tuple[str, dt.datetime, list[str]]]:
    """(snapshot id, the clock at the mark, tables) while the exporting transaction is open.

    ``lock``: take SHARE locks on every table first, so that no commit falls between the snapshot and the clock
    reading (a point-in-time target); they are released when the block ends.
    """
    with psycopg.connect(**params, autocommit=True) as conn:
        tables = _tables(conn)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        if lock:
            conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
        snapshot, at = conn.execute("SELECT pg_export_snapshot(), clock_timestamp()").fetchone()  # type: ignore[misc]
        try:
            yield str(snapshot), at, tables
        finally:
            conn.execute("COMMIT")


def _figures_in(params: dict[str, Any], snapshot: str, tables: list[str]) -> Figures:
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        figures = read_figures(conn, tables)
        conn.execute("COMMIT")
    return figures


# ------------------------------------------------------------------------------------------------ new clusters
class Cluster:
    """A cluster the drill starts on loopback and stops at the end."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    @property
    def params(self) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": "postgres"}

    def configure(self, lines: list[str]) -> None:
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# backup drill\n" + "\n".join(lines) + "\n")

    def start(self) -> None:
        log = self.data / "drill-server.log"
        _run(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "120", "start"],
            server_user=True,
        )

    def stop(self) -> None:
        with contextlib.suppress(DrillError):
            _run([str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], server_user=True)


def _loopback_settings(cluster: Cluster) -> list[str]:
    return [
        "listen_addresses = '127.0.0.1'",
        f"port = {cluster.port}",
        f"unix_socket_directories = '{cluster.data}'",
        "archive_mode = off",  # a restored cluster must not write into the source's archive
    ]


def _until(deadline: float, check: Callable[[], bool]) -> bool:
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg.Error):
            if check():
                return True
        time.sleep(0.2)
    return False


# ------------------------------------------------------------------------------------------------ the drill
def run_drill(
    *, method: str, work_dir: Path | None = None, wal_archive: Path | None = None, keep: bool = False,
    log: Callable[[str], None] = lambda _line: None,
) -> Drill:  # fmt: skip
    if method not in METHODS:
        raise DrillError(f"Unknown method {method!r}: {', '.join(METHODS)}.")
    params = source_params()
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="vzaemo-drill."))
    work.mkdir(parents=True, exist_ok=True)
    _own(work)
    drill = Drill(method)
    cluster = Cluster(work / "restored", _free_port())
    started = time.monotonic()
    try:
        if method == "dump":
            _dump_and_restore(drill, params, work, cluster, log)
        else:
            if wal_archive is None:
                raise DrillError("The pitr method needs --wal-archive: the directory the archive_command copies into.")
            _base_backup_and_recover(drill, params, Path(wal_archive), cluster, log)
        _verify(drill, cluster, log)
    finally:
        drill.seconds["total"] = time.monotonic() - started
        if not keep:
            cluster.stop()
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept: {work} (cluster on port {cluster.port}; stop it with pg_ctl -D {cluster.data} stop)")
    return drill


def _dump_and_restore(
    drill: Drill, params: dict[str, Any], work: Path, cluster: Cluster, log: Callable[[str], None]
) -> None:
    dump = work / "vzaemo.dump"
    with _timed(drill, "dump"), _exported_snapshot(params, lock=False) as (snapshot, at, tables):
        drill.source = _figures_in(params, snapshot, tables)
        drill.target_time = at
        _run(
            [str(bin_dir() / "pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)],
            env=_libpq_env(params),
        )
    drill.sizes["dump"] = _size(dump)
    log(f"pg_dump: {drill.sizes['dump']:,} bytes in {drill.seconds['dump']:.1f} s")
    with _timed(drill, "initdb"):
        cluster.data.mkdir()
        _own(cluster.data)
        _run([str(bin_dir() / "initdb"), "-D", str(cluster.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
              "--locale=C.UTF-8"], server_user=True)  # fmt: skip
        cluster.configure(_loopback_settings(cluster))
        cluster.start()
    with _timed(drill, "restore"):
        with psycopg.connect(**cluster.params, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(params.get("dbname", "vzaemo")))))
        target = {**cluster.params, "dbname": params.get("dbname", "vzaemo")}
        _run([str(bin_dir() / "pg_restore"), "--no-owner", "--exit-on-error", "-d", str(target["dbname"]), str(dump)],
             env=_libpq_env(target))  # fmt: skip
    log(
        f"new cluster on port {cluster.port}: initdb {drill.seconds['initdb']:.1f} s, pg_restore {drill.seconds['restore']:.1f} s"
    )


def _base_backup_and_recover(
    drill: Drill, params: dict[str, Any], archive: Path, cluster: Cluster, log: Callable[[str], None]
) -> None:
    with psycopg.connect(**params, autocommit=True) as conn:
        mode = conn.execute("SHOW archive_mode").fetchone()[0]  # type: ignore[index]
        command = conn.execute("SHOW archive_command").fetchone()[0]  # type: ignore[index]
    if mode not in ("on", "always") or command in ("", "(disabled)"):
        raise DrillError(
            "The database does not archive its WAL (archive_mode = on and an archive_command are needed; "
            'docs/operations.md, "Backups").'
        )
    if not archive.is_dir():
        raise DrillError(f"The WAL archive {archive} is not a directory.")
    with _timed(drill, "base_backup"):
        _run([str(bin_dir() / "pg_basebackup"), "-D", str(cluster.data), "--checkpoint=fast", "--wal-method=stream",
              "--no-password"], env=_libpq_env(params), server_user=True)  # fmt: skip
    drill.sizes["base_backup"] = _size(cluster.data)
    log(f"pg_basebackup: {drill.sizes['base_backup']:,} bytes in {drill.seconds['base_backup']:.1f} s")
    with _timed(drill, "mark"), _exported_snapshot(params, lock=True) as (snapshot, at, tables):
        drill.source = _figures_in(params, snapshot, tables)
        drill.target_time = at
    log(f"target time {at.isoformat()} (marked under SHARE locks in {drill.seconds['mark'] * 1000:.0f} ms)")
    with _timed(drill, "archive"), psycopg.connect(**params, autocommit=True) as conn:
        # Recovery stops at the first commit after the target: make sure one exists, then close its segment.
        conn.execute("BEGIN")
        conn.execute("SELECT txid_current()")
        conn.execute("COMMIT")
        segment = conn.execute("SELECT file_name FROM pg_walfile_name_offset(pg_switch_wal())").fetchone()[0]  # type: ignore[index]

        def archived() -> bool:
            row = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()
            return bool(row and row[0] and row[0] >= segment)

        if not _until(time.monotonic() + READY_SECONDS, archived):
            raise DrillError(f"WAL segment {segment} was not archived within {READY_SECONDS:.0f} s.")
    drill.sizes["wal_archive"] = _size(archive)
    with _timed(drill, "recovery"):
        (cluster.data / "recovery.signal").touch()
        _own(cluster.data / "recovery.signal")
        cluster.configure(
            [
                *_loopback_settings(cluster),
                f"restore_command = 'cp {archive}/%f %p'",
                f"recovery_target_time = '{at.isoformat()}'",
                "recovery_target_action = 'promote'",
            ]
        )
        cluster.start()
        recovered = {**cluster.params, "dbname": params.get("dbname", "vzaemo")}

        def promoted() -> bool:
            with psycopg.connect(**recovered, autocommit=True) as conn:
                return not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]  # type: ignore[index]

        if not _until(time.monotonic() + READY_SECONDS, promoted):
            raise DrillError("The restored cluster did not reach the target time and promote itself.")
    log(
        f"WAL archive {drill.sizes['wal_archive']:,} bytes; recovered to the target on port {cluster.port} "
        f"in {drill.seconds['recovery']:.1f} s"
    )


def _verify(drill: Drill, cluster: Cluster, log: Callable[[str], None]) -> None:
    source = drill.source
    assert source is not None  # noqa: S101 - read by the method
    params = {**cluster.params, "dbname": source_params().get("dbname", "vzaemo")}
    with _timed(drill, "verify"), psycopg.connect(**params, autocommit=True) as conn:
        present = set(_tables(conn))
        drill.restored = read_figures(conn, [t for t in sorted(source.counts) if t in present])
    drill.differences += compare(source, drill.restored)
    url = f"postgres://postgres@127.0.0.1:{cluster.port}/{params['dbname']}"
    env = {**os.environ, "DATABASE_URL": url}
    with _timed(drill, "audit_verify"):
        done = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "audit_verify"],
            env=env, capture_output=True, text=True, check=False, cwd=settings.BASE_DIR,
        )  # fmt: skip
    drill.audit_verify = (
        (done.stdout.strip() or done.stderr.strip()).splitlines()[-1] if (done.stdout or done.stderr) else ""
    )
    if done.returncode != 0:
        drill.differences.append(f"audit_verify on the restored database: {drill.audit_verify}")
    log(f"verified against the restored database in {drill.seconds['verify'] + drill.seconds['audit_verify']:.1f} s")


def compare(source: Figures, restored: Figures) -> list[str]:
    """Every way the restored figures differ from the source's (none: the same database)."""
    differences = [f"table {t} missing" for t in sorted(set(source.counts) - set(restored.counts))]
    for table, count in source.counts.items():
        if table in restored.counts and restored.counts[table] != count:
            differences.append(f"{table}: {count} rows in the source, {restored.counts[table]} restored")
    if restored.audit_head != source.audit_head:
        differences.append(f"audit head {source.audit_head} in the source, {restored.audit_head} restored")
    if restored.checkpoint != source.checkpoint:
        differences.append(f"latest checkpoint {source.checkpoint} in the source, {restored.checkpoint} restored")
    return differences


def describe(drill: Drill) -> list[str]:
    """The drill's figures as lines for a person."""
    source, restored = drill.source, drill.restored
    lines = [f"method: {drill.method}; target: {drill.target_time.isoformat() if drill.target_time else '-'}"]
    lines.append("sizes: " + ", ".join(f"{k} {v:,} bytes" for k, v in drill.sizes.items()))
    lines.append("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in drill.seconds.items()))
    if source is not None and restored is not None:
        rows = sum(source.counts.values())
        lines.append(
            f"tables: {len(source.counts)}, rows: {rows:,} in the source, {sum(restored.counts.values()):,} restored"
        )
        width = max(map(len, source.counts), default=10)
        lines += [
            f"  {table:<{width}} {count:>10,} {restored.counts.get(table, -1):>10,}"
            for table, count in source.counts.items()
            if count
        ]
        lines.append(f"audit head: {source.audit_head} -> {restored.audit_head}")
        lines.append(f"latest checkpoint (size, head): {source.checkpoint[:2] if source.checkpoint else None} -> "
                     f"{restored.checkpoint[:2] if restored.checkpoint else None}")  # fmt: skip
    lines.append(f"audit_verify: {drill.audit_verify}")
    lines.append(
        "OK: the restored database equals the source" if drill.ok else "DIFFERENT:\n  " + "\n  ".join(drill.differences)
    )
    lines.append(f"at {clock.now().isoformat()}")
    return lines

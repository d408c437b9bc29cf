"""bench/feed: read throughput and skipped objects of the broker change feed while writers commit.

Started by `bench/feed/run` (which owns the temporary directory and the last-resort cleanup).
Steps: throwaway PostgreSQL cluster -> migrate -> seed N published auctions (bench/feed/seed.py) ->
`runplatform` (DEBUG off, settings `bench.feed.settings` = production + the naive feed URL) -> warm-up
and quiet catch-up passes of both feeds -> one phase per feed, each under the same fixed-rate writers:
catch-up passes from the start (objects/s), then one reader follows `next_page` from the start, polls
the head every 50 ms, catches up after the writers stop -> skipped objects, head lag -> table,
PASS/FAIL, raw output under bench/results/feed-<timestamp>/. Everything it starts is stopped in `finally`.

Feeds (same page size, same HTTP + JSON shape, both django-ninja with the `FeedOut` schema):
  real   GET /api/broker/v1/auctions?feed=changes&limit=L   (commit order behind the watermark, ADR 0009)
  naive  GET /bench/feed/naive/auctions?feed=changes&limit=L (ORDER BY date_modified, id; bench/feed/naive.py)

Writers (a separate process, K threads, one connection each, fixed total rate, open loop): each write is
one transaction that locks a random seeded auction (`SELECT … FOR UPDATE`, as every service does), stamps
it as `auctions.services._common._commit` does — `date_modified` = clock_timestamp(), `rev` + 1, `commit_txid` =
core.commit_order's expression — and, in a share of transactions, sleeps 5–50 ms before COMMIT. Every
committed write is logged (auction id, rev, date_modified in µs, wall time after COMMIT).

Skipped = objects changed during the phase whose final committed `date_modified` the following reader
never saw, after the writers stopped and it caught up (3 empty pages in a row, >= --drain-min s later).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

GOAL_RATE = 10_000.0  # objects/s read by the real feed during catch-up under write load
TXID_SQL = "pg_current_xact_id()::text::bigint"  # core.commit_order._TXID_SQL (seed.py asserts they match)

FEEDS = {
    "real": ("real feed (commit order + watermark)", "/api/broker/v1/auctions"),
    "naive": ("naive feed (ORDER BY dateModified)", "/bench/feed/naive/auctions"),
}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def free_port(span: int = 1) -> int:
    """A free loopback port p such that p..p+span-1 are free (runplatform uses port+1 for ASGI)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + span >= 65535:
            continue
        ok = True
        for p in range(port, port + span):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free port")


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


# --- writers (a child process) ----------------------------------------------------------------------


def _writer_thread(
    n: int, a: dict, ids: list[int], stop: mp.synchronize.Event, out: list[tuple], errors: list[str]
) -> None:
    rng = random.Random(a["seed"] * 1000 + n)
    interval = a["threads"] / a["rate"]
    try:
        conn = psycopg.connect(a["db_url"])
    except psycopg.Error as exc:
        errors.append(f"writer {n}: {exc}")
        return
    with conn:
        next_t = time.monotonic() + interval * n / a["threads"]  # spread the threads over one interval
        while not stop.is_set():
            delay = next_t - time.monotonic()
            if delay > 0 and stop.wait(delay):
                break
            next_t += interval
            if time.monotonic() - next_t > 1.0:  # more than 1 s behind: drop the backlog, keep the rate honest
                next_t = time.monotonic()
            aid = rng.choice(ids)
            hold = rng.random() < a["hold_share"]
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT id FROM auctions_auction WHERE id = %s FOR UPDATE", [aid])
                    cur.execute(
                        "UPDATE auctions_auction SET date_modified = clock_timestamp(), rev = rev + 1, "
                        f"commit_txid = {TXID_SQL} WHERE id = %s RETURNING rev, date_modified",
                        [aid],
                    )
                    rev, modified = cur.fetchone()
                if hold:
                    time.sleep(rng.uniform(a["hold_min"], a["hold_max"]))
                conn.commit()
            except psycopg.Error as exc:
                conn.rollback()
                errors.append(f"writer {n}: {exc}")
                continue
            out.append((aid, rev, micros(modified), time.time(), hold))


def writer_process(a: dict, ids: list[int], stop: mp.synchronize.Event, out_path: str) -> None:
    # Only the parent stops us (`stop`, or SIGKILL in its cleanup), also when a signal hits the whole group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    records: list[tuple] = []
    errors: list[str] = []
    t0 = time.time()
    threads = [
        threading.Thread(target=_writer_thread, args=(n, a, ids, stop, records, errors), daemon=True)
        for n in range(a["threads"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t1 = time.time()
    with open(out_path, "w") as fh:
        fh.write(f"# started {t0:.6f} stopped {t1:.6f} errors {len(errors)}\n")
        for e in errors[:20]:
            fh.write(f"# error {e}\n")
        for aid, rev, mod, tc, hold in records:
            fh.write(f"{aid}\t{rev}\t{mod}\t{tc:.6f}\t{int(hold)}\n")


class Writers:
    def __init__(self, args: argparse.Namespace, db_url: str, ids: list[int], out: Path, seed: int) -> None:
        self.out = out
        self.stop_event = mp.get_context("fork").Event()
        conf = {
            "db_url": db_url,
            "rate": args.write_rate,
            "threads": args.writers,
            "hold_share": args.hold_share,
            "hold_min": args.hold_min_ms / 1000,
            "hold_max": args.hold_max_ms / 1000,
            "seed": seed,
        }
        self.proc = mp.get_context("fork").Process(
            target=writer_process, args=(conf, ids, self.stop_event, str(out)), daemon=True
        )

    def start(self) -> None:
        self.proc.start()

    def stop(self) -> dict:
        self.stop_event.set()
        self.proc.join(30)
        if self.proc.is_alive():
            self.proc.kill()
            raise RuntimeError("the writer process did not stop")
        head = self.out.read_text().split("\n", 1)[0]
        m = re.match(r"# started (\S+) stopped (\S+) errors (\d+)", head)
        if not m:
            raise RuntimeError(f"writer log unreadable: {head!r}")
        writes = []
        errors = []
        for line in self.out.read_text().splitlines()[1:]:
            if line.startswith("# error"):
                errors.append(line)
            elif line:
                aid, rev, mod, tc, hold = line.split("\t")
                writes.append((int(aid), int(rev), int(mod), float(tc), hold == "1"))
        return {"started": float(m[1]), "stopped": float(m[2]), "errors": int(m[3]), "error_lines": errors,
                "writes": writes}  # fmt: skip

    def kill(self) -> None:
        if self.proc.is_alive():
            self.stop_event.set()
            self.proc.join(5)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(5)


# --- reader -----------------------------------------------------------------------------------------


class Reader:
    """One client following `next_page.uri` over one keep-alive HTTP connection."""

    def __init__(self, port: int, path: str, limit: int) -> None:
        self.port = port
        self.first = f"{path}?feed=changes&limit={limit}"
        self.limit = limit
        self.next = self.first
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.pages: list[tuple[float, list[dict]]] = []  # (wall time the page arrived, items)
        self.requests = 0
        self.bytes = 0
        self.throttled = 0  # 429 answers (the broker API's rate limit), waited out and retried

    def get(self) -> list[dict]:
        while True:
            self.conn.request("GET", self.next)
            res = self.conn.getresponse()
            body = res.read()
            if res.status != 429:
                break
            self.throttled += 1
            time.sleep(min(float(res.headers.get("Retry-After") or 0.1), 2.0))
        if res.status != 200:
            raise RuntimeError(f"GET {self.next} -> {res.status}: {body[:500]!r}")
        doc = json.loads(body)
        t = time.time()
        self.requests += 1
        self.bytes += len(body)
        items = doc["data"]
        self.pages.append((t, items))
        uri = urlsplit(doc["next_page"]["uri"])
        self.next = f"{uri.path}?{uri.query}"
        return items

    def catch_up(self) -> dict:
        """From the current cursor to the head (a page shorter than `limit`): objects, seconds, pages."""
        n = pages = 0
        t0 = time.perf_counter()
        while True:
            items = self.get()
            n += len(items)
            pages += 1
            if len(items) < self.limit:
                break
        return {"objects": n, "seconds": time.perf_counter() - t0, "pages": pages}

    def follow(self, until: float, poll: float) -> None:
        """Poll the head: a full page is followed at once, a short one after `poll` seconds."""
        while time.monotonic() < until:
            if len(self.get()) < self.limit:
                time.sleep(poll)

    def drain(self, since_stop: float, minimum: float, maximum: float, poll: float) -> float:
        """Catch up after the writers stopped: 3 empty pages in a row and at least `minimum` s later."""
        empty = 0
        while True:
            items = self.get()
            empty = 0 if items else empty + 1
            waited = time.monotonic() - since_stop
            if (empty >= 3 and waited >= minimum) or waited >= maximum:
                return waited
            if len(items) < self.limit:
                time.sleep(poll)

    def close(self) -> None:
        self.conn.close()


def parse_items(pages: list[tuple[float, list[dict]]]) -> dict[int, list[tuple[float, int]]]:
    """id -> [(time seen, date_modified µs)] in arrival order."""
    seen: dict[int, list[tuple[float, int]]] = {}
    for t, items in pages:
        for item in items:
            seen.setdefault(int(item["id"]), []).append((t, micros(dt.datetime.fromisoformat(item["dateModified"]))))
    return seen


# --- the benchmark ----------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.workdir)
        self.pgdir = self.work / "pg"
        self.platform: subprocess.Popen[bytes] | None = None
        self.platform_log = self.work / "platform.log"
        self.writers: Writers | None = None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.results = ROOT / "bench" / "results" / f"feed-{stamp}"
        self.results.mkdir(parents=True, exist_ok=True)
        self.db_url = ""
        self.env: dict[str, str] = {}

    # --- infrastructure (as bench/signatures) ----------------------------------------------------
    def start_database(self) -> None:
        port = self.args.pg_port or free_port()
        url = subprocess.run(
            [str(ROOT / "scripts" / "pg-throwaway"), "start", str(self.pgdir), str(port)],
            cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE, timeout=120,
        ).stdout.strip()  # fmt: skip
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS vzaemo")
            conn.execute("CREATE DATABASE vzaemo")
            settings = dict(
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync','synchronous_commit','server_version')"
                ).fetchall()
            )
        self.db_url = url
        self.pg_info = settings
        log(
            f"PostgreSQL {settings.get('server_version')} at {url} (fsync={settings.get('fsync')}, "
            f"synchronous_commit={settings.get('synchronous_commit')})"
        )
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "VZAEMO_VAR_DIR": str(self.work / "var"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "bench.feed.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            **dict(kv.split("=", 1) for kv in self.args.env),
        }
        self.env.pop("VZAEMO_BENCH", None)

    def py(self, *argv: str, timeout: float = 900) -> str:
        res = subprocess.run(
            [sys.executable, *argv], cwd=ROOT, env=self.env, check=True, text=True, stdout=subprocess.PIPE,
            timeout=timeout,
        )  # fmt: skip
        return res.stdout

    def start_platform(self) -> None:
        self.port = self.args.port or free_port(2)
        argv = [
            sys.executable, str(ROOT / "manage.py"), "runplatform", "--host", "127.0.0.1", "--port", str(self.port),
            "--wsgi-workers", str(self.args.wsgi_workers), "--wsgi-threads", str(self.args.wsgi_threads),
        ]  # fmt: skip
        if self.args.no_worker:
            argv.append("--no-worker")
        if self.args.no_chronograph:
            argv.append("--no-chronograph")
        log("starting: " + " ".join(argv[1:]))
        self.platform = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=self.platform_log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        (self.work / "platform.pid").write_text(str(self.platform.pid))
        deadline = time.monotonic() + 60
        probe = f"http://127.0.0.1:{self.port}{FEEDS['real'][1]}?limit=1"
        while time.monotonic() < deadline:
            if self.platform.poll() is not None:
                raise RuntimeError("runplatform exited:\n" + self.platform_log.read_text()[-3000:])
            try:
                urllib.request.urlopen(probe, timeout=2).read()
                break
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"{probe} -> {exc.code}; see {self.platform_log}") from exc
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the platform did not answer within 60 s")
        log(f"platform up at http://127.0.0.1:{self.port}/")

    def child_pids(self) -> list[int]:
        text = self.platform_log.read_text(errors="replace") if self.platform_log.exists() else ""
        return [int(p) for p in re.findall(r"^\S+\s+pid (\d+)", text, re.M)]

    def stop_platform(self) -> None:
        if self.platform is None:
            return
        children = self.child_pids()
        if self.platform.poll() is None:
            self.platform.send_signal(signal.SIGTERM)
            try:
                self.platform.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.platform.pid, signal.SIGKILL)
                self.platform.wait()
        for pid in children:  # each child has its own process group (runplatform); none may outlive us
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.platform = None
        log("platform stopped")

    def stop_database(self) -> None:
        if self.pgdir.exists():
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway"), "stop", str(self.pgdir)], cwd=ROOT, check=False)
            log("PostgreSQL stopped")

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds so far: our PostgreSQL cluster, the platform's process groups, this process + writers,
        the box (other clusters and processes on a shared box count as "others")."""
        tick = os.sysconf("SC_CLK_TCK")
        out: dict[str, float] = {"postgres": 0.0, "platform": 0.0}
        platform_pids = set(self.child_pids())
        try:
            postmaster = int((self.pgdir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            postmaster = -1
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                ppid, pgid, used = int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
            except (OSError, ValueError):
                continue
            if comm.startswith("postgres") and postmaster in (int(proc.name), ppid):
                out["postgres"] += used
            elif pgid in platform_pids:
                out["platform"] += used
        t = os.times()
        out["bench"] = t.user + t.system
        if self.writers is not None and self.writers.proc.pid and self.writers.proc.is_alive():
            try:
                fields = Path(f"/proc/{self.writers.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                out["bench"] += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
        out["box_busy"] = (sum(parts) - parts[3] - parts[4]) / tick
        out["box_total"] = sum(parts) / tick
        return out

    def cpu_delta(self, c0: dict[str, float], c1: dict[str, float]) -> dict[str, float]:
        d = {k: round(c1[k] - c0[k], 2) for k in c1}
        d["others"] = round(d["box_busy"] - d["platform"] - d["postgres"] - d["bench"], 2)
        return d

    # --- passes and phases -----------------------------------------------------------------------
    def timed_pass(self, feed: str) -> dict:
        reader = Reader(self.port, FEEDS[feed][1], self.args.limit)
        c0 = self.cpu_snapshot()
        try:
            r = reader.catch_up()
        finally:
            reader.close()
        r["cpu"] = self.cpu_delta(c0, self.cpu_snapshot())
        r["rate"] = r["objects"] / r["seconds"]
        r["bytes"] = reader.bytes
        r["throttled"] = reader.throttled
        return r

    def quiet(self) -> dict:
        out: dict[str, list[dict]] = {}
        for feed in self.args.feeds:  # warm-up: first requests of every WSGI worker, caches, query plans
            for _ in range(2 * self.args.wsgi_workers):
                reader = Reader(self.port, FEEDS[feed][1], self.args.limit)
                for _ in range(3):
                    reader.get()
                reader.close()
        for feed in self.args.feeds:
            out[feed] = [self.timed_pass(feed) for _ in range(self.args.passes)]
            rates = [p["rate"] for p in out[feed]]
            objs = {p["objects"] for p in out[feed]}
            log(f"quiet {feed}: {', '.join(f'{r:,.0f}' for r in rates)} objects/s; objects per pass {objs}")
            if objs != {self.n}:
                raise RuntimeError(f"a quiet pass of the {feed} feed read {objs} objects, not {self.n}")
        return out

    def phase(self, feed: str, seed: int) -> dict:
        a = self.args
        log(f"phase {FEEDS[feed][0]}: writers {a.writers} threads at {a.write_rate:g}/s, {a.hold_share:.0%} hold "
            f"{a.hold_min_ms:g}-{a.hold_max_ms:g} ms before COMMIT")  # fmt: skip
        wlog = self.results / f"writes-{feed}.tsv"
        self.writers = Writers(a, self.db_url, self.ids, wlog, seed)
        self.writers.start()
        time.sleep(a.writer_warmup)
        passes = []
        for _ in range(a.passes):
            passes.append(self.timed_pass(feed))
        log(f"  catch-up under writes: {', '.join(format(p['rate'], ',.0f') for p in passes)} objects/s "
            f"({', '.join(str(p['objects']) for p in passes)} objects)")  # fmt: skip
        follower = Reader(self.port, FEEDS[feed][1], a.limit)
        follow_start_wall = time.time()
        first = follower.catch_up()
        first["rate"] = first["objects"] / first["seconds"]
        caught_up_wall = time.time()
        follower.follow(time.monotonic() + a.follow, a.poll_ms / 1000)
        t_stop = time.monotonic()
        w = self.writers.stop()
        self.writers = None
        drained = follower.drain(t_stop, a.drain_min, a.drain_max, a.poll_ms / 1000)
        follower.close()
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            final_db = dict(
                conn.execute(
                    "SELECT id, date_modified FROM auctions_auction WHERE id = ANY(%s)",
                    [list({x[0] for x in w["writes"]})],
                ).fetchall()
            )
        return self.analyse(feed, passes, first, follower, w, final_db, follow_start_wall, caught_up_wall, drained)

    def analyse(
        self, feed: str, passes: list[dict], first: dict, follower: Reader, w: dict, final_db: dict,
        follow_start: float, caught_up: float, drained: float,
    ) -> dict:  # fmt: skip
        writes = w["writes"]
        seen = parse_items(follower.pages)
        final: dict[int, int] = {}
        for aid, _rev, mod, _tc, _hold in writes:
            final[aid] = max(final.get(aid, 0), mod)
        mismatched = sum(1 for aid, mod in final.items() if micros(final_db[aid]) != mod)
        skipped_ids = sorted(
            aid for aid, mod in final.items() if max((m for _, m in seen.get(aid, [])), default=0) < mod
        )
        seen_exact = {(aid, m) for aid, obs in seen.items() for _, m in obs}
        versions_seen = sum(1 for aid, _rev, mod, _tc, _h in writes if (aid, mod) in seen_exact)
        # Head lag: writes committed after the follower reached the head and before the writers
        # stopped -> first time the follower saw that version or a later one.
        lags = []
        for aid, _rev, mod, tc, _hold in writes:
            if tc < caught_up:
                continue
            t_seen = next((t for t, m in seen.get(aid, []) if m >= mod), None)
            if t_seen is not None:
                lags.append(max(0.0, t_seen - tc) * 1000)
        duration = w["stopped"] - w["started"]
        rates = [p["rate"] for p in passes]
        with (self.results / f"reads-{feed}.tsv").open("w") as fh:
            for t, items in follower.pages:
                fh.write(f"{t:.6f}\t{len(items)}\t{','.join(i['id'] for i in items)}\n")
        return {
            "feed": feed,
            "passes": passes,
            "rate_median": statistics.median(rates),
            "rate_best": max(rates),
            "follower_catch_up": first,
            "writes": len(writes),
            "write_errors": w["errors"],
            "write_error_lines": w["error_lines"],
            "held_writes": sum(1 for x in writes if x[4]),
            "writes_per_s": len(writes) / duration if duration > 0 else 0.0,
            "writer_seconds": duration,
            "objects_changed": len(final),
            "versions_seen": versions_seen,
            "final_seen": len(final) - len(skipped_ids),
            "skipped": len(skipped_ids),
            "skipped_ids": skipped_ids[:200],
            "skipped_share": len(skipped_ids) / len(final) if final else 0.0,
            "final_mismatch_db": mismatched,
            "requests": follower.requests,
            "throttled": follower.throttled + sum(p["throttled"] for p in passes),
            "lag_ms": {"n": len(lags), "p50": pct(lags, 50), "p99": pct(lags, 99), "max": max(lags, default=None)},
            "drain_s": round(drained, 2),
            "follow_start": follow_start,
        }

    def run(self) -> int:
        a = self.args
        self.start_database()
        log("migrating ...")
        self.py(str(ROOT / "manage.py"), "migrate", "--noinput", "-v0")
        log(f"seeding {a.auctions:,} published auctions ...")
        seeded = json.loads(
            self.py(str(HERE / "seed.py"), "--auctions", str(a.auctions), "--batch", str(a.seed_batch))
            .strip()
            .splitlines()[-1]
        )
        log(f"seeded: {seeded}")
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
            self.ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM auctions_auction WHERE mode = 'real' AND status <> 'draft' ORDER BY id"
                ).fetchall()
            ]
        self.n = len(self.ids)
        if seeded["unstamped"] or self.n != a.auctions:
            raise RuntimeError(f"seed: {self.n} public auctions, {seeded['unstamped']} unstamped")
        self.start_platform()
        quiet = self.quiet()
        phases = {}
        for i, feed in enumerate(a.feeds):
            time.sleep(a.pause)
            phases[feed] = self.phase(feed, seed=a.seed + i)
            p = phases[feed]
            log(
                f"  {feed}: {p['writes']} writes ({p['writes_per_s']:.0f}/s), {p['objects_changed']} objects changed, "
                f"follower saw {p['versions_seen']} versions; skipped {p['skipped']} "
                f"({p['skipped_share']:.2%}); lag p50 {p['lag_ms']['p50'] or 0:.0f} ms; drained in {p['drain_s']} s"
            )
        return self.report(seeded, quiet, phases)

    def report(self, seeded: dict, quiet: dict, r: dict) -> int:
        a = self.args
        lines: list[str] = []
        w = lines.append

        def f(x: float | None, spec: str = ".0f") -> str:
            return "-" if x is None else format(x, spec)

        w("")
        w(
            f"bench/feed  {dt.datetime.now().isoformat(timespec='seconds')}  host: {os.cpu_count()} cores; "
            f"{self.n:,} published auctions; pages of {a.limit}; runplatform --wsgi-workers {a.wsgi_workers} "
            f"--wsgi-threads {a.wsgi_threads}; PostgreSQL {self.pg_info.get('server_version')} fsync="
            f"{self.pg_info.get('fsync')}; writers {a.writers} threads at {a.write_rate:g}/s, {a.hold_share:.0%} "
            f"hold {a.hold_min_ms:g}-{a.hold_max_ms:g} ms; follower polls every {a.poll_ms:g} ms for {a.follow:g} s"
        )
        loading = (
            "only the columns in selectors.FEED_COLUMNS"
            if "FEED_COLUMNS" in (ROOT / "vzaemo" / "broker_api" / "selectors.py").read_text()
            else "whole Auction instances with lot and owner joined (select_related)"
        )
        w(
            "Both feeds over HTTP (django-ninja, FeedOut schema, one keep-alive client following next_page.uri); "
            f"rows loaded as: {loading}."
        )
        w(
            f"{'feed':<38}{'quiet obj/s':>12}{'obj/s':>9}{'best':>9}{'writes/s':>9}{'writes':>8}{'changed':>8}"
            f"{'vers.seen':>10}{'skipped':>8}{'skip %':>8}{'lag p50':>8}{'p99 ms':>8}"
        )
        for name, p in r.items():
            q = statistics.median(x["rate"] for x in quiet[name])
            w(
                f"{FEEDS[name][0]:<38}{q:>12,.0f}{p['rate_median']:>9,.0f}{p['rate_best']:>9,.0f}"
                f"{p['writes_per_s']:>9.0f}{p['writes']:>8}{p['objects_changed']:>8}{p['versions_seen']:>10}"
                f"{p['skipped']:>8}{100 * p['skipped_share']:>7.2f}%{f(p['lag_ms']['p50']):>8}{f(p['lag_ms']['p99']):>8}"
            )
        w(
            "obj/s: median (best) of "
            f"{a.passes} catch-up passes from the start under the writers; quiet: median of {a.passes} with no writers."
        )
        w("CPU seconds during the catch-up passes under writes (platform / postgres / bench client+writers / others "
          "of box total), platform CPU ms per 1,000 objects:")  # fmt: skip
        for name, p in r.items():
            cpu = {k: sum(x["cpu"][k] for x in p["passes"]) for k in p["passes"][0]["cpu"]}
            objs = sum(x["objects"] for x in p["passes"])
            w(
                f"  {name:<6} {cpu['platform']:5.2f} / {cpu['postgres']:5.2f} / {cpu['bench']:5.2f} / "
                f"{cpu['others']:5.2f} of {cpu['box_total']:5.2f};  {1000 * 1000 * cpu['platform'] / max(objs, 1):.1f} "
                f"ms per 1,000 objects; {sum(x['bytes'] for x in p['passes']) / max(objs, 1):.0f} bytes/object"
            )
        if "real" in r and "naive" in r:
            w(f"real / naive throughput = {r['real']['rate_median'] / r['naive']['rate_median']:.2f} (under writes), "
              f"{statistics.median(x['rate'] for x in quiet['real']) / statistics.median(x['rate'] for x in quiet['naive']):.2f} (quiet)")  # fmt: skip
        for name, p in r.items():
            if p["throttled"]:
                w(f"  {name}: {p['throttled']} requests answered 429 (rate limit), waited out and retried")
            if p["write_errors"] or p["final_mismatch_db"]:
                w(
                    f"  {name}: {p['write_errors']} write errors, {p['final_mismatch_db']} final versions differ from the DB"
                )
            if p["skipped"]:
                w(f"  {name}: skipped ids (first 20): {p['skipped_ids'][:20]}")
        verdicts = []
        if "real" in r:
            real = r["real"]
            verdicts += [
                (f"real >= {GOAL_RATE:,.0f} objects/s (median catch-up under writes)", real["rate_median"] >= GOAL_RATE,
                 f"{real['rate_median']:,.0f}/s"),
                ("real: 0 objects skipped", real["skipped"] == 0 and real["objects_changed"] > 0,
                 f"{real['skipped']} of {real['objects_changed']}"),
            ]  # fmt: skip
        for name, p in r.items():
            target = a.write_rate * 0.9
            verdicts.append(
                (
                    f"{name}: writers reached >= 90% of {a.write_rate:g}/s, no write errors",
                    p["writes_per_s"] >= target and p["write_errors"] == 0 and p["final_mismatch_db"] == 0,
                    f"{p['writes_per_s']:.0f}/s, {p['write_errors']} errors",
                )
            )
        for goal, ok, value in verdicts:
            w(f"  {'PASS' if ok else 'FAIL'}  {goal:<58} {value}")
        if "naive" in r:
            n = r["naive"]
            w(f"  info  naive feed skipped {n['skipped']} of {n['objects_changed']} changed objects "
              f"({n['skipped_share']:.2%}) — shows the harness detects skips")  # fmt: skip
        overall = bool(verdicts) and all(ok for _, ok, _ in verdicts)
        w(f"RESULT: {'PASS' if overall else 'FAIL'}   (raw output: {self.results.relative_to(ROOT)})")
        text = "\n".join(lines)
        print(text, flush=True)
        (self.results / "summary.txt").write_text(text + "\n")
        (self.results / "summary.json").write_text(
            json.dumps(
                {
                    "args": vars(a),
                    "seed": seeded,
                    "postgres": self.pg_info,
                    "quiet": quiet,
                    "phases": r,
                    "verdicts": [{"goal": g, "pass": ok, "value": v} for g, ok, v in verdicts],
                    "pass": overall,
                },
                indent=2,
                default=str,
            )
        )
        return 0 if overall else 1

    def cleanup(self) -> None:
        try:
            if self.writers is not None:
                self.writers.kill()
            self.stop_platform()
        finally:
            if self.platform_log.exists():
                shutil.copy(self.platform_log, self.results / "platform.log")
            self.stop_database()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workdir", required=True, help="temporary directory (the `run` wrapper makes one)")
    p.add_argument("--auctions", type=int, default=20_000, help="published auctions to seed (N)")
    p.add_argument("--seed-batch", type=int, default=2_000, help="seeded rows per transaction")
    p.add_argument("--limit", type=int, default=1000, help="page size (the API allows at most 1,000)")
    p.add_argument("--passes", type=int, default=3, help="timed catch-up passes per feed (quiet and under writes)")
    p.add_argument("--writers", type=int, default=4, help="writer threads (one connection each)")
    p.add_argument("--write-rate", type=float, default=200, help="total writes/s (open loop)")
    p.add_argument("--hold-share", type=float, default=0.25, help="share of write transactions held before COMMIT")
    p.add_argument("--hold-min-ms", type=float, default=5)
    p.add_argument("--hold-max-ms", type=float, default=50)
    p.add_argument("--writer-warmup", type=float, default=2, help="seconds of writes before the first pass")
    p.add_argument("--follow", type=float, default=30, help="seconds the follower polls the head with writers on")
    p.add_argument("--poll-ms", type=float, default=50, help="pause after a short page at the head")
    p.add_argument("--drain-min", type=float, default=2, help="seconds after the writers stop before judging")
    p.add_argument("--drain-max", type=float, default=30)
    p.add_argument("--pause", type=float, default=2, help="seconds of rest before each phase")
    p.add_argument("--feeds", nargs="+", default=list(FEEDS), choices=list(FEEDS), help="phases, in this order")
    p.add_argument("--seed", type=int, default=1, help="random seed of the writers")
    p.add_argument("--wsgi-workers", type=int, default=2)
    p.add_argument("--wsgi-threads", type=int, default=8)
    p.add_argument("--no-worker", action="store_true", help="runplatform --no-worker")
    p.add_argument("--no-chronograph", action="store_true", help="runplatform --no-chronograph")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--pg-port", type=int, default=0)
    p.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for the platform"
    )
    args = p.parse_args()
    bench = Bench(args)

    def on_signal(signum: int, _frame: object) -> None:
        # Once: a second signal (`timeout` signals the process group too) must not interrupt the cleanup.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return bench.run()
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc})")
        return 130
    finally:
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())

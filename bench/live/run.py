"""bench/live: live auctions under load — bid accept latency and SSE fan-out latency on the production topology.

Started by `bench/live/run` (which owns the temporary directory and the last-resort cleanup).
Steps: throwaway PostgreSQL cluster -> migrate -> seed (bench/live/seed.py: one auction by the real services,
the baseline, and N bulk copies of it, all English, live, 2-s turns) -> `runplatform` (DEBUG off) ->
(a) idle baseline: the baseline auction alone, its M bidders bidding once per turn, its M bidder streams and a
    few public streams open;
(b) load: K public streams spread over the N auctions plus the N x M bidder streams (ADR 0010's load goal:
    10,000 streams), opened at a fixed rate; then every auction's bidders bid once per turn for --duration seconds;
-> checks against the database -> table, PASS/FAIL, raw output under bench/results/live-<timestamp>/.
Everything it starts is stopped in `finally`.

Measured, all on one machine clock:
* bid accept latency: client submit -> 201 read (the server's `at` is read under the session lock, so
  submit -> at and at -> ack split it into "waiting for the lock" and "commit + answer");
* fan-out latency: the post's `at` (from the database) -> the first `event: state` whose `"version"` >= the
  post's seq, read by each stream of that auction that was open before the post. Also from the `at` to the
  state message's own server time (`"now"`, written when the stream sends it): the server's share.
* delivered: the stream saw a state with version >= seq before the end of the drain; "exact": a state with
  version == seq (the stream may coalesce a burst into its latest state, which is allowed).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime as dt
import itertools
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

GOAL_BID_P99_MS = 100.0
GOAL_FANOUT_P99_MS = 500.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


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


def sh(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 600, capture: bool = False) -> str:
    res = subprocess.run(
        argv, env=env, cwd=ROOT, timeout=timeout, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return res.stdout if capture else ""


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def summarise_stacks(raw: str, top: int = 40) -> str:
    """py-spy's raw (collapsed) stacks -> the functions holding the GIL longest: inclusive and self shares."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f for f in stack.split(";") if f]
        for frame in set(frames):
            inclusive[frame] += n
        if frames:
            own[frames[-1]] += n
    if not total:
        return "no samples\n"
    lines = [f"{total} samples holding the GIL; inclusive share (a frame anywhere in the stack):"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("self share (the innermost frame):")
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines) + "\n"


class Client:
    """One load process (bench/live/load.py): commands on stdin, JSON lines on stdout."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.events: queue.Queue[dict] = queue.Queue()
        self.progress: dict = {}
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                data = json.loads(line)
            except ValueError:
                self.log.write(line)
                continue
            if data.get("event") == "progress":
                self.progress = data
            else:
                self.events.put(data)

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def wait_event(self, name: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"{self.name}: no '{name}' within {timeout:.0f} s (see {self.log.name})")
            try:
                data = self.events.get(timeout=min(left, 1.0))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited with {self.proc.returncode} (see {self.log.name})"
                    ) from None
                continue
            if data.get("event") == name:
                return data

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.workdir)
        self.pgdir = self.work / "pg"
        self.platform: subprocess.Popen[bytes] | None = None
        self.platform_log = self.work / "platform.log"
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.results = ROOT / "bench" / "results" / f"live-{stamp}"
        self.results.mkdir(parents=True, exist_ok=True)
        self.db_url = ""
        self.env: dict[str, str] = {}
        self.clients: list[Client] = []
        self.samples: list[dict] = []
        self._sampling = threading.Event()
        self.load_pids: set[int] = set()

    # --- infrastructure -------------------------------------------------------------------
    def start_database(self) -> None:
        port = self.args.pg_port or free_port()
        url = sh([str(ROOT / "scripts" / "pg-throwaway"), "start", str(self.pgdir), str(port)], capture=True).strip()
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS vzaemo")
            conn.execute("CREATE DATABASE vzaemo")
            settings: dict[str, str] = dict(
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync','synchronous_commit','shared_buffers','max_connections','server_version')"
                ).fetchall()
            )
        self.db_url = url
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
            "DJANGO_SETTINGS_MODULE": "vzaemo.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            **dict(kv.split("=", 1) for kv in self.args.env),
        }

    def manage(self, *argv: str, capture: bool = False, timeout: float = 900) -> str:
        return sh([sys.executable, str(ROOT / "manage.py"), *argv], env=self.env, capture=capture, timeout=timeout)

    def start_platform(self) -> None:
        a = self.args
        self.port = a.port or free_port(2)
        argv = [
            sys.executable, str(ROOT / "manage.py"), "runplatform",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--wsgi-workers", str(a.wsgi_workers), "--wsgi-threads", str(a.wsgi_threads),
            *(["--sse-connections", str(a.sse_connections)] if a.sse_connections else []),
        ]  # fmt: skip
        log("starting: " + " ".join(argv[1:]))
        self.platform = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=self.platform_log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        (self.work / "platform.pid").write_text(str(self.platform.pid))
        deadline = time.monotonic() + 60
        for url in (f"http://127.0.0.1:{self.port}/", f"http://127.0.0.1:{self.port + 1}/live/0/events"):
            while time.monotonic() < deadline:
                if self.platform.poll() is not None:
                    raise RuntimeError("runplatform exited:\n" + self.platform_log.read_text()[-3000:])
                try:
                    urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - http://127.0.0.1 only
                    break
                except urllib.error.HTTPError:
                    break  # it answers
                except OSError:
                    time.sleep(0.3)
            else:
                raise RuntimeError(f"the platform did not answer {url} within 60 s")
        log(f"platform up at http://127.0.0.1:{self.port}/ (SSE on {self.port + 1})")

    def child_pids(self) -> dict[str, int]:
        text = self.platform_log.read_text(errors="replace") if self.platform_log.exists() else ""
        return {name: int(pid) for name, pid in re.findall(r"^(\S+)\s+pid (\d+)", text, re.M)}

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
        for pid in children.values():  # each child has its own process group (runplatform); none may outlive us
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.platform = None
        log("platform stopped")

    def stop_database(self) -> None:
        if self.pgdir.exists():
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway"), "stop", str(self.pgdir)], cwd=ROOT, check=False)
            log("PostgreSQL stopped")

    def stop_clients(self) -> None:
        for client in self.clients:
            client.kill()
        self.clients = []

    # --- CPU and memory, sampled every second -----------------------------------------------
    def snapshot(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        groups = {pgid: name for name, pgid in self.child_pids().items()}
        out: dict[str, float] = {name: 0.0 for name in ("asgi", "wsgi", "worker", "chrono", "postgres", "load")}
        out["asgi_rss_mb"] = 0.0
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            pgid, used = int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
            if int(proc.name) in self.load_pids:
                out["load"] += used
            elif comm.startswith("postgres"):
                out["postgres"] += used
            elif pgid in groups:
                out[groups[pgid]] += used
                if groups[pgid] == "asgi":
                    out["asgi_rss_mb"] += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
        out["box_busy"] = (sum(parts) - parts[3] - parts[4]) / tick
        out["box_total"] = sum(parts) / tick
        out["t"] = time.time()
        return out

    def sampler(self) -> None:
        while not self._sampling.wait(1.0):
            try:
                self.samples.append(self.snapshot())
            except Exception as exc:  # never kill the run for a sample
                log(f"sampler: {exc!r}")

    def cpu_between(self, t0: float, t1: float) -> dict[str, float]:
        inside = [s for s in self.samples if t0 <= s["t"] <= t1]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        # A process that exits takes its CPU time with it (PostgreSQL backends of closed connections): clamp at 0.
        out = {
            k: max(0.0, last[k] - first[k])
            for k in ("asgi", "wsgi", "worker", "chrono", "postgres", "load", "box_busy")
        }
        out["seconds"] = last["t"] - first["t"]
        out["others"] = max(
            0.0, out["box_busy"] - sum(out[k] for k in ("asgi", "wsgi", "worker", "chrono", "postgres", "load"))
        )
        # The ASGI process runs one event loop: its busiest second says whether it saturated.
        per_second = [(b["asgi"] - a["asgi"]) / max(b["t"] - a["t"], 1e-3) for a, b in itertools.pairwise(inside)]
        out["asgi_max_cpu"] = max(per_second) if per_second else 0.0
        out["asgi_rss_mb"] = last["asgi_rss_mb"]
        return out

    # --- load processes ------------------------------------------------------------------------
    def client(self, name: str, role: str, spec: object, *extra: str) -> Client:
        spec_path = self.work / f"{name}.spec.json"
        spec_path.write_text(json.dumps(spec))
        port = self.port + 1 if role == "sse" else self.port
        argv = [
            sys.executable, str(HERE / "load.py"), role, "--spec", str(spec_path), "--port", str(port),
            "--out", str(self.results / f"{name}.json"), *extra,
        ]  # fmt: skip
        client = Client(name, argv, self.env, self.results / f"{name}.log")
        self.clients.append(client)
        self.load_pids.add(client.proc.pid)
        return client

    def open_streams(self, name: str, streams: list[list], processes: int, timeout: float) -> tuple[list[Client], dict]:
        a = self.args
        chunks = [streams[i::processes] for i in range(processes)]
        rate = a.open_rate / processes
        t0 = time.monotonic()
        sse = [
            self.client(
                f"{name}-sse{i}",
                "sse",
                chunk,
                "--rate",
                str(rate),
                "--connecting",
                str(max(1, a.connecting // processes)),
            )
            for i, chunk in enumerate(chunks)
        ]
        total, last_change, last_open, reported = len(streams), time.monotonic(), -1, 0.0
        while True:
            time.sleep(0.5)
            for c in sse:
                if c.proc.poll() is not None:
                    raise RuntimeError(f"{c.name} exited with {c.proc.returncode} (see {c.log.name})")
            opened = sum(c.progress.get("open", 0) for c in sse)
            errors = sum(c.progress.get("errors", 0) for c in sse)
            now = time.monotonic()
            if opened != last_open:
                last_open, last_change = opened, now
            if now - reported >= 5:
                log(f"  {name}: {opened:,}/{total:,} streams open, {errors} errors, {now - t0:.0f} s")
                reported = now
            if opened + errors >= total or now - last_change > 20 or now - t0 > timeout:
                break
        took = time.monotonic() - t0
        return sse, {"target": total, "open": opened, "errors": errors, "seconds": round(took, 1)}

    def phase(self, name: str, auctions: list[dict], streams: list[list], processes: int, duration: float) -> dict:
        a = self.args
        log(f"phase {name}: {len(auctions)} auction(s), {len(streams):,} streams in {processes} process(es)")
        bids = self.client(f"{name}-bids", "bids", auctions, "--offset", str(a.offset), "--db-url", self.db_url)
        t_open = time.time()
        sse, opened = self.open_streams(name, streams, processes, a.open_timeout)
        bids.wait_event("ready", 60)
        log(
            f"  {opened['open']:,} of {opened['target']:,} streams open after {opened['seconds']} s; settling {a.settle} s"
        )
        time.sleep(a.settle)
        t0 = time.time()
        bids.send("start")
        bids.wait_event("started", 10)
        spies = self.start_py_spy(name, duration) if a.py_spy and name == "load" else []
        time.sleep(duration)
        bids.send("stop")
        stopped = bids.wait_event("stopped", 60)
        t1 = time.time()
        log(f"  bidding stopped after {t1 - t0:.1f} s, {stopped['bids']} bids sent; draining {a.drain} s")
        time.sleep(a.drain)
        t2 = time.time()
        self.finish_py_spy(spies)
        for c in sse:
            c.send("stop")
        for c in sse:
            c.wait_event("done", 120)
        bids.send("quit")
        bids.wait_event("done", 60)
        for c in [*sse, bids]:
            c.proc.wait(timeout=30)
            c.log.close()
            self.clients.remove(c)
        streams_out = []
        for c in sse:
            streams_out += json.loads((self.results / f"{c.name}.json").read_text())["streams"]
        bids_out = json.loads((self.results / f"{bids.name}.json").read_text())
        return {
            "name": name,
            "t_open": t_open,
            "t0": t0,
            "t1": t1,
            "t2": t2,
            "opened": opened,
            "streams": streams_out,
            "bids": bids_out,
            "cpu_open": self.cpu_between(t_open, t0),
            "cpu": self.cpu_between(t0, t1),
        }

    def warmup(self, seed: dict) -> None:
        """Every WSGI thread opens its database connection on a bidder page (GET: no bid, no throttle), as the
        bidders' browsers would before the auction; checks that the page sets the CSRF cookie the bids send."""
        a = self.args
        pages = [
            f"http://127.0.0.1:{self.port}/live/{x['auction_id']}/bidder/{b['bid_id']}/?sig={urllib.parse.quote(b['sig'])}"
            for x in [seed["baseline"], *seed["auctions"]]
            for b in x["bidders"][:2]
        ][: max(4 * a.wsgi_workers * a.wsgi_threads, 8)]
        statuses: Counter[str] = Counter()
        lock = threading.Lock()

        def fetch(urls: list[str]) -> None:
            for url in urls:
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - http://127.0.0.1 only
                        response.read()
                        cookie = response.headers.get("Set-Cookie", "")
                        key = f"{response.status}" + ("" if "csrftoken=" in cookie else " without csrftoken")
                except urllib.error.HTTPError as exc:
                    key = str(exc.code)
                with lock:
                    statuses[key] += 1

        threads = [
            threading.Thread(target=fetch, args=(pages[i :: a.wsgi_threads * a.wsgi_workers],))
            for i in range(a.wsgi_threads * a.wsgi_workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        log(f"warm-up: {len(pages)} bidder pages: {dict(statuses)}")
        if set(statuses) != {"200"}:
            raise RuntimeError(f"bidder pages failed in the warm-up: {dict(statuses)}; see {self.platform_log}")

    # --- where the time goes: py-spy on the platform's processes during the bidding ----------------
    def python_processes(self) -> dict[str, int]:
        """name -> pid of every Python process of the platform: granian workers are children of the granian
        main process (the `wsgi`/`asgi` child); the task worker and the chronograph are the children themselves."""
        children: dict[int, list[int]] = defaultdict(list)
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    stat = (proc / "stat").read_text()
                except OSError:
                    continue
                children[int(stat[stat.rindex(")") + 2 :].split()[1])].append(int(proc.name))
        out: dict[str, int] = {}
        for name, pid in self.child_pids().items():
            workers = children.get(pid, [])
            if name in ("wsgi", "asgi") and workers:
                for i, worker in enumerate(sorted(workers)):
                    out[f"{name}{i + 1}"] = worker
            else:
                out[name] = pid
        return out

    def start_py_spy(self, name: str, duration: float) -> list[tuple[str, Path, subprocess.Popen[bytes]]]:
        spy = shutil.which("py-spy")
        base = [spy] if spy else ["uvx", "--offline", "--from", "py-spy", "py-spy"]
        spies = []
        for proc_name, pid in self.python_processes().items():
            out = self.results / f"pyspy-{name}-{proc_name}.txt"
            argv = [*base, "record", "--pid", str(pid), "--format", "raw", "--nolineno", "--gil", "--nonblocking",
                    "--rate", "50", "--duration", str(max(5, int(duration) - 3)), "--output", str(out)]  # fmt: skip
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.load_pids.add(proc.pid)
            spies.append((proc_name, out, proc))
        log(f"  py-spy (GIL-holding samples, 50/s) on {', '.join(n for n, _, _ in spies)}")
        return spies

    def finish_py_spy(self, spies: list[tuple[str, Path, subprocess.Popen[bytes]]]) -> None:
        for proc_name, out, proc in spies:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            if not out.exists():
                log(f"  py-spy {proc_name}: no output (is py-spy available? `uvx --from py-spy py-spy`)")
                continue
            summary = summarise_stacks(out.read_text())
            out.with_suffix(".top.txt").write_text(summary)
            log(f"  py-spy {proc_name}: {out.with_suffix('.top.txt').name}\n" + "\n".join(summary.splitlines()[:14]))

    # --- checks ------------------------------------------------------------------------------
    def posts(self, auction_ids: list[int]) -> list[tuple[int, int, float, int]]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT s.auction_id, p.seq, p.at, p.bid_id FROM live_livepost p "
                "JOIN live_livesession s ON s.id = p.session_id WHERE s.auction_id = ANY(%s) ORDER BY p.at",
                [auction_ids],
            ).fetchall()
        return [(auction, seq, at.timestamp(), bid) for auction, seq, at, bid in rows]

    def analyse(self, r: dict, auction_ids: list[int]) -> dict:
        t0, t1, t2 = r["t0"], r["t1"], r["t2"]
        posts = [p for p in self.posts(auction_ids) if t0 - 1 <= p[2] <= t1 + 1]
        # Bids.
        records = [b for b in r["bids"]["bids"] if t0 <= b["t_submit"] <= t1 + 1]
        statuses = Counter(
            f"{b['status']}" + (f" {b['code']}" if b.get("code") and b["status"] not in (200, 201) else "")
            for b in records
        )
        accepted = [b for b in records if b["status"] == 201]
        total = [b["t_ack"] - b["t_submit"] for b in accepted]
        to_at = [b["t_at"] - b["t_submit"] for b in accepted]
        at_to_ack = [b["t_ack"] - b["t_at"] for b in accepted]
        stored = {(p[0], p[1]) for p in posts}
        acked = {(b["auction"], b["seq"]) for b in accepted}
        window = max(t1 - t0, 1e-3)
        bids = {
            "sent": len(records),
            "accepted": len(accepted),
            "rate": len(accepted) / window,
            "statuses": dict(statuses),
            "p50": pct(total, 50),
            "p99": pct(total, 99),
            "max": max(total) if total else None,
            "submit_to_at_p50": pct(to_at, 50),
            "submit_to_at_p99": pct(to_at, 99),
            "at_to_ack_p50": pct(at_to_ack, 50),
            "at_to_ack_p99": pct(at_to_ack, 99),
            "lost": len(acked - stored),  # acknowledged but not stored
            "unacked_stored": len(stored - acked),  # stored, the client saw no 201 (timeout)
            "posts": len(posts),
            "task_failures": r["bids"].get("task_failures", []),
        }
        # Fan-out.
        streams = r["streams"]
        by_auction: dict[int, list[dict]] = defaultdict(list)
        for s in streams:
            if s["t_first"] is not None:
                s["_v"] = [v[0] for v in s["versions"]]
                by_auction[s["auction"]].append(s)
        lat, server, exact, expected, undelivered = [], [], 0, 0, 0
        undelivered_by_reason: Counter[str] = Counter()
        for auction, seq, at, _bid in posts:
            for s in by_auction.get(auction, ()):
                if s["t_first"] >= at:
                    continue  # opened after the post: its first state is not a fan-out
                expected += 1
                i = bisect.bisect_left(s["_v"], seq)
                if i == len(s["_v"]):
                    undelivered += 1
                    undelivered_by_reason[
                        "stream closed" if s["t_closed"] is not None and s["t_closed"] < t2 else "never arrived"
                    ] += 1
                    continue
                version, received, now = s["versions"][i]
                exact += version == seq
                lat.append(received - at)
                if now:
                    server.append(dt.datetime.fromisoformat(now).timestamp() - at)
        open_at_end = sum(
            1 for s in streams if s["t_first"] is not None and (s["t_closed"] is None or s["t_closed"] >= t2)
        )
        dropped = sum(
            1 for s in streams if s["t_first"] is not None and s["t_closed"] is not None and s["t_closed"] < t2
        )
        first = [s["t_first"] - s["t_start"] for s in streams if s["t_first"] is not None]
        errors = Counter(s["error"] for s in streams if s["error"])
        span = max(t2 - t0, 1e-3)
        fanout = {
            "expected": expected,
            "delivered": expected - undelivered,
            "undelivered": undelivered,
            "undelivered_by_reason": dict(undelivered_by_reason),
            "exact": exact,
            "p50": pct(lat, 50),
            "p99": pct(lat, 99),
            "max": max(lat) if lat else None,
            "server_p50": pct(server, 50),
            "server_p99": pct(server, 99),
            "over_goal": sum(1 for x in lat if x > GOAL_FANOUT_P99_MS / 1000),
        }
        stream_stats = {
            "target": r["opened"]["target"],
            "opened": len(first),
            "open_at_end": open_at_end,
            "dropped": dropped,
            "errors": dict(errors.most_common(8)),
            "open_seconds": r["opened"]["seconds"],
            "first_state_p50": pct(first, 50),
            "first_state_p99": pct(first, 99),
            "state_msgs_per_s": sum(s["states"] for s in streams) / span,  # roughly: counted over the whole life
            "bytes": sum(s["bytes"] for s in streams),
        }
        return {"bids": bids, "fanout": fanout, "streams": stream_stats}

    # --- the run --------------------------------------------------------------------------
    def run(self) -> int:
        a = self.args
        self.start_database()
        log("migrating ...")
        self.manage("migrate", "--noinput", "-v0")
        seed_path = self.work / "seed.json"
        log(f"seeding {a.auctions} auctions x {a.bidders} bidders (+1 baseline auction) ...")
        cover = 120 + a.baseline_duration + a.duration + a.open_timeout * 2 + 4 * (a.settle + a.drain)
        summary = sh(  # a standalone script, like bench/feed/seed.py
            [sys.executable, str(HERE / "seed.py"), "--auctions", str(a.auctions), "--bidders", str(a.bidders),
             "--speedup", str(a.speedup), "--cover", str(cover), "--out", str(seed_path)],
            env=self.env, capture=True,
        )  # fmt: skip
        log(f"seeded: {summary.strip().splitlines()[-1]}")
        seed = self.seed = json.loads(seed_path.read_text())
        shutil.copy(seed_path, self.results / "seed.json")
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        self.start_platform()
        threading.Thread(target=self.sampler, daemon=True).start()

        self.warmup(seed)
        results: dict[str, dict] = {}
        base = seed["baseline"]
        if not a.skip_baseline:
            streams = [[base["auction_id"], None, None]] * a.baseline_observers
            streams += [[base["auction_id"], int(b["bid_id"]), b["sig"]] for b in base["bidders"]]
            r = self.phase("baseline", [base], streams, 1, a.baseline_duration)
            results["baseline"] = {**self.analyse(r, [base["auction_id"]]), "cpu": r["cpu"], "cpu_open": r["cpu_open"]}
            self.log_phase("baseline", results["baseline"])
        auctions = seed["auctions"]
        streams = []
        per_auction_observers = [
            a.observers // len(auctions) + (i < a.observers % len(auctions)) for i in range(len(auctions))
        ]
        # Interleaved: the opening proceeds evenly over the auctions.
        for k in range(max(per_auction_observers) + a.bidders):
            for i, auction in enumerate(auctions):
                if k < a.bidders:
                    bidder = auction["bidders"][k]
                    streams.append([auction["auction_id"], int(bidder["bid_id"]), bidder["sig"]])
                elif k - a.bidders < per_auction_observers[i]:
                    streams.append([auction["auction_id"], None, None])
        r = self.phase("load", auctions, streams, a.sse_processes, a.duration)
        results["load"] = {
            **self.analyse(r, [x["auction_id"] for x in auctions]),
            "cpu": r["cpu"],
            "cpu_open": r["cpu_open"],
        }
        self.log_phase("load", results["load"])
        return self.report(results)

    def log_phase(self, name: str, res: dict) -> None:
        b, f, s = res["bids"], res["fanout"], res["streams"]
        log(
            f"  {name}: streams {s['opened']}/{s['target']} (dropped {s['dropped']}), bids {b['accepted']} "
            f"({b['rate']:.1f}/s) p50 {ms(b['p50'])} p99 {ms(b['p99'])} ms, fan-out p50 {ms(f['p50'])} "
            f"p99 {ms(f['p99'])} ms, undelivered {f['undelivered']}/{f['expected']}, statuses {b['statuses']}"
        )

    def report(self, r: dict) -> int:
        a = self.args
        lines: list[str] = []
        w = lines.append
        w("")
        w(
            f"bench/live  {dt.datetime.now().isoformat(timespec='seconds')}  host: {os.cpu_count()} cores; "
            f"{a.auctions} auctions x {a.bidders} bidders + {a.observers} observers; English, "
            f"{self.seed['baseline']['timing']['turn']}-s turns (speedup {a.speedup}), one bid per turn {a.offset} s in; load {a.duration} s, baseline "
            f"{a.baseline_duration} s; runplatform --wsgi-workers {a.wsgi_workers} --wsgi-threads {a.wsgi_threads}; "
            f"{a.sse_processes} SSE client processes + 1 bidder process; PostgreSQL fsync+sync commit on"
        )
        w(
            f"{'phase':<10}{'streams':>14}{'bids/s':>8}{'bid p50':>9}{'p99':>8}{'max':>8}"
            f"{'fan p50':>9}{'p99':>8}{'max':>8}{'srv p99':>9}{'undeliv':>9}{'exact':>8}  bid statuses"
        )
        for name, res in r.items():
            b, f, s = res["bids"], res["fanout"], res["streams"]
            exact = f"{f['exact'] / f['delivered']:.1%}" if f["delivered"] else "-"
            w(
                f"{name:<10}{s['open_at_end']:>7,}/{s['target']:<6,}{b['rate']:>8.1f}{ms(b['p50']):>9}{ms(b['p99']):>8}"
                f"{ms(b['max']):>8}{ms(f['p50']):>9}{ms(f['p99']):>8}{ms(f['max']):>8}{ms(f['server_p99']):>9}"
                f"{f['undelivered']:>9}{exact:>8}  {b['statuses']}"
            )
        w("(ms; streams = open at the end / target; srv = post's `at` -> the message's server time `now`;")
        w(" undeliv = (post, stream) pairs without a state of version >= seq; exact = share with version == seq)")
        for name, res in r.items():
            b, f, s = res["bids"], res["fanout"], res["streams"]
            w(
                f"{name}: bid submit->at p50/p99 {ms(b['submit_to_at_p50'])}/{ms(b['submit_to_at_p99'])} ms, at->ack "
                f"{ms(b['at_to_ack_p50'])}/{ms(b['at_to_ack_p99'])} ms; posts stored {b['posts']}, lost {b['lost']}, "
                f"stored without 201 {b['unacked_stored']}; fan-out pairs {f['expected']:,}, delivered {f['delivered']:,}, "
                f"> {GOAL_FANOUT_P99_MS:.0f} ms {f['over_goal']:,}, undelivered by reason {f['undelivered_by_reason']}"
            )
            w(
                f"{'':>{len(name)}}  streams: opened {s['opened']:,} in {s['open_seconds']} s (first state p50/p99 "
                f"{ms(s['first_state_p50'])}/{ms(s['first_state_p99'])} ms), dropped {s['dropped']}, errors {s['errors']}"
            )
            for label, key in (("opening", "cpu_open"), ("bidding", "cpu")):
                c = res.get(key) or {}
                if c:
                    w(
                        f"{'':>{len(name)}}  CPU s while {label} ({c['seconds']:.0f} s): asgi {c['asgi']:.1f} (busiest second "
                        f"{c['asgi_max_cpu']:.0%}), wsgi {c['wsgi']:.1f}, chrono {c['chrono']:.1f}, worker {c['worker']:.1f}, "
                        f"postgres {c['postgres']:.1f}, load clients {c['load']:.1f}, others {c['others']:.1f}; box busy "
                        f"{c['box_busy'] / max(c['seconds'], 1e-3) / (os.cpu_count() or 1):.0%}; asgi RSS {c['asgi_rss_mb']:.0f} MB"
                    )
        verdicts = []
        if "baseline" in r and "load" in r:
            rb, rl = r["baseline"], r["load"]
            ratios = []
            for label, k1, k2 in (
                ("bid p50", "bids", "p50"),
                ("bid p99", "bids", "p99"),
                ("fan-out p50", "fanout", "p50"),
                ("fan-out p99", "fanout", "p99"),
            ):
                x, y = rb[k1][k2], rl[k1][k2]
                ratios.append(f"{label} x{y / x:.1f}" if x and y else f"{label} -")
            w("load / baseline: " + ", ".join(ratios))
        if "load" in r:
            lo = r["load"]
            b, f, s = lo["bids"], lo["fanout"], lo["streams"]
            timing = self.seed["baseline"]["timing"]
            turn, pause = timing["turn"], timing["pause"]
            expected_rate = a.auctions / turn * (a.bidders * turn) / (a.bidders * turn + pause)
            verdicts = [
                (f"streams open: {s['target']:,}", s["open_at_end"] >= s["target"], f"{s['open_at_end']:,}"),
                (
                    f"bid rate >= 90% of ~{expected_rate:.0f}/s offered",
                    b["rate"] >= 0.9 * expected_rate,
                    f"{b['rate']:.1f}/s",
                ),
                (
                    f"bid p99 <= {GOAL_BID_P99_MS:.0f} ms",
                    b["p99"] is not None and b["p99"] * 1000 <= GOAL_BID_P99_MS,
                    f"{ms(b['p99'])} ms",
                ),
                (
                    f"fan-out p99 <= {GOAL_FANOUT_P99_MS:.0f} ms",
                    f["p99"] is not None and f["p99"] * 1000 <= GOAL_FANOUT_P99_MS,
                    f"{ms(f['p99'])} ms",
                ),
                (
                    "every event delivered",
                    f["undelivered"] == 0 and f["expected"] > 0,
                    f"{f['undelivered']:,} of {f['expected']:,} missing",
                ),
                (
                    "every bid accepted (no refusals, errors)",
                    b["accepted"] == b["sent"] and b["sent"] > 0,
                    str(b["statuses"]),
                ),
                ("0 lost bids (201 without a row)", b["lost"] == 0, str(b["lost"])),
            ]
        for goal, ok, value in verdicts:
            w(f"  {'PASS' if ok else 'FAIL'}  {goal:<44} {value}")
        overall = bool(verdicts) and all(ok for _, ok, _ in verdicts)
        w(f"RESULT: {'PASS' if overall else 'FAIL'}   (raw output: {self.results.relative_to(ROOT)})")
        text = "\n".join(lines)
        print(text, flush=True)
        (self.results / "summary.txt").write_text(text + "\n")
        (self.results / "summary.json").write_text(
            json.dumps(
                {
                    "args": vars(a),
                    "phases": r,
                    "verdicts": [{"goal": g, "pass": ok, "value": v} for g, ok, v in verdicts],
                    "pass": overall,
                },
                indent=2,
                default=str,
            )
        )
        (self.results / "cpu.json").write_text(json.dumps(self.samples))
        return 0 if overall else 1

    def cleanup(self) -> None:
        self._sampling.set()
        try:
            self.stop_clients()
            self.stop_platform()
        finally:
            if self.platform_log.exists():
                shutil.copy(self.platform_log, self.results / "platform.log")
            self.stop_database()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workdir", required=True, help="temporary directory (the `run` wrapper makes one)")
    p.add_argument("--auctions", type=int, default=200, help="live auctions under load")
    p.add_argument("--bidders", type=int, default=25, help="bidders per auction (each has its own stream open)")
    p.add_argument("--observers", type=int, default=5000, help="public streams, spread over the auctions")
    p.add_argument("--duration", type=float, default=60, help="seconds of bidding under load")
    p.add_argument("--baseline-duration", type=float, default=40, help="seconds of bidding in the idle baseline")
    p.add_argument("--baseline-observers", type=int, default=2)
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--quick", action="store_true", help="10 auctions x 5 bidders + 50 observers, 20 s phases")
    p.add_argument("--speedup", type=int, default=90, help="sandbox accelerator (90: 3-s first pause, 2-s turns)")
    p.add_argument("--offset", type=float, default=0.3, help="seconds into each turn the owner bids")
    p.add_argument("--sse-processes", type=int, default=3, help="client processes holding the streams")
    p.add_argument("--open-rate", type=float, default=500, help="new streams per second (all processes)")
    p.add_argument("--connecting", type=int, default=300, help="stream opens in flight at most (all processes)")
    p.add_argument("--open-timeout", type=float, default=120, help="give up opening streams after this long")
    p.add_argument("--settle", type=float, default=3, help="seconds between the last open and the bidding")
    p.add_argument("--drain", type=float, default=5, help="seconds the streams stay open after the bidding")
    p.add_argument(
        "--py-spy", action="store_true", help="sample the platform's Python processes with py-spy while bidding"
    )
    p.add_argument("--wsgi-workers", type=int, default=2)
    p.add_argument("--wsgi-threads", type=int, default=8)
    p.add_argument("--sse-connections", type=int, default=0, help="runplatform --sse-connections (0: its default)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--pg-port", type=int, default=0)
    p.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for the platform"
    )
    args = p.parse_args()
    if args.quick:
        args.auctions, args.bidders, args.observers = 10, 5, 50
        args.duration, args.baseline_duration, args.sse_processes = 20, 20, 1
    bench = Bench(args)

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        return bench.run()
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc})")
        return 130
    finally:
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())

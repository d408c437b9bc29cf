"""bench/flood: a signing flood against the production topology while real people sign and read.

Started by `bench/flood/run` (which owns the temporary directory and the last-resort cleanup). Steps: throwaway
PostgreSQL cluster and Redis -> migrate -> seed (bench/flood/seed.py) -> `runplatform` with two WSGI processes,
DEBUG off, Redis as the shared cache (limits and cached sessions), the production rate limits, and the loopback
trusted as the proxy (the clients write `X-Forwarded-For` as nginx would) -> warm-up -> (a) baseline: real people
only -> (b) flood: the same real people plus `--rate` signing attempts/s -> checks in the database -> table,
PASS/FAIL, raw output under bench/results/flood-<stamp>/. Everything it starts is stopped in `finally`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LOAD = HERE / "load.py"

GOAL_READ_P99_MS = 500.0
# The production limits of petition.sign (vzaemo/settings.py) the checks hold the platform to.
ACCOUNT_PER_MINUTE = 20
SUBNET_PER_MINUTE = 600
ROTATING_SUBNETS = 2
PROCESS_GROUPS = ("wsgi", "asgi", "worker", "chrono", "postgres", "redis", "load", "others")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port(span: int = 1) -> int:
    """A free loopback port p such that p..p+span-1 are free (runplatform uses port+1 for ASGI)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + span >= 65535:
            continue
        try:
            for p in range(port, port + span):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def sh(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 600, capture: bool = False) -> str:
    res = subprocess.run(
        argv, env=env, cwd=ROOT, timeout=timeout, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return res.stdout if capture else ""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.workdir)
        self.pgdir = self.work / "pg"
        self.redis_dir = self.work / "redis"
        self.platform: subprocess.Popen[bytes] | None = None
        self.platform_log = self.work / "platform.log"
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.results = ROOT / "bench" / "results" / f"flood-{stamp}"
        self.results.mkdir(parents=True, exist_ok=True)
        self.db_url = ""
        self.env: dict[str, str] = {}
        self.port = 0

    # --- infrastructure -------------------------------------------------------------------
    def start_services(self) -> None:
        url = sh([str(ROOT / "scripts" / "pg-throwaway"), "start", str(self.pgdir), str(free_port())], capture=True)
        self.db_url = url.strip()
        with psycopg.connect(self.db_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS vzaemo")
            conn.execute("CREATE DATABASE vzaemo")
        self.redis_dir.mkdir()
        redis_port = free_port()
        sh(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no",
            "--daemonize", "yes", "--dir", str(self.redis_dir), "--pidfile", str(self.redis_dir / "redis.pid"),
            "--logfile", str(self.redis_dir / "redis.log")])  # fmt: skip
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", redis_port)) == 0:
                    break
            time.sleep(0.1)
        log(f"PostgreSQL at {self.db_url}, Redis on {redis_port}")
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
            # The load clients stand where nginx stands: their X-Forwarded-For is believed, nobody else's.
            "TRUSTED_PROXIES": "127.0.0.1/32",
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
        self.port = free_port(2)
        argv = [sys.executable, str(ROOT / "manage.py"), "runplatform", "--host", "127.0.0.1", "--port", str(self.port),
                "--wsgi-workers", str(self.args.wsgi_workers), "--wsgi-threads", str(self.args.wsgi_threads)]  # fmt: skip
        log("starting: " + " ".join(argv[1:]))
        self.platform = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=self.platform_log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        (self.work / "platform.pid").write_text(str(self.platform.pid))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.platform.poll() is not None:
                raise RuntimeError("runplatform exited:\n" + self.platform_log.read_text()[-3000:])
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the platform did not answer within 90 s")
        log(f"platform up at http://127.0.0.1:{self.port}/")

    def child_pids(self) -> list[int]:
        return list(self.child_names())

    def stop_all(self) -> None:
        if self.platform is not None:
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
        pidfile = self.redis_dir / "redis.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        if self.pgdir.exists():
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway"), "stop", str(self.pgdir)], cwd=ROOT, check=False)
            log("PostgreSQL and Redis stopped")

    # --- measuring --------------------------------------------------------------------------
    def child_names(self) -> dict[int, str]:
        """runplatform's children by process group (each child leads its own; granian's workers inherit it)."""
        text = self.platform_log.read_text(errors="replace") if self.platform_log.exists() else ""
        return {int(pid): name for name, pid in re.findall(r"^(\S+)\s+pid (\d+)", text, re.M)}

    def cpu_snapshot(self) -> dict[str, Any]:
        """CPU seconds used so far per process group (see PROCESS_GROUPS), per WSGI process and by the whole box.
        The load clients are this process's children: counted when they have been waited for."""
        tick = os.sysconf("SC_CLK_TCK")
        out: dict[str, Any] = dict.fromkeys(PROCESS_GROUPS, 0.0)
        wsgi: dict[int, float] = {}
        names = self.child_names()
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
            if comm.startswith("postgres"):
                group = "postgres"
            elif comm.startswith("redis"):
                group = "redis"
            elif pgid in names:
                group = names[pgid]
                if group == "wsgi" and int(proc.name) != pgid:  # a worker, not granian's main process
                    wsgi[int(proc.name)] = used
            else:
                group = "others"
            out[group if group in out else "others"] += used
        children = os.times()
        out["load"] = children.children_user + children.children_system
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
        out["box_busy"] = (sum(parts) - parts[3] - parts[4]) / tick
        out["wsgi_processes"] = wsgi
        return out

    def load(self, role: str, name: str, duration: float, *extra: str) -> subprocess.Popen[bytes]:
        argv = [sys.executable, str(LOAD), role, "--people", str(self.people), "--port", str(self.port),
                "--duration", str(duration), "--out", str(self.results / f"{name}.json"), *extra]  # fmt: skip
        return subprocess.Popen(argv, cwd=ROOT, stdout=(self.results / f"{name}.log").open("wb"))

    def phase(self, name: str, duration: float, *, flood: bool, sign_slice: str) -> dict[str, Any]:
        log(f"phase {name}: {duration:.0f} s, real people" + (f" + flood at {self.args.rate:.0f}/s" if flood else ""))
        before, t0 = self.cpu_snapshot(), time.monotonic()
        procs = [self.load("real", f"{name}-real", duration, "--sign-slice", sign_slice)]
        if flood:
            procs.append(self.load("flood", f"{name}-flood", duration, "--rate", str(self.args.rate),
                                   "--connections", str(self.args.connections)))  # fmt: skip
        for proc in procs:
            proc.wait(timeout=duration + 120)
        wall = time.monotonic() - t0
        after = self.cpu_snapshot()
        cpu = {k: round(after[k] - before[k], 1) for k in (*PROCESS_GROUPS, "box_busy")}
        # Processes that ended during the phase (other people's work on a shared box) are missing from /proc:
        # the rest of the box is what the box did minus what ours did.
        cpu["others"] = round(cpu["box_busy"] - sum(cpu[k] for k in PROCESS_GROUPS if k != "others"), 1)
        per_wsgi = {
            pid: round(used - before["wsgi_processes"].get(pid, 0.0), 1)
            for pid, used in after["wsgi_processes"].items()
        }
        return {"wall": wall, "cpu": cpu, "wsgi_processes": per_wsgi}

    # --- the run --------------------------------------------------------------------------
    def run(self) -> int:
        a = self.args
        self.start_services()
        log("migrating ...")
        self.manage("migrate", "--noinput", "-v0")
        self.people = self.work / "people.json"
        log(f"seeding {a.real} real people, {a.unverified} unverified accounts, 1 hammering account ...")
        sh([sys.executable, str(HERE / "seed.py"), "--out", str(self.people), "--real", str(a.real),
            "--unverified", str(a.unverified), "--real-petitions", "8"], env=self.env)  # fmt: skip
        self.start_platform()
        log("warm-up (reads only) ...")
        self.phase("warmup", a.warmup, flood=False, sign_slice="0:0")
        phases = {
            "baseline": self.phase("baseline", a.baseline, flood=False, sign_slice="0:4"),
            "flood": self.phase("flood", a.duration, flood=True, sign_slice="4:8"),
        }
        time.sleep(1.0)  # answers in flight are written by now; nothing else is measured after this
        return self.report(phases)

    # --- checks and the table ----------------------------------------------------------------
    def database_checks(self) -> dict[str, Any]:
        people = json.loads(self.people.read_text())
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            unverified = conn.execute(
                "SELECT count(*) FROM petitions_signature s JOIN accounts_user u ON u.id = s.signer_id "
                "WHERE NOT u.email_verified"
            ).fetchone()
            hammer = conn.execute(
                "SELECT count(*) FROM petitions_signature WHERE signer_id = %s", [people["hammer"]["id"]]
            ).fetchone()
            real_rows = conn.execute(
                "SELECT signer_id, petition_id FROM petitions_signature WHERE signer_id = ANY(%s)",
                [[p["id"] for p in people["real"]]],
            ).fetchall()
        return {
            "unverified_signatures": unverified[0] if unverified else None,
            "hammer_signatures": hammer[0] if hammer else None,
            "real_rows": len(real_rows),
        }

    def report(self, phases: dict[str, Any]) -> int:
        a = self.args
        db = self.database_checks()
        summary: dict[str, Any] = {"args": vars(a), "database": db, "phases": phases}
        lines = [f"bench/flood {dt.datetime.now().isoformat(timespec='seconds')}  results: {self.results}", ""]
        real_p99 = {}
        for name in ("baseline", "flood"):
            real = json.loads((self.results / f"{name}-real.json").read_text())
            reads = [r[3] * 1000 for r in real["records"] if r[0] == "read"]
            signs = [r for r in real["records"] if r[0] == "sign"]
            sign_ms = [r[3] * 1000 for r in signs]
            statuses: dict[str, int] = {}
            for r in real["records"]:
                statuses[f"{r[0]} {r[4]}"] = statuses.get(f"{r[0]} {r[4]}", 0) + 1
            real_p99[name] = percentile(reads, 99)
            summary["phases"][name]["real"] = {
                "reads": len(reads),
                "read_p50_ms": percentile(reads, 50),
                "read_p99_ms": percentile(reads, 99),
                "read_max_ms": max(reads, default=float("nan")),
                "signs": len(signs),
                "sign_p50_ms": percentile(sign_ms, 50),
                "sign_p99_ms": percentile(sign_ms, 99),
                "statuses": statuses,
                "errors": real["errors"],
            }
        flood = json.loads((self.results / "flood-flood.json").read_text())
        records = flood["records"]
        groups: dict[str, dict[str, Any]] = {}
        for group, wall, latency, status, retry_after in records:
            g = groups.setdefault(group, {"answered": 0, "statuses": {}, "windows": set(), "latency": []})
            g["answered"] += 1
            g["statuses"][str(status)] = g["statuses"].get(str(status), 0) + 1
            g["windows"].add(int(wall // 60))
            g["latency"].append(latency * 1000)
            if status == 429 and not retry_after:
                g["statuses"]["429 without Retry-After"] = g["statuses"].get("429 without Retry-After", 0) + 1
        answered = len(records)
        flood_summary = {
            "offered": flood["offered"],
            "dropped_client_busy": flood["dropped"],
            "answered": answered,
            "elapsed": flood["elapsed"],
            "answered_per_s": answered / flood["elapsed"],
            "errors": flood["errors"],
            "groups": {
                k: {
                    "answered": v["answered"],
                    "statuses": v["statuses"],
                    "minute_windows": len(v["windows"]),
                    "p50_ms": percentile(v["latency"], 50),
                    "p99_ms": percentile(v["latency"], 99),
                }
                for k, v in groups.items()
            },
        }
        summary["flood"] = flood_summary

        def let_through(group: str) -> int:
            g = flood_summary["groups"].get(group, {"statuses": {}})
            return sum(n for s, n in g["statuses"].items() if s.isdigit() and s != "429")

        def windows(group: str) -> int:
            return int(flood_summary["groups"].get(group, {}).get("minute_windows", 0))

        hammer_cap = ACCOUNT_PER_MINUTE * windows("hammer")
        rotating_cap = SUBNET_PER_MINUTE * ROTATING_SUBNETS * windows("rotating")
        checks = {
            "0 signatures from unverified accounts": db["unverified_signatures"] == 0,
            f"hammering account let through <= {ACCOUNT_PER_MINUTE}/min/account over both WSGI processes "
            f"({let_through('hammer')} <= {hammer_cap})": let_through("hammer") <= hammer_cap,
            f"rotating addresses let through <= {SUBNET_PER_MINUTE}/min per /24 "
            f"({let_through('rotating')} <= {rotating_cap})": let_through("rotating") <= rotating_cap,
            "the hammering account stored at most 1 signature": (db["hammer_signatures"] or 0) <= 1,
            "every 429 has Retry-After": all(
                "429 without Retry-After" not in g["statuses"] for g in flood_summary["groups"].values()
            ),
            f"real people's reads p99 <= {GOAL_READ_P99_MS:.0f} ms under the flood ({real_p99['flood']:.0f} ms)": (
                real_p99["flood"] <= GOAL_READ_P99_MS
            ),
        }
        summary["checks"] = checks

        lines.append(
            f"platform: runplatform, {a.wsgi_workers} WSGI processes x {a.wsgi_threads} threads, Redis cache and "
            f"cached_db sessions, production rate limits, PostgreSQL fsync on"
        )
        lines.append("")
        lines.append("real people (closed loop, think 1-3 s)  reads  p50 ms  p99 ms  max ms  signs  sign p99 ms")
        for name in ("baseline", "flood"):
            r = summary["phases"][name]["real"]
            lines.append(
                f"  {name:<40} {r['reads']:>6} {r['read_p50_ms']:>7.0f} {r['read_p99_ms']:>7.0f} "
                f"{r['read_max_ms']:>7.0f} {r['signs']:>6} {r['sign_p99_ms']:>11.0f}   {r['statuses']}"
            )
        lines.append(f"  read p99 flood/baseline: {real_p99['flood'] / real_p99['baseline']:.1f}x")
        lines.append("")
        f = flood_summary
        lines.append(
            f"flood: offered {f['offered']} ({f['offered'] / f['elapsed']:.0f}/s), dropped by the client "
            f"(all {a.connections} connections busy) {f['dropped_client_busy']}, answered {f['answered']} "
            f"({f['answered_per_s']:.0f}/s), socket errors {f['errors']}"
        )
        for group, g in sorted(f["groups"].items()):
            lines.append(
                f"  {group:<11} answered {g['answered']:>6}  p50 {g['p50_ms']:>6.0f} ms  p99 {g['p99_ms']:>6.0f} ms  "
                f"windows {g['minute_windows']}  statuses {dict(sorted(g['statuses'].items()))}"
            )
        lines.append("")
        lines.append(
            f"database: signatures by unverified accounts {db['unverified_signatures']}, by the hammering account "
            f"{db['hammer_signatures']}, by real people {db['real_rows']}"
        )
        lines.append("")
        lines.append("CPU seconds per phase: " + ", ".join(PROCESS_GROUPS) + ", box busy")
        for name, phase in phases.items():
            cpu = phase["cpu"]
            lines.append(
                f"  {name:<9} wall {phase['wall']:>5.1f} s  "
                + "  ".join(f"{k} {cpu[k]:.1f}" for k in (*PROCESS_GROUPS, "box_busy"))
                + f"  (per WSGI process: {sorted(phase['wsgi_processes'].values(), reverse=True)})"
            )
        answered = flood_summary["answered"] + sum(summary["phases"]["flood"]["real"]["statuses"].values())
        lines.append(
            f"  WSGI CPU per request answered under the flood: {1000 * phases['flood']['cpu']['wsgi'] / answered:.1f} ms"
            if answered
            else "  no request answered under the flood"
        )
        lines.append("")
        for check, ok in checks.items():
            lines.append(f"  {'PASS' if ok else 'FAIL'}  {check}")
        text = "\n".join(lines)
        print("\n" + text, flush=True)
        (self.results / "summary.txt").write_text(text + "\n")
        (self.results / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        return 0 if all(checks.values()) else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workdir", required=True)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of flood")
    p.add_argument("--baseline", type=float, default=30.0, help="seconds of real people alone")
    p.add_argument("--warmup", type=float, default=8.0)
    p.add_argument("--rate", type=float, default=1200.0, help="signing attempts offered per second")
    p.add_argument("--connections", type=int, default=512, help="the flood's keep-alive connections")
    p.add_argument("--real", type=int, default=40, help="real people reading and signing")
    p.add_argument("--unverified", type=int, default=4000, help="unverified accounts of the flood")
    p.add_argument("--wsgi-workers", type=int, default=2)
    p.add_argument("--wsgi-threads", type=int, default=8)
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE for the platform (repeatable)")
    args = p.parse_args()
    bench = Bench(args)

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        return bench.run()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        bench.stop_all()


if __name__ == "__main__":
    sys.exit(main())

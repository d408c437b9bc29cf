"""bench/signatures: verified e-petition signatures per second on the production topology.

Started by `bench/signatures/run` (which owns the temporary directory and the last-resort cleanup).
Steps: throwaway PostgreSQL cluster -> migrate -> seed petitions, users, sessions -> `runplatform`
(VZAEMO_BENCH=1, DEBUG off) -> warm-up -> three fixed-time wrk phases, each on its own petition:
(a) bare ceiling, (b) naive hot-row +1, (c) the real signing endpoint -> checks in the database ->
table, PASS/FAIL, raw output under bench/results/. Everything it starts is stopped in `finally`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LUA = HERE / "sign.lua"

GOAL_RATE = 1000.0  # verified signatures/s
GOAL_CEILING_SHARE = 0.40
GOAL_P99_MS = 200.0
GOAL_COUNT_LAG_S = 5.0

PHASES = {
    "bare": ("(a) bare insert (ceiling)", "/bench/bare-sign/{pid}/"),
    "naive": ("(b) naive hot-row +1", "/bench/naive-sign/{pid}/"),
    "real": ("(c) real endpoint", "/petitions/{pid}/sign/"),
}


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


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.workdir)
        self.pgdir = self.work / "pg"
        self.platform: subprocess.Popen[bytes] | None = None
        self.platform_log = self.work / "platform.log"
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.results = ROOT / "bench" / "results" / f"signatures-{stamp}"
        self.results.mkdir(parents=True, exist_ok=True)
        self.db_url = ""
        self.env: dict[str, str] = {}

    # --- infrastructure -------------------------------------------------------------------
    def start_database(self) -> None:
        port = self.args.pg_port or free_port()
        url = sh([str(ROOT / "scripts" / "pg-throwaway"), "start", str(self.pgdir), str(port)], capture=True).strip()
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS vzaemo")
            conn.execute("CREATE DATABASE vzaemo")
            settings = dict(
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
            "VZAEMO_BENCH": "1",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "VZAEMO_VAR_DIR": str(self.work / "var"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "vzaemo.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            # The bench measures how fast the signing path is, from one address: the rate limits (ADR 0013) would
            # refuse nearly every request. `--env VZAEMO_RATE_LIMITS={}` measures with them.
            "VZAEMO_RATE_LIMITS": json.dumps({"petition.sign": ""}),
            **dict(kv.split("=", 1) for kv in self.args.env),
        }

    def manage(self, *argv: str, capture: bool = False, timeout: float = 900) -> str:
        return sh([sys.executable, str(ROOT / "manage.py"), *argv], env=self.env, capture=capture, timeout=timeout)

    def start_platform(self) -> None:
        self.port = self.args.port or free_port(2)
        argv = [
            sys.executable,
            str(ROOT / "manage.py"),
            "runplatform",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--wsgi-workers",
            str(self.args.wsgi_workers),
            "--wsgi-threads",
            str(self.args.wsgi_threads),
        ]
        if self.args.no_worker:
            argv.append("--no-worker")
        log("starting: " + " ".join(argv[1:]))
        self.platform = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.platform_log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        (self.work / "platform.pid").write_text(str(self.platform.pid))
        deadline = time.monotonic() + 60
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

    # --- load -----------------------------------------------------------------------------
    def wrk(self, name: str, path: str, first: int, count: int, duration: float) -> dict:
        t = self.args.connections
        out = self.results / f"wrk-{name}.json"
        env = {
            **os.environ,
            "BENCH_USERS": str(self.users_file),
            "BENCH_PATH": path,
            "BENCH_THREADS": str(t),
            "BENCH_FIRST": str(first),
            "BENCH_COUNT": str(count),
            "BENCH_OUT": str(out),
        }
        argv = [
            "wrk",
            f"-t{t}",
            f"-c{t}",
            f"-d{round(duration)}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self.port}{path}",
        ]
        cpu0, ru0 = self.cpu_snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
        res = subprocess.run(
            argv, env=env, cwd=ROOT, text=True, capture_output=True, timeout=duration + 120, check=False
        )
        cpu1, ru1 = self.cpu_snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu1["wrk"] = cpu0["wrk"] + (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        (self.results / f"wrk-{name}.txt").write_text(" ".join(argv) + "\n" + res.stdout + res.stderr)
        if res.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        data = json.loads(out.read_text())
        data["cpu"] = {k: round(cpu1.get(k, 0) - cpu0.get(k, 0), 1) for k in cpu1}
        data["cpu"]["others"] = round(
            data["cpu"]["box_busy"] - data["cpu"]["platform"] - data["cpu"]["postgres"] - data["cpu"]["wrk"], 1
        )
        data["loadavg_after"] = Path("/proc/loadavg").read_text().split()[0]
        data["slices"] = {"first": first, "per_thread": count // t, "threads": t}
        return data

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds used so far by PostgreSQL, the platform processes and the rest of the box."""
        tick = os.sysconf("SC_CLK_TCK")
        out: dict[str, float] = {"postgres": 0.0, "platform": 0.0, "wrk": 0.0}
        platform_pids = set(self.child_pids())
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                pgid, used = int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
            except (OSError, ValueError):
                continue
            if comm.startswith("postgres"):
                out["postgres"] += used
            elif pgid in platform_pids:
                out["platform"] += used
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
        out["box_busy"] = (sum(parts) - parts[3] - parts[4]) / tick
        out["box_total"] = sum(parts) / tick
        out["steal"] = parts[7] / tick if len(parts) > 7 else 0.0
        return out

    # --- checks ---------------------------------------------------------------------------
    def sent_ids(self, slices: dict, wrk_out: Path) -> set[int]:
        per, first = slices["per_thread"], slices["first"]
        sent: set[int] = set()
        for line in Path(str(wrk_out) + ".sent").read_text().split("\n"):
            if line.strip():
                tid, n = map(int, line.split())
                lo = first + tid * per
                sent.update(self.user_ids[lo : lo + n])
        return sent

    def check(self, name: str, pid: int, data: dict, phase_end: float) -> dict:
        out = self.results / f"wrk-{name}.json"
        acked = [int(x) for x in Path(str(out) + ".acked").read_text().split()]
        sent = self.sent_ids(data["slices"], out)
        table, person = {
            "bare": ("bench_signatures_baresignature", "person_id"),
            "naive": ("bench_signatures_baresignature", "person_id"),
            "real": ("petitions_signature", "signer_id"),
        }[name]
        res: dict = {}
        time.sleep(0.5)  # let requests cut off in flight by wrk's stop finish (they are unacknowledged)
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            rows = conn.execute(f"SELECT {person} FROM {table} WHERE petition_id = %s", [pid]).fetchall()
            stored = [r[0] for r in rows]
            stored_set = set(stored)
            res["rows"] = len(stored)
            res["duplicates"] = len(stored) - len(stored_set)
            res["duplicate_acks"] = len(acked) - len(set(acked))
            res["lost"] = len(set(acked) - stored_set)
            res["phantom"] = len(stored_set - sent)  # stored for a user this phase never sent
            res["unacked_stored"] = len(stored_set - set(acked))  # in flight at the cut-off: fine
            if name == "naive":
                (counter,) = conn.execute(
                    "SELECT count FROM bench_signatures_naivepetitioncounter WHERE petition_id = %s", [pid]
                ).fetchone()
                res["count_ok"] = counter == len(stored)
                res["count_note"] = f"hot row {counter} vs {len(stored)} rows"
            if name == "real":
                res["audit_missing"] = conn.execute(
                    """SELECT count(*) FROM petitions_signature s WHERE s.petition_id = %s AND NOT EXISTS (
                           SELECT 1 FROM core_auditentry a WHERE a.subject_type = 'petitions.signature'
                           AND a.subject_id = s.id::text AND a.tag = 'petition:sign' AND a.actor_id = s.signer_id)""",
                    [pid],
                ).fetchone()[0]
                # The batched count (chronograph) must equal COUNT(*) within GOAL_COUNT_LAG_S of the last write.
                deadline = phase_end + self.args.count_wait
                while True:
                    count, exact = conn.execute(
                        "SELECT signature_count, (SELECT count(*) FROM petitions_signature WHERE petition_id = %s) "
                        "FROM petitions_petition WHERE id = %s",
                        [pid, pid],
                    ).fetchone()
                    if count == exact or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                lag = time.monotonic() - phase_end
                res["count_ok"] = count == exact
                res["count_lag_s"] = round(lag, 2) if res["count_ok"] else None
                res["count_note"] = (
                    f"batched count = COUNT(*) = {count} after {lag:.2f} s"
                    if res["count_ok"]
                    else f"batched count {count} != COUNT(*) {exact} after {lag:.1f} s"
                )
        return res

    # --- the run --------------------------------------------------------------------------
    def run(self) -> int:
        a = self.args
        self.start_database()
        log("migrating ...")
        self.manage("migrate", "--noinput", "-v0")
        self.users_file = self.work / "users.txt"
        log(f"seeding {a.users:,} verified users with sessions ...")
        t0 = time.monotonic()
        seeded = json.loads(
            self.manage("bench_signatures_seed", "--users", str(a.users), "--out", str(self.users_file), capture=True)
            .strip()
            .splitlines()[-1]
        )
        self.petitions = seeded["petitions"]
        self.user_ids = [int(line.split(" ", 1)[0]) for line in self.users_file.read_text().splitlines()]
        log(f"seeded in {time.monotonic() - t0:.1f} s; petitions {self.petitions}")
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        self.start_platform()

        warm_users = a.warmup_users
        per_phase = len(self.user_ids) - warm_users
        # Warm-up: every endpoint on the warm-up petition, with users the phases never use.
        wp = self.petitions["warmup"]
        share = warm_users // len(PHASES)
        for i, (name, (_, tmpl)) in enumerate(PHASES.items()):
            d = self.wrk(f"warmup-{name}", tmpl.format(pid=wp), i * share, share, a.warmup)
            log(f"warm-up {name}: {d['ok'] / (d['duration_us'] / 1e6):.0f}/s, statuses {d['statuses']}")
            if d["ok"] == 0:
                raise RuntimeError(f"warm-up of {name} got no 2xx: {d['statuses']}; see {self.platform_log}")

        results = {}
        for name in a.phases:
            label, tmpl = PHASES[name]
            pid = self.petitions[name]
            with psycopg.connect(self.db_url, autocommit=True) as conn:
                conn.execute("CHECKPOINT")  # every phase starts with the same WAL state
            time.sleep(a.pause)
            log(f"phase {label}: {a.duration}s, {a.connections} connections, petition {pid}")
            data = self.wrk(name, tmpl.format(pid=pid), warm_users, per_phase, a.duration)
            end = time.monotonic()
            data["check"] = self.check(name, pid, data, end)
            data["rate"] = data["ok"] / (data["duration_us"] / 1e6)
            results[name] = data
            c = data["check"]
            log(
                f"  {data['rate']:.0f}/s p50 {data['latency_us']['p50'] / 1000:.1f} ms p99 "
                f"{data['latency_us']['p99'] / 1000:.1f} ms statuses {data['statuses']} errors {data['errors']} "
                f"rows {c['rows']} lost {c['lost']} dup {c['duplicates']} cpu {data['cpu']}"
            )
        return self.report(results)

    def report(self, r: dict) -> int:
        a = self.args
        lines = []
        w = lines.append
        w("")
        w(
            f"bench/signatures  {dt.datetime.now().isoformat(timespec='seconds')}  host: {os.cpu_count()} cores, "
            f"{a.duration}s per phase, wrk -t{a.connections} -c{a.connections} (one connection per thread), "
            f"runplatform --wsgi-workers {a.wsgi_workers} --wsgi-threads {a.wsgi_threads}, PostgreSQL fsync+sync commit on"
        )
        w(
            f"{'phase':<28}{'sig/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'non-2xx':>9}{'errors':>8}"
            f"{'rows':>9}{'lost':>6}{'dup':>5}  count / audit"
        )
        for name, d in r.items():
            c = d["check"]
            errs = sum(d["errors"].values())
            extra = c.get("count_note", "")
            if "audit_missing" in c:
                extra += f"; audit missing {c['audit_missing']}"
            w(
                f"{PHASES[name][0]:<28}{d['rate']:>9.0f}{d['latency_us']['p50'] / 1000:>9.1f}"
                f"{d['latency_us']['p99'] / 1000:>9.1f}{d['latency_us']['max'] / 1000:>9.1f}{d['non2xx']:>9}{errs:>8}"
                f"{c['rows']:>9}{c['lost']:>6}{c['duplicates']:>5}  {extra}"
            )
        w(
            "CPU seconds per phase: platform / postgres / wrk / other processes on the box, of total; "
            "platform CPU ms per signature"
        )
        for n, d in r.items():
            cpu = d["cpu"]
            w(
                f"  {n:<6} {cpu['platform']:5.1f} / {cpu['postgres']:5.1f} / {cpu['wrk']:4.1f} / {cpu['others']:5.1f} "
                f"of {cpu['box_total']:5.1f};  {1000 * cpu['platform'] / max(d['ok'], 1):.2f} ms/signature;  "
                f"load average after {d['loadavg_after']}"
            )
        verdicts = []
        if "real" in r:
            real = r["real"]
            c = real["check"]
            if "bare" in r:
                w(f"real / ceiling = {real['rate'] / r['bare']['rate']:.2f}")
            if "naive" in r:
                w(f"real / naive   = {real['rate'] / r['naive']['rate']:.2f}")
            if "bare" in r and "naive" in r:
                w(f"naive / ceiling = {r['naive']['rate'] / r['bare']['rate']:.2f}")
            p99 = real["latency_us"]["p99"] / 1000
            verdicts = [
                (f"real >= {GOAL_RATE:.0f} signatures/s", real["rate"] >= GOAL_RATE, f"{real['rate']:.0f}/s"),
                (f"real p99 <= {GOAL_P99_MS:.0f} ms", p99 <= GOAL_P99_MS, f"{p99:.1f} ms"),
                (
                    "0 lost (all phases)",
                    all(d["check"]["lost"] == 0 for d in r.values()),
                    str(sum(d["check"]["lost"] for d in r.values())),
                ),
                (
                    "0 duplicates (all phases)",
                    all(d["check"]["duplicates"] == 0 for d in r.values()),
                    str(sum(d["check"]["duplicates"] for d in r.values())),
                ),
                (
                    "0 phantom rows (stored, never sent)",
                    all(d["check"]["phantom"] == 0 for d in r.values()),
                    str(sum(d["check"]["phantom"] for d in r.values())),
                ),
                (
                    "real: no non-2xx, no socket errors",
                    real["non2xx"] == 0 and sum(real["errors"].values()) == 0,
                    f"{real['non2xx']} / {sum(real['errors'].values())}",
                ),
                ("real: every signature has its audit entry", c["audit_missing"] == 0, f"{c['audit_missing']} missing"),
                (
                    f"real: batched count = COUNT(*) within {GOAL_COUNT_LAG_S:.0f} s",
                    bool(c["count_ok"]) and c["count_lag_s"] is not None and c["count_lag_s"] <= GOAL_COUNT_LAG_S,
                    c["count_note"],
                ),
                (
                    "users suffice (no thread ran out)",
                    all(d["exhausted"] == 0 for d in r.values()),
                    str({n: d["exhausted"] for n, d in r.items()}),
                ),
            ]
            if "bare" in r:
                share = real["rate"] / r["bare"]["rate"]
                verdicts.insert(
                    1, (f"real >= {GOAL_CEILING_SHARE:.0%} of ceiling", share >= GOAL_CEILING_SHARE, f"{share:.0%}")
                )
        for goal, ok, value in verdicts:
            w(f"  {'PASS' if ok else 'FAIL'}  {goal:<48} {value}")
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
        return 0 if overall else 1

    def cleanup(self) -> None:
        try:
            self.stop_platform()
        finally:
            if self.platform_log.exists():
                shutil.copy(self.platform_log, self.results / "platform.log")
            self.stop_database()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workdir", required=True, help="temporary directory (the `run` wrapper makes one)")
    p.add_argument("--users", type=int, default=60_000, help="distinct verified users (each signs once per phase)")
    p.add_argument("--duration", type=int, default=20, help="seconds per phase")
    p.add_argument("--connections", type=int, default=32, help="wrk threads = connections (one each)")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    p.add_argument("--warmup-users", type=int, default=9_000)
    p.add_argument("--pause", type=float, default=2, help="seconds of rest before each phase")
    p.add_argument(
        "--count-wait", type=float, default=GOAL_COUNT_LAG_S + 5, help="how long to wait for the count batch"
    )
    p.add_argument("--phases", nargs="+", default=list(PHASES), choices=list(PHASES))
    p.add_argument("--wsgi-workers", type=int, default=2)
    p.add_argument("--wsgi-threads", type=int, default=8)
    p.add_argument("--no-worker", action="store_true", help="runplatform --no-worker")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--pg-port", type=int, default=0)
    p.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for the platform"
    )
    args = p.parse_args()
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

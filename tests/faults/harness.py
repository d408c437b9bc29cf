"""Faults under load: the production topology on a throwaway PostgreSQL cluster, signing and bidding through the
real HTTP path while processes are killed and the database restarts; then every acknowledged write is looked
for in the database.

    result = run(Plan(wsgi_kills=3, asgi_kills=1, worker_kills=1, pg_restarts=1))
    assert result.failures == [], result.report()

What happens (docs/operations.md, "Faults"):

1. ``scripts/pg-throwaway start`` on a free port, ``migrate``, ``tests/faults/seed.py`` (a petition, verified
   people with sessions, petitions that notify their author, live auctions that outlast the run).
2. ``manage.py runplatform`` (granian WSGI 2 workers, granian ASGI, task worker, chronograph) on loopback.
3. Signing load: threads that sign the petition as one person after another (``POST /petitions/<id>/sign/``
   with the person's session and CSRF token). Bidding load: one thread per auction that replays it with the
   platform's own pure engine and posts the least allowed amount for whoever's turn it is
   (``POST /live/<a>/bidder/<b>/bid`` with an idempotency key). A request that fails without an answer or with
   a 5xx is sent again (the same person; the same key) until it is answered: a client's honest behaviour.
4. Faults, spread over the run: ``kill -9`` of one granian WSGI worker, of the ASGI process, of the task worker,
   and ``pg_ctl restart -m immediate``. After each one the time until the platform serves again is measured
   by polling with a deadline: a page answers 200, a live stream sends the auction's state, and the killed
   process is back (granian's worker count, the supervisor's new pid). After a task-worker kill or a database
   restart a person signs a petition whose threshold is one signature: the chronograph moves it and the task
   worker emails its author, proving both work again.
5. Checks: every acknowledged signature and bid is stored, none twice, none that was never sent; every
   signature and bid has exactly one audit entry and ``audit_verify`` passes; the batched signature count
   equals the rows; every auction's stream shows the version and standings the engine computes from the stored
   bids; every notifying petition's email arrived.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.e2e.harness import LivePlatform, free_port_pair  # noqa: E402
from vzaemo.live import engine  # noqa: E402 - pure standard library: replays auctions as the platform does

HOST = "127.0.0.1"
KINDS = ("wsgi", "asgi", "worker", "postgres")
# The supervisor counts a child that dies within 30 s of its start as crash-looping and doubles its restart
# delay (runplatform's _HEALTHY_AFTER_SECONDS): faults of one process kind come at least this far apart.
SAME_PROCESS_GAP = 31.0
REQUEST_TIMEOUT = 10.0
CAPACITY_SECONDS = 60.0  # a replaced WSGI worker has loaded the application within this
GRANIAN_CRASH_LOOP = 6.0  # granian exits when a respawned worker dies within 5.5 s (its crash-loop guard)
RETRY_SECONDS = 0.1
STATIC_PROBE = "/static/web/site.css"  # served by whitenoise inside the WSGI workers
_PID_LINE = re.compile(rb"^(wsgi|asgi|worker|chrono)\s+pid (\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Plan:
    wsgi_kills: int = 20
    asgi_kills: int = 5
    worker_kills: int = 5
    pg_restarts: int = 5
    signers: int = 4  # signing threads
    sign_rate: float = 60.0  # signatures per second at most, all threads together (durability, not throughput)
    auctions: int = 3
    bidders: int = 3
    users: int = 40_000  # people who can sign; the load stops early if they run out
    recovery_seconds: float = 5.0  # the platform serves again within this, after every fault
    gap_seconds: float = 2.0  # load between one recovery and the next fault
    task_seconds: float = 30.0  # a notifying petition's email arrives within this
    seed: int = 11

    def schedule(self) -> list[str]:
        """Fault kinds in order, each kind spread evenly over the run."""
        counts = dict(zip(KINDS, (self.wsgi_kills, self.asgi_kills, self.worker_kills, self.pg_restarts), strict=True))
        placed = [((i + 0.5) / n, k, kind) for k, (kind, n) in enumerate(counts.items()) for i in range(n)]
        return [kind for _, _, kind in sorted(placed)]


@dataclass
class Fault:
    kind: str
    at: float  # monotonic time of the fault
    target: str
    victim: int = 0
    group: list[int] = field(default_factory=list)
    capacity: float | None = None  # WSGI: seconds until every worker served again (the replacement loaded Django)
    database_back: float = 0.0  # PostgreSQL: seconds until it accepted connections again (its own recovery)
    recovered: dict[str, float] = field(default_factory=dict)  # probe -> seconds after the fault
    failed: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Seconds the platform took to serve again, after the database was back (0 for the processes)."""
        return max(self.recovered.values(), default=float("inf")) - self.database_back


@dataclass
class Result:
    plan: Plan
    faults: list[Fault] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def report(self) -> str:
        f = self.figures
        lines = [
            f"faults: {len(self.faults)} "
            + ", ".join(f"{kind} {sum(1 for x in self.faults if x.kind == kind)}" for kind in KINDS),
            f"run: {f.get('load_seconds', 0):.0f} s of load, {f.get('total_seconds', 0):.0f} s in all",
        ]
        for kind in KINDS:
            times = sorted(x.seconds for x in self.faults if x.kind == kind)
            if times:
                lines.append(
                    f"  {kind:<8} back within: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s "
                    f"(deadline {self.plan.recovery_seconds:.0f} s)"
                )
        capacity = sorted(x.capacity for x in self.faults if x.capacity is not None)
        if capacity:
            lines.append(
                f"  wsgi     full strength again (the new worker loaded Django): median "
                f"{capacity[len(capacity) // 2]:.2f} s, max {capacity[-1]:.2f} s"
            )
        restarts = sorted(x.database_back for x in self.faults if x.kind == "postgres")
        if restarts:
            lines.append(
                f"  PostgreSQL itself accepted connections again after: median {restarts[len(restarts) // 2]:.2f} s, "
                f"max {restarts[-1]:.2f} s (pg_ctl restart -m immediate: crash recovery from the WAL)"
            )
        for key in (
            "signatures_acknowledged", "signatures_stored", "signatures_lost", "signatures_duplicated",
            "signatures_phantom", "signatures_unanswered", "signature_retries", "signature_passes", "signature_audit_entries",
            "signature_count_matches", "bids_acknowledged", "bids_stored", "bids_lost", "bids_duplicated",
            "bids_phantom", "bids_unanswered", "bid_retries", "bids_refused", "bid_audit_entries",
            "auctions_resumed", "notify_emails", "notify_seconds_max", "audit_verify",
        ):  # fmt: skip
            if key in f:
                lines.append(f"  {key:<26} {f[key]}")
        lines.append("PASS" if not self.failures else "FAIL:\n  " + "\n  ".join(self.failures))
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ PostgreSQL
class Cluster:
    """A throwaway PostgreSQL cluster (scripts/pg-throwaway) that the run may restart under load."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="vzaemo-faults-pg.")
        self.port = _free_port()
        self.url = ""

    def start(self) -> str:
        self.url = _script("start", self.dir, str(self.port)).strip()
        admin = self.url.rsplit("/", 1)[0] + "/postgres"
        _psql(admin, "CREATE DATABASE vzaemo")
        return self.url

    def restart(self) -> None:
        _script("restart", self.dir)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            _script("stop", self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)


def _script(*args: str) -> str:
    return subprocess.run(
        [str(REPO / "scripts" / "pg-throwaway"), *args], check=True, capture_output=True, text=True, timeout=120
    ).stdout


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # our own constant statements


def _query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------------------------------ HTTP
class Client:
    """One keep-alive HTTP/1.1 connection; reconnects after any failure."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """(status, body); status 0 when the connection failed before an answer."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body.encode(), headers=headers or {})
            response = self.conn.getresponse()
            payload = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, payload
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, b""

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def _until(deadline: float, check: Callable[[], bool], every: float = 0.05) -> float | None:
    """Poll `check` until it holds (seconds taken) or the deadline passes (None)."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() >= deadline:
            return None
        time.sleep(every)


def first_state(port: int, auction_id: int, timeout: float = 2.0) -> dict[str, Any] | None:
    """The first `event: state` of an auction's live stream (the ASGI process), or None."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(
                f"GET /live/{auction_id}/events HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            buffer = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    return None
                buffer += chunk
                if not buffer.startswith(b"HTTP/1.1 200"):
                    return None
                match = re.search(rb"event: state\r?\ndata: (\{.*?\})\r?\n\r?\n", buffer, re.DOTALL)
                if match:
                    return dict(json.loads(match.group(1)))
    except (OSError, ValueError):
        return None
    return None


# ------------------------------------------------------------------------------------------------ load
@dataclass
class Counters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0

    def saw(self, status: int, *, retry: bool) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.retries += retry


def _sign_headers(port: int, session_key: str, csrf: str) -> dict[str, str]:
    return {
        "Host": f"{HOST}:{port}",
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }


class SigningLoad:
    """Threads that each sign as one person after another, resending until the platform answers."""

    def __init__(self, port: int, petition: int, users: list[list[Any]], threads: int, rate: float) -> None:
        self.port, self.petition, self.threads = port, petition, threads
        self.interval = threads / rate  # per thread
        self.users = users
        self.queue: Iterator[list[Any]] = iter(users)
        self.rounds = 1  # passes over the people: from the second on, every signature is a repeat
        self.take = threading.Lock()
        self.sent: set[int] = set()
        self.acknowledged: set[int] = set()
        self.unanswered: set[int] = set()
        self.refused: Counter[int] = Counter()
        self.last_ack = 0.0  # monotonic time of the latest acknowledgement
        self.counters = Counters()
        self.stop = threading.Event()
        self.workers = [threading.Thread(target=self._work, daemon=True) for _ in range(threads)]

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def finish(self) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=REQUEST_TIMEOUT + 5)

    def _work(self) -> None:
        client = Client(self.port)
        next_at = time.monotonic()
        while not self.stop.is_set():
            next_at += self.interval
            if (pause := next_at - time.monotonic()) > 0:
                self.stop.wait(pause)  # pacing: a steady rate, the same before and after each fault
            else:
                next_at = time.monotonic()  # behind (a fault): no burst to catch up
            with self.take:
                person = next(self.queue, None)
                if person is None:  # everyone has signed: again from the first (a resend, answered as a success)
                    self.queue = iter(self.users)
                    self.rounds += 1
                    person = next(self.queue)
            user_id, session_key, csrf = person
            with self.take:
                self.sent.add(user_id)
            status = sign(
                client,
                petition=self.petition,
                session_key=session_key,
                csrf=csrf,
                counters=self.counters,
                stop=self.stop,
            )
            with self.take:
                if 200 <= status < 300:
                    self.acknowledged.add(user_id)
                    self.last_ack = time.monotonic()
                elif status == 0 or status >= 500:
                    self.unanswered.add(user_id)
                else:
                    self.refused[status] += 1


def sign(
    client: Client, *, petition: int, session_key: str, csrf: str, counters: Counters, stop: threading.Event
) -> int:
    """Sign until answered (2xx, or a refusal that is not the server's fault); the last status."""
    headers = _sign_headers(client.port, session_key, csrf)
    retry = False
    while True:
        status, _ = client.request("POST", f"/petitions/{petition}/sign/", "", headers)
        counters.saw(status, retry=retry)
        if (status and status < 500) or stop.is_set():
            return status
        retry = True
        time.sleep(RETRY_SECONDS)  # a resend after a short pause, as a person would press again


@dataclass
class AuctionLoad:
    """One live auction's bidders: the turn's owner bids the least allowed amount early in every turn."""

    spec: dict[str, Any]
    port: int
    db_url: str
    stop: threading.Event
    counters: Counters = field(default_factory=Counters)
    posts: list[engine.Post] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)
    acknowledged: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (seq, amount)
    unanswered: set[str] = field(default_factory=set)
    refused: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.auction_id = int(self.spec["auction_id"])
        self.config = config_of(self.spec)
        self.sigs = {int(b["bid_id"]): b["sig"] for b in self.spec["bidders"]}
        self.csrf = {bid: f"{bid:032d}" for bid in self.sigs}
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        client = Client(self.port)
        done: set[tuple[int | None, int | None]] = set()
        while not self.stop.is_set():
            now = dt.datetime.now(dt.UTC)
            state = engine.state(self.config, self.posts, now)
            stage = state.stage
            turn = (stage.round, stage.index)
            if stage.kind == engine.Kind.TURN and turn not in done and stage.start is not None:
                done.add(turn)
                target = stage.start + dt.timedelta(seconds=0.3)
                if now < target:
                    time.sleep((target - now).total_seconds())  # pacing: bid early in the turn, like a person
                owner = stage.owner
                amount = state.min_amount(owner) if owner is not None else None
                if owner is None or amount is None:
                    continue
                self._bid(client, owner, amount, f"f{self.auction_id}-{stage.round}-{stage.index}")
                continue
            wake = (stage.end - now).total_seconds() + 0.002 if stage.end is not None else 0.5
            self.stop.wait(min(max(wake, 0.001), 0.5))

    def _bid(self, client: Client, owner: int, amount: Decimal, key: str) -> None:
        body = urllib.parse.urlencode({"sig": self.sigs[owner], "amount": f"{amount:.2f}", "idempotency_key": key})
        headers = {
            "Host": f"{HOST}:{self.port}",
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.csrf[owner]}",
            "X-CSRFToken": self.csrf[owner],
        }
        self.sent.add(key)
        retry = False
        while True:
            status, payload = client.request("POST", f"/live/{self.auction_id}/bidder/{owner}/bid", body, headers)
            self.counters.saw(status, retry=retry)
            if status in (200, 201):
                data = json.loads(payload)["data"]
                self.acknowledged[key] = (int(data["seq"]), data["amount"])
                post = engine.Post(
                    bid_id=owner,
                    amount=Decimal(data["amount"]),
                    at=dt.datetime.fromisoformat(data["at"]),
                    seq=data["seq"],
                )
                if all(p.seq != post.seq for p in self.posts):
                    self.posts.append(post)
                    self.posts.sort(key=lambda p: p.seq)
                return
            if status and status < 500:
                try:
                    self.refused[json.loads(payload)["errors"][0]["code"]] += 1
                except (ValueError, KeyError, IndexError, TypeError):
                    self.refused[str(status)] += 1
                self._resync()
                return
            if self.stop.is_set():
                self.unanswered.add(key)
                return
            retry = True
            time.sleep(RETRY_SECONDS)

    def _resync(self) -> None:
        """After a refusal our replica may lag (a bid stored whose answer was lost): read the stored posts."""
        with contextlib.suppress(Exception):
            self.posts = stored_posts(self.db_url, self.auction_id)


def config_of(spec: dict[str, Any]) -> engine.Config:
    return engine.Config(
        procedure=spec["procedure"],
        start=dt.datetime.fromisoformat(spec["start"]),
        start_value=Decimal(spec["start_value"]),
        minimal_step=Decimal(spec["minimal_step"]),
        bidders=tuple(
            engine.Bidder(
                bid_id=int(b["bid_id"]),
                initial_amount=Decimal(b["initial_amount"]) if b.get("initial_amount") else None,
                initial_at=dt.datetime.fromisoformat(b["initial_at"]),
            )
            for b in spec["bidders"]
        ),
        timing=engine.Timing.from_dict(spec["timing"]),
        special_bid=bool(spec.get("special_bid", False)),
    )


def stored_posts(db_url: str, auction_id: int) -> list[engine.Post]:
    rows = _query(
        db_url,
        "SELECT p.bid_id, p.amount, p.at, p.seq, p.special FROM live_livepost p "
        "JOIN live_livesession s ON s.id = p.session_id WHERE s.auction_id = %s ORDER BY p.seq",
        (auction_id,),
    )
    return [engine.Post(bid_id=b, amount=a, at=at, seq=seq, special=sp) for b, a, at, seq, sp in rows]


# ------------------------------------------------------------------------------------------------ the run
class Run:
    def __init__(self, plan: Plan, log: Callable[[str], None]) -> None:
        self.plan, self.log = plan, log
        self.rng = random.Random(plan.seed)
        self.result = Result(plan)
        self.cluster = Cluster()
        self.root = Path(tempfile.mkdtemp(prefix="vzaemo-faults."))
        self.platform: LivePlatform | None = None
        self.notified: dict[str, float] = {}  # author email -> monotonic time its email was first seen
        self.notify_sent: list[tuple[str, float]] = []  # (author, monotonic time of its signature)

    # --- setting up ---------------------------------------------------------------------------------
    def setup(self) -> dict[str, Any]:
        url = self.cluster.start()
        self.log(f"PostgreSQL at {url} ({self.cluster.dir})")
        outbox = self.root / "outbox"
        outbox.mkdir()
        port = free_port_pair(HOST)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="vzaemo.settings",
            DATABASE_URL=url,
            VZAEMO_VAR_DIR=str(self.root / "var"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(outbox),
            DEBUG="0",
            ALLOWED_HOSTS=f"{HOST},localhost",
            VZAEMO_SITE_URL=f"http://{HOST}:{port}",
            SSE_ORIGIN=f"http://{HOST}:{port + 1}",
            PYTHONUNBUFFERED="1",
            # Durability, not the limits, is measured here: bench/flood measures the limits.
            VZAEMO_RATE_LIMITS=json.dumps({"petition.sign": ""}),
        )
        env.setdefault("SECRET_KEY", "faults-" + os.urandom(24).hex())
        self.platform = LivePlatform(
            base_url=f"http://{HOST}:{port}",
            sse_url=f"http://{HOST}:{port + 1}",
            env=env,
            outbox_dir=outbox,
            log_path=self.root / "runplatform.log",
        )
        self.port = port
        started = time.monotonic()
        # Setting up is not under test: without fsync the migrations take a third of the time. The run itself has
        # fsync back on and starts from a checkpoint, as a server that has been up for a while would.
        _psql(url, "ALTER SYSTEM SET fsync = off")
        _psql(url, "SELECT pg_reload_conf()")
        self.platform.manage("migrate", "--noinput", "-v", "0")
        notify = self.plan.worker_kills + self.plan.pg_restarts
        seeded = subprocess.run(
            [sys.executable, str(REPO / "tests" / "faults" / "seed.py"), "--users", str(self.plan.users),
             "--notify-petitions", str(notify), "--auctions", str(self.plan.auctions),
             "--bidders", str(self.plan.bidders)],
            cwd=REPO, env=env, check=True, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        seed: dict[str, Any] = json.loads(seeded.stdout)
        _psql(url, "ALTER SYSTEM SET fsync = on")
        _psql(url, "SELECT pg_reload_conf()")
        _psql(url, "CHECKPOINT")
        self.log(
            f"migrated and seeded in {time.monotonic() - started:.1f} s "
            f"(petitions and people {seed['seconds']['petitions']:.1f} s, auctions {seed['seconds']['auctions']:.1f} s)"
        )
        self.platform.start(host=HOST, port=port)
        return seed

    def log_text(self) -> str:
        assert self.platform is not None
        return self.platform.log_path.read_text(errors="replace")

    def pids(self) -> dict[str, int]:
        """The supervisor's latest pid of each child (it prints one line per start)."""
        assert self.platform is not None
        found: dict[str, int] = {}
        with contextlib.suppress(FileNotFoundError):
            for name, pid in _PID_LINE.findall(self.platform.log_path.read_bytes()):
                found[name.decode()] = int(pid)
        return found

    # --- faults -------------------------------------------------------------------------------------
    def inject(self, kind: str) -> Fault:
        pids = self.pids()
        if kind == "wsgi":
            # A worker of a server at full strength: every worker has loaded the application (granian logged that it
            # started) and has run longer than granian's crash-loop guard (a respawned worker that dies again within
            # 5.5 s makes granian exit, and then the supervisor restarts the whole server).
            settled: list[int] = []

            def full_strength() -> bool:
                log, workers = self.log_text(), granian_workers(pids["wsgi"])
                settled[:] = [w for w in workers if _age(w) > GRANIAN_CRASH_LOOP and _ready(w, log)]
                return len(settled) >= self.wsgi_workers

            _until(time.monotonic() + CAPACITY_SECONDS, full_strength)
            victim = self.rng.choice(settled or granian_workers(pids["wsgi"]))
            fault = Fault(kind, time.monotonic(), f"granian WSGI worker pid {victim}", victim)
            os.kill(victim, signal.SIGKILL)
        elif kind in ("asgi", "worker"):
            fault = Fault(kind, time.monotonic(), f"{kind} pid {pids[kind]}")
            # The process and what it started (granian's worker), so the probes wait until none of it answers.
            fault.group = [pids[kind], *granian_workers(pids[kind])]
            os.kill(pids[kind], signal.SIGKILL)
        else:
            fault = Fault(kind, time.monotonic(), "pg_ctl restart -m immediate")
            self.cluster.restart()  # returns once the server accepts connections (pg_ctl -w)
            fault.database_back = time.monotonic() - fault.at
        return fault

    def recover(self, fault: Fault, before: dict[str, int], auction_id: int) -> None:
        # The platform cannot serve before its database does: after a PostgreSQL restart the deadline counts from
        # the moment the server accepts connections again (its crash recovery is PostgreSQL's, reported apart).
        deadline = fault.at + fault.database_back + self.plan.recovery_seconds
        probes: dict[str, Callable[[], bool]] = {
            # The supervisor kills what a dead child left (granian's worker) within its 0.2 s poll; until then
            # that worker could still answer a probe.
            "gone": lambda: all(_state(pid) in ("Z", "") for pid in fault.group),
            # WSGI answers (a static file: cheap, so an overloaded box does not time the probe out) and a signature
            # sent through it is acknowledged, which needs the database.
            "page": lambda: _page_ok(self.port),
            "signing": lambda: self.signing.last_ack > fault.at + fault.database_back,
            "stream": lambda: first_state(self.port + 1, auction_id, timeout=2.0) is not None,
        }
        if fault.kind == "wsgi":
            probes["respawned"] = lambda: _respawned(granian_workers(self.pids()["wsgi"]), fault.victim)
        elif fault.kind in ("asgi", "worker"):
            probes["restarted"] = lambda: _alive(self.pids().get(fault.kind), before[fault.kind])
        for name, probe in probes.items():
            taken = _until(deadline, probe)
            if taken is None:
                fault.failed.append(name)
                # Keep measuring past the deadline, so the report says how late it was.
                late = _until(time.monotonic() + 30, probe)
                if late is not None:
                    fault.recovered[name] = time.monotonic() - fault.at
            else:
                fault.recovered[name] = time.monotonic() - fault.at
        if fault.kind == "wsgi":
            # Serving is the deadline's business; full strength again (the new worker has loaded the application,
            # seconds of Django's setup, much longer on a busy box) is reported, and waited for before the next kill.
            def log_ready() -> bool:
                workers = granian_workers(self.pids()["wsgi"])
                return _respawned(workers, fault.victim, self.wsgi_workers, self.log_text())

            if _until(fault.at + CAPACITY_SECONDS, log_ready) is None:
                fault.failed.append(f"full strength within {CAPACITY_SECONDS:.0f} s")
            else:
                fault.capacity = time.monotonic() - fault.at

    def notify_after(self, fault: Fault, person: list[Any], petition: dict[str, Any]) -> None:
        """One signature on a one-signature petition: the chronograph and the task worker must do the rest."""
        _user_id, session_key, csrf = person
        status = sign(
            Client(self.port),
            petition=int(petition["id"]),
            session_key=session_key,
            csrf=csrf,
            counters=Counters(),
            stop=threading.Event(),
        )
        if not 200 <= status < 300:
            self.result.failures.append(f"notifying signature after {fault.kind} answered {status}")
        self.notify_sent.append((str(petition["author"]), time.monotonic()))

    def watch_outbox(self, stop: threading.Event) -> None:
        assert self.platform is not None
        while not stop.is_set():
            with contextlib.suppress(Exception):
                for message in self.platform.emails():
                    for to in message.to:
                        self.notified.setdefault(to, time.monotonic())
            stop.wait(0.2)

    # --- the whole run ------------------------------------------------------------------------------
    def execute(self) -> Result:
        t0 = time.monotonic()
        try:
            seed = self.setup()
            self._load_and_faults(seed)
            self._check(seed)
        finally:
            self.result.figures["total_seconds"] = time.monotonic() - t0
            if self.platform is not None:
                self.platform.stop()
            self.cluster.stop()
        return self.result

    def _load_and_faults(self, seed: dict[str, Any]) -> None:
        plan = self.plan
        notify = list(seed["notify"])
        users: list[list[Any]] = seed["users"]
        notifiers, users = users[: len(notify)], users[len(notify) :]
        self.signing = SigningLoad(self.port, int(seed["petition"]), users, plan.signers, plan.sign_rate)
        self.bid_stop = threading.Event()
        self.auctions = [AuctionLoad(spec, self.port, self.cluster.url, self.bid_stop) for spec in seed["auctions"]]
        watcher_stop = threading.Event()
        watcher = threading.Thread(target=self.watch_outbox, args=(watcher_stop,), daemon=True)
        watcher.start()
        self.signing.start()
        for auction in self.auctions:
            auction.thread.start()
        load_start = time.monotonic()
        self.wsgi_workers = len(granian_workers(self.pids()["wsgi"]))
        last: dict[str, float] = {}
        try:
            self._warm_up(load_start)
            for n, kind in enumerate(plan.schedule(), start=1):
                if kind in ("asgi", "worker") and kind in last:
                    # Load runs meanwhile; waiting for a time, not for an event.
                    pause = last[kind] + SAME_PROCESS_GAP - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                before = self.pids()
                fault = self.inject(kind)
                last[kind] = fault.at
                self.recover(fault, before, self.auctions[0].auction_id)
                self.result.faults.append(fault)
                self.log(
                    f"fault {n:>2} {kind:<8} {fault.target:<34} back in {fault.seconds:5.2f} s"
                    + (f" after the database ({fault.database_back:.2f} s)" if kind == "postgres" else "")
                    + (f", full strength in {fault.capacity:.2f} s" if fault.capacity is not None else "")
                    + (f"  LATE: {', '.join(fault.failed)}" if fault.failed else "")
                )
                if kind in ("worker", "postgres"):
                    self.notify_after(fault, notifiers.pop(), notify.pop())
                time.sleep(plan.gap_seconds)  # load between faults
        finally:
            self.result.figures["load_seconds"] = time.monotonic() - load_start
            self.signing.finish()
            self.bid_stop.set()
            for auction in self.auctions:
                auction.thread.join(timeout=REQUEST_TIMEOUT + 5)
            # Emails still on their way are waited for with a deadline below.
            self.watcher_stop = watcher_stop

    def _warm_up(self, load_start: float) -> None:
        """The load runs before the first fault: some signatures and each auction's first bid."""
        deadline = load_start + 30
        got = _until(
            deadline, lambda: len(self.signing.acknowledged) > 0 and all(a.acknowledged for a in self.auctions)
        )
        if got is None:
            raise AssertionError(
                f"the load did not start within 30 s:\n{self.platform.log_tail() if self.platform else ''}"
            )

    # --- the checks ---------------------------------------------------------------------------------
    def _check(self, seed: dict[str, Any]) -> None:
        plan, figures, failures, url = self.plan, self.result.figures, self.result.failures, self.cluster.url
        for fault in self.result.faults:
            if fault.failed:
                failures.append(
                    f"{fault.kind} ({fault.target}): not back within {plan.recovery_seconds:.0f} s: "
                    f"{', '.join(fault.failed)} ({fault.recovered})"
                )
        # Signatures.
        petition = int(seed["petition"])
        stored = [
            r[0] for r in _query(url, "SELECT signer_id FROM petitions_signature WHERE petition_id = %s", (petition,))
        ]
        stored_set = set(stored)
        signing = self.signing
        lost = signing.acknowledged - stored_set
        figures.update(
            signatures_acknowledged=len(signing.acknowledged),
            signatures_stored=len(stored),
            signatures_lost=len(lost),
            signatures_duplicated=len(stored) - len(stored_set),
            signatures_phantom=len(stored_set - signing.sent),
            signatures_unanswered=len(signing.unanswered),
            signature_retries=signing.counters.retries,
            signature_passes=signing.rounds,
            signature_statuses=dict(signing.counters.statuses),
        )
        audit_rows = _query(
            url,
            "SELECT count(*), count(DISTINCT subject_id) FROM core_auditentry WHERE tag = 'petition:sign' "
            "AND subject_id IN (SELECT id::text FROM petitions_signature WHERE petition_id = %s)",
            (petition,),
        )[0]
        figures["signature_audit_entries"] = f"{audit_rows[0]} for {audit_rows[1]} of {len(stored)} signatures"
        if audit_rows != (len(stored), len(stored)):
            failures.append(f"signature audit entries: {figures['signature_audit_entries']}")
        if lost:
            failures.append(f"{len(lost)} acknowledged signatures lost: {sorted(lost)[:10]}")
        if figures["signatures_duplicated"] or figures["signatures_phantom"]:
            failures.append(
                f"signatures duplicated/phantom: {figures['signatures_duplicated']}/{figures['signatures_phantom']}"
            )
        if refused := dict(signing.refused):
            failures.append(f"signatures refused: {refused}")

        def count_matches() -> bool:
            rows = _query(url, "SELECT signature_count FROM petitions_petition WHERE id = %s", (petition,))
            return bool(rows and rows[0][0] == len(stored))

        figures["signature_count_matches"] = _until(time.monotonic() + 15, count_matches, every=0.2) is not None
        if not figures["signature_count_matches"]:
            failures.append("the chronograph's signature count never reached the stored rows")

        # Bids.
        totals: Counter[str] = Counter()
        resumed = 0
        for auction in self.auctions:
            self._check_auction(auction, totals)
            resumed += self._resumed(auction)
        figures.update({f"bids_{k}": v for k, v in totals.items() if k != "retries"})
        figures["bid_retries"] = totals["retries"]
        figures["bids_refused"] = dict(sum((a.refused for a in self.auctions), Counter()))
        figures["auctions_resumed"] = f"{resumed} of {len(self.auctions)}"
        if resumed != len(self.auctions):
            failures.append(f"live auctions in the same state after the faults: {figures['auctions_resumed']}")

        # Emails of the notifying petitions: the chronograph and the task worker work again.
        deadline = max((at for _, at in self.notify_sent), default=time.monotonic()) + plan.task_seconds
        arrived = _until(deadline, lambda: all(a in self.notified for a, _ in self.notify_sent), every=0.2)
        self.watcher_stop.set()
        late = [a for a, _ in self.notify_sent if a not in self.notified]
        figures["notify_emails"] = f"{len(self.notify_sent) - len(late)} of {len(self.notify_sent)}"
        if self.notify_sent:
            figures["notify_seconds_max"] = round(
                max(self.notified.get(a, float("inf")) - at for a, at in self.notify_sent), 2
            )
        if arrived is None:
            failures.append(f"emails that never came within {plan.task_seconds:.0f} s: {late}")

        assert self.platform is not None
        verified = self.platform.manage("audit_seal", check=False)
        verified = self.platform.manage("audit_verify", check=False)
        figures["audit_verify"] = (verified.stdout or verified.stderr).strip().splitlines()[-1:]
        if verified.returncode != 0:
            failures.append(f"audit_verify: {verified.stdout}{verified.stderr}")

    def _check_auction(self, auction: AuctionLoad, totals: Counter[str]) -> None:
        rows = _query(
            self.cluster.url,
            "SELECT p.idempotency_key, p.seq, p.amount, p.bid_id FROM live_livepost p "
            "JOIN live_livesession s ON s.id = p.session_id WHERE s.auction_id = %s ORDER BY p.seq",
            (auction.auction_id,),
        )
        stored = {key: (seq, f"{amount:.2f}") for key, seq, amount, _ in rows}
        lost = [k for k, v in auction.acknowledged.items() if stored.get(k) != v]
        totals["acknowledged"] += len(auction.acknowledged)
        totals["stored"] += len(rows)
        totals["lost"] += len(lost)
        totals["duplicated"] += len(rows) - len(stored)
        totals["phantom"] += len(set(stored) - auction.sent)
        totals["unanswered"] += len(auction.unanswered)
        totals["retries"] += auction.counters.retries
        failures = self.result.failures
        if lost:
            failures.append(f"auction {auction.auction_id}: acknowledged bids lost or changed: {lost[:10]}")
        if len(rows) != len(stored) or set(stored) - auction.sent:
            failures.append(f"auction {auction.auction_id}: duplicated or phantom bids")
        if [seq for _, seq, _, _ in rows] != list(range(1, len(rows) + 1)):
            failures.append(f"auction {auction.auction_id}: sequence has gaps: {[s for _, s, _, _ in rows][:20]}")
        entries = _query(
            self.cluster.url,
            "SELECT count(*), count(DISTINCT subject_id) FROM core_auditentry WHERE tag = 'live:bid' AND subject_id IN "
            "(SELECT p.id::text FROM live_livepost p JOIN live_livesession s ON s.id = p.session_id "
            "WHERE s.auction_id = %s)",
            (auction.auction_id,),
        )[0]
        totals["audit_entries"] += entries[0]
        if entries != (len(rows), len(rows)):
            failures.append(f"auction {auction.auction_id}: {entries[0]} audit entries for {len(rows)} bids")

    def _resumed(self, auction: AuctionLoad) -> bool:
        """The stream's state (the platform's engine over the stored bids) is the one this client computes."""
        posts = stored_posts(self.cluster.url, auction.auction_id)
        state = first_state(self.port + 1, auction.auction_id, timeout=5.0)
        if state is None:
            self.result.failures.append(f"auction {auction.auction_id}: no stream state after the run")
            return False
        expected = engine.state(auction.config, posts, dt.datetime.fromisoformat(state["now"]))
        shown = [s.get("amount") for s in state.get("standings", [])]
        computed = [None if s.amount is None else f"{s.amount:.2f}" for s in expected.standings]
        same = state.get("version") == len(posts) and shown == computed and not state.get("finished")
        if not same:
            self.result.failures.append(
                f"auction {auction.auction_id}: stream shows version {state.get('version')} {shown}, "
                f"stored bids give {len(posts)} {computed}"
            )
        return same


def granian_workers(server_pid: int) -> list[int]:
    """The worker processes of a granian server (its children that run Python, not its helpers)."""
    children: list[int] = []
    for task in Path(f"/proc/{server_pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(p) for p in (task / "children").read_text().split()]
    return sorted(set(children))


def _respawned(workers: list[int], victim: int, wanted: int = 1, log: str | None = None) -> bool:
    """The killed worker is replaced (``wanted`` running workers besides it); with the log, every one of them has
    also loaded the application: granian logs "Spawning worker-N with PID: P", then "Started worker-N"."""
    running = [pid for pid in workers if pid != victim and _state(pid) not in ("Z", "")]
    return len(running) >= wanted and (log is None or all(_ready(pid, log) for pid in running))


def _ready(pid: int, log: str) -> bool:
    spawned = re.search(rf"Spawning (worker-\d+) with PID: {pid}\b", log)
    if spawned is None:
        return False
    return f"Started {spawned.group(1)}" in log[spawned.end() :]


def _state(pid: int) -> str:
    """The process's state letter (Z: a zombie not yet reaped), "" when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _age(pid: int) -> float:
    """Seconds since the process started (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return 0.0
    return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat: start time in clock ticks


def _alive(pid: int | None, old: int) -> bool:
    if pid is None or pid == old:
        return False
    return _state(pid) not in ("Z", "")


def _page_ok(port: int) -> bool:
    client = Client(port, timeout=2.0)
    status, _ = client.request("GET", STATIC_PROBE, headers={"Host": f"{HOST}:{port}"})
    client.close()
    return status == 200


def run(plan: Plan, log: Callable[[str], None] = print) -> Result:
    return Run(plan, log).execute()

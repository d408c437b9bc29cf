"""Load clients of bench/live: one OS process per role, stdlib asyncio only, driven by `run.py`.

    python bench/live/load.py sse  --spec streams.json --host H --port ASGI_PORT --out result.json
    python bench/live/load.py bids --spec auctions.json --host H --port WSGI_PORT --out result.json

Commands arrive on stdin, one per line; progress goes to stdout as JSON lines.

``sse``: opens every stream of the spec (``[[auction_id, bid_id | null, sig | null], ...]``) at ``--rate``
per second, at most ``--connecting`` at a time, and keeps reading. Per stream it records the time of every
*new* version seen in an ``event: state`` message (the state's ``"version"`` = the seq of the latest
post) with the message's server time (``"now"``), and counts state, time and gone messages. The parsing is
deliberately shallow (no JSON decode, no chunk decode: a state message is one chunk, and "\\n\\n" ends a
message) so that 3,000+ streams cost a client process little. ``stop``: close everything, write the result.

``bids``: one coroutine and one keep-alive connection per auction. It replays the auction with the platform's
own pure engine (``vzaemo.live.engine.state``, same config, the posts it got acknowledged) to know whose turn
it is and the least amount, and posts ``min_amount`` for the turn's owner ``--offset`` seconds into every
turn — one bid per turn, as the browser of the bidder whose turn it is would. ``start`` / ``stop`` open and
close the bidding window; ``quit`` writes the result. After a failure it cannot explain (timeout, socket
error, 5xx, an unexpected refusal) it re-reads that auction's posts from the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import re
import secrets
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

VERSION = re.compile(rb'"version":(\d+)')
NOW = re.compile(rb'"now":"([^"]+)"')
STATUS = re.compile(rb"^HTTP/1\.[01] (\d{3})")


def emit(**data: object) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


_keep: set[asyncio.Task[None]] = set()


async def commands() -> asyncio.Queue[str]:
    """stdin lines -> a queue (EOF counts as "quit")."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def pump() -> None:
        while True:
            line = await reader.readline()
            if not line:
                await queue.put("quit")
                return
            await queue.put(line.decode().strip())

    _keep.add(loop.create_task(pump()))  # the loop holds tasks weakly: keep this one alive
    return queue


# ---------------------------------------------------------------------------------------------- SSE
class Stream(asyncio.Protocol):
    __slots__ = (
        "attempts", "auction", "bid", "buf", "error", "gone", "head", "last", "nbytes", "opened", "request",
        "states", "status", "t_closed", "t_first", "t_start", "times", "transport", "versions",
    )  # fmt: skip

    def __init__(self, auction: int, bid: int | None, request: bytes, opened: asyncio.Future[None] | None) -> None:
        self.auction, self.bid, self.request = auction, bid, request
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.head = True
        self.status = 0
        self.t_start = time.time()
        self.t_first: float | None = None
        self.t_closed: float | None = None
        self.error: str | None = None
        self.versions: list[tuple[int, float, str]] = []  # (version, received at, server "now")
        self.last = -1
        self.states = self.times = self.gone = self.nbytes = 0
        self.attempts = 0
        self.opened = opened

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.request)  # type: ignore[attr-defined]

    def _open_done(self, error: str | None = None) -> None:
        if self.opened is not None and not self.opened.done():
            if error:
                self.opened.set_exception(ConnectionError(error))
            else:
                self.opened.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.nbytes += len(data)
        buf = self.buf + data if self.buf else data
        if self.head:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            m = STATUS.match(buf)
            self.status = int(m.group(1)) if m else 0
            self.head = False
            if self.status != 200:
                self.error = f"status {self.status}"
                self._open_done(self.error)
                assert self.transport is not None
                self.transport.close()
                return
            buf = buf[end + 4 :]
        *messages, self.buf = buf.split(b"\n\n")
        for message in messages:
            if b"event: state" in message:
                self.states += 1
                m = VERSION.search(message)
                if m is not None:
                    version = int(m.group(1))
                    if version > self.last:
                        self.last = version
                        n = NOW.search(message)
                        self.versions.append((version, now, n.group(1).decode() if n else ""))
                if self.t_first is None:
                    self.t_first = now
                    self._open_done()
            elif b"event: time" in message:
                self.times += 1
            elif b"event: gone" in message:
                self.gone += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.t_closed = time.time()
        if self.error is None and not closing:
            self.error = f"closed: {exc!r}" if exc else "closed by the server"
        self._open_done(self.error or "closed")

    def record(self) -> dict:
        return {
            "auction": self.auction,
            "bid": self.bid,
            "t_start": self.t_start,
            "t_first": self.t_first,
            "t_closed": self.t_closed,
            "error": self.error,
            "attempts": self.attempts,
            "states": self.states,
            "times": self.times,
            "gone": self.gone,
            "bytes": self.nbytes,
            "versions": self.versions,
        }


closing = False


async def run_sse(a: argparse.Namespace) -> None:
    global closing  # noqa: PLW0603 - the one flag the signal handler and every opener read
    spec = json.loads(Path(a.spec).read_text())
    loop = asyncio.get_running_loop()
    queue = await commands()
    host = f"{a.host}:{a.port}"
    streams: list[Stream] = []
    failed_connect = 0
    gate = asyncio.Semaphore(a.connecting)

    async def open_one(auction: int, bid: int | None, sig: str | None) -> None:
        nonlocal failed_connect
        path = f"/live/{auction}/events" + (f"?bid={bid}&sig={quote(sig or '')}" if bid is not None else "")
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
            f"User-Agent: bench-live\r\n\r\n"
        ).encode()
        async with gate:
            for attempt in range(1, 4):
                opened: asyncio.Future[None] = loop.create_future()
                stream = Stream(auction, bid, request, opened)
                stream.attempts = attempt
                try:
                    await asyncio.wait_for(
                        loop.create_connection(lambda s=stream: s, a.host, a.port),  # type: ignore[misc]
                        a.connect_timeout,
                    )
                except (OSError, TimeoutError) as exc:
                    stream.error = f"connect: {type(exc).__name__}"
                    if attempt < 3:
                        await asyncio.sleep(0.5 * attempt)
                        continue
                    failed_connect += 1
                    streams.append(stream)
                    return
                streams.append(stream)
                # the slot is held until the first state arrives: a bounded number of opens in flight
                with contextlib.suppress(ConnectionError, TimeoutError):
                    await asyncio.wait_for(asyncio.shield(opened), a.first_timeout)
                return

    async def opener() -> None:
        t0 = loop.time()
        tasks = []
        for i, (auction, bid, sig) in enumerate(spec):
            delay = t0 + i / a.rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(loop.create_task(open_one(auction, bid, sig)))
        await asyncio.gather(*tasks)

    async def progress() -> None:
        while True:
            first = sum(1 for s in streams if s.t_first is not None)
            alive = sum(1 for s in streams if s.t_first is not None and s.t_closed is None)
            errors = sum(1 for s in streams if s.error is not None)
            emit(
                event="progress", open=alive, first=first, errors=errors, total=len(spec), failed_connect=failed_connect
            )
            await asyncio.sleep(1.0)

    open_task = loop.create_task(opener())
    progress_task = loop.create_task(progress())
    while await queue.get() not in ("stop", "quit"):
        pass
    closing = True
    t_stop = time.time()
    open_task.cancel()
    progress_task.cancel()
    for s in streams:
        if s.transport is not None and not s.transport.is_closing():
            s.transport.close()
    await asyncio.sleep(0.2)
    Path(a.out).write_text(json.dumps({"t_stop": t_stop, "streams": [s.record() for s in streams]}))
    emit(event="done", streams=len(streams))


# ---------------------------------------------------------------------------------------------- bids
class Http:
    """One keep-alive HTTP/1.1 connection (reconnects when the server closed it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            fresh = attempt == 2
            try:
                assert self.reader is not None
                self.writer.write(raw)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before the answer")
                headers: dict[str, str] = {}
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                if "content-length" in headers:
                    body = await self.reader.readexactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int((await self.reader.readline()).split(b";")[0], 16)
                        chunk = await self.reader.readexactly(size + 2)
                        if size == 0:
                            break
                        body += chunk[:-2]
                else:
                    body = await self.reader.read()
                    self.close()
                if headers.get("connection", "").lower() == "close":
                    self.close()
                return int(status_line.split()[1]), headers, body
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _config(auction: dict):  # -> engine.Config
    from vzaemo.live import engine

    return engine.Config(
        procedure=auction["procedure"],
        start=dt.datetime.fromisoformat(auction["start"]),
        start_value=Decimal(auction["start_value"]),
        minimal_step=Decimal(auction["minimal_step"]),
        bidders=tuple(
            engine.Bidder(
                bid_id=int(b["bid_id"]),
                initial_amount=Decimal(b["initial_amount"]) if b.get("initial_amount") else None,
                initial_at=dt.datetime.fromisoformat(b["initial_at"]),
            )
            for b in auction["bidders"]
        ),
        timing=engine.Timing.from_dict(auction["timing"]),
    )


def _db_posts(db_url: str, auction_id: int):  # -> list[engine.Post]
    import psycopg

    from vzaemo.live import engine

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT p.bid_id, p.amount, p.at, p.seq, p.special FROM live_livepost p "
            "JOIN live_livesession s ON s.id = p.session_id WHERE s.auction_id = %s ORDER BY p.seq",
            [auction_id],
        ).fetchall()
    return [engine.Post(bid_id=b, amount=am, at=at, seq=seq, special=sp) for b, am, at, seq, sp in rows]


async def run_bids(a: argparse.Namespace) -> None:
    from vzaemo.live import engine

    spec = json.loads(Path(a.spec).read_text())
    loop = asyncio.get_running_loop()
    queue = await commands()
    active = asyncio.Event()
    quitting = False
    records: list[dict] = []
    host = f"{a.host}:{a.port}"
    token = {int(b["bid_id"]): secrets.token_hex(16) for auction in spec for b in auction["bidders"]}
    in_flight = 0

    async def bidder(auction: dict) -> None:
        nonlocal in_flight
        auction_id = auction["auction_id"]
        config = _config(auction)
        sigs = {int(b["bid_id"]): b["sig"] for b in auction["bidders"]}
        posts = await loop.run_in_executor(None, _db_posts, a.db_url, auction_id)
        http = Http(a.host, a.port)
        done: set[tuple[int | None, int]] = set()  # turns (round, index) already bid in
        offset = dt.timedelta(seconds=a.offset)
        late = dt.timedelta(seconds=0.2)
        while not quitting:
            now = dt.datetime.now(dt.UTC)
            state = engine.state(config, posts, now)
            if state.ended:
                return
            stage = state.stage
            if stage.kind == engine.Kind.TURN and (stage.round, stage.index) not in done and active.is_set():
                assert stage.start is not None  # a turn has both ends
                target = stage.start + offset
                done.add((stage.round, stage.index))
                if now > target + late:  # the window opened mid-turn: wait for the next turn
                    continue
                if now < target:
                    await asyncio.sleep((target - now).total_seconds())
                if not active.is_set() or quitting:
                    continue
                owner = stage.owner
                assert owner is not None
                amount = state.min_amount(owner)
                body = (
                    f"sig={quote(sigs[owner], safe='')}&amount={amount}&idempotency_key=b{owner}-{stage.round}-{stage.index}"
                ).encode()
                raw = (
                    f"POST /live/{auction_id}/bidder/{owner}/bid HTTP/1.1\r\nHost: {host}\r\n"
                    f"Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    f"Cookie: csrftoken={token[owner]}\r\nX-CSRFToken: {token[owner]}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode() + body
                rec: dict = {"auction": auction_id, "bid": owner, "round": stage.round, "index": stage.index}
                in_flight += 1
                rec["t_submit"] = time.time()
                try:
                    status, _headers, payload = await asyncio.wait_for(http.request(raw), a.timeout)
                except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                    rec["t_ack"] = time.time()
                    rec["status"] = 0
                    rec["code"] = type(exc).__name__
                    http.close()
                    status, payload = 0, b""
                else:
                    rec["t_ack"] = time.time()
                    rec["status"] = status
                finally:
                    in_flight -= 1
                resync = status == 0 or status >= 500
                if status in (200, 201):
                    data = json.loads(payload)["data"]
                    rec["seq"], rec["at"] = data["seq"], data["at"]
                    at = dt.datetime.fromisoformat(data["at"])
                    rec["t_at"] = at.timestamp()
                    posts.append(engine.Post(bid_id=owner, amount=Decimal(data["amount"]), at=at, seq=data["seq"]))
                elif status:
                    try:
                        rec["code"] = json.loads(payload)["errors"][0]["code"]
                    except (ValueError, KeyError, IndexError, TypeError):
                        rec["code"] = payload[:120].decode("utf-8", "replace")
                    resync = resync or rec["code"] not in ("not_your_turn",)
                records.append(rec)
                if resync:  # our replica may be wrong (a post we did not see acknowledged): ask the database
                    posts = await loop.run_in_executor(None, _db_posts, a.db_url, auction_id)
                continue
            # Wait for the next stage, or for the bidding window to open.
            wake = (stage.end - now).total_seconds() + 0.002 if stage.end is not None else 1.0
            if not active.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(active.wait(), max(wake, 0.01))
            else:
                await asyncio.sleep(max(wake, 0.001))

    tasks = [loop.create_task(bidder(auction)) for auction in spec]
    emit(event="ready", auctions=len(spec))
    windows: list[list[float]] = []
    while True:
        command = await queue.get()
        if command == "start":
            windows.append([time.time(), 0.0])
            active.set()
            emit(event="started")
        elif command == "stop":
            active.clear()
            if windows:
                windows[-1][1] = time.time()
            while in_flight:
                await asyncio.sleep(0.01)
            emit(event="stopped", bids=len(records))
        elif command == "quit":
            break
    quitting = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    failures = [repr(t.exception()) for t in tasks if not t.cancelled() and t.exception() is not None]
    Path(a.out).write_text(json.dumps({"windows": windows, "bids": records, "task_failures": failures}))
    emit(event="done", bids=len(records), task_failures=len(failures))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("role", choices=["sse", "bids"])
    p.add_argument("--spec", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rate", type=float, default=500.0, help="sse: new streams per second")
    p.add_argument("--connecting", type=int, default=200, help="sse: opens in flight at most")
    p.add_argument("--connect-timeout", type=float, default=10.0)
    p.add_argument("--first-timeout", type=float, default=60.0, help="sse: wait for the first state this long")
    p.add_argument("--offset", type=float, default=0.3, help="bids: seconds into the turn")
    p.add_argument("--timeout", type=float, default=10.0, help="bids: request timeout")
    p.add_argument("--db-url", default="", help="bids: to re-read posts after an unexplained failure")
    a = p.parse_args()
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run_sse(a) if a.role == "sse" else run_bids(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())

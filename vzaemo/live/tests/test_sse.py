"""The Server-Sent Event stream: the async view through Django's ASGI handler (AsyncClient), then a real server.

The state and link functions are injected through settings (``LIVE_STREAM_STATE``, ``LIVE_VERIFY_LINK``), so
these tests pin the stream's behaviour, not the live engine's; each async body runs in its own event loop with a
polling hub that sees only the changes the test publishes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import importlib
import itertools
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.test import AsyncClient, Client

from vzaemo.core import clock
from vzaemo.live import broadcast
from vzaemo.live.broadcast import Hub
from vzaemo.live.sse import RETRY_MILLISECONDS, StreamsHandler

pytestmark = pytest.mark.urls("vzaemo.live.sse_urls")

SITE = "http://127.0.0.1:8000"
ME = "vzaemo.live.tests.test_sse"

# ---------------------------------------------------------------- fakes of the live engine's reads
STATES: dict[int, dict[str, Any]] = {}
CALLS: list[tuple[int, int | None]] = []


def fake_state(auction_id: int, *, viewer_bid_id: int | None) -> dict[str, Any] | None:
    CALLS.append((auction_id, viewer_bid_id))
    state = STATES.get(auction_id)
    if state is None:
        return None
    return {**state, "viewer": viewer_bid_id} if viewer_bid_id is not None else dict(state)


BASE_READS: list[int] = []


def fake_base(auction_id: int) -> dict[str, Any] | None:
    BASE_READS.append(auction_id)
    state = STATES.get(auction_id)
    return dict(state) if state is not None else None


def fake_view(base: dict[str, Any], *, viewer_bid_id: int | None) -> dict[str, Any]:
    return {**base, "viewer": viewer_bid_id} if viewer_bid_id is not None else dict(base)


def fake_verify(auction_id: int, bid_id: int, signature: str) -> bool:
    return signature == f"good-{auction_id}-{bid_id}"


def no_changes(auction_ids: list[int]) -> dict[int, int]:
    return {}


@pytest.fixture(autouse=True)
def live_fakes(settings: Any) -> Iterator[None]:
    settings.LIVE_STREAM_STATE = f"{ME}.fake_state"
    settings.LIVE_STREAM_BASE = settings.LIVE_STREAM_VIEW = None  # "one function" unless a test asks for both
    settings.LIVE_VERIFY_LINK = f"{ME}.fake_verify"
    settings.LIVE_LATEST_SEQS = f"{ME}.no_changes"
    settings.LIVE_SSE_HEARTBEAT_SECONDS = 5
    settings.VZAEMO_SITE_URL = SITE + "/"
    for recorded in (STATES, CALLS, BASE_READS):
        recorded.clear()
    yield
    for recorded in (STATES, CALLS, BASE_READS):
        recorded.clear()


@pytest.fixture(params=["one function", "base and views"])
def state_functions(request: pytest.FixtureRequest, settings: Any) -> str:
    if request.param == "base and views":
        settings.LIVE_STREAM_BASE = f"{ME}.fake_base"
        settings.LIVE_STREAM_VIEW = f"{ME}.fake_view"
    return str(request.param)


# ---------------------------------------------------------------- reading a stream
@dataclass
class Event:
    name: str
    data: dict[str, Any]
    id: str | None
    retry: str | None


def parse(block: bytes) -> Event:
    fields: dict[str, str] = {}
    for line in block.decode().split("\n"):
        name, _, value = line.partition(": ")
        fields[name] = value
    return Event(fields.get("event", "message"), json.loads(fields["data"]), fields.get("id"), fields.get("retry"))


class Reader:
    def __init__(self, response: StreamingHttpResponse) -> None:
        self.response = response
        self.chunks: AsyncIterator[bytes] = aiter(response.streaming_content)  # type: ignore[arg-type]
        self.buffer = b""

    async def event(self, timeout: float = 1.0) -> Event:
        while b"\n\n" not in self.buffer:
            self.buffer += await asyncio.wait_for(anext(self.chunks), timeout)
        block, self.buffer = self.buffer.split(b"\n\n", 1)
        return parse(block)

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await self.event(timeout=seconds)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await sync_to_async(self.response.close)()  # what Django's ASGI handler does at the end


def run(body: Callable[[], Awaitable[None]]) -> None:
    async def with_hub() -> None:
        hub = Hub(listen=False, changes_since=no_changes, poll_seconds=60)
        broadcast.set_hub(hub)
        await body()
        assert hub.subscriber_count() == 0, "a stream left its subscription behind"

    asyncio.run(asyncio.wait_for(with_hub(), timeout=10))


async def connect(path: str) -> Reader:
    response = await AsyncClient().get(path)
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return Reader(response)


def server_time(event: Event) -> dt.datetime:
    now = dt.datetime.fromisoformat(event.data["now"])
    assert abs((now - clock.now()).total_seconds()) < 5
    return now


# ---------------------------------------------------------------- the view
def test_a_stream_opens_with_the_full_state_server_time_and_the_headers_of_an_event_stream() -> None:
    STATES[1] = {"seq": 3, "stage": "round 1", "now": "the selector's own time is replaced"}

    async def body() -> None:
        response = await AsyncClient().get("/live/1/events")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-cache"
        assert response["X-Accel-Buffering"] == "no"
        assert response["Access-Control-Allow-Origin"] == SITE
        reader = Reader(response)  # type: ignore[arg-type]
        first = await reader.event()
        assert (first.name, first.id, first.retry) == ("state", "3", str(RETRY_MILLISECONDS))
        assert first.data["stage"] == "round 1"
        assert first.data["seq"] == 3
        assert "viewer" not in first.data
        server_time(first)
        await reader.close()

    run(body)


def test_every_change_sends_the_new_state_computed_once_for_all_streams_of_the_auction() -> None:
    STATES[1] = {"seq": 3, "price": "100.00"}
    STATES[2] = {"seq": 1, "price": "5.00"}

    async def body() -> None:
        hub = broadcast.get_hub()
        readers = [await connect("/live/1/events") for _ in range(3)]
        elsewhere = await connect("/live/2/events")
        for reader in [*readers, elsewhere]:
            assert (await reader.event()).name == "state"
        assert CALLS.count((1, None)) == 1  # three connects, one computation

        STATES[1] = {"seq": 4, "price": "110.00"}
        hub.publish(1, 4)
        for reader in readers:
            event = await reader.event()
            assert (event.name, event.id, event.data["price"]) == ("state", "4", "110.00")
        assert CALLS.count((1, None)) == 2
        assert await elsewhere.nothing_within(0.1)

        # A burst of bids: one computation, one message with the latest state.
        STATES[1] = {"seq": 7, "price": "140.00"}
        for seq in (5, 6, 7):
            hub.publish(1, seq)
        for reader in readers:
            event = await reader.event()
            assert (event.id, event.data["price"]) == ("7", "140.00")
            assert await reader.nothing_within(0.05)
        assert CALLS.count((1, None)) == 3
        for reader in [*readers, elsewhere]:
            await reader.close()

    run(body)


def test_server_time_comes_at_least_every_heartbeat_and_not_much_more_often(settings: Any) -> None:
    settings.LIVE_SSE_HEARTBEAT_SECONDS = 0.2
    STATES[1] = {"seq": 1}

    async def body() -> None:
        reader = await connect("/live/1/events")
        first = await reader.event()
        beats = [await reader.event(timeout=1) for _ in range(3)]
        assert [beat.name for beat in beats] == ["time", "time", "time"]
        assert all(beat.id is None and set(beat.data) == {"now"} for beat in beats)
        times = [server_time(event) for event in [first, *beats]]
        gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
        assert all(0.1 <= gap <= 0.2 + 0.15 for gap in gaps), gaps  # due after 3/4 of it, looked at every 1/4
        await reader.close()

    run(body)


def test_a_time_driven_change_is_sent_when_it_is_due_without_any_bid(state_functions: str) -> None:
    async def body() -> None:
        turn_ends = clock.now() + dt.timedelta(seconds=0.6)
        STATES[1] = {"seq": 1, "turn": 1, "next_change": turn_ends.isoformat()}
        reader = await connect("/live/1/events")
        assert (await reader.event()).data["turn"] == 1
        STATES[1] = {"seq": 1, "turn": 2, "next_change": None}
        event = await reader.event(timeout=1.5)
        assert (event.name, event.data["turn"]) == ("state", 2)
        assert clock.now() >= turn_ends
        await reader.close()

    run(body)


def test_a_bidder_with_a_valid_link_gets_its_own_view(state_functions: str) -> None:
    STATES[1] = {"seq": 2}

    async def body() -> None:
        reader = await connect("/live/1/events?bid=17&sig=good-1-17")
        event = await reader.event()
        assert event.data["viewer"] == 17
        await reader.close()

    run(body)


def test_with_a_base_and_views_the_database_is_read_once_per_change_for_every_viewer(settings: Any) -> None:
    settings.LIVE_STREAM_BASE = f"{ME}.fake_base"
    settings.LIVE_STREAM_VIEW = f"{ME}.fake_view"
    STATES[1] = {"seq": 2, "price": "100.00"}

    async def body() -> None:
        bidders = {bid: await connect(f"/live/1/events?bid={bid}&sig=good-1-{bid}") for bid in (17, 18, 19)}
        observers = [await connect("/live/1/events") for _ in range(2)]
        for bid, reader in bidders.items():
            assert (await reader.event()).data["viewer"] == bid
        for reader in observers:
            assert "viewer" not in (await reader.event()).data
        assert BASE_READS == [1]

        STATES[1] = {"seq": 3, "price": "120.00"}
        broadcast.get_hub().publish(1, 3)
        for bid, reader in bidders.items():
            event = await reader.event()
            assert (event.id, event.data["price"], event.data["viewer"]) == ("3", "120.00", bid)
        for reader in observers:
            assert (await reader.event()).data["price"] == "120.00"
        assert BASE_READS == [1, 1]
        assert CALLS == []  # the one-function selector is not used
        for reader in [*bidders.values(), *observers]:
            await reader.close()

    run(body)


@pytest.mark.parametrize(
    "query",
    [
        "bid=17&sig=forged",
        "bid=17&sig=good-2-17",  # another auction's link
        "bid=17",
        "sig=good-1-17",
        "bid=seventeen&sig=good-1-17",
        "bid=-17&sig=good-1--17",
        "bid=17&sig=",
    ],
)
def test_a_bad_bidder_link_is_refused_and_changes_nothing(query: str) -> None:
    STATES[1] = {"seq": 2}

    async def body() -> None:
        response = await AsyncClient().get(f"/live/1/events?{query}")
        assert response.status_code == 403
        assert response["Access-Control-Allow-Origin"] == SITE
        assert all(viewer is None for _, viewer in CALLS)  # no bidder state was computed

    run(body)


def test_an_unknown_auction_is_404_and_leaves_no_subscription() -> None:
    async def body() -> None:
        response = await AsyncClient().get("/live/999/events")
        assert response.status_code == 404
        assert b"No such live auction" in response.content

    run(body)


def test_a_stream_ends_with_gone_when_the_auction_stops_being_live() -> None:
    STATES[1] = {"seq": 1}

    async def body() -> None:
        reader = await connect("/live/1/events")
        await reader.event()
        del STATES[1]
        broadcast.get_hub().publish(1, 2)
        assert (await reader.event()).name == "gone"
        with pytest.raises(StopAsyncIteration):
            await reader.event()
        await reader.close()

    run(body)


def test_a_failed_state_read_keeps_the_stream_and_is_retried(settings: Any) -> None:
    settings.LIVE_SSE_HEARTBEAT_SECONDS = 0.1
    STATES[1] = {"seq": 1}

    async def body() -> None:
        reader = await connect("/live/1/events")
        await reader.event()
        STATES[1] = "not a state"  # type: ignore[assignment]  # the selector fails (TypeError)
        broadcast.get_hub().publish(1, 2)
        assert (await reader.event(timeout=0.5)).name == "time"
        STATES[1] = {"seq": 2, "ok": True}
        for _ in range(5):
            event = await reader.event(timeout=0.5)
            if event.name == "state":
                break
        assert event.data == {"now": event.data["now"], "seq": 2, "ok": True}
        await reader.close()

    run(body)


def test_a_host_outside_allowed_hosts_is_refused(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["live.example"]  # not the test client's "testserver"

    async def body() -> None:
        response = await AsyncClient().get("/live/1/events")
        assert response.status_code == 400
        assert CALLS == []

    run(body)


def test_only_get_is_allowed() -> None:
    async def body() -> None:
        response = await AsyncClient().post("/live/1/events")
        assert response.status_code == 405

    run(body)


def test_under_wsgi_the_view_refuses_to_stream() -> None:
    STATES[1] = {"seq": 1}
    response = Client().get("/live/1/events")
    assert response.status_code == 421
    assert b"Server-Sent Events process" in response.content
    assert CALLS == []


# ---------------------------------------------------------------- the ASGI process's handler
class Connection:
    """One client of the handler: it sends a GET, reads what comes, and can hang up."""

    def __init__(self, handler: StreamsHandler, path: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self.first_body = asyncio.Event()
        self.hang_up = asyncio.Event()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"accept", b"text/event-stream")],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8001),
        }
        self.task = asyncio.create_task(handler(scope, self.receive, self.send))
        self.requested = False

    async def receive(self) -> dict[str, Any]:
        if not self.requested:
            self.requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            self.first_body.set()


def test_the_streams_handler_keeps_no_thread_per_open_stream_and_a_hang_up_ends_the_stream(settings: Any) -> None:
    settings.ROOT_URLCONF = "vzaemo.live.sse_urls"
    settings.MIDDLEWARE = []
    STATES[1] = {"seq": 1}

    async def body() -> None:
        handler = StreamsHandler()
        threads = threading.active_count()
        connections = [Connection(handler, "/live/1/events") for _ in range(40)]
        await asyncio.gather(*(c.first_body.wait() for c in connections))
        assert threading.active_count() - threads < 10  # Django's own handler: one thread per open stream
        assert connections[0].messages[0]["status"] == 200
        assert b"event: state" in connections[0].messages[1]["body"]
        assert broadcast.get_hub().subscriber_count(1) == 40
        for c in connections:
            c.hang_up.set()  # the client goes away: the stream is cancelled and lets go of its subscription
        await asyncio.gather(*(c.task for c in connections))
        assert broadcast.get_hub().subscriber_count() == 0

    run(body)


# ---------------------------------------------------------------- a real server (granian, vzaemo.asgi)
SERVER_CALLS = itertools.count(1)


def server_state(auction_id: int, *, viewer_bid_id: int | None) -> dict[str, Any] | None:
    """The state function of the real-server test: which computation of this process produced it."""
    if auction_id != 1:
        return None
    return {"auction": auction_id, "computation": next(SERVER_CALLS)}


def server_latest_seqs(auction_ids: list[int]) -> dict[int, int]:
    """SQLite's cross-process channel in the real-server test: a file the test writes."""
    path = os.environ.get("VZAEMO_TEST_LIVE_SEQS")
    if not path or not Path(path).exists():
        return {}
    seqs = {int(k): int(v) for k, v in json.loads(Path(path).read_text()).items()}
    return {a: seqs[a] for a in auction_ids if a in seqs}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str | None:
    """The test database as a URL, for the server process (PostgreSQL only; SQLite's is in memory)."""
    if connection.vendor != "postgresql":
        return None
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Server:
    port: int
    seqs_file: Path
    connections: list[http.client.HTTPConnection] = field(default_factory=list)

    def open(self, path: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        self.connections.append(conn)
        conn.request("GET", path, headers={"Accept": "text/event-stream", "Origin": SITE})
        return conn.getresponse()

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


def read_event(response: http.client.HTTPResponse) -> Event:
    lines: list[bytes] = []
    while True:
        line = response.readline()
        assert line, "the stream ended"
        if line == b"\n":
            if lines:
                return parse(b"".join(lines).rstrip(b"\n"))
            continue
        lines.append(line)


@pytest.fixture
def sse_server(tmp_path: Path) -> Iterator[Server]:
    from vzaemo.core.management.commands.runplatform import sse_server_argv

    (tmp_path / "live_sse_test_settings.py").write_text(
        "from vzaemo.settings import *  # noqa: F403\n"
        f"LIVE_STREAM_STATE = '{ME}.server_state'\n"
        "LIVE_STREAM_BASE = LIVE_STREAM_VIEW = None\n"
        f"LIVE_LATEST_SEQS = '{ME}.server_latest_seqs'\n"
        "LIVE_SQLITE_POLL_SECONDS = 0.05\n"
    )
    port = _free_port()
    seqs_file = tmp_path / "seqs.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="live_sse_test_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        VZAEMO_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=_database_url() or f"sqlite:///{tmp_path / 'server.sqlite3'}",
        VZAEMO_SITE_URL=SITE,
        VZAEMO_TEST_LIVE_SEQS=str(seqs_file),
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="0",
    )
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        sse_server_argv("127.0.0.1", port, connections=2048),
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "granian did not start:\n" + (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        server = Server(port, seqs_file)
        yield server
        server.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_the_asgi_process_streams_states_and_a_change_committed_elsewhere_reaches_it(sse_server: Server) -> None:
    stream = sse_server.open("/live/1/events")
    assert stream.status == 200
    assert stream.getheader("Content-Type") == "text/event-stream"
    assert stream.getheader("Access-Control-Allow-Origin") == SITE
    first = read_event(stream)
    assert (first.name, first.retry, first.data["auction"]) == ("state", str(RETRY_MILLISECONDS), 1)

    # A bid committed by another process: LISTEN/NOTIFY on PostgreSQL, the poller on SQLite.
    if connection.vendor == "postgresql":
        with transaction.atomic():
            broadcast.notify(1, 41)
    else:
        sse_server.seqs_file.write_text(json.dumps({"1": 41}))
    changed = read_event(stream)
    assert (changed.name, changed.id) == ("state", "41")
    assert changed.data["computation"] == first.data["computation"] + 1

    missing = sse_server.open("/live/2/events")
    assert missing.status == 404
    assert sse_server.open("/").status == 404  # the ASGI process serves the streams and nothing else


# ---------------------------------------------------------------- with the live engine's own reads and writes
@pytest.fixture
def engine_reads(settings: Any) -> Iterator[None]:
    """The real selectors and rules; their threads close their connections after each read (the test database is
    dropped at the end, which PostgreSQL refuses while a connection is open)."""
    # Transactional tests flush the tables between tests, seed data included: put the law back.
    for module in (
        "vzaemo.core.migrations.0002_calendar_seed",
        "vzaemo.auctions.migrations.0002_seed_rules",
        "vzaemo.live.migrations.0002_seed_rules",
    ):
        importlib.import_module(module).seed(django_apps, None)
    settings.LIVE_STREAM_STATE = "vzaemo.live.selectors.stream_state"
    # The production path: one read per change, a view per viewer (vzaemo/settings.py).
    settings.LIVE_STREAM_BASE = "vzaemo.live.selectors.stream_base"
    settings.LIVE_STREAM_VIEW = "vzaemo.live.selectors.stream_view"
    settings.LIVE_LATEST_SEQS = "vzaemo.live.selectors.latest_seqs"
    settings.LIVE_SQLITE_POLL_SECONDS = 0.05
    max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    yield
    connection.settings_dict["CONN_MAX_AGE"] = max_age
    broadcast.shutdown_threads()  # SQLite keeps an in-memory database's connection open: end its thread


@pytest.mark.django_db(transaction=True)
def test_a_bid_placed_through_the_live_service_reaches_an_open_stream(engine_reads: None, traveller: Any) -> None:
    from vzaemo.live import services
    from vzaemo.live.tests.conftest import open_live

    live = open_live(traveller)
    live.at(300)  # round 1: the last registered bidder's turn
    auction_id, bidder = live.auction.pk, live.bids[2].pk
    amount = live.auction.value + live.auction.minimal_step

    def place_bid() -> None:
        try:
            services.live_bid_place(auction_id=auction_id, bid_id=bidder, amount=amount, idempotency_key="sse")
        finally:
            connection.close()

    async def body() -> None:
        hub = Hub()  # PostgreSQL: LISTEN/NOTIFY; SQLite: the commit hook and the poller
        broadcast.set_hub(hub)
        reader = await connect(f"/live/{auction_id}/events")
        first = await reader.event()
        assert (first.name, first.data["auction_id"], first.data["version"]) == ("state", auction_id, 0)
        await asyncio.to_thread(place_bid)
        changed = await reader.event(timeout=2)
        assert (changed.name, changed.id, changed.data["version"]) == ("state", "1", 1)
        await reader.close()
        assert hub.subscriber_count() == 0

    asyncio.run(asyncio.wait_for(body(), timeout=10))

"""Load clients of bench/flood: raw HTTP/1.1 over asyncio, keep-alive, loopback only, bounded in time.

    python bench/flood/load.py flood --people people.json --port P --rate 1200 --duration 60 --out flood.json
    python bench/flood/load.py real  --people people.json --port P --duration 60 --out real.json

``flood``: open loop. A ticker offers ``--rate`` signing attempts per second for ``--duration`` s to a pool of
``--connections`` keep-alive connections; an attempt offered while every connection is busy is dropped and counted
(the client cannot push more; the report shows offered, sent and answered rates). Each attempt is
``POST /petitions/<target>/sign/`` with ``HX-Request: true`` (success 200, a refusal its own status, 429 over a
limit), the session and CSRF cookies of its account and an ``X-Forwarded-For`` address, which the platform believes
because the direct peer is a trusted proxy (``TRUSTED_PROXIES``), as behind nginx. Three groups:

* ``unverified``: accounts that never confirmed their email, round robin, each from an address of its own spread
  over the 512 /24s of 198.18.0.0/15, so most attempts reach the signing check itself (403 expected);
* ``rotating``: the same kind of accounts from addresses drawn at random in two /24s (198.19.0.0/23): only the
  per-subnet limit holds them;
* ``hammer``: one verified account from random addresses all over 198.18.0.0/15: only the per-account limit holds it.

``real``: closed loop, each real person on their own connection and address (100.64.0.0/16): read a petition page
or the list, think 1–3 s, and every few reads sign the next of their petitions. Every request is logged with
its send time (wall clock, for the limits' windows), latency and status.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
MIX = {"unverified": 0.5, "rotating": 0.25, "hammer": 0.25}


class Http:
    """One keep-alive HTTP/1.1 connection (reconnects when the server closed it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, str]]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
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
                    await self.reader.readexactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding", "").lower() == "chunked":
                    while True:
                        size = int((await self.reader.readline()).split(b";")[0], 16)
                        await self.reader.readexactly(size + 2)
                        if size == 0:
                            break
                else:
                    await self.reader.read()
                    self.close()
                if headers.get("connection", "").lower() == "close":
                    self.close()
                return int(status_line.split()[1]), headers
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def sign_request(port: int, petition: int, person: dict[str, Any], address: str) -> bytes:
    return (
        f"POST /petitions/{petition}/sign/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Cookie: sessionid={person['session']}; csrftoken={person['csrf']}\r\n"
        f"X-CSRFToken: {person['csrf']}\r\nHX-Request: true\r\nX-Forwarded-For: {address}\r\n"
        "Accept-Language: uk\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def read_request(port: int, path: str, person: dict[str, Any], address: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nCookie: sessionid={person['session']}\r\n"
        f"X-Forwarded-For: {address}\r\nAccept-Language: uk\r\n\r\n"
    ).encode()


# ---------------------------------------------------------------------------------------------- flood
def flood_address(group: str, index: int, rng: random.Random) -> str:
    if group == "unverified":
        subnet = index % 512
        return f"198.{18 + subnet // 256}.{subnet % 256}.{1 + (index // 512) % 250}"
    if group == "rotating":
        return f"198.19.{rng.randrange(2)}.{rng.randrange(1, 255)}"
    return f"198.{rng.randrange(18, 20)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


async def run_flood(a: argparse.Namespace) -> None:
    people = json.loads(Path(a.people).read_text())
    target, unverified, hammer = people["target"], people["unverified"], people["hammer"]
    rng = random.Random(a.seed)
    queue: asyncio.Queue[tuple[str, bytes, float]] = asyncio.Queue(maxsize=a.connections)
    records: list[tuple[str, float, float, int, str]] = []  # group, sent (wall), latency s, status, retry-after
    errors: dict[str, int] = {}
    offered = dropped = 0
    counters = {"unverified": 0, "rotating": 0}
    groups, weights = list(MIX), list(MIX.values())

    async def worker() -> None:
        http = Http(a.port)
        while True:
            group, raw, _queued = await queue.get()
            wall, t0 = time.time(), time.perf_counter()
            try:
                status, headers = await http.request(raw)
            except (OSError, asyncio.IncompleteReadError) as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                http.close()
            else:
                records.append((group, wall, time.perf_counter() - t0, status, headers.get("retry-after", "")))
            finally:
                queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(a.connections)]
    start = time.perf_counter()
    interval = 1.0 / a.rate
    n = 0
    while (now := time.perf_counter()) - start < a.duration:
        due = start + n * interval
        if due > now:
            await asyncio.sleep(due - now)
            continue
        n += 1
        offered += 1
        group = rng.choices(groups, weights)[0]
        if group == "hammer":
            person, index = hammer, 0
        else:
            index = counters[group] = counters[group] + 1
            person = unverified[index % len(unverified)]
        raw = sign_request(a.port, target, person, flood_address(group, index, rng))
        try:
            queue.put_nowait((group, raw, now))
        except asyncio.QueueFull:
            dropped += 1
    elapsed = time.perf_counter() - start
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(queue.join(), timeout=a.drain)
    for task in workers:
        task.cancel()
    Path(a.out).write_text(
        json.dumps(
            {"offered": offered, "dropped": dropped, "elapsed": elapsed, "errors": errors, "records": records},
        )
    )
    print(json.dumps({"event": "done", "offered": offered, "dropped": dropped, "answered": len(records)}), flush=True)


# ---------------------------------------------------------------------------------------------- real people
async def run_real(a: argparse.Namespace) -> None:
    people = json.loads(Path(a.people).read_text())
    real, petitions, target = people["real"], people["real_petitions"], people["target"]
    records: list[tuple[str, int, float, float, int]] = []  # kind, person, sent (wall), latency s, status
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + a.duration

    async def person(i: int, who: dict[str, Any]) -> None:
        rng = random.Random(a.seed * 1000 + i)
        address = f"100.64.{i // 250}.{1 + i % 250}"
        http = Http(a.port)
        first, _, last = a.sign_slice.partition(":")
        to_sign = list(petitions[int(first or 0) : int(last) if last else None])  # each phase signs its own
        reads = 0
        await asyncio.sleep(rng.uniform(0, 1.0))  # not all at once
        while time.perf_counter() < deadline:
            if reads and reads % a.reads_per_sign == 0 and to_sign:
                kind, raw = "sign", sign_request(a.port, to_sign.pop(0), who, address)
            else:
                path = rng.choice([f"/petitions/{target}/", f"/petitions/{rng.choice(petitions)}/", "/petitions/"])
                kind, raw = "read", read_request(a.port, path, who, address)
                reads += 1
            wall, t0 = time.time(), time.perf_counter()
            try:
                status, _headers = await http.request(raw)
            except (OSError, asyncio.IncompleteReadError) as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                http.close()
            else:
                records.append((kind, who["id"], wall, time.perf_counter() - t0, status))
            await asyncio.sleep(rng.uniform(1.0, 3.0))
        http.close()

    await asyncio.gather(*(person(i, who) for i, who in enumerate(real)))
    Path(a.out).write_text(json.dumps({"errors": errors, "records": records}))
    print(json.dumps({"event": "done", "requests": len(records)}), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("role", choices=["flood", "real"])
    p.add_argument("--people", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=float, default=1200.0, help="flood: attempts offered per second")
    p.add_argument("--connections", type=int, default=256, help="flood: keep-alive connections")
    p.add_argument("--drain", type=float, default=15.0, help="flood: seconds to wait for answers in flight")
    p.add_argument("--reads-per-sign", type=int, default=4, help="real: reads between two signatures")
    p.add_argument("--sign-slice", default="", help="real: which of the real petitions to sign, e.g. 0:4")
    a = p.parse_args()
    asyncio.run(run_flood(a) if a.role == "flood" else run_real(a))


if __name__ == "__main__":
    main()

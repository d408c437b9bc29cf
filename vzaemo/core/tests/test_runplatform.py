"""runplatform supervises: one dead process is replaced alone and the site answers again within seconds."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

HOST = "127.0.0.1"
_STARTED = re.compile(r"^([\w-]+)\s+pid (\d+)", re.MULTILINE)


@dataclass
class Platform:
    process: subprocess.Popen[bytes]
    log: Path
    url: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def pid(self, name: str) -> int:
        return int([pid for child, pid in _STARTED.findall(self.text()) if child == name][-1])


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind((HOST, 0))
            port = int(first.getsockname()[1])
            try:
                second.bind((HOST, port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no two consecutive free ports")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _children(pid: int) -> set[int]:
    try:
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except FileNotFoundError:
        return set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"


def _until(condition: Callable[[], bool], seconds: float, what: str, platform: Platform) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}\n{platform.text()[-4000:]}"
        time.sleep(0.1)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="vzaemo.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'platform.sqlite3'}",
        VZAEMO_VAR_DIR=str(tmp_path / "var"),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    # The task worker needs its table; the pages under test (static files) need no other.
    subprocess.run([*manage, "migrate", "django_tasks_database", "-v", "0"], env=env, check=True, timeout=120)
    port = _free_port_pair()
    log = tmp_path / "runplatform.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*manage, "runplatform", "--host", HOST, "--port", str(port), "--wsgi-workers", "2",
             "--wsgi-threads", "2", "--sse-connections", "128", "--no-chronograph"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    running = Platform(process=process, log=log, url=f"http://{HOST}:{port}/static/web/site.css")
    try:
        _until(lambda: _answers(running.url), 90, "the site answers", running)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.serial
def test_a_killed_wsgi_worker_or_task_worker_is_replaced_alone_and_the_site_answers_again(platform: Platform) -> None:
    wsgi = platform.pid("wsgi")
    _until(lambda: len(_children(wsgi)) == 2, 30, "two WSGI workers", platform)
    victim = min(_children(wsgi))
    os.kill(victim, signal.SIGKILL)
    # granian replaces its worker; the server process, and so every other process, stays.
    _until(lambda: len(_children(wsgi)) == 2 and victim not in _children(wsgi), 10, "a new WSGI worker", platform)
    _until(lambda: _answers(platform.url), 10, "the site answers", platform)
    assert platform.pid("wsgi") == wsgi
    assert platform.process.poll() is None

    worker = platform.pid("worker")
    asgi = platform.pid("asgi")
    os.kill(worker, signal.SIGKILL)
    _until(lambda: platform.pid("worker") != worker, 10, "the task worker restarted", platform)
    assert _alive(platform.pid("worker"))
    assert not _alive(worker)
    assert f"worker (pid {worker}) exited with status -9; restarting it in" in platform.text()
    # Restarted alone: the servers are the same processes.
    assert (platform.pid("wsgi"), platform.pid("asgi")) == (wsgi, asgi)
    assert _answers(platform.url)

    # Even the WSGI server itself: killed with its workers, it is started again on the same port (a cold start:
    # Python, granian and Django load afresh, which takes seconds on a busy machine).
    os.killpg(wsgi, signal.SIGKILL)
    _until(lambda: platform.pid("wsgi") != wsgi, 5, "the WSGI server restarted", platform)
    _until(lambda: _answers(platform.url), 60, "the site answers again", platform)
    assert platform.pid("asgi") == asgi

    platform.process.send_signal(signal.SIGTERM)
    assert platform.process.wait(timeout=30) == 0
    survivors = [p for p in (platform.pid(n) for n in ("wsgi", "asgi", "worker")) if _alive(p)]
    assert survivors == []


def _status(url: str) -> int:
    """The HTTP status of a GET (any answer at all), 0 when nothing accepted the connection."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


@pytest.mark.serial
def test_streams_keep_opening_while_a_killed_asgi_process_restarts(platform: Platform) -> None:
    port = int(platform.url.split(":")[2].split("/")[0]) + 1
    stream = f"http://{HOST}:{port}/live/999999/events"
    _until(lambda: _alive(platform.pid("asgi")) and _alive(platform.pid("asgi-2")), 30, "two ASGI processes", platform)
    _until(lambda: _status(stream) != 0, 60, "the stream port answers", platform)
    asgi = platform.pid("asgi")
    os.killpg(asgi, signal.SIGKILL)  # the server with its worker, as a crash of the process leaves it
    _until(lambda: not _alive(asgi), 5, "the ASGI process gone", platform)
    # While the supervisor starts a new one (seconds of Django's setup), the other process answers every stream.
    # A connection the kernel had already queued on the killed socket is reset; a browser's EventSource reconnects
    # at once, so each stream gets one reconnect, as it would in a browser.
    assert [_status(stream) or _status(stream) for _ in range(10)].count(0) == 0
    _until(lambda: platform.pid("asgi") != asgi and _alive(platform.pid("asgi")), 10, "the ASGI process back", platform)
    assert f"asgi (pid {asgi}) exited with status -9; restarting it in" in platform.text()

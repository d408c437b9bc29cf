"""Run the production topology (docs/design.md, "Stack", server) in one command.

Four child processes, each in its own process group:

* ``wsgi``   granian WSGI, N workers x M blocking threads: pages, APIs, bid POSTs (``vzaemo.wsgi``);
* ``asgi``   granian ASGI on port+1, only for the Server-Sent Event streams (``vzaemo.asgi``); two of them by
  default (``asgi`` and ``asgi-2``), both on port+1: granian binds with SO_REUSEPORT, so the kernel spreads new
  streams over both, and while one restarts (Django's setup takes seconds) the other keeps serving;
  ``asginl`` because Django does not implement the ASGI lifespan protocol; granian serves only 1,024
  connections per worker by default (the rest wait unserved), so ``--sse-connections`` raises it;
* ``worker`` ``manage.py task_worker``: the django-tasks database task worker, surviving database outages;
* ``chrono`` ``manage.py chronograph``: the loop of idempotent time-driven jobs.

This command supervises them: a child that dies is logged and restarted alone, after a delay that grows while
it keeps dying soon after each start, and the others serve on. Inside each granian server a dead worker
process is respawned by granian itself. SIGINT/SIGTERM stop every child and then the command.
The demo, the end-to-end tests and the benchmarks all use this command, so what is tested is
what runs. In production the same four processes run under a supervisor behind nginx.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vzaemo.core.checks import require_secret_key
from vzaemo.core.outage import Backoff

logger = logging.getLogger("vzaemo.runplatform")

# Children get SIGTERM if this process dies without cleaning up (Linux prctl PR_SET_PDEATHSIG).
_PR_SET_PDEATHSIG = 1
_STOP_TIMEOUT_SECONDS = 10.0
# A child that ran this long before dying was healthy: its next restart is immediate again.
_HEALTHY_AFTER_SECONDS = 30.0
# granian's default waits 3.5 s before replacing a dead worker; the other workers serve meanwhile.
_RESPAWN_INTERVAL_SECONDS = 1.0
_RESTART_DELAY_CEILING_SECONDS = 30.0
# Open Server-Sent Event streams the ASGI process holds (the load goal of ADR 0010: 10,000 on 2 cores).
SSE_CONNECTIONS = 16384


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the signal forwarding still applies
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    description: str
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    backoff: Backoff = field(default_factory=lambda: Backoff(first=0.5, ceiling=_RESTART_DELAY_CEILING_SECONDS))


class Command(BaseCommand):
    help = "Run the production topology: granian WSGI + granian ASGI (SSE) + task worker + chronograph."
    requires_system_checks: tuple[str, ...] = ()  # the children run the checks themselves

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000, help="WSGI port; the ASGI (SSE) process uses port+1.")
        parser.add_argument("--wsgi-workers", type=int, default=2)
        parser.add_argument("--wsgi-threads", type=int, default=8, help="Blocking threads per WSGI worker.")
        parser.add_argument(
            "--wsgi-backpressure", type=int, default=None, help="Open connections per WSGI worker (granian's default)."
        )
        parser.add_argument(
            "--sse-connections",
            type=int,
            default=SSE_CONNECTIONS,
            help="Open streams the ASGI process serves at once (granian backpressure and backlog).",
        )
        parser.add_argument(
            "--asgi-processes",
            type=int,
            default=2,
            help="ASGI (SSE) processes sharing port+1: while one restarts, the others serve.",
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")
        parser.add_argument("--no-chronograph", action="store_true", help="Do not start the chronograph.")
        parser.add_argument("--access-log", action="store_true", help="Log every request of the WSGI process.")

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        workers: int = options["wsgi_workers"]
        threads: int = options["wsgi_threads"]
        if workers < 1 or threads < 1 or options["asgi_processes"] < 1:
            raise CommandError("--wsgi-workers, --wsgi-threads and --asgi-processes must be at least 1.")
        require_secret_key()  # before any child starts, so the refusal is said once, here
        children = self._children(host, port, workers, threads, options)
        env = self._child_env(host, port)
        _raise_open_files_limit()  # inherited by the children: every open stream is a socket
        # whitenoise warns once per process when STATIC_ROOT is missing; static files come from finders.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

        stop_signal: list[int] = []

        def on_signal(signum: int, _frame: object) -> None:
            stop_signal.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in children:
                self._start(child, env)
            self.stdout.write(f"Vzaemo is running at http://{host}:{port}/  (Ctrl+C stops every process)")
            self.stdout.flush()
            self._supervise(children, env, stop_signal)
        finally:
            self._stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _children(self, host: str, port: int, workers: int, threads: int, options: dict[str, Any]) -> list[Child]:
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        wsgi = wsgi_server_argv(
            host,
            port,
            workers=workers,
            threads=threads,
            backpressure=options["wsgi_backpressure"],
            access_log=options["access_log"],
        )
        asgi = sse_server_argv(host, port + 1, connections=options["sse_connections"])
        children = [
            Child("wsgi", wsgi, f"granian WSGI  http://{host}:{port}/  ({workers} workers x {threads} threads)")
        ]
        asgi_processes: int = options["asgi_processes"]
        children += [
            Child(
                "asgi" if n == 1 else f"asgi-{n}",
                asgi,
                f"granian ASGI  http://{host}:{port + 1}/  (Server-Sent Events"
                + (f", {n} of {asgi_processes} on this port)" if asgi_processes > 1 else ")"),
            )
            for n in range(1, asgi_processes + 1)
        ]
        if not options["no_worker"]:
            children.append(
                Child("worker", [python, manage, "task_worker", "--queue-name", "*", "--no-reload"], "task worker")
            )
        if not options["no_chronograph"]:
            children.append(Child("chrono", [python, manage, "chronograph"], "chronograph (periodic jobs)"))
        return children

    @staticmethod
    def _child_env(host: str, port: int) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.setdefault("VZAEMO_SITE_URL", f"http://{host}:{port}")
        # Without nginx the SSE streams come from the ASGI port: allow it in CSP connect-src.
        env.setdefault("SSE_ORIGIN", f"http://{host}:{port + 1}")
        return env

    def _start(self, child: Child, env: dict[str, str]) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - argv built from our own options
            child.argv,
            cwd=settings.BASE_DIR,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - single-threaded here
        )
        child.started_at = time.monotonic()
        child.restart_at = None
        self.stdout.write(f"{child.name:<7} pid {child.process.pid:<7} {child.description}")
        self.stdout.flush()

    def _supervise(self, children: list[Child], env: dict[str, str], stop_signal: list[int]) -> None:
        while not stop_signal:
            now = time.monotonic()
            for child in children:
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        child.restarts += 1
                        self._start(child, env)
                    continue
                process = child.process
                code = process.poll() if process is not None else None
                if process is None or code is None:
                    continue
                # Whatever the dead child left in its process group (granian workers) must not hold the port.
                _signal_group(process, signal.SIGKILL)
                if now - child.started_at >= _HEALTHY_AFTER_SECONDS:
                    child.backoff.reset()
                delay = child.backoff.next_delay()
                child.restart_at = now + delay
                logger.warning(
                    "%s (pid %d) exited with status %d; restarting it in %.1f s.", child.name, process.pid, code, delay
                )
            time.sleep(0.2)
        self.stdout.write(f"Received {signal.Signals(stop_signal[0]).name}; stopping.")

    def _stop(self, children: list[Child]) -> None:
        running = [c.process for c in children if c.process is not None and c.process.poll() is None]
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        # Granian's worker processes live in the child's group; make sure none outlives it.
        for child in children:
            if child.process is not None:
                _signal_group(child.process, signal.SIGKILL)


def wsgi_server_argv(
    host: str, port: int, *, workers: int, threads: int, backpressure: int | None = None, access_log: bool = False
) -> list[str]:
    """The WSGI process: pages, APIs and bid POSTs (the production units in deploy/systemd/ run the same)."""
    return [
        sys.executable, "-m", "granian", "--working-dir", str(settings.BASE_DIR), "--host", host,
        "--port", str(port),
        "--interface", "wsgi",
        "--workers", str(workers),
        # A worker that dies (OOM, kill -9) is replaced; without this granian stops the whole server.
        "--respawn-failed-workers", "--respawn-interval", str(_RESPAWN_INTERVAL_SECONDS),
        "--blocking-threads", str(threads),
        # granian's backpressure counts open connections, idle keep-alive ones included, so
        # it must stay far above the thread count (set to the thread count, a few browser tabs
        # holding keep-alive sockets starve every new connection). Default: backlog / workers.
        *(["--backpressure", str(backpressure)] if backpressure else []),
        "--backlog", "2048",
        "--no-ws",
        "--access-log" if access_log else "--no-access-log",
        "vzaemo.wsgi:application",
    ]  # fmt: skip


def sse_server_argv(host: str, port: int, *, connections: int = SSE_CONNECTIONS) -> list[str]:
    """The ASGI (Server-Sent Events) process: one worker, one event loop, many open streams."""
    return [
        sys.executable, "-m", "granian", "--working-dir", str(settings.BASE_DIR), "--host", host,
        "--port", str(port),
        "--interface", "asginl",
        "--workers", "1",
        "--respawn-failed-workers", "--respawn-interval", str(_RESPAWN_INTERVAL_SECONDS),
        "--backpressure", str(connections),
        "--backlog", str(connections),  # the kernel caps it at net.core.somaxconn
        # Open streams never end by themselves, so a graceful stop would wait forever: cut them after 3 s
        # (EventSource clients reconnect).
        "--workers-kill-timeout", "3",
        "--no-ws",
        "--no-access-log",
        "vzaemo.asgi:application",
    ]  # fmt: skip


def _raise_open_files_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):  # not allowed here: the limit stays as the supervisor set it
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)

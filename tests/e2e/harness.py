"""The end-to-end harness: the real platform (`manage.py runplatform`) on its own database, a file outbox
as the fake SMTP server, and small helpers for driving it from tests.

Nothing here imports the project: the platform runs in child processes, and tests talk to it over HTTP
(Chromium), through its outbox, and through management commands (``platform.manage(...)``).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MANAGE = REPO / "manage.py"
# django.core.mail.backends.filebased writes each message followed by a line of 79 dashes.
_SEPARATOR = b"\n" + b"-" * 79 + b"\n"
_URL = re.compile(r"https?://[^\s<>\"')]+")


@dataclass(frozen=True)
class OutboxEmail:
    to: list[str]
    subject: str
    body: str
    message: EmailMessage = field(repr=False)

    @property
    def links(self) -> list[str]:
        return _URL.findall(self.body)

    def link_containing(self, fragment: str) -> str:
        for link in self.links:
            if fragment in link:
                return link
        raise AssertionError(f"no link containing {fragment!r} in the email {self.subject!r}:\n{self.body}")


@dataclass
class LivePlatform:
    """A running platform. ``base_url`` has no trailing slash; ``url("/x/")`` joins a path."""

    base_url: str
    sse_url: str
    env: dict[str, str]
    outbox_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # --- management commands against the platform's database --------------------------------
    def manage(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``manage.py <args>`` against the platform's database; returns the finished process."""
        result = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            cwd=REPO,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,  # the caller's `check` decides, with both outputs in the message
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def shell(self, code: str) -> str:
        """Run Python in ``manage.py shell`` against the platform's database; returns what it printed."""
        return self.manage("shell", "--no-imports", "-c", textwrap.dedent(code)).stdout

    def create_user(
        self, email: str, password: str, *, full_name: str = "Шевченко Тарас", verified: bool = True, **fields: Any
    ) -> None:
        """A person who can sign in at once (verified email, as if they had followed the link)."""
        params = json.dumps(
            {"email": email, "password": password, "full_name": full_name, "verified": verified, "fields": fields}
        )
        self.shell(
            f"""
            import json
            from allauth.account.models import EmailAddress
            from django.contrib.auth import get_user_model
            p = json.loads({params!r})
            user = get_user_model().objects.create_user(
                p["email"], p["password"], full_name=p["full_name"], email_verified=p["verified"], **p["fields"]
            )
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=p["verified"])
            """
        )

    # --- the outbox (fake SMTP) ------------------------------------------------------------------
    def emails(self) -> list[OutboxEmail]:
        """Every email sent so far, oldest first."""
        found = []
        files = sorted(self.outbox_dir.glob("*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        for path in files:
            for chunk in path.read_bytes().split(_SEPARATOR):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                part = message.get_body(preferencelist=("plain", "html"))
                body = part.get_content() if part is not None else ""
                to = [a.strip().lower() for a in str(message.get("To", "")).split(",") if a.strip()]
                found.append(OutboxEmail(to=to, subject=str(message.get("Subject", "")), body=body, message=message))
        return found

    def emails_to(self, address: str) -> list[OutboxEmail]:
        address = address.lower()
        return [m for m in self.emails() if any(address in to for to in m.to)]

    def latest_email_to(self, address: str, *, timeout: float = 20.0, after: int = 0) -> OutboxEmail:
        """The newest email to ``address``, waiting for the task worker to send it.

        ``after=n`` waits for more than ``n`` emails to that address (take ``len(emails_to(a))`` first).
        """
        deadline = time.monotonic() + timeout
        while True:
            messages = self.emails_to(address)
            if len(messages) > after:
                return messages[-1]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no email to {address} within {timeout:.0f}s; outbox has {len(self.emails())} message(s).\n"
                    f"platform log tail:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    # --- the audit witness log (ADR 0015) ---------------------------------------------------------
    @property
    def audit_witness_log(self) -> Path:
        return Path(self.env["VZAEMO_VAR_DIR"]) / "audit" / "witness.jsonl"

    def witnessed_checkpoints(self, *, covering: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """The witness log's statements once the chronograph has appended one of at least ``covering`` entries."""
        deadline = time.monotonic() + timeout
        while True:
            path = self.audit_witness_log
            lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
            if lines and lines[-1]["size"] >= covering:
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no checkpoint of {covering} entries in {path} within {timeout:.0f}s ({len(lines)} lines).\n"
                    f"platform log tail:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def clear_outbox(self) -> None:
        for path in self.outbox_dir.glob("*.log"):
            path.unlink()

    # --- process -----------------------------------------------------------------------------
    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def start(self, *, host: str, port: int, timeout: float = 90.0, wsgi_workers: int = 2) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE), "runplatform", "--host", host, "--port", str(port),
             "--wsgi-workers", str(wsgi_workers), "--wsgi-threads", "4"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"runplatform exited with {self.process.returncode}:\n{self.log_tail()}")
            if _answers(self.base_url + "/") and _port_open(host, port + 1):
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"runplatform did not answer at {self.base_url} within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # runplatform forwards it to its children
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def free_port_pair(host: str = "127.0.0.1") -> int:
    """A port p such that p and p+1 (the SSE process) are both free right now."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind((host, 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind((host, port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two consecutive free ports")

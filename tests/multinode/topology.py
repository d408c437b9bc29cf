"""Two platform sets behind one nginx on loopback: the production topology of more than one machine, in small.

Each set is a whole ``manage.py runplatform`` (WSGI, ASGI streams, task worker, chronograph) with its own var
directory and ports, so the sets share nothing but what production shares between machines: PostgreSQL, Redis,
the secret key and the signing key. nginx (Debian's package, its own prefix in a temporary directory) balances
pages over both WSGI servers and streams over both ASGI servers, streams unbuffered, as docs/deploy.md's site
does. Every answer names the server that made it (``X-Vzaemo-Upstream``), and a request may pin a set with
``X-Vzaemo-Set: a`` or ``b``, so a test can do one step on A and the next on B. Both are test devices only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
UPSTREAM_HEADER = "X-Vzaemo-Upstream"
PIN_HEADER = "X-Vzaemo-Set"

NGINX_CONF = """\
worker_processes 1;
{user}
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    upstream pages_both {{ server {host}:{a}; server {host}:{b}; keepalive 8; }}
    upstream pages_a {{ server {host}:{a}; }}
    upstream pages_b {{ server {host}:{b}; }}
    upstream streams_both {{ server {host}:{a_sse}; server {host}:{b_sse}; }}
    upstream streams_a {{ server {host}:{a_sse}; }}
    upstream streams_b {{ server {host}:{b_sse}; }}
    map $http_x_vzaemo_set $vzaemo_set {{ default both; a a; b b; }}

    server {{
        listen {host}:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        add_header {upstream_header} $upstream_addr always;

        location ~ ^/live/[0-9]+/events$ {{
            proxy_pass http://streams_$vzaemo_set;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
        }}
        location / {{
            proxy_pass http://pages_$vzaemo_set;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@dataclass
class Nginx:
    binary: str
    prefix: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self, *, a: int, b: int, timeout: float = 15.0) -> None:
        self.prefix.mkdir(parents=True, exist_ok=True)
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                # As root nginx's workers would drop to nobody and lose the temporary directories.
                user="user root;" if os.geteuid() == 0 else "",
                prefix=self.prefix,
                host=HOST,
                port=self.port,
                a=a,
                b=b,
                a_sse=a + 1,
                b_sse=b + 1,
                upstream_header=UPSTREAM_HEADER,
            )
        )
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "stderr.log").open("ab"),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"nginx did not answer on {self.port}:\n{self.log_tail()}")

    def log_tail(self) -> str:
        paths = [self.prefix / "error.log", self.prefix / "stderr.log"]
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in paths if p.exists())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def upstream(self) -> str:
        return self.headers.get(UPSTREAM_HEADER, "")

    def json(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.text)
        return data


@dataclass
class Visitor:
    """One person's browser, without a browser: cookies kept, no redirects followed, any set or a pinned one."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    forwarded_for: str = ""

    def _headers(self, pin: str | None, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if pin:
            headers[PIN_HEADER] = pin
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        return headers | (extra or {})

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def send(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        pin: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        all_headers = self._headers(pin, headers)
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            self._keep_cookies(response)
            return Answer(response.status, response.headers, text)
        finally:
            connection.close()

    def get(self, path: str, *, pin: str | None = None) -> Answer:
        return self.send("GET", path, pin=pin)

    def post(
        self,
        path: str,
        form: dict[str, str] | None = None,
        *,
        pin: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        token = self.cookies.get("csrftoken", "")
        extra = ({"X-CSRFToken": token} if token else {}) | (headers or {})
        return self.send("POST", path, form=dict(form or {}), pin=pin, headers=extra)

    def events(self, path: str, *, pin: str | None = None, timeout: float = 10.0) -> EventStream:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        connection.request("GET", path, headers=self._headers(pin, {"Accept": "text/event-stream"}))
        response = connection.getresponse()
        return EventStream(connection, response)


@dataclass
class EventStream:
    connection: http.client.HTTPConnection
    response: http.client.HTTPResponse

    @property
    def upstream(self) -> str:
        return self.response.headers.get(UPSTREAM_HEADER, "")

    def states(self) -> Iterator[dict[str, Any]]:
        """Each `event: state` message's data, as it arrives (a read waits at most the connection's timeout)."""
        event = ""
        while True:
            line = self.response.readline()
            if not line:
                return
            text = line.decode().rstrip("\r\n")
            if text.startswith("event:"):
                event = text.partition(":")[2].strip()
            elif text.startswith("data:") and event == "state":
                yield json.loads(text.partition(":")[2])
            elif not text:
                event = ""

    def close(self) -> None:
        self.connection.close()

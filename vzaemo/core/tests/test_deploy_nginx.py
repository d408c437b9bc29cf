"""The nginx site in deploy/nginx/ as nginx itself reads and runs it: it parses, and in front of two stand-in
upstreams it redirects plain HTTP, replaces the client's X-Forwarded-For, says the scheme, sends HSTS once, routes
the streams to the SSE process, keeps personal requests out of the micro-cache and answers in the platform's own
forms when the WSGI process is down or a body is too large."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from vzaemo.core import clock

SITE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "vzaemo.conf"
NAME = "vzaemo.example"

pytestmark = pytest.mark.skipif(
    not shutil.which("nginx"), reason="nginx is not installed (Debian: apt-get install nginx)"
)


def self_signed(directory: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    # The certificate is checked against the real time, never the platform's (possibly accelerated) clock.
    now = dt.datetime.fromtimestamp(clock.wall_seconds(), tz=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    directory.mkdir()
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def nginx_conf(tmp_path: Path, also: dict[str, str] | None = None) -> Path:
    """The site inside a minimal nginx.conf, its paths (and whatever `also` names) moved for the test."""
    self_signed(tmp_path / "ssl")
    (tmp_path / "static").mkdir()
    site = SITE.read_text()
    replacements = {
        "/etc/ssl/vzaemo/": f"{tmp_path}/ssl/",
        "/var/lib/vzaemo/static/": f"{tmp_path}/static/",
        "/var/cache/nginx/vzaemo": f"{tmp_path}/cache",
        "/var/www/letsencrypt": f"{tmp_path}/acme",
        **(also or {}),
    }
    for production, test in replacements.items():
        assert production in site, production
        site = site.replace(production, test)
    (tmp_path / "vzaemo.conf").write_text(site)
    temp = "".join(
        f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root nginx's workers would switch to `nobody`, who cannot enter pytest's private temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp}    include {tmp_path}/vzaemo.conf;\n}}\n"
    )
    return main


def nginx(main: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # a system tool on our own files
        ["nginx", "-p", str(main.parent), "-c", str(main), "-e", "stderr", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    result = nginx(nginx_conf(tmp_path), "-t")
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # nginx 1.25+ prefers `http2 on;`, which the 1.22 of Debian 12 does not know: the one warning allowed.
    warnings = [line for line in result.stderr.splitlines() if "[warn]" in line and "http2" not in line]
    assert warnings == []


# --- the site at work ------------------------------------------------------------------------------------------


@dataclass
class Upstream:
    """A stand-in for a granian process: records what nginx sent, answers 200 with Django's own HSTS header."""

    server: ThreadingHTTPServer
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def paths(self) -> list[str]:
        return [path for path, _headers in self.seen]


def upstream() -> Upstream:
    recorded: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            recorded.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            body = b"upstream"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Strict-Transport-Security", "max-age=1")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Upstream(server, recorded)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    http_port: int
    https_port: int
    wsgi: Upstream
    sse: Upstream
    context: ssl.SSLContext

    def get(
        self, path: str, headers: dict[str, str] | None = None, *, method: str = "GET", body: bytes | None = None
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.context, timeout=30)
        connection.request(method, path, body=body, headers={"Host": NAME, **(headers or {})})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    wsgi, sse = upstream(), upstream()
    http_port, https_port = free_port(), free_port()
    main = nginx_conf(
        tmp_path,
        {
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "server 127.0.0.1:8000": f"server 127.0.0.1:{wsgi.port}",
            "server 127.0.0.1:8001": f"server 127.0.0.1:{sse.port}",
            # A minute instead of a second, so that no assertion depends on how fast the machine is.
            "proxy_cache_valid 200 1s;\n        proxy_cache_lock on;\n        proxy_cache_use_stale": (
                "proxy_cache_valid 200 60s;\n        proxy_cache_lock on;\n        proxy_cache_use_stale"
            ),
        },
    )
    # As a daemon nginx returns once its sockets listen: no waiting needed.
    started = nginx(main)
    assert started.returncode == 0, started.stderr
    context = ssl.create_default_context(cafile=str(tmp_path / "ssl" / "fullchain.pem"))
    context.check_hostname = False  # the certificate names vzaemo.example; the test connects to 127.0.0.1
    try:
        yield Site(http_port, https_port, wsgi, sse, context)
    finally:
        nginx(main, "-s", "stop")
        wsgi.server.shutdown()
        sse.server.shutdown()


def test_plain_http_is_redirected_to_https(site: Site) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=30)
    connection.request("GET", "/petitions/?page=2", headers={"Host": NAME})
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, f"https://{NAME}/petitions/?page=2")
    assert site.wsgi.seen == []


def test_the_platform_learns_the_clients_address_and_scheme_from_nginx_only(site: Site) -> None:
    response = site.get("/api/broker/v1/auctions", {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.example"})
    assert response.status == 200
    (_path, headers), *_ = site.wsgi.seen
    # The client's own header is replaced by the address nginx saw, not appended to.
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["host"] == NAME
    assert "x-forwarded-host" not in headers
    # HSTS once, nginx's (the upstream's own copy is hidden).
    assert response.headers.get_all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains; preload"]


def test_the_streams_go_to_the_sse_process(site: Site) -> None:
    assert site.get("/live/7/events").status == 200
    assert site.sse.paths() == ["/live/7/events"]
    assert site.wsgi.seen == []


def test_an_anonymous_read_is_micro_cached_and_a_personal_one_never(site: Site) -> None:
    for _ in range(3):
        assert site.get("/audit/verify.json").status == 200
    assert site.wsgi.paths() == ["/audit/verify.json"]
    for personal in ({"Cookie": "sessionid=abc"}, {"Authorization": "Bearer k"}, {"Cookie": "messages=m"}):
        site.get("/audit/verify.json", personal)
    assert len(site.wsgi.paths()) == 4
    # The htmx fragment and the English page of the same address are other answers.
    site.get("/audit/verify.json", {"HX-Request": "true"})
    site.get("/audit/verify.json", {"Cookie": "django_language=en"})
    assert len(site.wsgi.paths()) == 6


def test_while_the_wsgi_process_is_down_nginx_answers_as_the_platform_does(site: Site) -> None:
    site.wsgi.server.shutdown()
    site.wsgi.server.server_close()
    page = site.get("/petitions/")
    assert (page.status, page.getheader("Retry-After")) == (503, "10")
    assert (page.getheader("Content-Type") or "").startswith("text/html")
    api = site.get("/api/broker/v1/auctions")
    assert (api.status, api.getheader("Retry-After")) == (503, "10")
    assert api.getheader("Content-Type") == "application/json"


def test_an_api_body_over_nginxs_limit_gets_the_api_envelope(site: Site) -> None:
    response = site.get("/api/broker/v1/lots", method="POST", body=b"x" * (3 * 1024 * 1024 + 1))
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    assert site.wsgi.seen == []

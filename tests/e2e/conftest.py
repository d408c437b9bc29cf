"""End-to-end fixtures: the real platform in child processes and Debian's Chromium through Playwright.

    def test_something(live_platform: LivePlatform, page: Page, browser_log: BrowserLog) -> None:
        live_platform.create_user("a@example.org", "a-long-password")
        page.goto("/accounts/login/")          # relative to live_platform.base_url
        ...
        mail = live_platform.latest_email_to("a@example.org")
        page.goto(mail.link_containing("/confirm-email/"))
        assert browser_log.csp_violations == []

The platform gets its own database (PostgreSQL: ``<name>_e2e`` beside the test database; SQLite: a
temporary file), migrated by ``manage.py migrate`` in a subprocess, so nothing leaks into or out of
pytest-django's test database. It is started once per session; tests must not assume an empty database
(use unique email addresses, e.g. with the ``unique_email`` fixture).
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

from tests.e2e.harness import LivePlatform, free_port_pair

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

CHROMIUM = os.environ.get("VZAEMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def _require_e2e() -> bool:
    """In CI a missing browser is a failure, not a skip (.ci/run sets VZAEMO_REQUIRE_E2E=1)."""
    return os.environ.get("VZAEMO_REQUIRE_E2E", "") == "1"


# ---------------------------------------------------------------- the platform
def _postgres_url(name: str) -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own for the platform under test; dropped at the end."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("e2e-db") / "vzaemo-e2e.sqlite3")
        return
    import psycopg
    from psycopg import sql

    base = str(settings.DATABASES["default"]["NAME"])
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # set by pytest-xdist: one database per worker
    name = f"{base}_e2e_{worker}" if worker else f"{base}_e2e"
    admin_url = _postgres_url("postgres")
    url = _postgres_url(name)
    assert admin_url, "PostgreSQL settings without a postgres:// DATABASE_URL"
    assert url, "PostgreSQL settings without a postgres:// DATABASE_URL"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def live_platform(e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePlatform]:
    """``manage.py runplatform`` (WSGI, ASGI, task worker, chronograph) on a free port."""
    root = tmp_path_factory.mktemp("platform")
    outbox = root / "outbox"
    outbox.mkdir()
    port = free_port_pair(HOST)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="vzaemo.settings",
        DATABASE_URL=e2e_database_url,
        VZAEMO_VAR_DIR=str(root / "var"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        DEBUG="0",
        ALLOWED_HOSTS=f"{HOST},localhost",
        VZAEMO_SITE_URL=f"http://{HOST}:{port}",
        SSE_ORIGIN=f"http://{HOST}:{port + 1}",
        PYTHONUNBUFFERED="1",
        # The one stop follows changes within a second, and digests leave within one, so flows need not wait.
        VZAEMO_ONESTOP_INTERVAL_SECONDS="1",
        VZAEMO_DIGEST_INTERVAL_SECONDS="1",
    )
    platform = LivePlatform(
        base_url=f"http://{HOST}:{port}",
        sse_url=f"http://{HOST}:{port + 1}",
        env=env,
        outbox_dir=outbox,
        log_path=root / "runplatform.log",
    )
    platform.manage("migrate", "--noinput", "-v", "0")
    platform.start(host=HOST, port=port)
    try:
        yield platform
    finally:
        platform.stop()
        if ARTIFACTS.exists():
            shutil.copy(platform.log_path, ARTIFACTS / "runplatform.log")


@pytest.fixture
def unique_email() -> str:
    """A fresh address per test: the platform's database lives for the whole session."""
    return f"e2e-{uuid.uuid4().hex[:10]}@example.org"


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Package scope: Playwright's sync API leaves an event loop set on this thread while it runs,
    # which Django treats as async context; stop it as soon as the e2e tests are done.
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium): end-to-end tests need a real browser"
        if _require_e2e():
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class BrowserLog:
    """What the page said on its console, uncaught errors, and CSP violations (docs/design.md, "Stack": no
    unsafe-inline)."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages + self.errors if "Content Security Policy" in m or "CSP violation" in m]


# Registered before any page script; CDP-injected scripts are not subject to the page's CSP.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def new_page(browser: Browser, live_platform: LivePlatform) -> Iterator[Callable[..., Page]]:
    """``new_page(log)``: another person's browser (a fresh context: no cookies), English, base URL set.

    Console messages, uncaught errors and CSP violations of that page go to ``log`` (a BrowserLog).
    """
    contexts: list[BrowserContext] = []

    def make(log: BrowserLog | None = None) -> Page:
        log = log if log is not None else BrowserLog()
        context = browser.new_context(base_url=live_platform.base_url, locale="en-GB", timezone_id="Europe/Kyiv")
        context.set_default_timeout(15_000)
        context.add_init_script(_CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            log.messages.append(f"{message.type}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: log.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(
    new_page: Callable[..., Page], live_platform: LivePlatform, browser_log: BrowserLog, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser page; ``page.goto("/path")`` is relative to the platform. Saves artefacts on failure."""
    page = new_page(browser_log)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = request.node.nodeid.replace("/", "_").replace(":", "_")
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
            (ARTIFACTS / f"{stem}.html").write_text(page.content())
        except Exception as error:  # artefacts must never hide the real failure
            print(f"could not save artefacts: {error}")
        print("browser console:\n" + "\n".join(browser_log.messages + browser_log.errors))
        print(f"platform log tail:\n{live_platform.log_tail()}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report

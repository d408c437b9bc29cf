"""More than one machine: two platform sets (WSGI + ASGI + task worker + chronograph each) behind one nginx,
sharing only PostgreSQL, Redis and the keys. What a person does through one set holds on the other: a session,
its end, the rate limits, a form's one-time key, and a live bid's fan-out to the streams of the other set
(PostgreSQL LISTEN/NOTIFY). Needs PostgreSQL (DATABASE_URL), Redis (REDIS_URL) and Debian's nginx; CI has all
three (.ci/run)."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.harness import LivePlatform, free_port_pair
from tests.multinode.topology import HOST, Nginx, Visitor, nginx_binary

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

PASSWORD = "a-long-password-for-two-sets"
SIGN_LIMIT = 4
LIVE_SPEEDUP = 30
BID_DEADLINE_SECONDS = 60.0


def _require(what: str, missing: bool) -> None:
    """In CI (VZAEMO_REQUIRE_E2E=1) a missing service fails; elsewhere the test says what it needs and skips."""
    if not missing:
        return
    reason = f"{what}: the two-set topology test needs it"
    if os.environ.get("VZAEMO_REQUIRE_E2E", "") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Sets:
    a: LivePlatform
    b: LivePlatform
    nginx: Nginx
    ports: dict[str, int]

    def visitor(self, *, forwarded_for: str = "") -> Visitor:
        """A person from an address of their own (behind nginx, which forwards it), unless given one."""
        return Visitor(self.nginx.port, forwarded_for=forwarded_for or _new_address())

    def wsgi(self, name: str) -> str:
        return f"{HOST}:{self.ports[name]}"

    def asgi(self, name: str) -> str:
        return f"{HOST}:{self.ports[name] + 1}"


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    _require("PostgreSQL (DATABASE_URL=postgres://...)", not url.startswith(("postgres://", "postgresql://")))
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_multinode"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def sets(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sets]:
    binary = nginx_binary()
    _require("nginx not found (apt-get install nginx)", binary is None)
    assert binary is not None
    _require("Redis (REDIS_URL=redis://...)", not os.environ.get("REDIS_URL"))
    root = tmp_path_factory.mktemp("two-sets")
    nginx = Nginx(binary, root / "nginx", _free_port())
    site = f"http://{HOST}:{nginx.port}"
    shared = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_", "DATABASE_REPLICA"))}
    shared.update(
        DJANGO_SETTINGS_MODULE="vzaemo.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        # What the machines of a real deployment share besides the database and Redis: the keys.
        VZAEMO_SIGNING_KEY_PATH=str(root / "keys" / "ed25519.pem"),
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        DEBUG="0",
        ALLOWED_HOSTS=f"{HOST},localhost",
        VZAEMO_SITE_URL=site,
        SSE_ORIGIN="",  # one origin: nginx routes the streams
        TRUSTED_PROXIES="127.0.0.1/32",
        # The limit under test, and none on creating petitions: Redis outlives this platform's database (a CI run
        # shares it with the end-to-end platform, a developer's with earlier runs), and account ids repeat across
        # databases, so other counts must not reach this test's.
        VZAEMO_RATE_LIMITS=json.dumps({"petition.sign": f"{SIGN_LIMIT}/d/ip", "petition.create": ""}),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    platforms: dict[str, LivePlatform] = {}
    ports: dict[str, int] = {}
    try:
        for name in ("a", "b"):
            port = free_port_pair(HOST)
            (root / name).mkdir()
            env = {**shared, "VZAEMO_VAR_DIR": str(root / name / "var")}
            platform = LivePlatform(
                base_url=f"http://{HOST}:{port}",
                sse_url=f"http://{HOST}:{port + 1}",
                env=env,
                outbox_dir=root / name,
                log_path=root / name / "runplatform.log",
            )
            if name == "a":
                platform.manage("migrate", "--noinput", "-v", "0")
            platform.start(host=HOST, port=port, wsgi_workers=1)
            platforms[name], ports[name] = platform, port
        nginx.start(a=ports["a"], b=ports["b"])
        yield Sets(platforms["a"], platforms["b"], nginx, ports)
    finally:
        nginx.stop()
        for platform in platforms.values():
            platform.stop()


@dataclass(frozen=True)
class Person:
    email: str
    authority: str  # an authority that accepts e-petitions


@pytest.fixture(scope="module")
def person(sets: Sets) -> Person:
    """One verified person with a password, and an authority to petition: one command (each costs seconds)."""
    email = _new_email()
    authority = sets.a.shell(
        f"""
        from allauth.account.models import EmailAddress
        from vzaemo.accounts.models import User
        from vzaemo.accounts.tests.factories import AuthorityFactory
        user = User.objects.create_user({email!r}, {PASSWORD!r}, full_name="Шевченко Тарас", email_verified=True)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        print(AuthorityFactory().pk)
        """
    ).strip()
    return Person(email, authority)


def _petitions_titled(database_url: str, title: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM petitions_petition WHERE title = %s", [title]).fetchone()
    assert row is not None
    return int(row[0])


def _csrf_form(visitor: Visitor, path: str, *, pin: str) -> dict[str, str]:
    """The page's form fields that a browser would send back: the CSRF token and the one-time key."""
    page = visitor.get(path, pin=pin)
    assert page.status == 200, (path, page.status)
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|idempotency_key)" value="([^"]+)"', page.text))
    assert "csrfmiddlewaretoken" in fields, path
    return fields


def _sign_in(sets: Sets, email: str, *, pin: str) -> Visitor:
    visitor = sets.visitor()
    form = _csrf_form(visitor, "/accounts/login/", pin=pin)
    answer = visitor.post("/accounts/login/", {**form, "login": email, "password": PASSWORD}, pin=pin)
    assert answer.status == 302, answer.text[-2000:]
    assert "sessionid" in visitor.cookies
    return visitor


def _signed_in(visitor: Visitor, *, pin: str) -> bool:
    answer = visitor.get("/petitions/my/", pin=pin)
    assert answer.status in {200, 302}, answer.status
    return answer.status == 200  # a signed-out visitor is sent to the sign-in page


def _new_address() -> str:
    return f"2001:db8:{secrets.randbelow(0xFFFF):x}:{secrets.randbelow(0xFFFF):x}::7"


def _new_email() -> str:
    return f"two-sets-{uuid.uuid4().hex[:10]}@example.org"


def test_a_session_opened_on_one_set_is_valid_on_the_other_and_ends_on_both(sets: Sets, person: Person) -> None:
    visitor = _sign_in(sets, person.email, pin="a")
    session = visitor.cookies["sessionid"]
    assert _signed_in(visitor, pin="b")
    assert _signed_in(visitor, pin="a")

    form = _csrf_form(visitor, "/petitions/my/", pin="b")
    out = visitor.post("/accounts/logout/", {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"]}, pin="b")
    assert out.status == 302
    assert out.upstream == sets.wsgi("b")
    assert not _signed_in(visitor, pin="a")
    # Even the old cookie, kept by someone who copied it, opens nothing on either set.
    stolen = sets.visitor()
    stolen.cookies["sessionid"] = session
    assert not _signed_in(stolen, pin="a")
    assert not _signed_in(stolen, pin="b")


def test_a_rate_limit_counts_the_attempts_of_both_sets_together(sets: Sets) -> None:
    # A client address of its own (IPv6 counts by /64), forwarded by nginx, the trusted proxy.
    client = _new_address()
    visitor = sets.visitor(forwarded_for=client)
    token = _csrf_form(visitor, "/accounts/login/", pin="a")["csrfmiddlewaretoken"]
    answers = [visitor.post("/petitions/1/sign/", {"csrfmiddlewaretoken": token}) for _ in range(2 * SIGN_LIMIT)]

    statuses = [a.status for a in answers]
    assert statuses == [303] * SIGN_LIMIT + [429] * SIGN_LIMIT, statuses  # 303: to the sign-in page
    assert all(a.headers["Retry-After"] for a in answers[SIGN_LIMIT:])
    # nginx alternated: each set let some attempts through and refused others, all counted in one place.
    assert {a.upstream for a in answers[:SIGN_LIMIT]} == {sets.wsgi("a"), sets.wsgi("b")}
    assert {a.upstream for a in answers[SIGN_LIMIT:]} == {sets.wsgi("a"), sets.wsgi("b")}
    # Another address is not affected.
    other = sets.visitor(forwarded_for=_new_address())
    other.cookies.update(visitor.cookies)
    assert other.post("/petitions/1/sign/", {"csrfmiddlewaretoken": token}).status == 303


def test_a_form_key_used_on_one_set_returns_the_first_result_on_the_other(
    sets: Sets, person: Person, database_url: str
) -> None:
    visitor = _sign_in(sets, person.email, pin="a")
    form = _csrf_form(visitor, "/petitions/new/", pin="a")
    title = f"Освітлення на зупинці {uuid.uuid4().hex[:6]}"
    body = {**form, "authority": person.authority, "title": title, "essence": "Прошу встановити ліхтар на зупинці."}

    first = visitor.post("/petitions/new/", body, pin="a")
    again = visitor.post("/petitions/new/", body, pin="b")
    assert first.status == again.status == 303
    assert again.upstream == sets.wsgi("b")
    assert again.headers["Location"] == first.headers["Location"]
    assert _petitions_titled(database_url, title) == 1


def test_a_bid_through_one_set_reaches_an_observer_streaming_from_the_other(sets: Sets) -> None:
    made = json.loads(
        sets.a.manage("live_sandbox_auction", "--speedup", str(LIVE_SPEEDUP), "--start-in", "1")
        .stdout.strip()
        .splitlines()[-1]
    )
    auction = made["auction_id"]
    observer = sets.visitor().events(f"/live/{auction}/events", pin="b", timeout=15)
    assert observer.response.status == 200
    assert observer.upstream == sets.asgi("b")
    states = observer.states()
    assert next(states)["auction_id"] == auction

    bidders = [sets.visitor() for _ in made["bidders"]]
    for bidder, link in zip(bidders, made["bidders"], strict=True):
        assert bidder.get(urllib.parse.urlsplit(link["url"]).path + "?" + urllib.parse.urlsplit(link["url"]).query,
                          pin="a").status == 200  # fmt: skip
    placed = _bid_when_allowed(auction, made["bidders"], bidders)
    assert placed.upstream == sets.wsgi("a")

    deadline = time.monotonic() + BID_DEADLINE_SECONDS
    for state in states:
        if int(str(state.get("seq") or 0)) >= placed.seq:
            assert placed.amount in json.dumps(state)
            break
        assert time.monotonic() < deadline, "the observer on set B never saw the bid placed on set A"
    else:
        raise AssertionError("the stream on set B ended before the bid arrived")
    observer.close()


@dataclass(frozen=True)
class Placed:
    seq: int
    amount: str
    upstream: str


def _bid_when_allowed(auction: int, links: list[dict[str, str]], bidders: list[Visitor]) -> Placed:
    """Whoever's turn it is (their own stream on set A says so, with the least amount) bids through set A."""
    deadline = time.monotonic() + BID_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for link, bidder in zip(links, bidders, strict=True):
            sig = urllib.parse.parse_qs(urllib.parse.urlsplit(link["url"]).query)["sig"][0]
            own = bidder.events(f"/live/{auction}/events?bid={link['bid_id']}&sig={sig}", pin="a")
            try:
                state = next(own.states())
            finally:
                own.close()
            minimum = (state.get("you") or {}).get("min_amount")
            if minimum is None:
                continue
            answer = bidder.post(
                f"/live/{auction}/bidder/{link['bid_id']}/bid",
                {"sig": sig, "amount": str(minimum), "idempotency_key": uuid.uuid4().hex},
                pin="a",
                headers={"Accept": "application/json"},
            )
            if answer.status == 201:
                data = answer.json()["data"]
                assert isinstance(data, dict)
                return Placed(int(data["seq"]), str(data["amount"]), answer.upstream)
            assert answer.status == 409, answer.text
        time.sleep(0.3)
    raise AssertionError(f"no bidder could bid within {BID_DEADLINE_SECONDS:.0f} s")

"""Witnessed checkpoints (ADR 0015): the log must extend every checkpoint kept outside the database.

The attacks are the ones the database's own checkpoints cannot catch, because the attacker rewrites those
too: deleting the tail together with its checkpoints, and rewriting an entry, recomputing every later hash
and signing new checkpoints with the platform's key.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from vzaemo.core import audit, audit_witness, chronograph, clock, signing
from vzaemo.core.models import AuditCheckpoint, AuditEntry, AuditWitnessPush
from vzaemo.core.tests.test_audit import make_chain, signing_key  # noqa: F401 (signing_key: an autouse fixture)

# The sealer reads behind a server-wide watermark: no other test worker may hold a transaction open.
pytestmark = [pytest.mark.django_db, pytest.mark.serial]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def witness_log(settings: Any, tmp_path: Path) -> Path:
    settings.VZAEMO_SIGNING_KEY = ""
    settings.VZAEMO_AUDIT_WITNESS_LOG = str(tmp_path / "witness" / "witness.jsonl")
    settings.VZAEMO_AUDIT_WITNESS_URLS = []
    settings.VZAEMO_AUDIT_WITNESS_EMAILS = []
    audit_witness._alarms.clear()
    return Path(settings.VZAEMO_AUDIT_WITNESS_LOG)


def grow(count: int) -> AuditCheckpoint:
    """`count` more entries, sealed and signed: the platform at work."""
    for index in range(count):
        audit.record(actor=None, subject=("petitions.petition", index), tag="petition.more", before=None, after={})
    audit.seal()
    checkpoint = audit.publish_checkpoint(min_interval=0)
    assert checkpoint is not None
    return checkpoint


def verify_command(*args: str) -> str:
    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("audit_verify", *args, stdout=Sink())
    return "".join(out)


def truncate_after(size: int) -> None:
    """The attack: delete every entry after `size` and every checkpoint that covered them."""
    AuditEntry.objects.filter(position__gt=size).delete()
    AuditCheckpoint.objects.filter(size__gt=size).delete()


def rewrite_entry(position: int, after: dict[str, Any]) -> None:
    """The attack with the key: change one entry, recompute every later hash, sign a fresh checkpoint."""
    AuditEntry.objects.filter(position=position).update(after=after)
    previous = AuditEntry.objects.get(position=position - 1).entry_hash if position > 1 else audit.GENESIS_HASH
    for entry in AuditEntry.objects.filter(position__gte=position).order_by("position"):
        content = [getattr(entry, name) for name in audit.HASHED_FIELDS]
        assert entry.position is not None
        digest = audit.compute_entry_hash(entry.position, previous, content)
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, entry_hash=digest)
        previous = digest
    AuditCheckpoint.objects.filter(size__gte=position).delete()
    assert audit.publish_checkpoint(min_interval=0) is not None


# --- the attacks ----------------------------------------------------------------------------------


def test_truncation_with_its_checkpoints_deleted_is_caught_by_the_witness_log(witness_log: Path) -> None:
    make_chain(3)
    grow(3)
    assert audit_witness.log_new_checkpoints() == 2

    truncate_after(3)

    assert audit.verify().ok  # the database alone no longer knows: this is the hole witnesses close
    with pytest.raises(CommandError, match=r"log TRUNCATED: .*witness\.jsonl line 2 saw 6 entries.*now holds 3"):
        verify_command("--witness", str(witness_log))


def test_truncation_is_caught_even_when_the_log_grows_again(witness_log: Path) -> None:
    make_chain(3)
    grow(3)
    audit_witness.log_new_checkpoints()
    saved = witness_log.read_text().splitlines()[-1]
    truncate_after(3)
    grow(5)  # new entries at positions 4..8 with a fresh checkpoint: longer than before, different content

    assert audit.verify().ok
    with pytest.raises(CommandError, match="log REWRITTEN: entry 6 no longer has the head hash"):
        verify_command("--witness", saved)


def test_a_rewritten_entry_with_recomputed_tail_and_resigned_checkpoint_is_caught(tmp_path: Path) -> None:
    make_chain(6)
    saved = tmp_path / "checkpoint.json"
    saved.write_text(json.dumps(audit_witness.statement(AuditCheckpoint.objects.get(size=6))))

    rewrite_entry(4, {"status": "quietly changed"})

    assert audit.verify().ok  # chain and database checkpoints agree again: only the witness can tell
    assert AuditCheckpoint.objects.get().size == 6
    with pytest.raises(CommandError, match=r"at position 6: log REWRITTEN: entry 6 no longer has the head hash"):
        verify_command("--witness", str(saved))


def test_the_live_witness_log_raises_the_alarm_at_once(witness_log: Path, caplog: pytest.LogCaptureFixture) -> None:
    make_chain(6)
    audit_witness.log_new_checkpoints()
    truncate_after(2)

    audit_witness.log_new_checkpoints()
    audit_witness.log_new_checkpoints()

    alarms = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert alarms == ["audit log TRUNCATED or reset: the witness log saw 6 entries, entry 6 is gone"]


# --- the happy path -------------------------------------------------------------------------------


def test_a_log_that_extends_every_witnessed_checkpoint_passes(witness_log: Path) -> None:
    make_chain(3)
    audit_witness.log_new_checkpoints()
    grow(2)
    grow(4)
    audit_witness.log_new_checkpoints()
    grow(1)  # after the last witnessed checkpoint: the log may only grow

    out = verify_command("--witness", str(witness_log))

    assert "audit chain OK: 10 entries, 4 checkpoints, 3 witnessed checkpoints" in out
    assert "extends every witnessed checkpoint (largest 9)" in out


def test_the_witness_log_is_only_appended_to(witness_log: Path) -> None:
    make_chain(2)
    assert audit_witness.log_new_checkpoints() == 1
    first = witness_log.read_bytes()
    assert audit_witness.log_new_checkpoints() == 0  # nothing new: nothing written
    assert witness_log.read_bytes() == first
    grow(1)
    grow(1)

    assert audit_witness.log_new_checkpoints() == 2
    data = witness_log.read_bytes()
    assert data.startswith(first)
    lines = [json.loads(line) for line in data.splitlines()]
    assert [line["size"] for line in lines] == [2, 3, 4]
    assert lines[0] == {
        "kind": "vzaemo-audit-checkpoint",
        "size": 2,
        "head_hash": AuditEntry.objects.get(position=2).entry_hash,
        "created_at": audit.iso_timestamp(AuditCheckpoint.objects.get(size=2).created_at),
        "key_id": signing.current_key_id(),
        "signature": AuditCheckpoint.objects.get(size=2).signature,
        "origin": "http://127.0.0.1:8000",
    }


def test_a_fragment_left_by_a_crash_stays_one_bad_line(witness_log: Path) -> None:
    make_chain(2)
    audit_witness.log_new_checkpoints()
    with witness_log.open("ab") as handle:
        handle.write(b'{"kind":"vzaemo-audit-check')  # the disk filled up mid-line
    grow(1)

    assert audit_witness.log_new_checkpoints() == 1
    assert [line[:9] for line in witness_log.read_bytes().splitlines()] == [b'{"kind":"'] * 3
    with pytest.raises(CommandError, match=r"bad witness input: .*witness\.jsonl line 2: not JSON"):
        verify_command("--witness", str(witness_log))


def test_the_witness_log_can_be_switched_off(settings: Any, witness_log: Path) -> None:
    settings.VZAEMO_AUDIT_WITNESS_LOG = ""
    make_chain(2)

    assert audit_witness.log_new_checkpoints() == 0
    assert not witness_log.exists()


def test_audit_seal_appends_to_the_witness_log(witness_log: Path) -> None:
    audit.record(actor=None, subject=("x.y", 1), tag="t", before=None, after=None)

    call_command("audit_seal", stdout=open(Path("/dev/null"), "w"))  # noqa: SIM115 - the command's chatter

    assert [json.loads(line)["size"] for line in witness_log.read_text().splitlines()] == [1]


def test_the_chronograph_runs_the_witness_job() -> None:
    assert "audit_witness" in {job.name for job in chronograph.jobs()}


# --- what a witness may hand in -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty, no checkpoint to check against"),
        ("[]", "no checkpoint in it"),
        ('{"size": 1}\nnot json\n', "line 2: not JSON"),
        ('{"kind": "something-else", "size": 1}', "kind is 'something-else'"),
        ('{"size": 1, "head_hash": "ab"}', "missing created_at, key_id, signature"),
        ("GOOD|size=0", "size must be a whole number of entries ≥ 1, found 0"),
        ("GOOD|size=true", "size must be a whole number of entries ≥ 1, found True"),
        ("GOOD|head_hash=XYZ", "head_hash must be 64 lower-case hex digits, found 'XYZ'"),
        ("GOOD|created_at=yesterday", "created_at must be an ISO 8601 time with its offset, found 'yesterday'"),
        ("GOOD|created_at=2026-01-01T00:00:00", "created_at must be an ISO 8601 time with its offset"),
        ("GOOD|signature=", "signature must be a non-empty string"),
        ("[1]", "item 1: expected a checkpoint object, found int"),
    ],
)
def test_bad_witness_input_is_refused_clearly_and_changes_nothing(
    tmp_path: Path, witness_log: Path, content: str, message: str
) -> None:
    make_chain(2)
    audit_witness.log_new_checkpoints()
    if content.startswith("GOOD|"):
        name, _sep, value = content.removeprefix("GOOD|").partition("=")
        good = json.loads(witness_log.read_text())
        good[name] = json.loads(value) if value in {"0", "true"} else value
        content = json.dumps(good)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    before = (list(AuditEntry.objects.values_list("id", "entry_hash")), list(AuditCheckpoint.objects.values()))
    log_before = witness_log.read_bytes()

    with pytest.raises(CommandError, match="bad witness input: ") as caught:
        verify_command("--witness", str(bad))

    assert message in str(caught.value)
    assert str(bad) in str(caught.value)
    assert (list(AuditEntry.objects.values_list("id", "entry_hash")), list(AuditCheckpoint.objects.values())) == before
    assert witness_log.read_bytes() == log_before


def test_a_witness_statement_can_come_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    make_chain(2)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(audit_witness.statement(AuditCheckpoint.objects.get()))))

    assert "1 witnessed checkpoints" in verify_command("--witness", "-")


def test_a_missing_witness_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"cannot read witness file .*nowhere\.json"):
        verify_command("--witness", str(tmp_path / "nowhere.json"))


def test_a_forged_witnessed_checkpoint_is_refused(witness_log: Path) -> None:
    make_chain(3)
    forged = audit_witness.statement(AuditCheckpoint.objects.get())
    forged["size"] = 2  # a real signature over other numbers

    with pytest.raises(CommandError, match="signature of checkpoint 2 does not verify with key"):
        verify_command("--witness", json.dumps(forged))


def test_witnessed_signatures_can_be_checked_with_a_pinned_public_key(tmp_path: Path) -> None:
    make_chain(3)
    statement = json.dumps(audit_witness.statement(AuditCheckpoint.objects.get()))
    published = tmp_path / "public-key.json"
    published.write_text(json.dumps({"keys": [{"public_key": next(iter(signing.public_keys_b64().values()))}]}))
    other = tmp_path / "other.pem"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    assert "audit chain OK" in verify_command("--witness", statement, "--public-key", str(published))
    with pytest.raises(CommandError, match="does not verify with key"):
        verify_command("--witness", statement, "--public-key", str(other))
    with pytest.raises(CommandError, match="that is a private key"):
        verify_command("--witness", statement, "--public-key", str(signing_key_path()))


def signing_key_path() -> Path:
    return Path(django_settings.VZAEMO_SIGNING_KEY_PATH)


# --- the signing key outside the database host ------------------------------------------------------


def test_the_signing_key_can_come_from_the_environment(settings: Any) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = base64.b64encode(
        key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    ).decode()
    expected = signing.key_id_of(key.public_key())

    for value in (pem, raw):
        settings.VZAEMO_SIGNING_KEY = value
        assert signing.current_key_id() == expected
        make_chain(1) if not AuditEntry.objects.exists() else grow(1)
        assert AuditCheckpoint.objects.order_by("-size").first().key_id == expected  # type: ignore[union-attr]
    assert not signing_key_path().exists()  # nothing was generated on this host


def test_a_bad_signing_key_in_the_environment_is_refused_without_repeating_it(settings: Any) -> None:
    settings.VZAEMO_SIGNING_KEY = "c2VjcmV0LWJ1dC1ub3QtYS1rZXk="

    with pytest.raises(ImproperlyConfigured, match="VZAEMO_SIGNING_KEY is not a readable Ed25519") as caught:
        signing.private_key()
    assert "c2VjcmV0" not in str(caught.value)


# --- pushing to witnesses -------------------------------------------------------------------------


@dataclass
class FakeWitness:
    """A witness's HTTP endpoint on loopback: records every POST, answers the queued statuses (then 200)."""

    url: str = ""
    received: list[tuple[str, Message, bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def fake_witness(settings: Any) -> Iterator[FakeWitness]:
    witness = FakeWitness()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            witness.received.append((self.path, self.headers, body))
            self.send_response(witness.statuses.pop(0) if witness.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    witness.url = f"http://127.0.0.1:{server.server_address[1]}/checkpoints"
    settings.VZAEMO_AUDIT_WITNESS_URLS = [witness.url]
    settings.TASKS = IMMEDIATE
    yield witness
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_checkpoint_is_pushed_to_an_http_witness_once(fake_witness: FakeWitness) -> None:
    make_chain(3)

    audit_witness.publish()
    audit_witness.publish()  # the next chronograph tick: nothing new
    push = AuditWitnessPush.objects.get()
    assert audit_witness.deliver(push_id=push.pk) == "skipped"  # a duplicate task
    assert audit_witness.schedule_pushes() == 0

    assert len(fake_witness.received) == 1
    path, headers, body = fake_witness.received[0]
    assert path == "/checkpoints"
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == f"vzaemo-audit-checkpoint-3-{signing.current_key_id()}"
    assert json.loads(body) == audit_witness.statement(AuditCheckpoint.objects.get())
    push.refresh_from_db()
    assert (push.size, push.attempts, push.last_error) == (3, 1, "")
    assert push.delivered_at is not None
    # What the witness kept proves the log later.
    grow(2)
    assert "1 witnessed checkpoints" in verify_command("--witness", body.decode())


def test_a_second_worker_given_the_same_push_does_not_send_it_again(
    fake_witness: FakeWitness, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_chain(2)
    audit_witness.schedule_pushes()
    push = AuditWitnessPush.objects.get()
    post = audit_witness._post
    racing: list[str] = []

    def post_while_another_worker_arrives(url: str, body: bytes, *, key: str) -> None:
        racing.append(audit_witness.deliver(push_id=push.pk))
        post(url, body, key=key)

    monkeypatch.setattr(audit_witness, "_post", post_while_another_worker_arrives)

    assert audit_witness.deliver(push_id=push.pk) == "delivered"
    assert racing == ["skipped"]
    assert len(fake_witness.received) == 1


def test_a_failed_push_is_retried_later_until_the_witness_takes_it(fake_witness: FakeWitness) -> None:
    fake_witness.statuses = [503, 500]
    make_chain(2)
    start = clock.now()

    with time_machine.travel(start, tick=False) as traveller:
        audit_witness.publish()
        push = AuditWitnessPush.objects.get()
        assert (push.attempts, push.last_error) == (1, f"HTTP 503 from {fake_witness.url}")
        assert push.next_attempt_at == start + dt.timedelta(seconds=30)
        audit_witness.publish()  # not due yet
        assert len(fake_witness.received) == 1

        traveller.shift(dt.timedelta(seconds=31))
        audit_witness.publish()
        push.refresh_from_db()
        assert push.attempts == 2
        assert push.next_attempt_at == clock.now() + dt.timedelta(seconds=60)  # the delay doubles

        traveller.shift(dt.timedelta(seconds=61))
        audit_witness.publish()

    push.refresh_from_db()
    assert (push.attempts, push.last_error) == (3, "")
    assert push.delivered_at is not None
    assert len(fake_witness.received) == 3
    assert len({body for _path, _headers, body in fake_witness.received}) == 1  # the same statement every time


def test_an_unreachable_witness_is_given_up_after_the_last_attempt(settings: Any, fake_witness: FakeWitness) -> None:
    settings.VZAEMO_AUDIT_WITNESS_MAX_ATTEMPTS = 2
    fake_witness.statuses = [500, 500, 500]
    make_chain(1)

    with time_machine.travel(clock.now(), tick=False) as traveller:
        audit_witness.publish()
        traveller.shift(dt.timedelta(hours=2))
        audit_witness.publish()
        traveller.shift(dt.timedelta(hours=2))
        audit_witness.publish()

    push = AuditWitnessPush.objects.get()
    assert (push.attempts, push.delivered_at) == (2, None)
    assert len(fake_witness.received) == 2


def test_a_witness_gets_the_newest_checkpoint_at_most_once_per_interval(
    settings: Any, fake_witness: FakeWitness
) -> None:
    settings.VZAEMO_AUDIT_WITNESS_HTTP_INTERVAL_SECONDS = 60
    make_chain(1)

    with time_machine.travel(clock.now(), tick=False) as traveller:
        audit_witness.publish()
        grow(1)
        audit_witness.publish()  # within the interval: checkpoint 2 waits
        traveller.shift(dt.timedelta(seconds=61))
        grow(1)
        audit_witness.publish()  # the newest (3), not every one missed

    assert [json.loads(body)["size"] for _path, _headers, body in fake_witness.received] == [1, 3]


def test_a_checkpoint_is_mailed_to_an_email_witness(settings: Any) -> None:
    settings.VZAEMO_AUDIT_WITNESS_EMAILS = ["witness@example.org"]
    settings.TASKS = IMMEDIATE
    make_chain(2)

    audit_witness.publish()
    audit_witness.publish()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["witness@example.org"]
    assert "2" in message.subject
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("vzaemo-audit-checkpoint-2.json", "application/json")
    assert json.loads(content) == audit_witness.statement(AuditCheckpoint.objects.get())
    assert "audit chain OK" in verify_command("--witness", content.decode() if isinstance(content, bytes) else content)


def test_a_witness_url_must_be_http(settings: Any) -> None:
    settings.VZAEMO_AUDIT_WITNESS_URLS = ["https://witness.example/c", "file:///etc/passwd", "ftp://x/y"]

    problems = audit_witness.check_witnesses()

    assert [p.id for p in problems] == ["vzaemo.E020", "vzaemo.E020"]
    assert "file:///etc/passwd" in problems[0].msg


def test_a_checkpoint_deleted_before_its_push_raises_the_alarm(
    fake_witness: FakeWitness, caplog: pytest.LogCaptureFixture
) -> None:
    make_chain(2)
    audit_witness.schedule_pushes()
    AuditCheckpoint.objects.all().delete()

    assert audit_witness.enqueue_due() == 1

    push = AuditWitnessPush.objects.get()
    assert (push.delivered_at, push.next_attempt_at, push.last_error) == (None, None, "checkpoint 2 no longer exists")
    assert fake_witness.received == []
    assert "audit checkpoint 2 disappeared before it reached" in caplog.text
    assert audit_witness.enqueue_due() == 0  # never retried: there is nothing left to send

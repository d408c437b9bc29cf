"""Witnesses of the audit chain: signed checkpoints kept where the database's owner cannot rewrite them (ADR 0015).

The chain and its checkpoints live in one database, so whoever can delete its tail can delete the
checkpoints that cover it too, and whoever also holds the signing key can rewrite an entry, recompute
every later hash and sign new checkpoints. What they cannot do is take back a checkpoint someone else
kept. Each signed checkpoint is therefore published as a statement (`statement()`):

* in an append-only JSON Lines file outside the database (`VZAEMO_AUDIT_WITNESS_LOG`), appended and
  fsync'd by the chronograph, never rewritten (`log_new_checkpoints()`);
* at `/audit/checkpoints.json` for anyone to save, and for open data to include;
* to configured witnesses: HTTP endpoints (a JSON POST) and mailboxes, through the task worker,
  retried with a growing delay, each checkpoint at most once per witness (`schedule_pushes()`,
  `deliver()`).

`manage.py audit_verify --witness FILE` reads statements back (`parse()`) and proves the current log
extends each one (`audit.verify(witnessed=...)`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import re
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.mail import EmailMessage
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from vzaemo.core import audit, clock
from vzaemo.core.models import AuditCheckpoint, AuditEntry, AuditWitnessPush

logger = logging.getLogger("vzaemo.audit.witness")

STATEMENT_KIND = "vzaemo-audit-checkpoint"
HEX64 = re.compile(r"[0-9a-f]{64}")
# A catch-up (a new witness log beside a long chain) is written in pieces of this many lines.
LOG_BATCH = 10_000
# The tail read to find the last logged checkpoint: a line is ≈300 bytes.
LOG_TAIL_BYTES = 64 * 1024
PUSH_BATCH = 100
FIRST_RETRY_SECONDS = 30
LAST_RETRY_SECONDS = 60 * 60


class WitnessInputError(ValueError):
    """A witness file or statement that cannot be read; the message names where and why."""


class WitnessUnreachable(Exception):
    """A witness did not take the checkpoint this time; the push is retried later."""


# --- statements ---------------------------------------------------------------------------------


def statement(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as published: everything a witness needs to check it offline with the public key."""
    return {
        "kind": STATEMENT_KIND,
        "size": checkpoint.size,
        "head_hash": checkpoint.head_hash,
        "created_at": audit.iso_timestamp(checkpoint.created_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "origin": settings.VZAEMO_SITE_URL,
    }


def statement_line(checkpoint: AuditCheckpoint) -> bytes:
    return json.dumps(statement(checkpoint), separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def _statement_from(item: object, where: str) -> audit.CheckpointStatement:
    if not isinstance(item, dict):
        raise WitnessInputError(f"{where}: expected a checkpoint object, found {type(item).__name__}")
    kind = item.get("kind", STATEMENT_KIND)
    if kind != STATEMENT_KIND:
        raise WitnessInputError(f"{where}: kind is {kind!r}, not {STATEMENT_KIND!r}")
    missing = [name for name in ("size", "head_hash", "created_at", "key_id", "signature") if name not in item]
    if missing:
        raise WitnessInputError(f"{where}: missing {', '.join(missing)}")
    size, head_hash, created_at = item["size"], item["head_hash"], item["created_at"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise WitnessInputError(f"{where}: size must be a whole number of entries ≥ 1, found {size!r}")
    if not isinstance(head_hash, str) or not HEX64.fullmatch(head_hash):
        raise WitnessInputError(f"{where}: head_hash must be 64 lower-case hex digits, found {head_hash!r}")
    try:
        moment = dt.datetime.fromisoformat(created_at) if isinstance(created_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise WitnessInputError(f"{where}: created_at must be an ISO 8601 time with its offset, found {created_at!r}")
    for name in ("key_id", "signature"):
        if not isinstance(item[name], str) or not item[name]:
            raise WitnessInputError(f"{where}: {name} must be a non-empty string")
    return audit.CheckpointStatement(
        size=size,
        head_hash=head_hash,
        created_at=moment,
        key_id=item["key_id"],
        signature=item["signature"],
        source=where,
    )


def parse(text: str, *, source: str) -> list[audit.CheckpointStatement]:
    """Statements from what a witness kept: one statement, a JSON array of them, the `/audit/checkpoints.json`
    document, or the witness log (JSON Lines, every line a statement). Raises WitnessInputError."""
    if not text.strip():
        raise WitnessInputError(f"{source}: empty, no checkpoint to check against")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
        items: list[tuple[object, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((json.loads(line), f"{source} line {number}"))
            except ValueError as error:
                raise WitnessInputError(f"{source} line {number}: not JSON ({error})") from None
    if document is not None:
        if isinstance(document, dict) and "checkpoints" in document:
            document = document["checkpoints"]
        if isinstance(document, list):
            items = [(item, f"{source} item {index}") for index, item in enumerate(document, start=1)]
        else:
            items = [(document, source)]
    if not items:
        raise WitnessInputError(f"{source}: no checkpoint in it")
    return [_statement_from(item, where) for item, where in items]


# --- the append-only file -----------------------------------------------------------------------


def log_path() -> Path | None:
    configured = getattr(settings, "VZAEMO_AUDIT_WITNESS_LOG", "")
    return Path(configured) if configured else None


def _last_logged(handle: Any) -> dict[str, Any] | None:
    """The last statement in the log (None when it is empty), read from its tail only."""
    end = handle.seek(0, os.SEEK_END)
    if end == 0:
        return None
    handle.seek(max(0, end - LOG_TAIL_BYTES))
    for line in reversed(handle.read().splitlines()):
        try:
            item = json.loads(line)
        except ValueError:
            continue  # a fragment left by a crash mid-write; verification reports it by its line number
        if isinstance(item, dict) and isinstance(item.get("size"), int):
            return item
    raise RuntimeError("the audit witness log's tail holds no checkpoint; move the file aside and start a new one")


_alarms: set[str] = set()


def _alarm(message: str) -> None:
    """Log an inconsistency once per process: the chronograph would repeat it every few seconds."""
    if message not in _alarms:
        _alarms.add(message)
        logger.error(message)


def _compare_with_database(last: dict[str, Any]) -> None:
    """The cheap live half of verification: does the log still hold the last checkpoint the file witnessed?"""
    size, head_hash = last["size"], last.get("head_hash")
    stored = AuditEntry.objects.filter(position=size).values_list("entry_hash", flat=True).first()
    if stored is None:
        _alarm(f"audit log TRUNCATED or reset: the witness log saw {size} entries, entry {size} is gone")
    elif stored != head_hash:
        _alarm(f"audit log REWRITTEN: entry {size} no longer has the hash the witness log saw ({head_hash})")


def log_new_checkpoints() -> int:
    """Append every checkpoint newer than the file's last line to the witness log; returns how many.

    O_APPEND and fsync: lines are only ever added. An exclusive flock keeps two processes (the chronograph
    and a hand-run `audit_seal`) from writing the same checkpoint twice or out of order.
    """
    path = log_path()
    if path is None:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "r+b", buffering=0) as handle:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_logged(handle)
        if last is not None:
            _compare_with_database(last)
        last_size = last["size"] if last is not None else 0
        new = list(AuditCheckpoint.objects.filter(size__gt=last_size).order_by("size")[:LOG_BATCH])
        if not new:
            return 0
        data = b"".join(statement_line(checkpoint) for checkpoint in new)
        if handle.seek(0, os.SEEK_END) > 0:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                data = b"\n" + data  # end a crash's fragment so it stays one bad line, not two
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        os.fsync(fd)
    if created:
        # The new name must survive a crash too, not only the bytes.
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return len(new)


# --- pushing to witnesses -----------------------------------------------------------------------


def targets() -> list[tuple[str, float]]:
    """Each configured witness with the least time between two checkpoints it is sent."""
    http = [(url, settings.VZAEMO_AUDIT_WITNESS_HTTP_INTERVAL_SECONDS) for url in settings.VZAEMO_AUDIT_WITNESS_URLS]
    email = [
        (f"mailto:{address}", settings.VZAEMO_AUDIT_WITNESS_EMAIL_INTERVAL_SECONDS)
        for address in settings.VZAEMO_AUDIT_WITNESS_EMAILS
    ]
    return http + email


@checks.register()
def check_witnesses(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A witness URL must be plain HTTP(S): urllib would also open file:// and ftp:// ones."""
    return [
        checks.Error(
            f"VZAEMO_AUDIT_WITNESS_URLS holds {url!r}, which is not an http:// or https:// URL.",
            hint="List the witnesses' endpoints, comma-separated, e.g. https://witness.example/checkpoints.",
            id="vzaemo.E020",
        )
        for url in settings.VZAEMO_AUDIT_WITNESS_URLS
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"} or not urllib.parse.urlsplit(url).netloc
    ]


def schedule_pushes(witnesses: Iterable[tuple[str, float]] | None = None) -> int:
    """Schedule the newest checkpoint for every witness whose interval passed; returns how many were scheduled.

    Safe to repeat: a witness gets a checkpoint once (UNIQUE(witness, size)) and never an older one than it has.
    """
    witnesses = targets() if witnesses is None else list(witnesses)
    if not witnesses:
        return 0
    latest = AuditCheckpoint.objects.order_by("-size").only("size").first()
    if latest is None:
        return 0
    now = clock.now()
    scheduled = 0
    for witness, interval in witnesses:
        last = AuditWitnessPush.objects.filter(witness=witness).order_by("-size").first()
        if last is not None and (last.size >= latest.size or (now - last.created_at).total_seconds() < interval):
            continue
        _push, made = AuditWitnessPush.objects.get_or_create(
            witness=witness, size=latest.size, defaults={"created_at": now, "next_attempt_at": now}
        )
        scheduled += made
    return scheduled


def _lease() -> dt.timedelta:
    """How long a push handed to the worker is left alone before it counts as lost and is handed over again."""
    return dt.timedelta(seconds=max(60.0, 3 * settings.VZAEMO_AUDIT_WITNESS_TIMEOUT_SECONDS))


def enqueue_due() -> int:
    """Hand every push that is due (new, or waiting for its retry) to the task worker; returns how many."""
    now = clock.now()
    due = list(
        AuditWitnessPush.objects.filter(
            delivered_at__isnull=True,
            attempts__lt=settings.VZAEMO_AUDIT_WITNESS_MAX_ATTEMPTS,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("id", "next_attempt_at")[:PUSH_BATCH]
    )
    handed = 0
    for pk, due_at in due:
        # Moving the due time on claims the push: the next run does not hand it over again while it waits.
        if AuditWitnessPush.objects.filter(pk=pk, next_attempt_at=due_at).update(next_attempt_at=now + _lease()):
            deliver_witness_push.enqueue(pk)
            handed += 1
    return handed


def publish() -> int:
    """The chronograph job: the file first (it needs no network), then the witnesses' pushes."""
    logged = log_new_checkpoints()
    if targets():
        schedule_pushes()
        enqueue_due()
    return logged


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1), LAST_RETRY_SECONDS))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would arrive as a GET without the checkpoint; a witness must answer where it was asked.
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, *, key: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked (check_witnesses)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": key, "User-Agent": "vzaemo-audit-witness"},
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.VZAEMO_AUDIT_WITNESS_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise WitnessUnreachable(f"HTTP {error.code} from {url}") from None
    except (urllib.error.URLError, OSError) as error:
        raise WitnessUnreachable(f"{url}: {error}") from None
    if not 200 <= status < 300:  # noqa: PLR2004 - the success range of HTTP
        raise WitnessUnreachable(f"HTTP {status} from {url}")


def _email(address: str, checkpoint: AuditCheckpoint, body: bytes) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Audit checkpoint %(size)s of %(origin)s") % {
            "size": checkpoint.size,
            "origin": settings.VZAEMO_SITE_URL,
        }
        text = _(
            "The platform signed the head of its audit log. Keep the attached statement: with it anyone can later "
            "prove that the log still holds these entries unchanged (manage.py audit_verify --witness FILE), "
            "even if the platform's own checkpoints were deleted.\n\n%(statement)s\n"
        ) % {"statement": body.decode()}
    message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach(f"vzaemo-audit-checkpoint-{checkpoint.size}.json", body, "application/json")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        raise WitnessUnreachable(f"mail to {address}: {error}") from None


def _send(witness: str, checkpoint: AuditCheckpoint) -> None:
    body = json.dumps(statement(checkpoint), separators=(",", ":"), ensure_ascii=False).encode()
    if witness.startswith("mailto:"):
        _email(witness.removeprefix("mailto:"), checkpoint, body)
    else:
        _post(witness, body, key=f"{STATEMENT_KIND}-{checkpoint.size}-{checkpoint.key_id}")


def deliver(*, push_id: int) -> str:
    """Send one push (the task worker's job); returns what happened: delivered, failed, skipped or gone.

    The attempt is claimed by moving `attempts` on from the value read and setting `sending_until`, so a
    second worker given the same push (a duplicate task) skips it instead of sending the checkpoint twice,
    unless the first one died: its claim then runs out after the lease.
    """
    push = AuditWitnessPush.objects.filter(pk=push_id).first()
    if push is None or push.delivered_at is not None or push.attempts >= settings.VZAEMO_AUDIT_WITNESS_MAX_ATTEMPTS:
        return "skipped"
    now = clock.now()
    claimed = (
        AuditWitnessPush.objects.filter(pk=push.pk, attempts=push.attempts, delivered_at__isnull=True)
        .filter(models.Q(sending_until__isnull=True) | models.Q(sending_until__lte=now))
        .update(attempts=push.attempts + 1, next_attempt_at=now + _lease(), sending_until=now + _lease())
    )
    if not claimed:
        return "skipped"
    attempts = push.attempts + 1
    checkpoint = AuditCheckpoint.objects.filter(size=push.size).first()
    if checkpoint is None:
        # Checkpoints are never deleted by the platform: this is exactly what witnesses are for.
        _alarm(f"audit checkpoint {push.size} disappeared before it reached {push.witness}")
        AuditWitnessPush.objects.filter(pk=push.pk).update(
            next_attempt_at=None, sending_until=None, last_error=f"checkpoint {push.size} no longer exists"
        )
        return "gone"
    try:
        _send(push.witness, checkpoint)
    except WitnessUnreachable as error:
        if attempts >= settings.VZAEMO_AUDIT_WITNESS_MAX_ATTEMPTS:
            logger.error("audit witness push given up after %s attempts: %s", attempts, error)
        else:
            logger.warning("audit witness push failed (attempt %s): %s", attempts, error)
        AuditWitnessPush.objects.filter(pk=push.pk).update(
            next_attempt_at=clock.now() + retry_delay(attempts), sending_until=None, last_error=str(error)[:2000]
        )
        return "failed"
    AuditWitnessPush.objects.filter(pk=push.pk).update(
        delivered_at=clock.now(), next_attempt_at=None, sending_until=None, last_error=""
    )
    return "delivered"


@task()
def deliver_witness_push(push_id: int) -> str:
    return deliver(push_id=push_id)

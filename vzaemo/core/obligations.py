"""Open, move and close public bodies' duties to act by a deadline (see models.Obligation).

Callers are services, inside their own transaction, next to their audit record. One obligation
per (kind, subject): opening twice is a no-op, so idempotent jobs stay idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from vzaemo.core import clock
from vzaemo.core.models import Obligation, ObligationOutcome


def _ref(subject: models.Model) -> tuple[str, str]:
    return subject._meta.label_lower, str(subject.pk)


def open_obligation(
    *,
    authority_id: int,
    kind: str,
    subject: models.Model,
    due_at: dt.datetime,
    rule: Any,
    opened_at: dt.datetime | None = None,
) -> Obligation:
    subject_type, subject_id = _ref(subject)
    obligation, _created = Obligation.objects.get_or_create(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        defaults={
            "authority_id": authority_id,
            "opened_at": opened_at or clock.now(),
            "due_at": due_at,
            "original_due_at": due_at,
            "rule": rule,
        },
    )
    return obligation


def move_deadline(*, kind: str, subject: models.Model, due_at: dt.datetime, rule: Any | None = None) -> int:
    """A lawful change of the term (an extension, or an earlier start that brings it forward)."""
    subject_type, subject_id = _ref(subject)
    fields: dict[str, Any] = {"due_at": due_at}
    if rule is not None:
        fields["rule"] = rule
    return Obligation.objects.filter(
        kind=kind, subject_type=subject_type, subject_id=subject_id, outcome=ObligationOutcome.OPEN
    ).update(**fields)


def close_obligation(
    *,
    kind: str,
    subject: models.Model,
    outcome: ObligationOutcome = ObligationOutcome.FULFILLED,
    at: dt.datetime | None = None,
) -> int:
    subject_type, subject_id = _ref(subject)
    return Obligation.objects.filter(
        kind=kind, subject_type=subject_type, subject_id=subject_id, outcome=ObligationOutcome.OPEN
    ).update(outcome=outcome, closed_at=at or clock.now())

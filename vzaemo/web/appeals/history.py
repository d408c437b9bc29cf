"""An appeal's history in the reader's language: events store codes and values (`AppealEvent.params`), and the
words are chosen here, when the page is shown (ADR 0022). An event stored before it had parameters keeps its
old note, shown as it was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vzaemo.accounts.models import Authority
from vzaemo.appeals.models import AppealEvent
from vzaemo.appeals.states import AnswerTerm, EventKind, RefusalReason
from vzaemo.core.rules import amount


@dataclass(frozen=True)
class HistoryRow:
    event: AppealEvent
    details: str


def _authority(authorities: dict[int, Authority], pk: object) -> str:
    authority = authorities.get(pk) if isinstance(pk, int) else None
    return authority.name if authority else ""


def _date(value: object) -> str:
    moment = parse_datetime(str(value)) or parse_date(str(value))
    if isinstance(moment, dt.datetime):
        moment = moment.date()
    return date_format(moment, "j E Y") if moment else str(value)


def _details(event: AppealEvent, authorities: dict[int, Authority]) -> str:
    params = event.params or {}
    if not params:
        return event.note  # written before events had parameters
    said = ""
    if event.kind == EventKind.REGISTERED and params.get("term") in AnswerTerm.values:
        said = _("%(length)s: %(when)s") % {"length": amount(params), "when": AnswerTerm(params["term"]).label}
    elif event.kind in (EventKind.FORWARDED, EventKind.RECEIVED, EventKind.COMPLAINED):
        said = _authority(authorities, params.get("authority_id"))
    elif event.kind == EventKind.EXTENDED and params.get("until"):
        said = _("until %(date)s") % {"date": _date(params["until"])}
    elif event.kind == EventKind.REFUSED and params.get("reason") in RefusalReason.values:
        said = str(RefusalReason(params["reason"]).label)
    return ": ".join(part for part in (said, event.note) if part)


def rows(events: Iterable[AppealEvent]) -> list[HistoryRow]:
    events = list(events)
    ids = {pk for e in events if isinstance(e.params, dict) and isinstance(pk := e.params.get("authority_id"), int)}
    authorities = {a.pk: a for a in Authority.objects.filter(pk__in=ids)}
    return [HistoryRow(event=e, details=_details(e, authorities)) for e in events]

"""Shared fixtures of the responsiveness tests: a fresh cache, English pages, obligations built by core."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from vzaemo.accounts.models import Authority
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.core import calendar, obligations
from vzaemo.core.clock import KYIV
from vzaemo.core.models import Obligation, ObligationOutcome

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_state(settings: Any) -> Iterator[None]:
    """The index is cached for a minute and the calendar per process: neither may leak between tests."""
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    calendar.reset_cache()
    yield
    cache.clear()
    calendar.reset_cache()


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=KYIV)


def make_authority(slug: str, name: str = "") -> Authority:
    n = next(_serial)
    return AuthorityFactory(
        slug=slug,
        name_uk=name or f"Рада {slug}",
        name_en=name or f"Council {slug}",
        edrpou=f"{90000000 + n:08d}",
        email="",
        accepts_petitions=False,
    )


Duty = Callable[..., Obligation]


@pytest.fixture
def duty(db: None) -> Duty:
    """Open (and optionally close) one obligation through core.obligations on a travelled clock."""

    def make(
        authority: Authority,
        kind: str,
        *,
        opened: dt.datetime,
        due: dt.datetime,
        closed: dt.datetime | None = None,
        outcome: ObligationOutcome = ObligationOutcome.FULFILLED,
    ) -> Obligation:
        subject = UserFactory(email=f"subject{next(_serial)}@example.test", full_name="Subject", email_verified=False)
        with time_machine.travel(opened, tick=False):
            obligations.open_obligation(authority_id=authority.pk, kind=kind, subject=subject, due_at=due, rule={})
        if closed is not None:
            with time_machine.travel(closed, tick=False):
                obligations.close_obligation(kind=kind, subject=subject, outcome=outcome)
        return Obligation.objects.get(kind=kind, subject_id=str(subject.pk), subject_type="accounts.user")

    return make

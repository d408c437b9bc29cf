"""The demo appeals are made by the real services and can be seeded twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from vzaemo.accounts.demo import seed_people
from vzaemo.appeals.demo import seed_appeals
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.services import ANSWER
from vzaemo.appeals.states import AppealCategory, AppealKind, AppealStatus, RefusalReason
from vzaemo.core.clock import KYIV
from vzaemo.core.models import Obligation, ObligationOutcome

pytestmark = pytest.mark.django_db
S = AppealStatus
NOW = dt.datetime(2026, 3, 2, 10, tzinfo=KYIV)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_seed_walks_appeals_through_every_life_and_is_idempotent() -> None:
    with time_machine.travel(NOW, tick=False):
        people = seed_people(extra_citizens=0)
        count = seed_appeals(people)
        assert count == Appeal.objects.count() >= 8
        assert seed_appeals(people) == 0
        appeals = list(Appeal.objects.select_related("authority"))
        safety = [a for a in appeals if a.category == AppealCategory.COMMUNITY_SAFETY and a.forwarded_from_id]
        assert len(safety) == 1
        assert safety[0].authority.slug == "kyiv-city-council"
        assert safety[0].status == S.ANSWERED
        assert any(a.authority.slug == "kyiv-police" and a.status == S.FORWARDED for a in appeals)
        assert any(a.answered_late for a in appeals)
        assert any(a.status == S.ANSWERED and not a.answered_late for a in appeals)
        assert any(a.is_overdue for a in appeals)
        assert any(a.status == S.EXTENDED for a in appeals)
        assert any(a.refusal_reason == RefusalReason.REPEAT_DECIDED for a in appeals)
        complaint = next(a for a in appeals if a.kind == AppealKind.COMPLAINT and a.complaint_about_id)
        assert complaint.authority.slug == "npu"
        assert complaint.complaint_about.authority.slug == "kyiv-police"  # type: ignore[union-attr]
        transferred = Obligation.objects.filter(kind=ANSWER, outcome=ObligationOutcome.TRANSFERRED)
        assert transferred.count() == 1

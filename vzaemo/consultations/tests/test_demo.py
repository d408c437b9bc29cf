"""The demo data is made by the real services and can be seeded twice."""

from __future__ import annotations

import pytest

from vzaemo.accounts.demo import seed_people
from vzaemo.consultations.demo import seed_consultations
from vzaemo.consultations.models import Consultation, Proposal
from vzaemo.consultations.states import ConsultationStatus

pytestmark = pytest.mark.django_db
S = ConsultationStatus


def test_seed_makes_one_consultation_in_each_public_state_and_is_idempotent() -> None:
    people = seed_people(extra_citizens=0)
    assert seed_consultations(people) == 3
    assert seed_consultations(people) == 0
    by_authority = {(c.authority.slug, c.status) for c in Consultation.objects.select_related("authority")}
    assert by_authority == {
        ("minjust", S.OPEN),
        ("minjust", S.REPORT_PUBLISHED),
        ("kyiv-city-council", S.CLOSED),
    }
    assert Proposal.objects.exclude(cso=None).count() >= 6
    assert not Proposal.objects.filter(consultation__status=S.REPORT_PUBLISHED, decision="").exists()

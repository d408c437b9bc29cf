"""Racing takeovers on PostgreSQL: the owner token row is locked first, so one transfer key moves its object
once however many brokers present it at the same moment (docs/design.md rule 6)."""

from __future__ import annotations

import functools

import pytest

from vzaemo.auctions.models import Broker, Lot
from vzaemo.auctions.tests import factories as f
from vzaemo.auctions.tests.test_concurrency import race, seeded_rules  # noqa: F401 - the fixture
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import OwnerToken, SpentTransfer
from vzaemo.broker_api.services import owner_token_issue, ownership_change
from vzaemo.core.models import AuditEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_a_transfer_key_moves_its_object_once_under_a_race() -> None:
    w = f.world()
    lot = f.lot(w)
    _token, transfer = owner_token_issue(kind=OwnerToken.Kind.LOT, object_id=lot.pk, broker=w.owner)
    takers = [f.broker() for _ in range(4)]

    def take(broker: Broker) -> ApiError | None:
        try:
            ownership_change(kind=OwnerToken.Kind.LOT, object_id=lot.pk, broker=broker, transfer=transfer)
        except ApiError as refusal:
            return refusal
        return None

    workers = race([functools.partial(take, broker) for broker in takers])
    won = [i for i, worker in enumerate(workers) if worker.result is None]
    assert len(won) == 1, [repr(worker.result) for worker in workers]
    assert all(w.result.status == 403 for i, w in enumerate(workers) if i not in won)
    winner = takers[won[0]]
    assert Lot.objects.get(pk=lot.pk).owner == winner
    assert OwnerToken.objects.get(kind=OwnerToken.Kind.LOT, object_id=lot.pk).broker == winner
    assert SpentTransfer.objects.count() == 1
    assert AuditEntry.objects.filter(tag="auction-lot:transfer").count() == 1

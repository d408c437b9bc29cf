"""One-time request keys: issued keys verify within their lifetime and nothing else does; a claimed key hands
a repeat the first result; a refused request gives its key back; old keys are purged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from vzaemo.accounts.models import Authority
from vzaemo.accounts.tests.factories import AuthorityFactory, UserFactory
from vzaemo.core import chronograph, idempotency
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import Conflict, ValidationFailed
from vzaemo.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=KYIV)
SCOPE = "authority:create"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def create_once(key: str | None, actor: Any, name: str = "Рада") -> Authority:
    """A stand-in for a service: claim, then the effect, then settle, in one transaction."""
    with transaction.atomic():
        claim = idempotency.claim(scope=SCOPE, key=key, actor=actor, model=Authority)
        if claim.first is not None:
            return claim.first
        return claim.settle(AuthorityFactory(name_uk=name))


def test_an_issued_key_verifies_until_its_lifetime_ends(frozen: time_machine.Traveller, settings: Any) -> None:
    settings.VZAEMO_IDEMPOTENCY_KEY_SECONDS = 3600
    key = idempotency.issue()
    assert idempotency.well_formed(key)
    assert key != idempotency.issue()
    frozen.shift(dt.timedelta(seconds=3600))
    assert idempotency.verify(f" {key} ") == key
    frozen.shift(dt.timedelta(seconds=1))
    with pytest.raises(ValidationFailed) as expired:
        idempotency.verify(key)
    assert expired.value.code == idempotency.IdempotencyError.KEY_EXPIRED
    assert "too long ago" in str(expired.value.message)


@pytest.mark.parametrize(
    "key",
    ["", None, "   ", "abc", "no spaces allowed", "x" * 200, "0123abcd.1:forged-signature", "ключ"],
)
def test_a_missing_malformed_or_forged_key_is_refused(key: str | None) -> None:
    with pytest.raises(ValidationFailed) as refused:
        idempotency.verify(key)
    assert refused.value.code == idempotency.IdempotencyError.KEY_INVALID
    assert refused.value.field == "idempotency_key"
    assert "send it again" in str(refused.value.message)


def test_a_key_with_a_tampered_stamp_is_refused() -> None:
    token, _, signature = idempotency.issue().partition(":")
    random, _, stamp = token.partition(".")
    with pytest.raises(ValidationFailed):
        idempotency.verify(f"{random}.{stamp}0:{signature}")


def test_well_formed_is_the_client_key_grammar() -> None:
    assert idempotency.well_formed("bid-1:retry_2.a")
    assert not idempotency.well_formed("a b")
    assert not idempotency.well_formed("")
    assert not idempotency.well_formed("x" * 65, max_length=64)
    assert idempotency.well_formed("x" * 64, max_length=64)


def test_a_repeat_gets_the_first_result_and_the_effect_happens_once() -> None:
    user, key = UserFactory(), idempotency.issue()
    first = create_once(key, user)
    again = [create_once(key, user, name=f"Інша {n}") for n in range(5)]
    assert {a.pk for a in again} == {first.pk}
    assert Authority.objects.filter(name_uk__startswith="Інша").count() == 0
    row = IdempotencyKey.objects.get()
    assert (row.scope, row.key, row.actor) == (SCOPE, key, f"accounts.user:{user.pk}")
    assert (row.result_type, row.result_id) == ("accounts.authority", str(first.pk))


def test_no_key_means_no_deduplication() -> None:
    user = UserFactory()
    assert create_once(None, user).pk != create_once("", user).pk
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_in_another_scope_is_another_request() -> None:
    user, key = UserFactory(), idempotency.issue()
    first = create_once(key, user)
    with transaction.atomic():
        other = idempotency.claim(scope="other:create", key=key, actor=user, model=Authority)
    assert other.first is None
    assert first.pk is not None
    assert IdempotencyKey.objects.count() == 2


def test_another_persons_key_is_refused_and_shows_nothing() -> None:
    owner, key = UserFactory(), idempotency.issue()
    create_once(key, owner)
    with pytest.raises(ValidationFailed) as refused:
        create_once(key, UserFactory())
    assert refused.value.code == idempotency.IdempotencyError.KEY_INVALID
    assert Authority.objects.count() == 1


def test_a_refused_request_gives_its_key_back() -> None:
    user, key = UserFactory(), idempotency.issue()

    def refuse() -> None:
        with transaction.atomic():
            idempotency.claim(scope=SCOPE, key=key, actor=user, model=Authority)
            raise ValidationFailed("refused", code="refused")

    with pytest.raises(ValidationFailed):
        refuse()
    assert not IdempotencyKey.objects.exists()
    assert create_once(key, user).pk


def test_a_key_used_without_a_result_is_a_conflict_not_a_second_effect() -> None:
    user, key = UserFactory(), idempotency.issue()
    with transaction.atomic():
        idempotency.claim(scope=SCOPE, key=key, actor=user, model=Authority)  # never settled
    with pytest.raises(Conflict) as conflict:
        create_once(key, user)
    assert conflict.value.code == idempotency.IdempotencyError.KEY_REUSED
    assert not Authority.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_claim_outside_a_transaction_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        idempotency.claim(scope=SCOPE, key=idempotency.issue(), actor=UserFactory(), model=Authority)


def test_the_chronograph_purges_keys_past_their_lifetime(frozen: time_machine.Traveller, settings: Any) -> None:
    settings.VZAEMO_IDEMPOTENCY_KEY_SECONDS = 3600
    user = UserFactory()
    create_once(idempotency.issue(), user)
    frozen.shift(dt.timedelta(minutes=30))
    create_once(idempotency.issue(), user)
    frozen.shift(dt.timedelta(minutes=31))
    purge: Callable[[], object] = next(job.func for job in chronograph.jobs() if job.name == "idempotency_purge")
    assert purge() == 1
    assert IdempotencyKey.objects.count() == 1

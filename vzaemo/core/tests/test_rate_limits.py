"""The limiter on the shared cache: fixed windows per account, client address and subnet, counted atomically;
the count lives in the cache, not in the process (two cache clients see one count), on the database cache
and on Redis alike."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache

from vzaemo.core import rate_limits
from vzaemo.core.cache import DatabaseCache
from vzaemo.core.errors import TooManyRequests
from vzaemo.core.rate_limits import Rate, parse_rates

pytestmark = pytest.mark.django_db

NAME = "test.action"
REDIS_URL = os.environ.get("REDIS_URL", "")
START = 1_899_999_980.0
NEXT_MINUTE = 1_900_000_020.0


@pytest.fixture
def limit(settings: Any) -> Iterator[dict[str, str]]:
    settings.VZAEMO_RATE_LIMITS = {NAME: ""}
    # 20 s into a minute, so no window ends during a test.
    with time_machine.travel(START, tick=False):
        yield settings.VZAEMO_RATE_LIMITS


def consume(account: object | None = 1, address: str = "203.0.113.7", cache: BaseCache | None = None) -> None:
    rate_limits.consume(NAME, account=account, client_ip=address, cache=cache)


def refusal(**kwargs: Any) -> TooManyRequests:
    with pytest.raises(TooManyRequests) as caught:
        consume(**kwargs)
    return caught.value


def test_rates_parse_like_allauths_narrowest_scope_first() -> None:
    assert parse_rates("600/h/subnet, 30/m/ip,5/10m/account") == [
        Rate(5, 600, "account"),
        Rate(30, 60, "ip"),
        Rate(600, 3600, "subnet"),
    ]
    assert parse_rates("") == []
    for bad in ("5/m", "5/w/account", "5/m/user", "x/m/ip", "-1/m/ip"):
        with pytest.raises(ValueError, match="not a rate"):
            parse_rates(bad)


def test_a_setting_that_does_not_parse_fails_the_system_checks(settings: Any) -> None:
    assert rate_limits.check_settings() == []
    settings.VZAEMO_RATE_LIMITS = {NAME: "5/w/account"}
    settings.TRUSTED_PROXIES = ["nginx"]
    assert [problem.id for problem in rate_limits.check_settings()] == ["vzaemo.E010", "vzaemo.E011"]


def test_an_unknown_name_is_a_programming_error(limit: dict[str, str]) -> None:
    with pytest.raises(KeyError):
        rate_limits.consume("no.such.action", account=1, client_ip="203.0.113.7")


def test_the_attempt_over_the_limit_is_refused_until_the_window_ends(limit: dict[str, str]) -> None:
    limit[NAME] = "3/m/account"
    for _ in range(3):
        consume()
    error = refusal()
    assert (error.code, error.retry_after) == ("rate_limited", 40)
    assert "40" in str(error.message)
    with time_machine.travel(NEXT_MINUTE - 1, tick=False):
        refusal()
    with time_machine.travel(NEXT_MINUTE, tick=False):
        consume()


def test_another_account_and_an_anonymous_attempt_are_not_affected(limit: dict[str, str]) -> None:
    limit[NAME] = "1/m/account"
    consume(account=1)
    refusal(account=1)
    consume(account=2)
    consume(account=None)
    consume(account=None)


def test_the_address_limit_and_ipv6_hosts_by_their_slash_64(limit: dict[str, str]) -> None:
    limit[NAME] = "2/m/ip"
    consume(account=1, address="2001:db8:1:2::1")
    consume(account=2, address="2001:db8:1:2::ffff")
    refusal(account=3, address="2001:db8:1:2:abcd::9")
    consume(account=4, address="2001:db8:1:3::1")
    consume(account=5, address="203.0.113.7")


@pytest.mark.parametrize(
    ("inside", "outside"),
    [
        (["203.0.113.1", "203.0.113.2", "203.0.113.250"], "203.0.114.1"),
        (["2001:db8:1:1::1", "2001:db8:1:2::1", "2001:db8:1:ffff::9"], "2001:db8:2::1"),
    ],
)
def test_the_subnet_limit_counts_a_slash_24_or_a_slash_48(
    limit: dict[str, str], inside: list[str], outside: str
) -> None:
    limit[NAME] = "2/m/subnet"
    consume(account=1, address=inside[0])
    consume(account=2, address=inside[1])
    refusal(account=3, address=inside[2])
    consume(account=4, address=outside)


def test_a_refusal_by_the_account_limit_does_not_use_up_the_address_limit(limit: dict[str, str]) -> None:
    limit[NAME] = "1/m/account,2/m/ip"
    consume(account=1)
    for _ in range(5):
        refusal(account=1)
    consume(account=2)  # the address's second attempt: the five refused ones were not counted against it
    refusal(account=3)


def test_an_empty_rate_switches_the_limit_off(limit: dict[str, str]) -> None:
    for _ in range(50):
        consume()


def two_database_cache_clients() -> tuple[BaseCache, BaseCache]:
    params = {"OPTIONS": {"MAX_ENTRIES": 100_000}}
    return DatabaseCache("vzaemo_cache", params), DatabaseCache("vzaemo_cache", params)


def test_the_count_is_shared_by_two_cache_clients_not_kept_per_process(limit: dict[str, str]) -> None:
    limit[NAME] = "4/m/account,6/m/subnet"
    first, second = two_database_cache_clients()
    assert first is not second
    for cache in (first, second, first, second):
        consume(cache=cache)
    refusal(cache=first)
    refusal(cache=second)
    consume(account=2, cache=second)
    consume(account=3, cache=first)
    refusal(account=4, cache=second)


def test_the_database_caches_incr_is_its_own_and_counts_from_the_stored_value() -> None:
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        pytest.skip("the default cache is not the database cache")
    first, second = two_database_cache_clients()
    first.add("n", 5)
    assert (second.incr("n"), first.incr("n", 3), second.get("n")) == (6, 9, 9)
    with pytest.raises(ValueError, match="not found"):
        first.incr("missing")


def test_an_expired_counter_is_not_incremented() -> None:
    first, _ = two_database_cache_clients()
    with time_machine.travel(1_900_000_000.0, tick=False):
        first.add("n", 1, timeout=10)
    with time_machine.travel(1_900_000_011.0, tick=False), pytest.raises(ValueError, match="not found"):
        first.incr("n")


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a Redis server; .ci/run starts one)")
def test_on_redis_two_clients_share_one_count(limit: dict[str, str]) -> None:
    limit[NAME] = "3/m/account"
    params = {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = RedisCache(REDIS_URL, params), RedisCache(REDIS_URL, params)
    consume(cache=first)
    consume(cache=second)
    consume(cache=first)
    assert refusal(cache=second).retry_after == 40
    consume(account=2, cache=first)

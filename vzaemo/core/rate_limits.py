"""Rate limits on the shared cache (docs/design.md rule 12; ADR 0013).

`VZAEMO_RATE_LIMITS` names each limited action and its rates in allauth's syntax, `amount/period/scope`
joined by commas: `"petition.sign": "30/m/account,120/m/ip,600/m/subnet"`. A period is `s`, `m`, `h` or `d`,
optionally with a count (`10m`). Scopes:

* `account`: the signed-in person (skipped for an anonymous request);
* `ip`: the client address (`core.client_ip`), an IPv6 client by its /64, which one machine usually holds;
* `subnet`: the client's /24 (IPv4) or /48 (IPv6), so that rotating addresses in one network gains nothing.

Each rate is a fixed window of wall-clock time counted with the cache's atomic `incr` (an `add` starts the
window): no read-then-write, so the limit holds across processes and machines when the cache is shared
(Redis, or the database cache of `core.cache`). The rates are checked from the narrowest scope out and the
first one exceeded refuses the attempt without counting it against the wider ones, so one person hammering
uses up their own allowance, not the one their neighbours behind the same address share.
An empty rate string switches the action's limits off.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import BaseCache, caches
from django.utils.translation import gettext as _

from vzaemo.core import clock
from vzaemo.core.client_ip import Address, parse_address, trusted_proxies
from vzaemo.core.errors import TooManyRequests

SCOPES = ("account", "ip", "subnet")
RATE_PIECES = 3  # amount/period/scope
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
IPV6_HOST_PREFIX = 64
IPV4_SUBNET_PREFIX = 24
IPV6_SUBNET_PREFIX = 48
# A window's counter outlives the window by this much, so a slow request still finds the counter it started.
EXPIRY_MARGIN_SECONDS = 5
KEY_PREFIX = "rl"


@dataclasses.dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    scope: str

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{self.scope}"


def parse_rates(spec: str) -> list[Rate]:
    """`"30/m/account,600/10m/subnet"` as rates, narrowest scope first. A malformed rate raises ValueError."""
    rates = []
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        pieces = part.split("/")
        amount, period, scope = [*pieces, "", ""][:RATE_PIECES]
        unit, count = period[-1:], period[:-1] or "1"
        well_formed = len(pieces) == RATE_PIECES and amount.isdigit() and count.isdigit()
        if not (well_formed and unit in PERIOD_SECONDS and scope in SCOPES):
            raise ValueError(f"not a rate: {part!r} (amount/period/scope; period s, m, h, d; scope {SCOPES})")
        rates.append(Rate(int(amount), int(count) * PERIOD_SECONDS[unit], scope))
    return sorted(rates, key=lambda rate: SCOPES.index(rate.scope))


def rates_for(name: str) -> list[Rate]:
    configured: dict[str, str] = settings.VZAEMO_RATE_LIMITS
    if name not in configured:
        raise KeyError(f"no rate limit named {name!r} in VZAEMO_RATE_LIMITS")
    return parse_rates(configured[name])


@checks.register()
def check_settings(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A rate or a proxy that does not parse would fail the first request it applies to; fail at start instead."""
    problems: list[checks.CheckMessage] = []
    for name, spec in settings.VZAEMO_RATE_LIMITS.items():
        try:
            parse_rates(spec)
        except ValueError as error:
            problems.append(checks.Error(f"VZAEMO_RATE_LIMITS[{name!r}]: {error}", id="vzaemo.E010"))
    try:
        trusted_proxies()
    except ValueError as error:
        problems.append(checks.Error(f"TRUSTED_PROXIES: {error}", id="vzaemo.E011"))
    return problems


def _network(address: Address, scope: str) -> str:
    if scope == "subnet":
        prefix = IPV4_SUBNET_PREFIX if address.version == 4 else IPV6_SUBNET_PREFIX  # noqa: PLR2004 - IP version
    elif address.version == 6:  # noqa: PLR2004 - IP version
        prefix = IPV6_HOST_PREFIX
    else:
        return str(address)
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _count(cache: BaseCache, key: str, timeout: int) -> int:
    """This attempt's number in its window. `incr` is atomic; `add` starts the window exactly once."""
    try:
        return int(cache.incr(key))
    except ValueError:
        if cache.add(key, 1, timeout):
            return 1
        return int(cache.incr(key))


def hit(cache: BaseCache, key: str, *, amount: int, seconds: int) -> float | None:
    """Count one attempt in `key`'s current fixed window of `seconds`: None while within `amount`, else the
    seconds until the window ends."""
    now = clock.wall_seconds()
    window = int(now // seconds)
    count = _count(cache, f"{key}:{seconds}:{window}", seconds + EXPIRY_MARGIN_SECONDS)
    if count <= amount:
        return None
    return (window + 1) * seconds - now


def consume(name: str, *, account: object | None, client_ip: str, cache: BaseCache | None = None) -> None:
    """Count one attempt at the action `name` by `account` (a primary key; None when anonymous) from
    `client_ip`; raise `TooManyRequests` (with `retry_after`) when one of its rates is exceeded."""
    cache = cache if cache is not None else caches[settings.VZAEMO_RATE_LIMIT_CACHE]
    address = parse_address(client_ip)
    for rate in rates_for(name):
        if rate.scope == "account":
            if account is None:
                continue
            who = str(account)
        elif address is None:
            continue
        else:
            who = _network(address, rate.scope)
        wait = hit(cache, f"{KEY_PREFIX}:{name}:{rate.scope}:{who}", amount=rate.amount, seconds=rate.seconds)
        if wait is not None:
            raise TooManyRequests(
                _("Too many attempts in a short time. Please wait %(seconds)s s and try again.")
                % {"seconds": math.ceil(wait)},
                retry_after=max(1, math.ceil(wait)),
            )

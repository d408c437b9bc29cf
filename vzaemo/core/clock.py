"""The only reader of the time (docs/design.md rule 3).

In a sandbox deployment (`VZAEMO_SANDBOX`), `VZAEMO_TIME_ACCELERATION` makes platform time run
faster than wall time from a fixed epoch, so that demos and broker certification can walk through
terms of days in minutes. Production refuses acceleration.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KYIV = ZoneInfo("Europe/Kyiv")


def _wall_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def acceleration() -> float:
    factor = float(settings.VZAEMO_TIME_ACCELERATION)
    if factor != 1 and not settings.VZAEMO_SANDBOX:
        raise ImproperlyConfigured("VZAEMO_TIME_ACCELERATION is allowed only with VZAEMO_SANDBOX on.")
    if factor <= 0:
        raise ImproperlyConfigured("VZAEMO_TIME_ACCELERATION must be positive.")
    return factor


def now() -> dt.datetime:
    """Aware UTC now, accelerated in a sandbox."""
    wall = _wall_now()
    factor = acceleration()
    if factor == 1:
        return wall
    epoch = dt.datetime.fromisoformat(settings.VZAEMO_TIME_ACCELERATION_EPOCH)
    return epoch + (wall - epoch) * factor


def wall_seconds() -> float:
    """Seconds since the epoch on the wall clock, never accelerated: rate-limit windows measure the load on the
    servers, which a sandbox's faster platform time does not change."""
    return time.time()


def kyiv_now() -> dt.datetime:
    return now().astimezone(KYIV)


def today() -> dt.date:
    """Today's date in Kyiv: a legal day starts at Kyiv midnight, not UTC midnight."""
    return kyiv_now().date()

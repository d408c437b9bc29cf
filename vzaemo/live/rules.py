"""Registry keys of the live auction's timing (seeded by migration 0002 with their sources).

The English timing has two sourced profiles: ProZorro.Sale production (180-s turns and pauses, the
default) and the older `eauctions` branch (120/120); `settings.LIVE_ENGLISH_TIMING` picks one, so the
older one is one setting away (ADR 0010).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

ENGLISH_PROFILES = {
    "production": "live.english.",
    "legacy": "live.english_legacy.",
}
# engine.Timing field -> registry key (the English keys are prefixed by the profile).
ENGLISH_FIELDS = {
    "first_pause": "first_pause_seconds",
    "turn": "turn_seconds",
    "pause": "pause_seconds",
    "rounds": "rounds",
}
DUTCH_FIELDS = {
    "dutch_pause": "live.dutch.pause_seconds",
    "dutch_step": "live.dutch.step_seconds",
    "dutch_steps": "live.dutch.steps",
    "dutch_step_percent": "live.dutch.step_percent",
    "sealed_pause": "live.dutch.sealed_pause_seconds",
    "sealed": "live.dutch.sealed_seconds",
    "best_pause": "live.dutch.best_pause_seconds",
    "best": "live.dutch.best_seconds",
    "best_step_percent": "live.dutch.best_step_percent",
}
SPECIAL_BID = "live.special_bid"
PERCENT_FIELDS = frozenset({"dutch_step_percent", "best_step_percent"})


def timing_keys(profile: str) -> dict[str, str]:
    """engine.Timing field -> registry key for the chosen English profile."""
    prefix = ENGLISH_PROFILES[profile]
    return {**{field: prefix + key for field, key in ENGLISH_FIELDS.items()}, **DUTCH_FIELDS}


def timing_values(values: dict[str, Decimal], *, speedup: int) -> dict[str, Any]:
    """JSON-ready engine.Timing arguments: durations divided by `speedup` (at least 1 s), counts and
    percents as they are."""
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field in PERCENT_FIELDS:
            out[field] = format(value.normalize(), "f")
        elif field in {"rounds", "dutch_steps"}:
            out[field] = int(value)
        else:
            out[field] = max(1, int(value) // max(1, speedup))
    return out

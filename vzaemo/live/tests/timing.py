"""The timing the engine tests build their configurations with, written out.

The engine has no defaults: a session's timing comes from the rules registry when it opens. Tests that
need no database use `PRODUCTION`, the registry's production profile (ProZorro.Sale); test_services checks
that the registry still gives exactly this.
"""

from __future__ import annotations

from decimal import Decimal

from vzaemo.live.engine import Timing

PRODUCTION = Timing(
    first_pause=300,
    turn=180,
    pause=180,
    rounds=3,
    dutch_pause=30,
    dutch_step=300,
    dutch_steps=80,
    dutch_step_percent=Decimal(1),
    sealed_pause=20,
    sealed=600,
    best_pause=20,
    best=300,
    best_step_percent=Decimal(1),
)

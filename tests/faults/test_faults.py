"""The bounded fault run of CI: a few of each fault under signing and bidding load (the full run is
`uv run python -m tests.faults.run`; docs/operations.md, "Faults")."""

from __future__ import annotations

import pytest

from tests.faults.harness import Plan, run

pytestmark = [pytest.mark.serial, pytest.mark.postgres]

CI_PLAN = Plan(
    wsgi_kills=3,
    asgi_kills=1,
    worker_kills=1,
    pg_restarts=1,
    signers=3,
    sign_rate=30.0,
    auctions=2,
    users=4000,
    gap_seconds=1.0,
)


def test_no_acknowledged_signature_or_bid_is_lost_or_doubled_through_kills_and_database_restarts() -> None:
    lines: list[str] = []
    result = run(CI_PLAN, lines.append)
    report = "\n".join([*lines, result.report()])
    print(report)  # the figures, also when it passes (pytest -s, or -rP)
    assert result.failures == [], report
    assert len(result.faults) == 6
    figures = result.figures
    assert figures["signatures_acknowledged"] > 0
    assert figures["bids_acknowledged"] > 0
    assert figures["signatures_lost"] == figures["signatures_duplicated"] == 0
    assert figures["bids_lost"] == figures["bids_duplicated"] == 0

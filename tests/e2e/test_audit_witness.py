"""The running platform witnesses its own audit checkpoints (ADR 0015): the chronograph appends each signed
checkpoint to the witness log outside the database, and the log proves the chain later."""

from __future__ import annotations

import json
import urllib.request

from tests.e2e.harness import LivePlatform


def test_the_chronograph_appends_checkpoints_that_later_prove_the_chain(live_platform: LivePlatform) -> None:
    size = int(
        live_platform.shell(
            """
            from vzaemo.core import audit
            from vzaemo.core.models import AuditEntry
            for n in range(3):
                audit.record(actor=None, subject=("e2e.witness", n), tag="e2e:witness", before=None, after={"n": n})
            print(AuditEntry.objects.count())
            """
        ).strip()
    )

    lines = live_platform.witnessed_checkpoints(covering=size)

    assert [line["size"] for line in lines] == sorted({line["size"] for line in lines})  # appended in order, once
    with urllib.request.urlopen(live_platform.url("/audit/checkpoints.json")) as response:  # noqa: S310 - loopback
        published = json.load(response)["checkpoints"]
    assert lines[-1] in published
    verified = live_platform.manage("audit_verify", "--witness", str(live_platform.audit_witness_log)).stdout
    assert "the log extends every witnessed checkpoint" in verified

"""A randomized soak of 500 payments against the simulator with random timing (fixed seed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from devtools.payment_soak import run_soak


async def test_soak_500_payments_keep_every_promise() -> None:
    # the journal on a RAM disk where there is one: this checks order and agreement, not fsync speed
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        report = await run_soak(500, seed=9, data_dir=Path(tmp))
    assert report.seconds < 120, "generous bound on a shared machine; ~10-30 s when quiet"
    assert report.problems == [], report.problems[:5]
    assert report.payments == 500
    # a well-behaved engine leaves nothing for staff to guess about
    assert report.outcomes.get("unknown", 0) == 0, report.outcomes
    assert report.late_acks > 0 and report.outcomes.get("completed", 0) > 100, report

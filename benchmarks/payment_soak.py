"""Longer randomized soak of the payment core: ``python benchmarks/payment_soak.py [payments] [seed]``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # devtools/ is not in the wheel
from devtools.payment_soak import run_soak


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    report = asyncio.run(run_soak(n, seed))
    print(
        f"{report.payments} payments in {report.seconds:.1f} s, late acks {report.late_acks}, "
        f"outcomes {report.outcomes}"
    )
    for reason in report.unknown_reasons:
        print("UNKNOWN", reason)
    for problem in report.problems:
        print("PROBLEM", problem)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())

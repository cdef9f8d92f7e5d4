"""The exhaustive explorer, deeper than CI: ``python benchmarks/explore.py [depth] [seconds per run] [reading|all]``.

For each reading (default: a spread of them; ``all`` for the 24) and each alphabet (clean, faults, stale), it
prints the states explored, the depth reached, the time, and every counterexample kind with its shortest trace.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ is not in the wheel
from kiosk_ui.payments.readings import ALL_READINGS, Reading
from tests.explore.explorer import Bounds, explore

ALPHABETS = {
    "clean": (Bounds(sales=2, others=0, drops=0, stale=0, slow_engine=False), True, 24),
    "faults": (Bounds(sales=1, refills=1, journal_failures=1), False, 0),
    "stale": (Bounds(sales=2, others=0, drops=0, stale=1), False, 8),
}
SPREAD = (Reading(), Reading(credit="left"), Reading(change="running"), Reading(due="zeroed"),
          Reading(reference="early"), Reading("left", "running", "zeroed", "sticky"))  # fmt: skip


def main() -> int:
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 18
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    which = sys.argv[3] if len(sys.argv) > 3 else ""
    readings = ALL_READINGS if which == "all" else (Reading.named(which),) if which else SPREAD
    found = 0
    for reading in readings:
        for name, (bounds, definite, extra) in ALPHABETS.items():
            result = explore(reading, bounds, depth=depth + extra, seconds=seconds, definite=definite)
            state = "complete" if result.complete else "cut by time"
            print(f"{reading.name:32} {name:7} states {result.states:>9,} depth {result.depth:>3} "
                  f"{result.seconds:7.1f} s {state}; counterexamples {len(result.counterexamples)}")  # fmt: skip
            for kind, trace in result.counterexamples.items():
                found += 1
                print(f"    * {kind}")
                print("\n".join(f"        {step}" for step in trace))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

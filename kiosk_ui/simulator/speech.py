"""Which reading of the end-of-sale fields the simulator speaks (docs/protocol.md, "Readings").

The same four axes and names as :mod:`kiosk_ui.payments.readings` (the simulator may import only the protocol
layer, so it spells them again; tests/unit/test_simulator_readings.py checks the two agree):

- ``Credit`` at the end: what was **inserted**, or what is **left** (0 after a refund, Credit − Due after change);
- ``changeDispensed``: this **sale**'s, or a **running** total;
- ``Due`` at the end: **kept** or **zeroed**;
- ``referenceCC``: only at the **end**, already **early** (a status still charging carries it), or **sticky**
  (never cleared: a decline or a cash sale still reports the previous approval's).

``mixed`` picks one reading per sale (seeded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import product

AXES: tuple[tuple[str, ...], ...] = (("inserted", "left"), ("sale", "running"), ("kept", "zeroed"),
                                     ("end", "early", "sticky"))  # fmt: skip
NAMES: tuple[str, ...] = tuple("-".join(choice) for choice in product(*AXES))
DEFAULT = "inserted-sale-kept-end"
MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Speech:
    credit: str = "inserted"
    change: str = "sale"
    due: str = "kept"
    reference: str = "end"

    @property
    def name(self) -> str:
        return f"{self.credit}-{self.change}-{self.due}-{self.reference}"

    @classmethod
    def named(cls, name: str) -> Speech:
        if name not in NAMES:
            raise ValueError(f"unknown reading {name!r}; use mixed or one of: {', '.join(NAMES)}")
        credit, change, due, reference = name.split("-")
        return cls(credit, change, due, reference)


def check(name: str) -> str:
    """``name`` if it is a reading's name or ``mixed``; ValueError otherwise."""
    if name != MIXED:
        Speech.named(name)
    return name


def pick(name: str, rng: random.Random) -> Speech:
    """The reading of the next sale: the one named, or one at random for ``mixed``."""
    return Speech.named(rng.choice(NAMES) if name == MIXED else name)

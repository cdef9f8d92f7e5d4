"""The readings of the end-of-sale fields the manual only names (docs/protocol.md, "Readings"). Pure data.

An engine may report, when a sale ends:

- ``Credit`` as what was **inserted**, or what is **left** (0 after a refund, Credit − Due after change);
- ``changeDispensed`` for this **sale**, or as a **running** total since the engine started (or the last close);
- ``Due`` **kept** (the sale's total) or **zeroed**;
- ``referenceCC`` only at the **end**, already **early** (in a status that still says ``cobrando``), or
  **sticky** (a declined or cash sale still reports the previous approval's reference).

A :class:`Reading` is one choice on each axis; :data:`ALL_READINGS` is every combination. The payment rules
(:mod:`.rules`) decide under every reading that fits what was seen, the simulator speaks any one of them,
and :class:`ReadingLearner` narrows them down from sales whose meaning is unambiguous.

One assumption is shared by every reading (docs/protocol.md, cash step 3): each coin or bill the engine accepts is
reported (``updateCredit``, or a ``status``/``sockets`` with ``Credit``) before the sale's end, so on a connection
that did not drop the most credit seen is what was inserted. Only the "inserted" reading, whose ``Credit`` says
the inserted amount itself, tolerates reports that never came.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product
from typing import Literal

CreditReading = Literal["inserted", "left"]
ChangeReading = Literal["sale", "running"]
DueReading = Literal["kept", "zeroed"]
ReferenceReading = Literal["end", "early", "sticky"]

CREDIT_READINGS: tuple[CreditReading, ...] = ("inserted", "left")
CHANGE_READINGS: tuple[ChangeReading, ...] = ("sale", "running")
DUE_READINGS: tuple[DueReading, ...] = ("kept", "zeroed")
REFERENCE_READINGS: tuple[ReferenceReading, ...] = ("end", "early", "sticky")


@dataclass(frozen=True, slots=True, order=True)
class Reading:
    credit: CreditReading = "inserted"
    change: ChangeReading = "sale"
    due: DueReading = "kept"
    reference: ReferenceReading = "end"

    @property
    def name(self) -> str:
        """``inserted-sale-kept-end``: the four choices, in the order of the fields."""
        return f"{self.credit}-{self.change}-{self.due}-{self.reference}"

    @classmethod
    def named(cls, name: str) -> Reading:
        """The reading called ``name`` (see :attr:`name`); ValueError with the valid names otherwise."""
        for reading in ALL_READINGS:
            if reading.name == name.strip().lower():
                return reading
        raise ValueError(f"unknown engine reading {name!r}; use auto or one of: {', '.join(READING_NAMES)}")


ALL_READINGS: tuple[Reading, ...] = tuple(
    Reading(c, ch, d, r) for c, ch, d, r in product(CREDIT_READINGS, CHANGE_READINGS, DUE_READINGS, REFERENCE_READINGS)
)
READING_NAMES: tuple[str, ...] = tuple(r.name for r in ALL_READINGS)
#: what the simulator has always spoken, and the reading docs/protocol.md describes as steps 4-5
DEFAULT_READING = Reading()


def parse_engine_reading(value: str) -> str:
    """The ``[protocol] engine_reading`` setting, checked: ``auto`` or a reading's name."""
    text = value.strip().lower()
    if text == "auto":
        return text
    return Reading.named(text).name


def pinned(setting: str) -> tuple[Reading, ...]:
    """The readings a setting allows: all of them for ``auto``, else the one named."""
    return ALL_READINGS if setting.strip().lower() == "auto" else (Reading.named(setting),)


@dataclass
class ReadingLearner:
    """Which readings the engine's ended sales fit: a pure tally the payment service consults in ``auto`` mode.

    API (for the service): after each ended sale, ``observe(fitting)`` with the readings under which the rules
    found the end facts consistent (:func:`kiosk_ui.payments.rules.fitting_readings`); then decide the next
    sale with ``decide(method, facts, learner.candidates())``. A reading is dropped once a sale it cannot
    explain was seen; an ending no reading explains is counted in :attr:`unexplained` and drops nothing.
    """

    allowed: tuple[Reading, ...] = ALL_READINGS
    #: sales each reading failed to explain (a reading with 0 is still a candidate)
    misses: dict[Reading, int] = field(default_factory=dict)
    #: endings no allowed reading explained (an engine speaking none of them, or a fault)
    unexplained: int = 0
    #: endings observed
    seen: int = 0

    def observe(self, fitting: Iterable[Reading]) -> None:
        fits = set(fitting) & set(self.allowed)
        self.seen += 1
        if not fits:
            self.unexplained += 1
            return
        for reading in self.allowed:
            if reading not in fits:
                self.misses[reading] = self.misses.get(reading, 0) + 1

    def candidates(self) -> tuple[Reading, ...]:
        """The readings no explained sale contradicted (all allowed ones until one does)."""
        live = tuple(r for r in self.allowed if not self.misses.get(r))
        return live or self.allowed

    def matched(self) -> str:
        """For the status page and metrics: the one reading left, ``"ambiguous (N)"``, or ``"unknown"``."""
        live = self.candidates()
        if not self.seen:
            return "unknown"
        return live[0].name if len(live) == 1 else f"ambiguous ({len(live)})"

    def axes(self) -> dict[str, tuple[str, ...]]:
        """Per axis, the choices still possible (what the staff page can say even while ambiguous)."""
        live = self.candidates()
        return {
            "credit": tuple(sorted({r.credit for r in live})),
            "change": tuple(sorted({r.change for r in live})),
            "due": tuple(sorted({r.due for r in live})),
            "reference": tuple(sorted({r.reference for r in live})),
        }

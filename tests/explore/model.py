"""A pure engine model for the explorer: what the engine holds, what it really did to each sale, and the
frames it sends, spoken in one reading of the end-of-sale fields (kiosk_ui/payments/readings.py).

Everything is a frozen, hashable value; every operation returns a new engine and the frames it sends. Frames are
abstract tuples (the adapter turns them into the payment machine's events):

- ``("status", charging, due, credit, change, reference, sale no)`` a ``status``;
- ``("credit", due, credit, sale no)`` an ``updateCredit`` (the sale no is for the explorer, not the app).

The ledger is the truth the explorer checks the journal against: for each sale, whose it was (``us`` with our
payment id, ``other`` client, a staff ``refill``), its method and Due, the money that went in and how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from kiosk_ui.payments.readings import DEFAULT_READING, Reading

ZERO = Decimal(0)
Frame = tuple[object, ...]
Owner = Literal["us", "other", "refill"]
Truth = Literal["", "completed", "cancelled", "declined"]


@dataclass(frozen=True, slots=True)
class Sale:
    no: int
    owner: Owner
    method: Literal["cash", "card"]
    due: Decimal
    tag: str = ""  # our payment id, from the paycash/paycreditcard that started it
    credit: Decimal = ZERO
    change: Decimal = ZERO
    truth: Truth = ""


@dataclass(frozen=True, slots=True)
class Engine:
    reading: Reading = DEFAULT_READING
    ledger: tuple[Sale, ...] = ()
    live: int | None = None  # index in the ledger of the sale being charged
    #: what an idle engine keeps reporting: the last sale's Due and Credit as its end said them
    idle_due: Decimal = ZERO
    idle_credit: Decimal = ZERO
    change_out: Decimal = ZERO  # the changeDispensed it reports (this sale's, or the running total)
    reference: str = ""
    approvals: int = 0
    #: the status as it was before the last command: a heartbeat thread may send it after the command's frames
    before_last_command: Frame | None = None
    #: rule breaks seen by the engine itself (a cancel reaching another client's sale or a refill, ...)
    violations: tuple[str, ...] = ()
    #: cancels the app sent on a current status that still reached another sale (inherent to the protocol)
    races: int = 0

    # ------------------------------------------------------------------ what it says
    @property
    def sale(self) -> Sale | None:
        return None if self.live is None else self.ledger[self.live]

    def status(self) -> Frame:
        sale = self.sale
        if sale is None:  # the last element (which sale it is about) is the explorer's, never the app's
            last = len(self.ledger) - 1
            return ("status", False, self.idle_due, self.idle_credit, self.change_out, self.reference, last)
        return ("status", True, sale.due, sale.credit, self.change_out, self.reference, sale.no)

    # ------------------------------------------------------------------ commands from us
    def command(self, kind: str, due: Decimal = ZERO, tag: str = "", informed: bool = False
                ) -> tuple[Engine, tuple[Frame, ...]]:  # fmt: skip
        """``informed``: when the app sent it, the last status it had said the engine charged this payment's Due
        (a cancel then reaching another sale is the protocol's own race: a cancel names no sale)."""
        engine = replace(self, before_last_command=self.status())
        if kind == "getstatus":
            return engine, (engine.status(),)
        if kind in ("paycash", "paycreditcard"):
            sale = engine.sale
            if sale is not None:
                return engine, (engine.status(),)  # busy: the app is told by the status (see the explorer)
            method: Literal["cash", "card"] = "cash" if kind == "paycash" else "card"
            return engine._open(Sale(len(self.ledger), "us", method, due, tag))
        if kind == "cancel":
            sale = engine.sale
            if sale is None:
                return engine, (engine.status(),)
            if sale.owner != "us" and not informed:
                engine = engine._break(f"cancel from us reached a {sale.owner} sale of {sale.due}")
            elif sale.owner != "us":
                engine = replace(engine, races=engine.races + 1)
            if sale.owner == "refill":
                return engine._end(replace(sale, truth="completed"))
            if sale.method == "card":
                return engine._end(replace(sale, truth="cancelled"))
            return engine._end(replace(sale, truth="cancelled", change=sale.credit))
        raise ValueError(kind)

    # ------------------------------------------------------------------ the world
    def insert(self, amount: Decimal) -> tuple[Engine, tuple[Frame, ...]]:
        sale = self.sale
        assert sale is not None and sale.method == "cash" and sale.owner != "refill"
        sale = replace(sale, credit=sale.credit + amount)
        engine = replace(self, ledger=self._put(sale))
        frames: tuple[Frame, ...] = (("credit", sale.due, sale.credit, sale.no),)
        if sale.credit < sale.due:
            return engine, frames
        engine, end = engine._end(replace(sale, truth="completed", change=sale.credit - sale.due))
        return engine, frames + end

    def card(self, approve: bool) -> tuple[Engine, tuple[Frame, ...]]:
        sale = self.sale
        assert sale is not None and sale.method == "card"
        if not approve:
            return self._end(replace(sale, truth="declined"))
        engine = replace(self, approvals=self.approvals + 1, reference=f"R{self.approvals + 1}")
        early: tuple[Frame, ...] = (engine.status(),) if self.reading.reference == "early" else ()
        engine, end = engine._end(replace(sale, truth="completed", credit=sale.due))
        return engine, early + end

    def other_starts(self, due: Decimal, refill: bool = False) -> tuple[Engine, tuple[Frame, ...]]:
        assert self.sale is None
        owner: Owner = "refill" if refill else "other"
        return self._open(Sale(len(self.ledger), owner, "cash", ZERO if refill else due))

    def other_ends(self) -> tuple[Engine, tuple[Frame, ...]]:
        sale = self.sale
        assert sale is not None and sale.owner != "us"
        if sale.owner == "refill":
            return self._end(replace(sale, truth="completed"))
        # its customer's money is broadcast like ours (every accepted coin or bill is reported: readings.py)
        engine, end = self._end(replace(sale, truth="completed", credit=sale.due))
        return engine, (("credit", sale.due, sale.due, sale.no), *end)

    # ------------------------------------------------------------------ internals
    def _open(self, sale: Sale) -> tuple[Engine, tuple[Frame, ...]]:
        reference = self.reference if self.reading.reference == "sticky" or sale.method == "cash" else ""
        engine = replace(self, ledger=(*self.ledger, sale), live=sale.no, reference=reference)
        return engine, (engine.status(),)

    def _end(self, sale: Sale) -> tuple[Engine, tuple[Frame, ...]]:
        reading = self.reading
        if sale.owner == "refill":
            engine = replace(self, ledger=self._put(sale), live=None)
            return engine, (engine.status(),)
        reference = self.reference
        if sale.method == "card" and sale.truth != "completed" and reading.reference != "sticky":
            reference = ""
        change = sale.change if reading.change == "sale" else self.change_out + sale.change
        if reading.credit == "inserted" or sale.method == "card":
            credit = sale.credit
        else:
            credit = sale.credit - sale.due if sale.truth == "completed" else ZERO
        due = sale.due if reading.due == "kept" else ZERO
        engine = replace(self, ledger=self._put(sale), live=None, idle_due=due, idle_credit=credit, change_out=change,
                         reference=reference)  # fmt: skip
        return engine, (engine.status(),)

    def _put(self, sale: Sale) -> tuple[Sale, ...]:
        return tuple(sale if s.no == sale.no else s for s in self.ledger)

    def _break(self, what: str) -> Engine:
        return replace(self, violations=(*self.violations, what))

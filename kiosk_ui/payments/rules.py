"""Payment outcome rules: what the engine's money facts say happened. Pure; no I/O.

The outcome follows the money, never what the screen asked for: a cancel that raced the last
bill is a completed sale when the engine's ``Credit`` covers ``Due``. The same table is in
the README ("Payment outcomes").

The manual names the end-of-sale fields but not their meaning (:mod:`.readings`): :func:`decide` judges the
facts under every reading it is given (all of them by default) and is definite only where every reading that
fits the facts tells the same outcome and amounts; readings that disagree make it ``unknown``; facts no
reading explains are ``unknown`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..errors import FailureCode
from .readings import ALL_READINGS, DEFAULT_READING, Reading

Method = Literal["cash", "card"]
Outcome = Literal["completed", "cancelled", "declined", "failed", "unknown"]
ZERO = Decimal(0)
_MONEY_FIELDS = frozenset({"credit", "change_dispensed"})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the engine said when the payment ended. ``None``: it did not say (or it was unreadable)."""

    due: Decimal
    credit: Decimal | None
    change_dispensed: Decimal | None
    reference: str = ""
    #: the engine's referenceCC before this payment started: the same value again says nothing
    reference_before: str = ""
    status_text: str = ""
    #: the most credit seen while the payment ran (updateCredit, sockets)
    credit_seen: Decimal = ZERO
    cancel_requested: bool = False
    #: money fields the engine sent at the end that could not be read: "said something", never "nothing moved"
    unreadable: frozenset[str] = frozenset()
    #: the engine's changeDispensed before this sale (last status before it ended): needed by the running-total
    #: readings; None leaves them out (the caller does not know it)
    change_before: Decimal | None = None
    #: the end status's Due as the engine reported it (None: not said): tells "kept" from "zeroed"
    due_reported: Decimal | None = None
    #: every report of this sale reached us (no connection drop while it ran): ``credit_seen`` is what went in
    seen_all: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    credit: Decimal = ZERO
    change_owed: Decimal = ZERO
    change_paid: Decimal = ZERO
    shortfall: Decimal = ZERO
    reference: str = ""
    reason: str = ""
    #: why a "failed" payment failed, as a typed value (``reason`` is free text for people)
    failure: FailureCode | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the outcome table: ``when`` holds → ``outcome``; ``owed`` is the change owed."""

    method: Method
    when: str
    applies: Callable[[Decimal, Decimal, Decimal], bool]  # (due, credit, dispensed)
    outcome: Outcome
    owed: Callable[[Decimal, Decimal], Decimal]  # (due, credit)


#: The cash table under the "inserted" reading (``Credit`` = what went in), first match wins. Facts missing or
#: contradicting each other match no row. The "left" reading's rows follow it in ``OUTCOME_TABLE``.
CASH_RULES: tuple[Rule, ...] = (
    Rule("cash", "Credit ≥ Due and changeDispensed ≤ Credit − Due",
         lambda due, cr, out: cr >= due and out <= cr - due, "completed", lambda due, cr: cr - due),
    Rule("cash", "Credit < Due and changeDispensed ≤ Credit",
         lambda due, cr, out: cr < due and out <= cr, "cancelled", lambda due, cr: cr),
    Rule("cash", "changeDispensed = Credit (everything came back)",
         lambda due, cr, out: out == cr, "cancelled", lambda due, cr: cr),
)  # fmt: skip

#: The README's table, generated from the rules above plus the "left" reading, card and unknown rows.
OUTCOME_TABLE: tuple[tuple[str, str, str, str], ...] = (
    *((r.method, r.when, r.outcome, "Credit − Due" if r.outcome == "completed" else "Credit") for r in CASH_RULES),
    ("cash (Credit left)", "Credit = 0 and 0 < changeDispensed ≤ credit seen (a refund, whatever Credit says)",
     "cancelled", "credit seen"),
    ("cash (Credit left)", "credit seen ≥ Due, Credit = seen − Due, changeDispensed ≤ Credit", "completed",
     "Credit"),
    ("any", "the readings that fit the facts disagree (outcome or amounts)", "unknown", "—"),
    ("card", "a new non-empty referenceCC (not the one before the payment)", "completed", "—"),
    ("card", "no new referenceCC, customer asked to cancel", "cancelled", "—"),
    ("card", "no new referenceCC, engine Status is the reason", "declined", "—"),
    ("any", "facts missing (no final status), unreadable, or contradicting under every reading (Credit below what "
            "was seen, Due not this payment's, changeDispensed between Credit − Due and Credit)", "unknown", "—"),
)  # fmt: skip


def decide(method: Method, facts: Facts, readings: Iterable[Reading] = ALL_READINGS) -> Decision:
    """The outcome of an ended payment from the engine's facts, under every reading that fits them.

    Shortfall = owed − changeDispensed. Definite only when every fitting reading gives the same decision."""
    if method == "card":
        return _card(facts)
    fitting = tuple(r for r in dict.fromkeys(readings) if _due_fits(r, facts))
    found: dict[Decision, list[Reading]] = {}
    judged = 0
    for reading in _cash_axes(fitting):
        decisions = _cash_under(reading, facts)
        judged += decisions is not None
        for decision in decisions or ():
            found.setdefault(decision, []).append(reading)
    if len(found) == 1:
        return next(iter(found))
    if not found and fitting and not judged:
        return Decision("unknown", credit=facts.credit_seen, reason="a running changeDispensed total cannot be read "
                                                                     "without the total before the sale")  # fmt: skip
    if not found:
        return _unexplained(facts)
    outcomes = sorted({d.outcome for d in found})
    credit = max(d.credit for d in found)
    return Decision("unknown", credit=max(credit, facts.credit_seen),
                    reason="the engine's end facts read differently under the readings that fit them "
                           f"({', '.join(outcomes)}, or other amounts): to be checked by staff")  # fmt: skip


def fitting_readings(method: Method, facts: Facts, readings: Iterable[Reading] = ALL_READINGS) -> tuple[Reading, ...]:
    """The readings these end facts do not contradict (for :class:`~.readings.ReadingLearner`): a reading that
    cannot be judged (a running total with no ``change_before``, money fields missing) is kept.

    A card's facts say nothing about the cash axes: only the Due axis is judged for it."""
    out: list[Reading] = []
    for reading in dict.fromkeys(readings):
        if not _due_fits(reading, facts):
            continue
        if method == "card":
            out.append(reading)
            continue
        if _cash_under(reading, facts) != []:
            out.append(reading)
    return tuple(out)


def _due_fits(reading: Reading, facts: Facts) -> bool:
    reported = facts.due_reported
    if reported is None:
        return True
    return reported == (facts.due if reading.due == "kept" else ZERO) or reported == facts.due == ZERO


def _cash_axes(readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """One reading per (credit, change) pair: the other axes do not change a cash decision."""
    seen: dict[tuple[str, str], Reading] = {}
    for r in readings:
        seen.setdefault((r.credit, r.change), r)
    return tuple(seen.values())


def _cash_under(reading: Reading, f: Facts) -> list[Decision] | None:
    """The decisions these facts allow under one reading: [] when they do not fit it, None when it cannot be
    judged (a running total with no ``change_before``)."""
    dispensed = f.change_dispensed
    if reading.change == "running":
        if f.change_before is None:
            return None
        if dispensed is not None:
            dispensed -= f.change_before
            if dispensed < 0:
                return []  # a running total never goes down (short of a close, which is not a sale's end)
    credit = f.credit
    said = bool(_MONEY_FIELDS & f.unreadable)
    if credit is None or dispensed is None:
        if said:
            return [Decision("unknown", credit=f.credit_seen, reason="the engine's end money facts were unreadable")]
        if f.credit_seen == 0 and (credit is None or credit == 0) and dispensed in (None, ZERO):
            # nothing went in and nothing came out: the cash payment ended with no money moved
            return [Decision("cancelled", reason=f.status_text)]
        what = "how much it holds" if credit is None else "how much change came out"
        return [Decision("unknown", credit=max(credit or ZERO, f.credit_seen), reason=f"the engine never said {what}")]
    if reading.credit == "inserted":
        return _inserted(f, credit, dispensed)
    return _left(f, credit, dispensed)


def _inserted(f: Facts, credit: Decimal, dispensed: Decimal) -> list[Decision]:
    if credit < f.credit_seen:
        return []
    for rule in CASH_RULES:
        if rule.applies(f.due, credit, dispensed):
            return [_money(rule.outcome, f, credit, rule.owed(f.due, credit), dispensed)]
    return []


def _left(f: Facts, credit: Decimal, dispensed: Decimal) -> list[Decision]:
    """``Credit`` is what is left: 0 after a refund, Credit − Due (the change owed) after a completed sale. What
    went in is the credit seen (every coin or bill is reported before the end: see :mod:`.readings`)."""
    seen = f.credit_seen
    out: list[Decision] = []
    if not f.seen_all:
        # reports may have been lost: what went in is only known to be at least what was seen
        if credit == dispensed == 0:  # nothing left and nothing out: maybe nothing went in (as likely as exact pay)
            out.append(_money("cancelled", f, seen, seen, ZERO))
        if credit == 0 and dispensed > 0 and (dispensed >= seen or dispensed < f.due):
            out.append(_money("cancelled", f, max(seen, dispensed), max(seen, dispensed), dispensed))
        if credit + f.due >= seen and dispensed <= credit:
            out.append(_money("completed", f, credit + f.due, credit, dispensed))
        return out
    if credit == dispensed == seen == 0:
        # nothing went in (every coin or bill is reported), nothing is left, nothing came out: no money moved
        out.append(_money("cancelled", f, ZERO, ZERO, ZERO))
    if credit == 0 and 0 < dispensed <= seen and (seen < f.due or dispensed == seen):
        # everything seen (or part of it) came back as changeDispensed: a refund, whatever Credit says
        # (a 0/0 end after money went in proves nothing: an engine that restarted says the same)
        out.append(_money("cancelled", f, seen, seen, dispensed))
    if seen >= f.due and credit == seen - f.due and dispensed <= credit:
        out.append(_money("completed", f, seen, credit, dispensed))
    return out


def _money(outcome: Outcome, f: Facts, credit: Decimal, owed: Decimal, paid: Decimal) -> Decision:
    return Decision(outcome, credit=credit, change_owed=owed, change_paid=paid, shortfall=owed - paid,
                    reason=f.status_text)  # fmt: skip


def _unexplained(f: Facts) -> Decision:
    """No reading explains the facts: unknown, with the reason the default reading gives."""
    credit, dispensed = f.credit, f.change_dispensed
    if credit is not None and credit < f.credit_seen:
        return Decision("unknown", credit=f.credit_seen,
                        reason=f"engine reports Credit {credit} below the {f.credit_seen} seen")  # fmt: skip
    if credit is not None and dispensed is not None:
        return Decision("unknown", credit=credit, change_paid=dispensed,
                        reason=f"changeDispensed {dispensed} does not fit Credit {credit} and Due {f.due}")  # fmt: skip
    return Decision("unknown", credit=f.credit_seen, reason=f"no reading of the engine explains its end facts "
                                                            f"(default {DEFAULT_READING.name})")  # fmt: skip


def _card(facts: Facts) -> Decision:
    reference = facts.reference
    if reference and reference != facts.reference_before:
        return Decision("completed", credit=facts.due, reference=reference, reason=facts.status_text)
    if "reference" in facts.unreadable:  # a reference was sent and could not be read: maybe an approval
        return Decision("unknown", credit=facts.credit_seen, reason="the card payment's reference was unreadable")
    if facts.credit is None and facts.change_dispensed is None:
        return Decision("unknown", reason="the card payment ended without a final status")
    held = facts.credit_seen  # the final status's Credit may be the previous sale's: not a card fact
    if held > 0:  # never "nothing was charged" while the engine took cash during this payment
        return Decision("unknown", credit=held, reason=f"card payment ended with Credit {held} and no reference")
    if facts.cancel_requested:
        return Decision("cancelled", reason=facts.status_text)
    return Decision("declined", reason=facts.status_text)


def adds_up(method: Method, due: Decimal, decision: Decision) -> bool:
    """The money invariant a published outcome must satisfy."""
    d = decision
    if method == "cash" and d.outcome == "completed":
        return d.credit == due + d.change_paid + d.shortfall and d.shortfall >= 0
    if method == "cash" and d.outcome == "cancelled":
        return d.credit == d.change_paid + d.shortfall and d.shortfall >= 0
    return d.shortfall >= 0

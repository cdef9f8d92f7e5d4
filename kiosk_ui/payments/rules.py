"""Payment outcome rules: what the engine's money facts say happened. Pure; no I/O.

The outcome follows the money, never what the screen asked for: a cancel that raced the last
bill is a completed sale when the engine's ``Credit`` covers ``Due``. The same table is in
the README ("Payment outcomes").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..errors import FailureCode

Method = Literal["cash", "card"]
Outcome = Literal["completed", "cancelled", "declined", "failed", "unknown"]
ZERO = Decimal(0)


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


#: The cash table, first match wins. Facts missing or contradicting each other match no row: unknown.
CASH_RULES: tuple[Rule, ...] = (
    Rule("cash", "Credit ≥ Due and changeDispensed ≤ Credit − Due",
         lambda due, cr, out: cr >= due and out <= cr - due, "completed", lambda due, cr: cr - due),
    Rule("cash", "Credit < Due and changeDispensed ≤ Credit",
         lambda due, cr, out: cr < due and out <= cr, "cancelled", lambda due, cr: cr),
    Rule("cash", "changeDispensed = Credit (everything came back)",
         lambda due, cr, out: out == cr, "cancelled", lambda due, cr: cr),
)  # fmt: skip

#: The README's table, generated from the rules above plus the card and unknown rows.
OUTCOME_TABLE: tuple[tuple[str, str, str, str], ...] = (
    *((r.method, r.when, r.outcome, "Credit − Due" if r.outcome == "completed" else "Credit") for r in CASH_RULES),
    ("card", "a new non-empty referenceCC (not the one before the payment)", "completed", "—"),
    ("card", "no new referenceCC, customer asked to cancel", "cancelled", "—"),
    ("card", "no new referenceCC, engine Status is the reason", "declined", "—"),
    ("any", "facts missing (no final status) or contradicting (Credit below what was seen, Due not this "
            "payment's, changeDispensed between Credit − Due and Credit)", "unknown", "—"),
)  # fmt: skip


def decide(method: Method, facts: Facts) -> Decision:
    """The outcome of an ended payment from the engine's facts. Shortfall = owed − changeDispensed."""
    if method == "card":
        return _card(facts)
    credit = facts.credit
    if credit is None:
        if facts.credit_seen == 0 and facts.change_dispensed in (None, ZERO):
            # nothing went in and nothing came out: the cash payment ended with no money moved
            return Decision("cancelled", reason=facts.status_text)
        return Decision("unknown", credit=facts.credit_seen, reason="the engine never said how much it holds")
    if credit < facts.credit_seen:
        return Decision("unknown", credit=facts.credit_seen,
                        reason=f"engine reports Credit {credit} below the {facts.credit_seen} seen")  # fmt: skip
    dispensed = facts.change_dispensed
    if dispensed is None:
        if credit == 0:
            return Decision("cancelled", reason=facts.status_text)
        return Decision("unknown", credit=credit, reason="the engine never said how much change came out")
    for rule in CASH_RULES:
        if rule.applies(facts.due, credit, dispensed):
            owed = rule.owed(facts.due, credit)
            return Decision(rule.outcome, credit=credit, change_owed=owed, change_paid=dispensed,
                            shortfall=owed - dispensed, reason=facts.status_text)  # fmt: skip
    return Decision("unknown", credit=credit, change_paid=dispensed,
                    reason=f"changeDispensed {dispensed} does not fit Credit {credit} and Due {facts.due}")  # fmt: skip


def _card(facts: Facts) -> Decision:
    reference = facts.reference
    if reference and reference != facts.reference_before:
        return Decision("completed", credit=facts.due, reference=reference, reason=facts.status_text)
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

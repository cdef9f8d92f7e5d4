"""Crash recovery with the money: rows a previous run left open, tied back to the engine (issue 20 item 3). Pure.

While a payment runs, :func:`progress_write` tells the service when to journal its progress (acknowledged, the most
credit seen, the method, the reference before it, the engine's view before its command): on the acknowledgement
and when one of them changes (a bill or coin), never per frame. At start the kiosk hands the open rows with that
progress to the machine (``Recover``: :func:`rows_of`); the engine's first frames then decide them
(:func:`first_frames`, routed here by :func:`~.table.step`):

- the engine still charges the latest row's Due (and spoke of no other sale first): that payment resumes live, the
  same id and row, with the credit and the reference before it that were journaled;
- its first ``status`` is the end of a sale with the row's Due, the row had been acknowledged, no other sale was
  heard of in between and the facts are not the engine's view before the command: settled with the engine's amounts
  and reference by the outcome rules (:func:`~.rules.decide`), where they prove the outcome. Money that came while
  the app was down was never seen (``Facts.seen_all`` False): a cash end is definite only under the readings the
  kiosk is configured with (``[protocol] engine_reading`` pinned to one whose ``Credit`` says what went in), else
  ``unknown`` with the engine's amounts. A card is completed only by a reference that is new (a reference before
  was journaled, and this is neither it nor one first heard while charging); no new reference proves neither a
  decline nor a lost approval after a restart: ``unknown``;
- otherwise ``unknown``, with the amounts the engine gave when its Due is the row's (never below the credit seen), and
  the engine's words in the detail. Older open rows are superseded: ``unknown`` with the credit seen.

Nothing is published: the screen that showed these payments is gone; staff see the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from .core import CHARGING, MachineCore, facts_of
from .events import ActivePayment, CreditUpdate, Effect, EngineSockets, EngineStatus, JournalUpdate, PaymentResult
from .model import MachineState, RecoverRow
from .readings import ALL_READINGS, Reading
from .rules import ZERO, Decision, Facts, Method, decide

RESTARTED = "app restarted mid-payment"


@dataclass(frozen=True, slots=True)
class JournalProgress:
    """Effect (the service's, not the machine's): journal an open payment's progress, JSON text."""

    payment_id: str
    progress: str


# --------------------------------------------------------------------------- while a payment runs


def progress_of(payment: ActivePayment | None) -> dict[str, Any] | None:
    """What ties a payment the engine acknowledged to the engine (None: not acknowledged, nothing to tie)."""
    if payment is None or payment.phase not in ("charging", "ending"):
        return None
    view = payment.view_before
    return {
        "acknowledged": True,
        "credit_seen": str(payment.credit),
        "method": payment.method if payment.method_known else "",
        "reference_before": payment.reference_before if payment.reference_before_known else None,
        "reference_doubt": payment.reference_doubt,
        "view_before": None if view is None else [None if v is None else str(v) for v in view],
    }


def progress_write(before: MachineState, after: MachineState) -> JournalProgress | None:
    """The progress to journal after a step: the payment was acknowledged, or what ties it changed."""
    payment = after.payment
    now = progress_of(payment)
    if payment is None or now is None:
        return None
    same = before.payment is not None and before.payment.id == payment.id
    if same and progress_of(before.payment) == now:
        return None
    return JournalProgress(payment.id, json.dumps(now, sort_keys=True))


# --------------------------------------------------------------------------- at start


def _amount(value: object) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _view(value: object) -> tuple[Decimal | None, Decimal | None, Decimal | None, str | None] | None:
    if not isinstance(value, list) or len(value) != 4:
        return None
    due, credit, dispensed, reference = value
    # _amount(None) is None: a field the engine did not say stays unsaid
    return _amount(due), _amount(credit), _amount(dispensed), None if reference is None else str(reference)


def row_of(row: dict[str, Any]) -> RecoverRow:
    """One open journal row as the machine keeps it; a progress that cannot be read counts as none."""
    method: Method = "card" if row["method"] == "card" else "cash"
    base = RecoverRow(str(row["id"]), method, str(row["due"]))
    try:
        progress = json.loads(row.get("progress") or "null")
    except ValueError:
        progress = None
    if not isinstance(progress, dict) or progress.get("acknowledged") is not True:
        return base
    reference_before = progress.get("reference_before")
    return replace(
        base, acknowledged=True, credit_seen=_amount(progress.get("credit_seen")) or ZERO,
        reference_before=None if reference_before is None else str(reference_before),
        reference_doubt=str(progress.get("reference_doubt") or ""),
        method_known=progress.get("method") == base.method, view_before=_view(progress.get("view_before")),
    )  # fmt: skip


def rows_of(rows: Iterable[dict[str, Any]]) -> tuple[RecoverRow, ...]:
    return tuple(row_of(row) for row in rows)


# --------------------------------------------------------------------------- the engine's first frames


def first_frames(mc: MachineCore, event: EngineStatus | EngineSockets | CreditUpdate) -> list[Effect]:
    """While rows wait: the first ``status`` decides them; a frame before it about another sale is remembered."""
    if isinstance(event, EngineStatus):
        return reconcile(mc, event)
    latest = mc.recovering[-1]
    charging = True if isinstance(event, CreditUpdate) else event.charging
    if charging and event.due is not None and event.due > 0 and event.due != Decimal(latest.due):
        mc.recovering = (*mc.recovering[:-1], replace(latest, other_sale=True))
    return []


def reconcile(mc: MachineCore, status: EngineStatus) -> list[Effect]:
    """The engine's first status after start: resume the latest open row, or settle it (and every older one)."""
    rows, mc.recovering = mc.recovering, ()
    effects: list[Effect] = []
    latest, older = rows[-1], rows[:-1]
    for row in older:
        effects += _settle(mc, row, Decision("unknown", credit=row.credit_seen,
                                             reason="open at restart; superseded by a later payment"))  # fmt: skip
    due = Decimal(latest.due)
    if status.charging and status.due == due and not latest.other_sale and mc.payment is None:
        mc.payment = ActivePayment(
            latest.id, latest.method, due, phase="charging", credit=max(status.credit or ZERO, latest.credit_seen),
            reference_before=latest.reference_before or "", reference_before_known=latest.reference_before is not None,
            reference_doubt=latest.reference_doubt, method_known=latest.method_known, view_before=latest.view_before,
        )  # fmt: skip
        mc.state = CHARGING
        return effects
    decision = settlement(latest, status, mc.settings.readings)
    if decision.outcome != "unknown":  # a sale that ended here: a late frame repeating it is no new sale
        mc.last_end = (due, max(decision.credit, latest.credit_seen))
        mc.last_end_facts = facts_of(status)
    return effects + _settle(mc, latest, decision)


def settlement(row: RecoverRow, status: EngineStatus, readings: tuple[Reading, ...] = ALL_READINGS) -> Decision:
    """The outcome of an open row from the engine's first status after the restart (see the module's rules)."""
    due = Decimal(row.due)
    told = (f"engine's first status after the restart: Due {status.due}, Credit {status.credit}, changeDispensed "
            f"{status.change_dispensed}, reference {status.reference or '-'}")  # fmt: skip
    if status.due != due:
        return Decision("unknown", credit=row.credit_seen, reason=f"{RESTARTED}; {told}: not this payment's Due")
    why_not = _why_not_definite(row, status)
    if why_not:
        return _unknown(row, status, f"{RESTARTED}; {told}; {why_not}")
    facts = Facts(
        due=due, credit=status.credit, change_dispensed=status.change_dispensed, reference=status.reference or "",
        reference_before=row.reference_before or "", status_text=status.status_text or "",
        credit_seen=row.credit_seen, unreadable=status.unreadable, due_reported=status.due,
        seen_all=False,  # money that came while the app was down was never seen here
    )  # fmt: skip
    decision = decide(row.method, facts, readings)
    reason = f"{RESTARTED}; settled from the {told}"
    if row.method == "card" and decision.outcome == "completed" and decision.reference == row.reference_doubt:
        return _unknown(row, status, f"{RESTARTED}; {told}: first reported while charging, to be checked by staff")
    if row.method == "card" and decision.outcome == "completed" and row.reference_before is None:
        return _unknown(row, status, f"{RESTARTED}; {told}: no status had told the reference before this payment "
                                     f"(it may be the previous sale's), to be checked by staff")  # fmt: skip
    if row.method == "card" and decision.outcome != "completed":
        return _unknown(row, status, f"{RESTARTED}; {told}: no new reference proves neither a decline nor an approval")
    if decision.outcome == "unknown":
        return _unknown(row, status, f"{RESTARTED}; {told}; {decision.reason}")
    return replace(decision, reason=f"{reason}; {decision.reason}" if decision.reason else reason)


def _why_not_definite(row: RecoverRow, status: EngineStatus) -> str:
    if status.charging is not False:
        return "the engine did not say the sale ended"
    if not row.acknowledged:
        return "the engine had not acknowledged this payment before the app stopped (the end may be an earlier sale's)"
    if row.other_sale:
        return "the engine spoke of another sale first"
    if not row.method_known:
        return "the engine never named this payment's method"
    if row.view_before is not None and facts_of(status) == row.view_before:
        return "these are the facts the engine reported before this payment's command"
    return ""


def _unknown(row: RecoverRow, status: EngineStatus, reason: str) -> Decision:
    """Unknown with whatever the engine gave for this Due: its Credit (never below the credit seen), its change and a
    reference that is new (one equal to the reference before, or with none known, could be an earlier sale's)."""
    reference = status.reference or ""
    new = bool(reference) and row.reference_before is not None and reference != row.reference_before
    return Decision("unknown", credit=max(status.credit or ZERO, row.credit_seen),
                    change_paid=status.change_dispensed or ZERO, reference=reference if new else "",
                    reason=reason)  # fmt: skip


def _settle(mc: MachineCore, row: RecoverRow, decision: Decision) -> list[Effect]:
    d = decision
    result = PaymentResult(row.id, d.outcome, row.method, Decimal(row.due), credit=d.credit, change_owed=d.change_owed,
                           change_paid=d.change_paid, shortfall=d.shortfall, reference=d.reference, reason=d.reason,
                           at=mc.settings.now(), failure=d.failure)  # fmt: skip
    return [JournalUpdate(row.id, result)]

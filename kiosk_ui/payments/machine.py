"""The payment lifecycle as one pure state machine, in the style of h11's ``_state.py``.

No asyncio, no I/O, no NiceGUI: :meth:`PaymentMachine.handle` takes an event and returns the
effects to run, in order (journal writes, commands to send, outcomes to publish, timers). The
service (:mod:`kiosk_ui.payments.service`) runs them: a journal write is finished before the
next effect, so an outcome is on disk before it is published.

States (``machine.state``): IDLE (no payment), STARTING (asked, not yet acknowledged),
CHARGING, ENDING (a bare ``sockets`` said it ended; waiting for the ``status`` with the money
facts), ABANDONING (no acknowledgement in time: ``cancel "1"`` sent; a late acknowledgement
brings the same payment back). Every event names the payment it is about where it can; an
event for another payment (a late timer, a cancel from a stale dialog) changes nothing.

The vocabulary (payment, result, events, effects) is plain data in :mod:`.events`, re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from ..errors import FailureCode
from ..protocol import messages as m
from .events import (
    ActivePayment,
    CancelRequested,
    ConnectionBack,
    ConnectionLost,
    CreditUpdate,
    Effect,
    EngineSockets,
    EngineStatus,
    Event,
    JournalOpen,
    JournalOpenFailed,
    JournalUpdate,
    PaymentResult,
    Phase,
    Publish,
    Recover,
    Send,
    SendFailed,
    StartRequested,
    StartTimer,
    StopTimer,
    TimerFired,
    from_message,
)
from .rules import ZERO, Decision, Facts, Method, decide

# the vocabulary from .events is re-exported: callers use ``machine.StartRequested`` ...
__all__ = [
    "ABANDONING", "CHARGING", "ENDING", "ENGINE_UNAVAILABLE", "IDLE", "NO_ACK", "STARTING", "ActivePayment",
    "CancelRequested", "ConnectionBack", "ConnectionLost", "CreditUpdate", "Decision", "Effect",
    "EngineSockets", "EngineStatus", "Event", "JournalOpen", "JournalOpenFailed", "JournalUpdate", "Method",
    "PaymentMachine", "PaymentResult", "Phase", "Publish", "Recover", "Send", "SendFailed", "StartRequested",
    "StartTimer", "State", "StopTimer", "TimerFired", "from_message",
]  # fmt: skip

State = Literal["IDLE", "STARTING", "CHARGING", "ENDING", "ABANDONING"]
IDLE: State = "IDLE"
STARTING: State = "STARTING"
CHARGING: State = "CHARGING"
ENDING: State = "ENDING"
ABANDONING: State = "ABANDONING"

NO_ACK = "no acknowledgement from the engine"
ENGINE_UNAVAILABLE = "engine unavailable"
_PHASES: dict[State, Phase] = {STARTING: "starting", CHARGING: "charging", ENDING: "ending", ABANDONING: "abandoning"}


# --------------------------------------------------------------------------- the machine


@dataclass
class PaymentMachine:
    ack_timeout: float = 5.0
    end_grace: float = 2.0
    abandon_grace: float = 5.0
    new_id: Callable[[], str] = field(default=lambda: "")
    now: Callable[[], str] = field(default=lambda: "")
    state: State = IDLE
    payment: ActivePayment | None = None
    connected: bool = False
    #: the engine said it is charging (last status/sockets since it connected)
    engine_charging: bool = False
    #: a status/sockets arrived since the last (re)connect
    synced: bool = False
    #: the engine's last reported Credit (an idle engine may still report the previous sale's)
    engine_credit: Decimal = ZERO
    #: the engine's last referenceCC: a card payment needs a new one
    last_reference: str = ""
    #: open journal rows from a previous run, settled on the engine's first status
    recovering: tuple[dict[str, Any], ...] = ()

    def handle(self, event: Event) -> list[Effect]:
        effects: list[Effect] = []
        if isinstance(event, EngineStatus | EngineSockets):
            effects += self._observe(event)
        handler = _TABLE.get((self.state, type(event))) or _ANY_STATE.get(type(event))
        if handler is not None:
            effects += handler(self, event)
        return effects

    # ---------------------------------------------------------------- helpers
    def _observe(self, event: EngineStatus | EngineSockets) -> list[Effect]:
        effects: list[Effect] = []
        self.synced = True
        if event.charging is not None:
            self.engine_charging = event.charging
        if event.credit is not None:
            self.engine_credit = event.credit
        if isinstance(event, EngineStatus):
            if self.recovering:
                effects += self._reconcile(event)
            if event.reference is not None and self.payment is None:
                self.last_reference = event.reference
        return effects

    def _set(self, state: State, **changes: Any) -> None:
        self.state = state
        if self.payment is not None:
            phase = _PHASES.get(state, self.payment.phase)
            self.payment = replace(self.payment, phase=phase, **changes)

    def _credit(self, credit: Decimal | None) -> None:
        if self.payment is not None and credit is not None and credit > self.payment.credit:
            self.payment = replace(self.payment, credit=credit)

    def _finish(self, decision: Decision, *stop: Literal["ack", "end", "abandon"]) -> list[Effect]:
        payment = self.payment
        assert payment is not None
        result = PaymentResult(
            id=payment.id, outcome=decision.outcome, method=payment.method, due=payment.due,
            credit=decision.credit, change_owed=decision.change_owed, change_paid=decision.change_paid,
            shortfall=decision.shortfall, reference=decision.reference, reason=decision.reason, at=self.now(),
            failure=decision.failure,
        )  # fmt: skip
        self.payment = None
        self.state = IDLE
        effects: list[Effect] = [StopTimer(name) for name in stop]
        return [*effects, JournalUpdate(payment.id, result), Publish(result)]

    def _conclude(self, status: EngineStatus | None) -> list[Effect]:
        payment = self.payment
        assert payment is not None
        if status is not None and status.due is not None and status.due != payment.due:
            # the engine's last sale is not this one (it restarted, or another sale): cannot tell
            reason = f"engine reports Due {status.due}, not this payment's {payment.due}"
            decision = Decision("unknown", credit=payment.credit, reason=reason)
        else:
            facts = Facts(
                due=payment.due,
                credit=None if status is None else status.credit,
                change_dispensed=None if status is None else status.change_dispensed,
                reference=(status.reference or "") if status is not None else "",
                reference_before=payment.reference_before,
                status_text=(status.status_text or "") if status is not None else "",
                credit_seen=payment.credit,
                cancel_requested=payment.cancel_requested,
            )
            decision = decide(payment.method, facts)
            if payment.interrupted and status is None:
                reason = "engine connection lost during the payment; outcome to be checked by staff"
                decision = Decision("unknown", credit=payment.credit, reason=reason)
        if status is not None and status.reference is not None:
            self.last_reference = status.reference
        return self._finish(decision, "end")

    def _acks(self, event: Event) -> bool:
        payment = self.payment
        assert payment is not None
        if isinstance(event, EngineStatus | EngineSockets):
            return event.charging is True and (event.due is None or event.due == payment.due)
        if isinstance(event, CreditUpdate):  # an engine that acknowledges with updateCredit only
            return event.due is not None and event.due == payment.due
        return False

    def _nothing_moved(self, reason: str, failure: FailureCode) -> list[Effect]:
        """Settle a payment the engine never took up: failed, or unknown if money may have moved."""
        payment = self.payment
        assert payment is not None
        quiet = self.connected and self.synced and not self.engine_charging and self.engine_credit == 0
        if payment.credit == 0 and quiet:
            decision = Decision("failed", reason=reason, failure=failure)
        else:
            decision = Decision("unknown", credit=payment.credit, reason=f"{reason}; engine state unclear",
                                failure=failure)  # fmt: skip
        return self._finish(decision, "ack", "abandon")

    def _reconcile(self, status: EngineStatus) -> list[Effect]:
        """First engine status after start: resume the latest open row or settle it as unknown.

        Only a payment the engine is still charging with that row's total is tied to the row
        (it resumes, same id). An idle engine's Due/Credit may be the previous sale's: ``unknown``.
        """
        rows, self.recovering = self.recovering, ()
        effects: list[Effect] = []
        latest, older = rows[-1], rows[:-1]
        for row in older:
            effects += self._settle_row(row, "open at restart; superseded by a later payment")
        method: Method = "card" if latest["method"] == "card" else "cash"
        due = Decimal(latest["due"])
        if self.payment is None and status.charging and status.due == due:
            self.payment = ActivePayment(latest["id"], method, due, phase="charging", credit=status.credit or ZERO)
            self.state = CHARGING
        else:
            effects += self._settle_row(latest, "app restarted mid-payment; engine facts do not tie it to this "
                                                "payment; outcome unknown")  # fmt: skip
        return effects

    def _settle_row(self, row: dict[str, Any], detail: str) -> list[Effect]:
        method: Method = "card" if row["method"] == "card" else "cash"
        result = PaymentResult(row["id"], "unknown", method, Decimal(row["due"]), reason=detail, at=self.now())
        return [JournalUpdate(row["id"], result)]

    def _adopt(self, event: EngineStatus | EngineSockets) -> list[Effect]:
        """The engine is charging and nobody here asked: show it and journal it as found."""
        method_text = event.method if isinstance(event, EngineSockets) else None
        method: Method = "card" if method_text == "tarjeta" else "cash"
        payment = ActivePayment(self.new_id(), method, event.due or ZERO, phase="charging",
                                credit=event.credit or ZERO, reference_before=self.last_reference)  # fmt: skip
        self.payment = payment
        self.state = CHARGING
        return [JournalOpen(payment.id, method, payment.due, (), "adopted: engine was already charging")]


# --------------------------------------------------------------------------- handlers


def _start(mc: PaymentMachine, ev: StartRequested) -> list[Effect]:
    mc.payment = ActivePayment(ev.payment_id, ev.method, ev.due, ev.items, reference_before=mc.last_reference)
    mc.state = STARTING
    command: m.Message = m.PayCash(ev.due) if ev.method == "cash" else m.PayCreditCard(ev.due)
    return [JournalOpen(ev.payment_id, ev.method, ev.due, ev.items), Send(command, ev.payment_id),
            StartTimer("ack", ev.payment_id, mc.ack_timeout)]  # fmt: skip


def _refuse_start(mc: PaymentMachine, ev: StartRequested) -> list[Effect]:
    return []  # one payment at a time; the service refuses before asking


def _idle_engine(mc: PaymentMachine, ev: EngineStatus | EngineSockets) -> list[Effect]:
    if ev.charging is True and not mc.recovering:
        return mc._adopt(ev)
    return []


def _ack_or_wait(mc: PaymentMachine, ev: EngineStatus | EngineSockets | CreditUpdate) -> list[Effect]:
    if not mc._acks(ev):
        return []
    late = mc.state == ABANDONING  # acknowledged after we gave up: the same payment, shown live
    mc._set(CHARGING, **({"cancel_requested": False} if late else {}))
    mc._credit(ev.credit)
    return [StopTimer("ack"), StopTimer("abandon")]


def _charging_engine(mc: PaymentMachine, ev: EngineStatus | EngineSockets) -> list[Effect]:
    payment = mc.payment
    assert payment is not None
    if ev.charging is not False:
        if ev.charging and ev.due is not None and ev.due == payment.due:
            mc._credit(ev.credit)
        return []
    if isinstance(ev, EngineStatus):
        return mc._conclude(ev)
    # a bare sockets: only a status carries changeDispensed and referenceCC; ask and wait a moment
    mc._set(ENDING)
    return [Send(m.GetStatus(), payment.id), StartTimer("end", payment.id, mc.end_grace)]


def _ending_status(mc: PaymentMachine, ev: EngineStatus) -> list[Effect]:
    if ev.charging is False or ev.charging is None:
        return mc._conclude(ev)
    return []


def _credit(mc: PaymentMachine, ev: CreditUpdate) -> list[Effect]:
    payment = mc.payment
    if payment is not None and (ev.due is None or ev.due == payment.due):
        mc._credit(ev.credit)
    return []


def _cancel(mc: PaymentMachine, ev: CancelRequested) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []  # a cancel goes out only for the payment it was asked for
    mc.payment = replace(payment, cancel_requested=True)
    return [Send(m.Cancel(ev.value), payment.id)]


def _timer(mc: PaymentMachine, ev: TimerFired) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []  # late timer of a payment that already ended
    if ev.name == "ack" and mc.state == STARTING:
        mc._set(ABANDONING, cancel_requested=True)
        return [Send(m.Cancel("1"), payment.id), StartTimer("abandon", payment.id, mc.abandon_grace)]
    if ev.name == "abandon" and mc.state == ABANDONING:
        return mc._nothing_moved(NO_ACK, FailureCode.NO_ACK)
    if ev.name == "end" and mc.state == ENDING:
        return mc._conclude(None)
    return []


def _lost(mc: PaymentMachine, ev: ConnectionLost) -> list[Effect]:
    mc.connected = False
    mc.synced = False
    if mc.payment is not None:
        mc.payment = replace(mc.payment, interrupted=True)
    return []


def _back(mc: PaymentMachine, ev: ConnectionBack) -> list[Effect]:
    mc.connected = True
    mc.synced = False
    return []


def _send_failed(mc: PaymentMachine, ev: SendFailed) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []
    if ev.command in (m.PayCash.COMMAND, m.PayCreditCard.COMMAND) and mc.state == STARTING:
        # the request never left: nothing can have been charged
        return mc._finish(Decision("failed", reason=ENGINE_UNAVAILABLE, failure=FailureCode.ENGINE_UNAVAILABLE), "ack")
    return []


def _journal_failed(mc: PaymentMachine, ev: JournalOpenFailed) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []
    if mc.state == STARTING:  # nothing was sent (the service stops the batch): no payment at all
        mc.payment = None
        mc.state = IDLE
        return [StopTimer("ack")]
    return []


def _recover(mc: PaymentMachine, ev: Recover) -> list[Effect]:
    if ev.rows:
        mc.recovering = tuple(ev.rows)
    return []


Handler = Callable[[PaymentMachine, Any], list[Effect]]

#: (state, event type) → handler. Pairs not listed fall back to ``_ANY_STATE``, else do nothing.
_TABLE: dict[tuple[State, type], Handler] = {
    (IDLE, StartRequested): _start,
    (IDLE, EngineStatus): _idle_engine,
    (IDLE, EngineSockets): _idle_engine,
    (STARTING, EngineStatus): _ack_or_wait,
    (STARTING, EngineSockets): _ack_or_wait,
    (STARTING, CreditUpdate): _ack_or_wait,
    (ABANDONING, EngineStatus): _ack_or_wait,
    (ABANDONING, EngineSockets): _ack_or_wait,
    (ABANDONING, CreditUpdate): _ack_or_wait,
    (STARTING, CancelRequested): _cancel,
    (CHARGING, CancelRequested): _cancel,
    (CHARGING, EngineStatus): _charging_engine,
    (CHARGING, EngineSockets): _charging_engine,
    (CHARGING, CreditUpdate): _credit,
    (ENDING, EngineStatus): _ending_status,
}
_ANY_STATE: dict[type, Handler] = {
    StartRequested: _refuse_start,
    TimerFired: _timer,
    ConnectionLost: _lost,
    ConnectionBack: _back,
    SendFailed: _send_failed,
    JournalOpenFailed: _journal_failed,
    Recover: _recover,
}

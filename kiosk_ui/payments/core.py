"""The step's working copy of the machine's state, and the steps every transition is built from (no asyncio, no I/O).

:class:`MachineCore` is thawed from the frozen :class:`~.model.MachineState` for one step and frozen again after
it (:func:`~.table.step`); nothing outside the step sees it change. Its public methods (observe, finish, conclude,
adopt, give_up, ...) are what the transitions in :mod:`.handlers` are written with; :func:`decide_end` turns the
status that ended a payment into its outcome through the rules (:mod:`.rules`). Rows a previous run left open are
:mod:`.recovery`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from ..errors import FailureCode
from ..protocol import messages as m
from .events import (
    ActivePayment,
    CreditUpdate,
    Effect,
    EngineSockets,
    EngineStatus,
    Event,
    JournalOpen,
    JournalUpdate,
    Observed,
    PaymentResult,
    Phase,
    Publish,
    SaleFacts,
    Send,
    StopTimer,
)
from .model import (
    ABANDONING,
    CHARGING,
    ENDING,
    IDLE,
    OPENING,
    STARTING,
    EchoQuestion,
    EngineView,
    GivenUp,
    LastEnd,
    MachineState,
    RecoverRow,
    Settings,
    State,
)
from .readings import ALL_READINGS, Reading
from .rules import ZERO, Decision, Facts, Method, decide, fitting_readings

NO_ACK = "no acknowledgement from the engine"
RESUMED = "resumed: the engine took the payment up after it had been given up for want of an acknowledgement"
ENGINE_UNAVAILABLE = "engine unavailable"
_PHASES: dict[State, Phase] = {
    OPENING: "opening",
    STARTING: "starting",
    CHARGING: "charging",
    ENDING: "ending",
    ABANDONING: "abandoning",
}


def facts_of(status: EngineStatus) -> SaleFacts:
    return (status.due, status.credit, status.change_dispensed, status.reference)


def _after_command(payment: ActivePayment, status: EngineStatus | None) -> bool:
    """The end facts are not the engine's view before this payment's command (a status had told it): a sale ended
    after the command, so after a drop they are this payment's, not the last sale an engine remembers."""
    return status is not None and payment.view_before is not None and facts_of(status) != payment.view_before


def _unseen_after_reconnect(payment: ActivePayment, status: EngineStatus | None) -> bool:
    """The end facts of an interrupted payment say more than was seen before the drop."""
    if status is None:
        return True
    if payment.method == "cash":
        return status.credit is not None and status.credit > payment.credit
    reference = status.reference or ""
    return not reference or reference == payment.reference_before  # a decline we cannot tell from a lost reply


@dataclass
class MachineCore:
    """A working copy of one :class:`~.model.MachineState`, made by :meth:`thaw` for one step and frozen again by
    :meth:`freeze`: the transitions (:mod:`.handlers`) are written as changes to it, and nothing outside the step
    ever sees it change. The attributes mirror the state's parts (see :mod:`.model` for what each means)."""

    #: timers, ids, clock and readings: what the machine is configured with (not part of its state)
    settings: Settings = field(default_factory=Settings)
    state: State = IDLE
    payment: ActivePayment | None = None
    connected: bool = False
    engine_charging: bool = False
    synced: bool = False
    engine_credit: Decimal = ZERO
    last_reference: str = ""
    recovering: tuple[RecoverRow, ...] = ()
    #: (Due, most Credit) of the payment that ended last, and the facts of the status that ended it
    last_end: tuple[Decimal, Decimal] | None = None
    last_end_facts: SaleFacts | None = None
    commanded_since_end: bool = True
    echo_question: tuple[Decimal | None, str] | None = None
    view: SaleFacts | None = None
    abandoned: ActivePayment | None = None
    reference_known: bool = False
    idle_since_abandoned: int = 0
    engine_due: Decimal | None = None
    engine_method: str = ""
    postdates_command: bool = True
    refill_sent: bool = False
    start_checking: bool = False

    @classmethod
    def thaw(cls, st: MachineState, settings: Settings) -> MachineCore:
        e = st.engine
        return cls(
            settings,
            state=st.phase, payment=st.payment, connected=e.connected, engine_charging=e.charging, synced=e.synced,
            engine_credit=e.credit, last_reference=e.last_reference, recovering=st.recovering,
            last_end=None if st.last_end is None else (st.last_end.due, st.last_end.credit),
            last_end_facts=None if st.last_end is None else st.last_end.facts,
            commanded_since_end=e.commanded,
            echo_question=None if st.echo is None else (st.echo.due, st.echo.method), view=e.facts,
            abandoned=None if st.given_up is None else st.given_up.payment, reference_known=e.reference_known,
            idle_since_abandoned=0 if st.given_up is None else st.given_up.idle_seen, engine_due=e.due,
            engine_method=e.method, postdates_command=e.postdates_command, refill_sent=st.refill_sent,
            start_checking=st.start_checking,
        )  # fmt: skip

    def freeze(self) -> MachineState:
        engine = EngineView(self.connected, self.synced, self.engine_charging, self.engine_due, self.engine_credit,
                            self.engine_method, self.view, self.last_reference, self.reference_known,
                            self.postdates_command, self.commanded_since_end)  # fmt: skip
        given_up = None if self.abandoned is None else GivenUp(self.abandoned, self.idle_since_abandoned)
        last_end = None if self.last_end is None else LastEnd(*self.last_end, self.last_end_facts)
        echo = None if self.echo_question is None else EchoQuestion(*self.echo_question)
        return MachineState(self.state, self.payment, given_up, engine, last_end, echo, self.recovering,
                            self.refill_sent, self.start_checking)  # fmt: skip

    def observe(self, event: EngineStatus | EngineSockets) -> list[Effect]:
        effects: list[Effect] = []
        self.synced = True
        if event.charging is not None:
            self.engine_charging = event.charging
        if event.credit is not None:
            self.engine_credit = event.credit
        if event.charging is not None:
            self.engine_due = event.due if event.charging else None
        if event.charging is False:
            self.engine_method = ""  # the method names the sale being charged, never a later one
        elif isinstance(event, EngineSockets) and event.method:
            self.engine_method = event.method
        if isinstance(event, EngineStatus):
            self.view = facts_of(event)
            self.postdates_command = True
            if event.reference is not None and self.payment is None:
                self.last_reference = event.reference
                self.reference_known = True
            payment = self.payment
            if payment is not None and event.reference is not None and payment.method == "card":
                learn_reference(self, payment, event, event.reference)
            if event.charging is False and self.payment is None and self.abandoned is not None:
                self.idle_since_abandoned += 1
                if self.idle_since_abandoned >= 2:
                    self.abandoned = None
        return effects

    def taken_up(self) -> list[Effect]:
        """The engine charges the payment: a cancel it must hear now goes out (the customer's, held until the
        acknowledgement; or the machine's own no-acknowledgement cancel that never left)."""
        payment = self.payment
        assert payment is not None
        if payment.cancel == "wanted" or payment.own_cancel == "held":
            own = "sending" if payment.own_cancel == "held" and payment.cancel != "wanted" else payment.own_cancel
            self.payment = replace(payment, cancel="sending" if payment.cancel == "wanted" else payment.cancel,
                                   own_cancel=own)  # fmt: skip
            return [Send(m.Cancel("1"), payment.id)]
        return []

    def set_phase(self, state: State, **changes: Any) -> None:
        self.state = state
        if self.payment is not None:
            phase = _PHASES.get(state, self.payment.phase)
            self.payment = replace(self.payment, phase=phase, **changes)

    def add_credit(self, credit: Decimal | None) -> None:
        if self.payment is not None and credit is not None and credit > self.payment.credit:
            self.payment = replace(self.payment, credit=credit)

    def finish(self, decision: Decision, *stop: Literal["ack", "end", "abandon"]) -> list[Effect]:
        payment = self.payment
        assert payment is not None
        result = PaymentResult(
            id=payment.id, outcome=decision.outcome, method=payment.method, due=payment.due,
            credit=decision.credit, change_owed=decision.change_owed, change_paid=decision.change_paid,
            shortfall=decision.shortfall, reference=decision.reference, reason=decision.reason, at=self.settings.now(),
            failure=decision.failure,
        )  # fmt: skip
        if self.state in (CHARGING, ENDING):  # a sale the engine charged: a late frame of it may still come
            self.last_end = (payment.due, max(decision.credit, payment.credit))
        self.payment = None
        self.state = IDLE
        self.echo_question = None
        effects: list[Effect] = [StopTimer(name) for name in stop]
        if payment.row == "failed":  # an adopted payment whose row could not be written: written now, or nothing shown
            effects.append(JournalOpen(payment.id, payment.method, payment.due, (), "adopted: engine was charging"))
        return [*effects, JournalUpdate(payment.id, result, RESUMED if payment.resumed else ""), Publish(result)]

    def conclude(self, status: EngineStatus | None) -> list[Effect]:
        payment = self.payment
        assert payment is not None
        if not payment.method_known and status is not None:
            # adopted from a status, method never named: a new reference with no cash in is a card approval
            reference = status.reference or ""
            card = bool(reference) and reference != payment.reference_before and not status.credit \
                and payment.credit == 0  # fmt: skip
            self.payment = payment = replace(payment, method="card" if card else "cash", method_known=True)
        decision, facts = decide_end(payment, status, self.settings.readings)
        if status is not None and status.reference is not None:
            self.last_reference = status.reference
        self.last_end_facts = None if status is None else facts_of(status)
        observed: list[Effect] = [] if facts is None else [Observed(payment.method, facts)]
        return self.finish(decision, "end") + observed

    def acks(self, event: Event) -> bool:
        payment = self.payment
        assert payment is not None
        if not payment.command_left:
            return False  # a frame that came before our command left (a snapshot of the last sale) is not about it
        if (
            isinstance(event, EngineStatus | EngineSockets | CreditUpdate)
            and event.credit
            and self.echo_of_last_end(event)
        ):
            # money already in, with the last sale's Due and no more than its Credit: a late frame of that sale
            # (updateCredit after its end, a stale broadcast), not this payment taken up; the timeout decides
            return False
        if isinstance(event, EngineStatus | EngineSockets):
            return event.charging is True and (event.due is None or event.due == payment.due)
        if isinstance(event, CreditUpdate):  # an engine that acknowledges with updateCredit only
            return event.due is not None and event.due == payment.due
        return False

    def nothing_moved(self, reason: str, failure: FailureCode) -> list[Effect]:
        """Settle a payment the engine never took up: failed, or unknown if money may have moved."""
        payment = self.payment
        assert payment is not None
        quiet = self.connected and self.synced and not self.engine_charging and self.engine_credit == 0
        if payment.credit == 0 and quiet:
            decision = Decision("failed", reason=reason, failure=failure)
        else:
            decision = Decision("unknown", credit=payment.credit, reason=f"{reason}; engine state unclear",
                                failure=failure)  # fmt: skip
        effects = self.finish(decision, "ack", "abandon")
        if failure is FailureCode.NO_ACK:
            self.give_up(payment)
        return effects

    def give_up(self, payment: ActivePayment) -> None:
        """Remember a payment settled without the engine taking it up, should the engine take it up later: with
        the customer's cancel intent and the machine's own cancel as they stand (one that never left goes then)."""
        self.abandoned = payment
        self.idle_since_abandoned = 0

    def echo_of_last_end(self, event: EngineStatus | EngineSockets | CreditUpdate) -> bool:
        if self.last_end is None:
            return False
        due, credit = self.last_end
        return (event.due is None or event.due == due) and (event.credit is None or event.credit <= credit)

    def may_echo_last_end(self, event: EngineStatus | EngineSockets) -> bool:
        """A charging frame that may be the last sale's late echo: its Due and no more Credit, and either money
        in (a new sale starts with none) or a command of ours during that sale or since (a status built before
        it may come after it, docs/protocol.md)."""
        return self.echo_of_last_end(event) and (self.commanded_since_end or bool(event.credit))

    def repeats_last_end(self, status: EngineStatus) -> bool:
        """This status repeats, exactly, the one that ended the last payment: no evidence about a later one."""
        return self.last_end_facts is not None and facts_of(status) == self.last_end_facts

    def method_named(self, event: EngineStatus | EngineSockets) -> str:
        """The engine's ``formaPago`` for the sale it charges: this frame's, or (a ``status`` has none) its last
        ``sockets``'s; '' when it never named one."""
        return event.method if isinstance(event, EngineSockets) and event.method else self.engine_method

    def repeats_last_end_money(self, event: EngineStatus | EngineSockets) -> bool:
        """The sale that just ended, exactly: its Due and its (non-zero) Credit."""
        if self.last_end is None:
            return False
        due, credit = self.last_end
        return credit > 0 and event.due == due and event.credit == credit

    def adopt_charging(self) -> list[Effect]:
        """Back in IDLE with the engine charging a sale (Due > 0) nobody here asked for: adopt it now (its frames
        came while a payment of ours was starting and may not come again before it ends). The payment given up, if
        any, is kept: our command may still be in flight and taken up after that sale."""
        due, given_up = self.engine_due, self.abandoned
        if self.state != IDLE or self.recovering or not self.engine_charging or due is None or due <= 0:
            return []
        effects = self.adopt(EngineSockets(True, due, self.engine_credit))
        self.abandoned = given_up
        return effects

    def adopt(self, event: EngineStatus | EngineSockets) -> list[Effect]:
        """The engine is charging and nobody here asked: show it and journal it as found."""
        self.abandoned = None  # another sale: the engine will not take the given-up one up after it
        self.commanded_since_end = False  # until a command of ours goes out during it or after
        # a status names no method: the engine's last sockets does (a card charge decided by cash rules would lie)
        method_text = self.method_named(event)
        method: Method = "card" if method_text == "tarjeta" else "cash"
        payment = ActivePayment(self.settings.new_id(), method, event.due or ZERO, phase="charging",
                                credit=event.credit or ZERO, reference_before=self.last_reference,
                                method_known=bool(method_text), reference_before_known=self.reference_known,
                                change_before=self.view[2] if self.synced and self.view else None)  # fmt: skip
        self.payment = payment
        self.state = CHARGING
        return [JournalOpen(payment.id, method, payment.due, (), "adopted: engine was already charging")]


def learn_reference(mc: MachineCore, payment: ActivePayment, event: EngineStatus, reference: str) -> None:
    """Before the engine takes a card payment up, the reference it reports is the one before this payment; the
    first status of it charging tells it too (unless it differs from one a status told before: then it may be
    the approval or an unseen sale's end: a doubt). A later change while charging is the approval."""
    ours = event.charging is True and event.due == payment.due
    if payment.interrupted and event.charging is False and event.due == payment.due:
        return  # after a drop, an end naming this Due may be this payment's own (its approval): not "before"
    if mc.state in (OPENING, STARTING):
        mc.payment = replace(payment, reference_before=reference, reference_before_known=True,
                               reference_told=ours)  # fmt: skip
    elif ours and not payment.reference_told:
        if not payment.reference_before_known:
            mc.payment = replace(payment, reference_before=reference, reference_before_known=True,
                                   reference_told=True)  # fmt: skip
        else:
            doubt = reference if reference != payment.reference_before else ""
            mc.payment = replace(payment, reference_told=True, reference_doubt=doubt)


def decide_end(payment: ActivePayment, status: EngineStatus | None,
               readings: tuple[Reading, ...] = ALL_READINGS) -> tuple[Decision, Facts | None]:  # fmt: skip
    """The outcome of ``payment`` from the status that ended it (None: none came), under the rules' readings."""
    if status is None:
        # nobody answered (the end grace ran out): no facts, no definite outcome
        return Decision("unknown", credit=payment.credit, reason="the payment ended without a final status"), None
    if status.due is not None and status.due != payment.due and (status.due != ZERO or payment.interrupted):
        # the engine's last sale is not this one (it restarted, or another sale): cannot tell. A Due of 0 may be
        # this sale's, zeroed at its end (the rules decide under the readings that fit), but not after a drop: an
        # engine that restarted and forgot the sale says Due 0 too
        reason = f"engine reports Due {status.due}, not this payment's {payment.due}"
        return Decision("unknown", credit=payment.credit, reason=reason), None
    else:
        facts = Facts(
            due=payment.due,
            credit=status.credit,
            change_dispensed=status.change_dispensed,
            reference=status.reference or "",
            reference_before=payment.reference_before,
            status_text=status.status_text or "",
            credit_seen=payment.credit,
            cancel_requested=payment.cancel_requested or payment.own_cancel != "none",
            unreadable=status.unreadable,
            due_reported=status.due,
            seen_all=not payment.interrupted,
        )
        if payment.change_before is not None and not any(r.change == "sale" for r in fitting_readings(
                payment.method, facts, readings)):  # fmt: skip
            # no per-sale reading explains the end (or none is allowed): a running total, read against where it stood
            # before the sale. Where a per-sale reading fits, the total before is left out: a repeat or a partial
            # change would read two ways (the reading learner settles it; docs/explore.md)
            facts = replace(facts, change_before=payment.change_before)
        decision = decide(payment.method, facts, readings)
        if payment.method == "card" and decision.outcome == "completed" and \
                decision.reference == payment.reference_doubt:  # fmt: skip
            reason = (f"card reference {decision.reference} was first reported while charging: the approval, or "
                      f"the end of a sale not seen here; to be checked by staff")  # fmt: skip
            decision = Decision("unknown", credit=payment.credit, reason=reason)
        if payment.method == "card" and decision.outcome == "completed" and not payment.reference_before_known:
            reason = (f"card reference {decision.reference} may be the previous sale's (no engine status had "
                      f"told the reference before this payment): to be checked by staff")  # fmt: skip
            decision = Decision("unknown", credit=payment.credit, reason=reason)
        if payment.interrupted and decision.outcome != "unknown" and _unseen_after_reconnect(payment, status) \
                and not _after_command(payment, status):  # fmt: skip
            # an engine that restarted may report the last sale it remembers: money (or a decline) first
            # heard of after the connection dropped does not prove this payment's outcome
            reason = (f"engine connection lost during the payment; after it the engine reported Credit "
                      f"{status.credit}, reference {status.reference or '-'}: to be checked by staff")  # fmt: skip
            decision = Decision("unknown", credit=payment.credit, reason=reason)
    return decision, facts

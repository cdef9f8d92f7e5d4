"""The payment machine's transitions: one function per kind of (phase, event) pair.

Each takes the step's working copy (:class:`~.core.MachineCore`) and an event, changes the copy, and returns the
effects to run, in order. Which function runs for which pair, and what it may lead to, is the table in
:mod:`.table`.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..errors import FailureCode
from ..protocol import messages as m
from . import recovery, resume
from .core import (
    ABANDONING,
    CHARGING,
    ENDING,
    ENGINE_UNAVAILABLE,
    IDLE,
    NO_ACK,
    OPENING,
    STARTING,
    MachineCore,
    facts_of,
)
from .events import (
    ActivePayment,
    CancelRequested,
    ConnectionBack,
    ConnectionLost,
    CreditUpdate,
    Effect,
    EngineSockets,
    EngineStatus,
    JournalFailed,
    JournalOpen,
    JournalOpenFailed,
    JournalWritten,
    Recover,
    Send,
    SendFailed,
    Sent,
    StartRequested,
    StartTimer,
    StopTimer,
    TimerFired,
)
from .rules import Decision


def start(mc: MachineCore, ev: StartRequested) -> list[Effect]:
    mc.abandoned = None  # a new payment: an engine charging from now on is taking this one up
    mc.payment = ActivePayment(ev.payment_id, ev.method, ev.due, ev.items, phase="opening",
                               reference_before=mc.last_reference, reference_before_known=mc.reference_known,
                               view_before=mc.view if mc.synced else None,
                               change_before=mc.view[2] if mc.synced and mc.view else None)  # fmt: skip
    mc.state = OPENING
    return [JournalOpen(ev.payment_id, ev.method, ev.due, ev.items)]


def opened(mc: MachineCore, ev: JournalWritten) -> list[Effect]:
    """The row is on disk: now the command may go (nothing is sent for a payment the journal does not hold)."""
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []  # an adopted payment's row: nothing waits on it
    mc.set_phase(STARTING)
    command: m.Message = m.PayCash(payment.due) if payment.method == "cash" else m.PayCreditCard(payment.due)
    return [Send(command, payment.id), StartTimer("ack", payment.id, mc.settings.ack_timeout)]


def opening_engine(mc: MachineCore, ev: EngineStatus | EngineSockets) -> list[Effect]:
    """Our command has not left. The engine charging another sale (Due > 0) is busy: our payment ends before it
    is sent (nothing charged) and that sale is adopted (it could end unjournaled while our row is written)."""
    payment = mc.payment
    if payment is None or ev.charging is not True or ev.due is None or ev.due <= 0 or ev.due == payment.due:
        return []
    failed = Decision("failed", reason=f"engine busy with a sale of {ev.due}", failure=FailureCode.ENGINE_UNAVAILABLE)
    return mc.finish(failed) + mc.adopt_charging()


def sent(mc: MachineCore, ev: Sent) -> list[Effect]:
    """A frame left: only now is a cancel believed sent (the machine's own first, in the order they were queued)."""
    if ev.command in (m.PayCash.COMMAND, m.PayCreditCard.COMMAND, m.Cancel.COMMAND):
        mc.postdates_command = False  # what the engine said so far predates this command
    mc.commanded_since_end = True  # a status from now on may be a snapshot built before it
    current = mc.payment
    if current is not None and current.id == ev.payment_id and ev.command in (m.PayCash.COMMAND,
                                                                              m.PayCreditCard.COMMAND):  # fmt: skip
        mc.payment = replace(current, command_left=True)  # only now can a frame acknowledge it
    for slot in ("payment", "abandoned"):
        payment: ActivePayment | None = getattr(mc, slot)
        if payment is None or payment.id != ev.payment_id or ev.command != m.Cancel.COMMAND:
            continue
        if payment.own_cancel == "sending":
            setattr(mc, slot, replace(payment, own_cancel="sent"))
        elif payment.cancel == "sending":
            setattr(mc, slot, replace(payment, cancel="sent"))
    return []


def refuse_start(mc: MachineCore, ev: StartRequested) -> list[Effect]:
    return []  # one payment at a time; the service refuses before asking


def idle_engine(mc: MachineCore, ev: EngineStatus | EngineSockets) -> list[Effect]:
    question = mc.echo_question if isinstance(ev, EngineStatus) else None
    answered = question is not None
    if isinstance(ev, EngineStatus):
        mc.echo_question = None  # a status answers the question: a later same-Due sale is asked about again
    if question is not None and isinstance(ev, EngineStatus) and ev.charging is False and not mc.recovering \
            and ev.due is not None and ev.due == question[0] and not mc.repeats_last_end(ev):  # fmt: skip
        # the sale asked about ended before the answer: its facts are not the last end's, so it was a sale of its
        # own (another client's, a few ms after the last): journaled, never lost
        return _adopt_ended(mc, ev, question[1])
    if ev.charging is not True or mc.recovering:
        return []
    if ev.due is None or ev.due <= 0:
        return []  # no sale has a Due of 0: a staff operation (a refill) some engines report as charging
    if answered and mc.repeats_last_end_money(ev):
        # a stale status can overtake the answer: the ended sale's exact money (a new sale starts with none)
        # is still the echo; the engine's next status answers
        mc.echo_question = question
        return []
    if mc.may_echo_last_end(ev) and not answered:
        # the same Due and no more Credit than the sale that just ended: maybe a stale broadcast.
        # Adopting it would journal that sale a second time: ask the engine, and let its status decide.
        if mc.echo_question is None:
            mc.echo_question = (ev.due, mc.method_named(ev))
            mc.commanded_since_end = True
            return [Send(m.GetStatus())]
        return []
    if resume.takes_up(mc, ev):
        return resume.resume(mc, ev)
    return mc.adopt(ev)


def _adopt_ended(mc: MachineCore, ev: EngineStatus, method_text: str) -> list[Effect]:
    mc.engine_method = method_text
    before = mc.last_end_facts[3] if mc.last_end_facts is not None else None
    effects = mc.adopt(ev)
    if before is not None and mc.payment is not None:  # the sale came right after the last: its reference before
        mc.payment = replace(mc.payment, reference_before=before)
    return effects + mc.conclude(ev)


def idle_credit(mc: MachineCore, ev: CreditUpdate) -> list[Effect]:
    # an engine that acknowledges with updateCredit only, taking up the payment we gave up
    if ev.credit is not None and not mc.recovering and resume.takes_up(mc, ev):
        return resume.resume(mc, ev)
    return []


def ack_or_wait(mc: MachineCore, ev: EngineStatus | EngineSockets | CreditUpdate) -> list[Effect]:
    payment = mc.payment
    assert payment is not None
    if isinstance(ev, EngineStatus) and _ended_while_away(mc, payment, ev):
        # the acknowledgement was lost with the connection and the sale ended meanwhile: the status after the
        # reconnect is this payment's end (it is not what the engine said before our command)
        mc.set_phase(CHARGING)
        return [StopTimer("ack"), StopTimer("abandon"), *mc.conclude(ev)]
    if not isinstance(ev, CreditUpdate) and ev.charging is True and ev.due is not None and ev.due > 0 \
            and ev.due != payment.due:  # fmt: skip
        # the engine charges another client's sale: it refuses our command while busy (taken up later after all:
        # the given-up payment resumes); that sale is adopted now, or it could end unjournaled while we wait
        return resume.busy_with_another(mc, payment, ev.due)
    if not mc.acks(ev):
        return []
    mc.set_phase(CHARGING)  # acknowledged (after we gave up, too: the same payment, shown live)
    mc.add_credit(ev.credit)
    return [StopTimer("ack"), StopTimer("abandon"), *mc.taken_up()]


def _ended_while_away(mc: MachineCore, payment: ActivePayment, ev: EngineStatus) -> bool:
    if ev.charging is not False or ev.due != payment.due or not payment.interrupted or payment.view_before is None:
        return False
    if mc.repeats_last_end(ev) or facts_of(ev) == payment.view_before:
        return False
    return bool(ev.credit) if payment.method == "cash" else bool(ev.reference)


def charging_engine(mc: MachineCore, ev: EngineStatus | EngineSockets) -> list[Effect]:
    payment = mc.payment
    assert payment is not None
    if isinstance(ev, EngineStatus) and ev.charging is True and payment.interrupted and ev.due is not None \
            and ev.due != payment.due:  # fmt: skip
        # after a drop the engine charges another sale (or a refill, Due 0): ours ended while we were away (its end
        # unseen): unknown, and another client's sale is adopted
        reason = f"engine connection lost during the payment; after it the engine charges a sale of {ev.due}"
        effects = mc.finish(Decision("unknown", credit=payment.credit, reason=reason), "end")
        return effects + mc.adopt_charging()
    if isinstance(ev, EngineStatus) and ev.charging is False and mc.repeats_last_end(ev) \
            and not (payment.method == "cash" and ev.credit and payment.credit == ev.credit):  # fmt: skip
        # the last sale's end, exactly (a snapshot built before our command, delivered late), and not money seen
        # arriving for this payment: no evidence about it. Ask, and let the answer decide (docs/protocol.md)
        mc.set_phase(ENDING)
        return [Send(m.GetStatus(), payment.id), StartTimer("end", payment.id, mc.settings.end_grace)]
    if ev.charging is not False:
        if ev.charging and ev.due is not None and ev.due == payment.due:
            mc.add_credit(ev.credit)
            if isinstance(ev, EngineStatus):
                if payment.interrupted and ev.credit is not None and ev.credit >= payment.credit:
                    # after the drop the engine says it still charges this payment, with the money we saw: it
                    # survived the blip, and its end facts count as they would have without it
                    mc.payment = replace(mc.payment or payment, interrupted=False)
                return _release_held_cancel(mc)
        return []
    if isinstance(ev, EngineStatus) and (ev.due is None or ev.due == payment.due or _zeroed_end(payment, ev)):
        return mc.conclude(ev)
    # a status naming another Due (built before our paycash, delivered late) is not this payment's end,
    # nor is a bare sockets: only a status carries changeDispensed and referenceCC; ask and wait a moment
    mc.set_phase(ENDING)
    return [Send(m.GetStatus(), payment.id), StartTimer("end", payment.id, mc.settings.end_grace)]


def _zeroed_end(payment: ActivePayment, ev: EngineStatus) -> bool:
    """An end saying Due 0 (an engine that zeroes Due when the sale ends) is this payment's when it is news: money
    moved (an idle engine says Due 0 and no money too), not the view before our command (a snapshot built before
    it), and no drop (a restarted engine says Due 0 too). Else the engine is asked (ENDING)."""
    moved = bool(ev.credit or ev.change_dispensed) if payment.method == "cash" else bool(ev.reference)
    return ev.due == 0 and moved and not payment.interrupted and facts_of(ev) != payment.view_before


def ending_status(mc: MachineCore, ev: EngineStatus) -> list[Effect]:
    if ev.charging is False:
        return mc.conclude(ev)
    if ev.charging is None:
        return []  # a status that does not say the payment ended (cobrando unreadable) is not its end
    payment = mc.payment
    assert payment is not None
    if ev.due is None or ev.due == payment.due:
        # the bare sockets that said "ended" was stale: the engine's status says it is still charging
        return _still_charging(mc, ev.credit, status=True)
    return []


def ending_frame(mc: MachineCore, ev: EngineSockets | CreditUpdate) -> list[Effect]:
    """Money still arriving for this payment (more Credit than seen, with its Due) proves it is live."""
    payment = mc.payment
    assert payment is not None
    charging = ev.charging if isinstance(ev, EngineSockets) else True
    if charging is True and ev.due == payment.due and ev.credit is not None and ev.credit > payment.credit:
        return _still_charging(mc, ev.credit, status=False)
    return []


def _still_charging(mc: MachineCore, credit: Decimal | None, *, status: bool) -> list[Effect]:
    """Back to CHARGING. A cancel pressed while the end was checked goes out only on a ``status`` that says the
    engine charges this payment: money frames prove the payment was live, not that it still is (a late
    ``updateCredit`` of the last bill arrives after the end too)."""
    payment = mc.payment
    assert payment is not None
    mc.set_phase(CHARGING)
    mc.add_credit(credit)
    effects: list[Effect] = [StopTimer("end")]
    if status:
        effects += _release_held_cancel(mc)
    return effects


def _release_held_cancel(mc: MachineCore) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.cancel != "wanted":
        return []
    mc.payment = replace(payment, cancel="sending")  # the customer's cancel, pressed while the end was checked
    return [Send(m.Cancel("1"), payment.id)]


def charging_credit(mc: MachineCore, ev: CreditUpdate) -> list[Effect]:
    payment = mc.payment
    if payment is not None and (ev.due is None or ev.due == payment.due):
        mc.add_credit(ev.credit)
    return []


def cancel(mc: MachineCore, ev: CancelRequested) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []  # a cancel goes out only for the payment it was asked for
    if payment.cancel_requested:
        return []  # already asked (two screens, a double tap): one cancel per payment
    if mc.state in (OPENING, STARTING, ENDING, ABANDONING):
        # OPENING/STARTING/ABANDONING: the engine may not have taken the paycash up yet: a cancel now could reach an
        # idle engine and the payment start after it; it goes out on the acknowledgement. ENDING: the engine may
        # have ended already (a cancel could reach an idle engine, or a staff refill): it goes out only if its
        # status says it is still charging this payment.
        mc.payment = replace(payment, cancel="wanted")
        return []
    mc.payment = replace(payment, cancel="sending")
    return [Send(m.Cancel(ev.value), payment.id)]


def timer(mc: MachineCore, ev: TimerFired) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []  # late timer of a payment that already ended
    if ev.name == "ack" and mc.state == STARTING:
        if mc.engine_due is not None and mc.engine_due != payment.due:
            return resume.busy_with_another(mc, payment, mc.engine_due)
        # nothing heard that shows another sale: cancel "1" (the contract, docs/protocol.md: the engine may have
        # taken it up unheard) and wait. Should it fail to leave, it is held until a frame shows a take-up
        mc.set_phase(ABANDONING, own_cancel="sending")
        return [Send(m.Cancel("1"), payment.id), StartTimer("abandon", payment.id, mc.settings.abandon_grace)]
    if ev.name == "abandon" and mc.state == ABANDONING:
        return mc.nothing_moved(NO_ACK, FailureCode.NO_ACK) + mc.adopt_charging()
    if ev.name == "end" and mc.state == ENDING:
        if not mc.connected:
            return []  # nobody can ask the engine now: the end waits for its word after the reconnect
        said = mc.view
        if said is not None and said[0] is not None and said[0] != payment.due and payment.end_asks < END_ASKS:
            # what sent us here named another Due (a status built before our command, delivered late): no word
            # that this payment ended, so no settling from no facts: ask again (a customer still paying, or
            # cancelling, would otherwise be left live on a row settled unknown)
            mc.payment = replace(payment, end_asks=payment.end_asks + 1)
            return [Send(m.GetStatus(), payment.id), StartTimer("end", payment.id, mc.settings.end_grace)]
        return mc.conclude(None)
    return []


#: how many times the end grace is restarted with a new question before the payment is settled without facts
END_ASKS = 3


def lost(mc: MachineCore, ev: ConnectionLost) -> list[Effect]:
    mc.connected = False
    mc.synced = False
    if mc.payment is not None:
        # a cancel that left may have been lost with the connection: asked again when a status says the engine
        # still charges this payment
        again = "wanted" if mc.payment.cancel in ("sending", "sent") else mc.payment.cancel
        mc.payment = replace(mc.payment, interrupted=True, cancel=again)
    return []


def back(mc: MachineCore, ev: ConnectionBack) -> list[Effect]:
    mc.connected = True
    mc.synced = False
    mc.commanded_since_end = True  # the kiosk asks for a status on every connect
    mc.engine_due = None  # what it charges is told again by its first status
    if mc.state == ENDING and mc.payment is not None:
        # the kiosk asks for a status on every connect; the end grace starts again from here
        return [StartTimer("end", mc.payment.id, mc.settings.end_grace)]
    return []


def send_failed(mc: MachineCore, ev: SendFailed) -> list[Effect]:
    given_up = mc.abandoned
    if ev.command == m.Cancel.COMMAND and given_up is not None and given_up.id == ev.payment_id \
            and given_up.own_cancel == "sending":  # fmt: skip
        mc.abandoned = replace(given_up, own_cancel="held")  # it goes out if the engine takes the payment up
        return []
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []
    if ev.command in (m.PayCash.COMMAND, m.PayCreditCard.COMMAND) and mc.state == STARTING:
        # the request never left: nothing can have been charged
        failed = Decision("failed", reason=ENGINE_UNAVAILABLE, failure=FailureCode.ENGINE_UNAVAILABLE)
        return mc.finish(failed, "ack") + mc.adopt_charging()  # refused at the write: the engine charges another
    if ev.command == m.Cancel.COMMAND and payment.own_cancel == "sending":
        mc.payment = replace(payment, own_cancel="held")  # never left: it goes out when the engine charges it
    elif ev.command == m.Cancel.COMMAND and payment.cancel == "sending":
        # it never left (the engine away): held, it goes out when a status says the engine still charges this payment
        mc.payment = replace(payment, cancel="wanted")
    return []


def open_failed(mc: MachineCore, ev: JournalOpenFailed) -> list[Effect]:
    payment = mc.payment
    if payment is None or payment.id != ev.payment_id:
        return []
    if mc.state in (OPENING, STARTING):  # nothing was sent (nothing goes before the row): no payment at all
        mc.payment = None
        mc.state = IDLE
        return [StopTimer("ack")]
    mc.payment = replace(payment, row="failed")  # adopted: its end writes the row first, or shows nothing
    return []


def ignore(mc: MachineCore, ev: object) -> list[Effect]:
    return []  # listed in the table as nothing to do (the row says why)


def outcome_unwritten(mc: MachineCore, ev: JournalFailed) -> list[Effect]:
    return []  # the service keeps the outcome and retries it; its Publish waits: nothing for the machine to do


def recover(mc: MachineCore, ev: Recover) -> list[Effect]:
    if ev.rows:  # with their journaled progress: the engine's first frames decide them (recovery.first_frames)
        mc.recovering = recovery.rows_of(ev.rows)
    return []

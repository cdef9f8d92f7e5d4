"""Issue 19: the refill this kiosk sent and a customer start being checked are parts of the frozen machine state
(``MachineState.refill_sent``, ``.start_checking``), moved by the frames that left and the start's check, and the
arbiter reads them from the machine's snapshot (there is no start gate beside the machine any more)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from kiosk_ui.errors import RefusalReason
from kiosk_ui.journal import Journal
from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.arbiter import REFUSED_BUSY, Own, Refuse, Situation, arbiter, start_refusal
from kiosk_ui.payments.model import MachineState
from kiosk_ui.payments.service import PaymentService
from kiosk_ui.protocol import messages as m

D = Decimal
REFILL = pm.FrameLeft(m.CashRefill.COMMAND)
CANCEL = pm.FrameLeft(m.Cancel.COMMAND)
CHARGING = (pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"), pm.Sent("a", m.PayCash.COMMAND),
            pm.EngineSockets(True, D(20), D(0), "efectivo"))  # fmt: skip
ENDED = pm.EngineStatus(False, D(20), D(20), D(0), "", "")


def run(*events: pm.Event) -> pm.PaymentMachine:
    machine = pm.PaymentMachine(connected=True, synced=True, strict=True)
    for event in events:
        machine.handle(event)
    return machine


def test_the_refill_and_the_start_check_are_fields_of_the_frozen_state() -> None:
    names = {f.name for f in fields(MachineState)}
    assert {"refill_sent", "start_checking"} <= names
    fresh, refilling = run().snapshot, run(REFILL).snapshot
    assert not fresh.refill_sent and refilling.refill_sent
    assert hash(refilling) != hash(fresh) and refilling != fresh, "a part of the state's value, not a side fact"


def test_a_cashrefill_outside_a_payment_holds_customer_payments_until_a_cancel_outside_a_payment() -> None:
    machine = run(pm.FrameLeft(m.GetStatus.COMMAND))
    assert not machine.snapshot.refill_sent, "only a cashrefill is a refill"
    machine.handle(REFILL)
    assert machine.snapshot.refill_sent and machine.state == "IDLE"
    assert start_refusal(Situation(machine.snapshot)) == RefusalReason.BUSY
    machine.handle(pm.FrameLeft(m.OpenDoor.COMMAND))
    assert machine.snapshot.refill_sent, "another frame does not end it"
    machine.handle(CANCEL)  # 'Terminar dotación', or any cancel outside a payment
    assert not machine.snapshot.refill_sent
    assert start_refusal(Situation(machine.snapshot)) == ""


def test_a_cashrefill_sent_over_a_payment_does_not_hold_the_kiosk_after_it() -> None:
    machine = run(*CHARGING, REFILL)  # staff's explicit override over the payment in progress
    assert not machine.snapshot.refill_sent
    machine.handle(ENDED)
    assert machine.payment is None and not machine.snapshot.refill_sent
    assert start_refusal(Situation(machine.snapshot)) == ""


def test_a_cancel_over_a_payment_does_not_end_the_refill_and_one_after_it_does() -> None:
    machine = run(REFILL, *CHARGING, CANCEL)  # the payment's own cancel is not the refill's end
    assert machine.snapshot.refill_sent
    machine.handle(ENDED)
    assert machine.snapshot.refill_sent, "still held after the payment"
    machine.handle(CANCEL)
    assert not machine.snapshot.refill_sent


def test_paycash_is_refused_at_the_write_while_the_kiosk_refills() -> None:
    machine = run(REFILL, pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"))
    assert arbiter(Situation(machine.snapshot), m.PayCash(D(20)), Own("a")) == Refuse(REFUSED_BUSY)


def test_a_start_being_checked_holds_cash_moving_staff_commands_until_it_is_checked() -> None:
    machine = run(pm.StartChecking())
    assert machine.snapshot.start_checking and machine.state == "IDLE"
    assert arbiter(Situation(machine.snapshot), m.CashRefill(), None) == Refuse(REFUSED_BUSY)
    machine.handle(pm.StartChecked())
    assert not machine.snapshot.start_checking
    assert not isinstance(arbiter(Situation(machine.snapshot), m.CashRefill(), None), Refuse)


async def test_the_service_feeds_every_frame_that_left_and_tells_when_the_refill_changed(tmp_path: Path) -> None:
    """What the kiosk wires to the engine client's ``on_sent`` and around a start's journal check."""

    async def send(message: m.Message, payment_id: str) -> None:
        return None

    journal = Journal(tmp_path / "journal.sqlite3")
    machine = pm.PaymentMachine(connected=True, synced=True, strict=True)
    service = PaymentService(machine, journal, send, lambda result: None, lambda error: None)
    told: list[bool] = []
    service.on_refill = lambda: told.append(machine.snapshot.refill_sent)
    for frame in (m.GetStatus(), m.CashRefill(), m.CashRefill(), m.OpenDoor(), m.Cancel("2"), m.Cancel("2")):
        service.frame_left(frame)
    assert told == [True, False], "once when the refill started, once when a cancel ended it"
    with service.checking_start():
        assert machine.snapshot.start_checking
    assert not machine.snapshot.start_checking
    journal.close()

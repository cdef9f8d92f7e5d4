"""The one arbiter (payments/arbiter.py): every payment and cash-moving frame, whoever sends it, is decided by one
pure function over the situation at the moment of the write."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.arbiter import (
    ALLOW,
    REFUSED_BUSY,
    REFUSED_ENDED,
    REFUSED_KEEPS_MONEY,
    REFUSED_UNSYNCED,
    Cancel,
    Override,
    Own,
    Refuse,
    SendGuard,
    Situation,
    arbiter,
    start_refusal,
)
from kiosk_ui.protocol import messages as m

D = Decimal


def machine_in(*events: pm.Event) -> pm.PaymentMachine:
    mc = pm.PaymentMachine(connected=True, synced=True, strict=True)
    for event in events:
        mc.handle(event)
    return mc


STARTING = machine_in(pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a")).snapshot
OPENING = machine_in(pm.StartRequested("a", "cash", D(20))).snapshot
CHARGING = machine_in(pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"), pm.Sent("a", m.PayCash.COMMAND),
                      pm.EngineSockets(True, D(20), D(0), "efectivo")).snapshot  # fmt: skip
IDLE = machine_in().snapshot


def test_a_payment_command_goes_only_for_the_payment_being_started() -> None:
    assert arbiter(Situation(STARTING), m.PayCash(D(20)), Own("a")) == ALLOW
    assert isinstance(arbiter(Situation(STARTING), m.PayCash(D(20)), Own("b")), Refuse)
    assert isinstance(arbiter(Situation(STARTING), m.PayCash(D(20)), None), Refuse), "staff never start a payment"
    assert isinstance(arbiter(Situation(OPENING), m.PayCash(D(20)), Own("a")), Refuse), "not before its row"
    assert isinstance(arbiter(Situation(CHARGING), m.PayCash(D(20)), Own("a")), Refuse), "never twice"


def test_no_payment_command_during_a_refill_or_another_sale() -> None:
    assert arbiter(Situation(replace(STARTING, refill_sent=True)), m.PayCash(D(20)), Own("a")) == Refuse(REFUSED_BUSY)
    refill = Situation(STARTING, engine_charging=True, engine_due=D(0))
    assert arbiter(refill, m.PayCash(D(20)), Own("a")) == Refuse(REFUSED_BUSY)
    other = Situation(STARTING, engine_charging=True, engine_due=D(35))
    assert arbiter(other, m.PayCash(D(20)), Own("a")) == Refuse(REFUSED_BUSY)


def test_a_cancel_goes_only_while_its_payment_is_in_progress() -> None:
    assert arbiter(Situation(CHARGING), m.Cancel("1"), Cancel("a")) == ALLOW
    assert arbiter(Situation(CHARGING), m.Cancel("1"), Cancel("old")) == Refuse(REFUSED_ENDED)
    assert arbiter(Situation(IDLE), m.Cancel("1"), Cancel("a")) == Refuse(REFUSED_ENDED), "it ended meanwhile"
    assert arbiter(Situation(CHARGING), m.Cancel("2"), Cancel("a")) == Refuse(REFUSED_KEEPS_MONEY)


@pytest.mark.parametrize("frame", [m.OpenDoor(), m.CashRefill(), m.CashCollect("coin"), m.ResetBalance(),
                                   m.Shutdown("r"), m.Cancel("1")])  # fmt: skip
def test_cash_moving_staff_commands_wait_for_a_payment_unless_overridden_over_that_one(frame: m.Message) -> None:
    assert arbiter(Situation(IDLE), frame, None) == ALLOW
    for busy in (Situation(CHARGING), Situation(OPENING), Situation(replace(IDLE, start_checking=True)),
                 Situation(IDLE, engine_charging=True, engine_due=D(50))):  # fmt: skip
        assert arbiter(busy, frame, None) == Refuse(REFUSED_BUSY)
    assert arbiter(Situation(CHARGING), frame, Override("a")) == ALLOW
    assert arbiter(Situation(CHARGING), frame, Override("earlier")) == Refuse(REFUSED_BUSY), "another payment's"
    engine = Situation(IDLE, engine_charging=True, engine_due=D(50))
    assert arbiter(engine, frame, Override("engine:50")) == ALLOW


def test_the_keep_money_cancel_is_never_sent_over_a_payment() -> None:
    assert arbiter(Situation(CHARGING), m.Cancel("2"), Override("a")) == Refuse(REFUSED_KEEPS_MONEY)
    assert arbiter(Situation(IDLE), m.Cancel("2"), None) == ALLOW, "it ends a refill"
    refill = Situation(IDLE, engine_charging=True, engine_due=D(0))
    assert arbiter(refill, m.Cancel("2"), None) == ALLOW, "a refill some engines report as charging"


def test_questions_always_go() -> None:
    for s in (Situation(CHARGING), Situation(replace(IDLE, start_checking=True))):
        assert arbiter(s, m.GetStatus(), Own("a")) == ALLOW
        assert arbiter(s, m.CheckBr(), None) == ALLOW


def test_a_customer_start_is_refused_for_the_same_reasons() -> None:
    assert start_refusal(Situation(IDLE)) == ""
    assert start_refusal(Situation(IDLE, online=False)) == "err_offline"
    assert start_refusal(Situation(IDLE, journal_writable=False)) == "err_journal"
    for busy in (Situation(CHARGING), Situation(replace(IDLE, refill_sent=True)),
                 Situation(replace(IDLE, start_checking=True)),
                 Situation(IDLE, engine_charging=True, engine_due=D(0))):  # fmt: skip
        assert start_refusal(busy) == "err_busy"


def after_a_reconnect(*frames: pm.Event) -> pm.PaymentMachine:
    """A payment being started (its row written) when the connection drops and comes back, then ``frames``."""
    return machine_in(pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"), pm.ConnectionLost(),
                      pm.ConnectionBack(), *frames)  # fmt: skip


def test_no_payment_starts_until_the_engine_has_described_itself_since_the_last_reconnect() -> None:
    fresh = pm.PaymentMachine(connected=True).snapshot  # connected, no status yet
    assert start_refusal(Situation(fresh)) == "err_unsynced", "it may be charging a sale nobody here knows of"
    back = machine_in(pm.ConnectionLost(), pm.ConnectionBack()).snapshot
    assert start_refusal(Situation(back)) == "err_unsynced", "what it said before the drop is not current"
    told = machine_in(pm.ConnectionLost(), pm.ConnectionBack(), pm.EngineStatus(False, D(0), D(0), D(0), "", ""))
    assert start_refusal(Situation(told.snapshot)) == ""
    by_sockets = machine_in(pm.ConnectionLost(), pm.ConnectionBack(), pm.EngineSockets(False, D(0), D(0), ""))
    assert start_refusal(Situation(by_sockets.snapshot)) == "", "sockets says cobrando too"
    credit = machine_in(pm.ConnectionLost(), pm.ConnectionBack(), pm.CreditUpdate(D(0), D(0)))
    assert start_refusal(Situation(credit.snapshot)) == "err_unsynced", "updateCredit does not say what it charges"


def test_a_payment_command_waits_at_the_write_for_the_engines_status_after_a_reconnect() -> None:
    unsynced = after_a_reconnect().snapshot
    assert unsynced.phase == "STARTING"
    assert arbiter(Situation(unsynced), m.PayCash(D(20)), Own("a")) == Refuse(REFUSED_UNSYNCED)
    assert arbiter(Situation(unsynced), m.PayCreditCard(D(20)), Own("a")) == Refuse(REFUSED_UNSYNCED)
    assert arbiter(Situation(unsynced), m.GetStatus(), Own("a")) == ALLOW, "the question that ends the wait goes"
    idle = after_a_reconnect(pm.EngineStatus(False, D(0), D(0), D(0), "", "")).snapshot
    assert arbiter(Situation(idle), m.PayCash(D(20)), Own("a")) == ALLOW


def test_the_guard_takes_the_senders_intent_and_reads_the_situation_at_the_write() -> None:
    now = [Situation(CHARGING)]
    guard = SendGuard(lambda: now[0])
    with guard.acting(Cancel("a")):
        assert guard(m.Cancel("1"), False) == ""
    now[0] = Situation(IDLE)  # the payment ended before the frame was written
    with guard.acting(Cancel("a")):
        assert guard(m.Cancel("1"), False) == REFUSED_ENDED
    now[0] = Situation(CHARGING)
    assert guard(m.OpenDoor(), False) == REFUSED_BUSY
    assert guard(m.OpenDoor(), True) == "", "override=True alone covers the payment in progress now"
    with guard.acting(Override("earlier")):
        assert guard(m.OpenDoor(), True) == REFUSED_BUSY, "an override confirmed over another payment"

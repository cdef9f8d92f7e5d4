"""The explorer's counterexamples (tests/explore), one named test each, driving the payment machine by events.

Each states the behaviour the explorer's properties require (docs/explore.md). Each docstring gives the event
sequence as the explorer found it, with what was expected and what the machine did before the fix ("today" in the
older ones: the machine as it was when the explorer found it).
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from kiosk_ui.payments import events as ev
from kiosk_ui.payments import machine as pm
from kiosk_ui.protocol import messages as m


def status(charging: bool, due: str, credit: str = "0", change: str = "0", ref: str = "") -> pm.EngineStatus:
    return pm.EngineStatus(charging, D(due), D(credit), D(change), ref, "")


def ready() -> pm.PaymentMachine:
    machine = pm.PaymentMachine(new_id=iter(f"a{i}" for i in range(1, 99)).__next__)
    machine.handle(pm.ConnectionBack())
    machine.handle(status(False, "0"))
    return machine


def run(machine: pm.PaymentMachine, *events: Any) -> list[pm.Effect]:
    """Feed events; complete journal writes and sends as events when the machine has them (core's rewrite)."""
    out: list[pm.Effect] = []
    for event in events:
        effects = machine.handle(event)
        out += effects
        out += _complete(machine, effects)
    return out


def _complete(machine: pm.PaymentMachine, effects: list[pm.Effect]) -> list[pm.Effect]:
    written, sent = getattr(ev, "JournalWritten", None), getattr(ev, "Sent", None)
    out: list[pm.Effect] = []
    for effect in effects:
        done: Any = None
        if written is not None and isinstance(effect, pm.JournalOpen | pm.JournalUpdate | pm.JournalReopen):
            done = _build(written, effect.payment_id, type(effect).__name__)
        elif sent is not None and isinstance(effect, pm.Send):
            done = _build(sent, effect.payment_id, effect.message.COMMAND)
        if done is not None:
            more = machine.handle(done)
            out += more + _complete(machine, more)
    return out


def _build(cls: Any, pid: str, what: str) -> Any:
    import inspect

    values = {"payment_id": pid, "command": what, "kind": what, "what": what}
    return cls(**{p: values[p] for p in inspect.signature(cls).parameters if p in values})


def outcomes(effects: list[pm.Effect]) -> dict[str, str]:
    return {e.payment_id: e.result.outcome for e in effects if isinstance(e, pm.JournalUpdate)}


def cancels(effects: list[pm.Effect]) -> int:
    return sum(1 for e in effects if isinstance(e, pm.Send) and isinstance(e.message, m.Cancel))


def charging_cash(machine: pm.PaymentMachine, credit: str = "0") -> list[pm.Effect]:
    effects = run(machine, pm.StartRequested("p0", "cash", D(35)), status(True, "35"))
    if credit != "0":
        effects += run(machine, pm.CreditUpdate(D(35), D(credit)))
    return effects


# --------------------------------------------------------------------------- passing today (the rules' part)


def test_a_refund_reported_as_change_with_credit_zero_is_a_cancel_with_the_money_returned() -> None:
    """20.00 in, cancel, then Credit 0.00 and changeDispensed 20.00 (issue case 4): cancelled, 20 returned."""
    machine = ready()
    charging_cash(machine, credit="20")
    effects = run(machine, pm.CancelRequested("p0"), status(False, "35", credit="0", change="20"))
    result = next(e.result for e in effects if isinstance(e, pm.Publish))
    assert (result.outcome, result.credit, result.change_paid, result.shortfall) == ("cancelled", D(20), D(20), 0)


# --------------------------------------------------------------------------- found by the explorer, fixed


def test_no_ack_cancel_when_a_frame_since_paycash_shows_another_clients_sale() -> None:
    """pay cash; before any acknowledgement a status shows the engine charging another client's sale (Due 40); the
    ack timer fires; that sale ends; the engine then takes our paycash: expected no cancel of ours (it would reach
    that sale: the app knows of it), ours failed (engine busy) and that sale adopted, and the late take-up resumes
    our row (docs/protocol.md: that same payment resumes); the explorer found the old machine's ack-timeout cancel
    reaching the other client's sale."""
    machine = ready()
    effects = run(machine, pm.StartRequested("p0", "cash", D(35)), status(True, "40"), pm.TimerFired("ack", "p0"))
    assert cancels(effects) == 0 and outcomes(effects) == {"p0": "failed"}, "another Due: never our cancel"
    late = run(machine, status(False, "40", credit="40"), status(True, "35"))  # the late take-up, after that sale
    assert any(isinstance(e, pm.JournalReopen) and e.payment_id == "p0" for e in late) and cancels(late) == 0


def test_a_plain_ack_timeout_sends_exactly_one_cancel() -> None:
    """The contract (docs/protocol.md, cash step 2): no acknowledgement within the timeout and nothing heard that shows
    another sale: ``cancel "1"`` goes out, once; a late take-up resumes the same payment. (A blind cancel can still
    reach another client's sale the app never heard of: docs/explore.md, accepted residual.)"""
    machine = ready()
    effects = run(machine, pm.StartRequested("p0", "cash", D(35)), pm.TimerFired("ack", "p0"))
    assert cancels(effects) == 1
    late = run(machine, status(True, "35"))
    assert cancels(late) == 0 and machine.payment is not None and machine.payment.id == "p0"


def test_another_clients_sale_seen_while_our_command_waits_for_its_row_is_journaled() -> None:
    """pay cash (its row being written); another client's sale of 40 starts and the app hears it charging; it is
    paid and ends; then our row is written: expected that sale journaled (and ours not sent into a busy engine);
    found after the blind cancel was fixed: the frame was ignored while OPENING, the sale ended unjournaled, and
    the paycash left after it."""
    machine = ready()
    machine.handle(pm.StartRequested("p0", "cash", D(35)))  # the row's write is still pending
    effects = run(machine, status(True, "40"), pm.CreditUpdate(D(40), D(40)), status(False, "40", credit="40"),
                  pm.JournalWritten("p0"))  # fmt: skip
    assert outcomes(effects) == {"p0": "failed", "a1": "completed"}
    assert not any(isinstance(e, pm.Send) and isinstance(e.message, m.PayCash) for e in effects)


def test_another_clients_sale_seen_while_ours_waits_for_its_ack_is_journaled() -> None:
    """pay cash (paycash sent); another client's sale of 40 starts before the engine reads it and the app hears it
    charging; it ends; the engine then takes our paycash: expected that sale journaled, and ours resumed on its
    own row; found after the blind cancel was fixed: the frame was ignored while STARTING and that sale had no
    row."""
    machine = ready()
    effects = run(machine, pm.StartRequested("p0", "cash", D(35)), status(True, "40"), pm.CreditUpdate(D(40), D(40)),
                  status(False, "40", credit="40"), status(True, "35"))  # fmt: skip
    opened = [e.payment_id for e in effects if isinstance(e, pm.JournalOpen)]
    assert opened == ["p0", "a1"] and outcomes(effects) == {"p0": "failed", "a1": "completed"}
    assert any(isinstance(e, pm.JournalReopen) and e.payment_id == "p0" for e in effects)


def test_a_customer_cancel_lost_in_a_connection_drop_is_sent_again() -> None:
    """pay cash, acknowledged; customer cancels (sent); the connection drops before the engine reads it; back;
    status still charging our Due: expected the cancel again; today none, the engine charges on unattended."""
    machine = ready()
    charging_cash(machine)
    run(machine, pm.CancelRequested("p0"))
    effects = run(machine, pm.ConnectionLost(), pm.ConnectionBack(), status(True, "35"))
    assert cancels(effects) == 1


def test_after_a_drop_the_engine_charging_another_due_ends_ours_as_unknown() -> None:
    """pay cash, acknowledged; customer inserts 50 (the sale completes); another client's sale of 40 starts; the
    connection drops and comes back; status charging 40: expected our payment settled (unknown: we never saw its
    end) and the 40 adopted; today ours stays live for ever and its row open."""
    machine = ready()
    charging_cash(machine)
    effects = run(machine, pm.ConnectionLost(), pm.ConnectionBack(), status(True, "40"))
    assert outcomes(effects).get("p0") == "unknown"


def test_a_payment_unacknowledged_before_a_drop_is_not_failed_when_another_sale_follows() -> None:
    """pay cash; the engine takes it and the customer pays 50 before the app hears anything; another client's sale
    of 40 starts; the connection drops and returns; status charging 40; ack timer fires: expected unknown (it may
    have been charged while we were away); today "failed", and the customer paid."""
    machine = ready()
    run(machine, pm.StartRequested("p0", "cash", D(35)))
    effects = run(machine, pm.ConnectionLost(), pm.ConnectionBack(), status(True, "40"), pm.TimerFired("ack", "p0"))
    assert outcomes(effects).get("p0") == "unknown"


def test_paycash_leaves_only_after_its_journal_row_is_written() -> None:
    """pay cash; a staff refill starts while the journal row is being written; the refill's status arrives; the
    write completes: expected no paycash (decided when it is sent, not when asked); today the paycash was emitted
    with the journal write and goes out into the refill."""
    machine = ready()
    effects = machine.handle(pm.StartRequested("p0", "cash", D(35)))
    assert not any(isinstance(e, pm.Send) and isinstance(e.message, m.PayCash) for e in effects)


def test_an_adopted_payment_whose_row_could_not_be_written_is_not_shown() -> None:
    """another client's sale of 40 starts (adopted: row opened); the journal write fails; the sale ends: expected
    no outcome published for a row that does not exist (nothing shown before it is journaled); today published."""
    machine = ready()
    opened = run(machine, status(True, "40"))
    adopted = next(e.payment_id for e in opened if isinstance(e, pm.JournalOpen))
    ended = status(False, "40", credit="40")
    effects = run(machine, pm.JournalOpenFailed(adopted), pm.CreditUpdate(D(40), D(40)), ended)
    reopened = any(isinstance(e, pm.JournalOpen) and e.payment_id == adopted for e in effects)
    assert reopened or not any(isinstance(e, pm.Publish) for e in effects)


def test_a_status_built_before_paycash_does_not_end_the_payment_as_cancelled() -> None:
    """pay cash, acknowledged; the engine sends a status built before our paycash (idle, Due 0); the end timer
    fires before the getstatus answer; then the customer inserts 50 and the sale completes: expected no definite
    outcome from no facts (unknown, or keep waiting); today "cancelled" at once, and then a second row adopts the
    same sale when its money arrives."""
    machine = ready()
    charging_cash(machine)
    effects = run(machine, status(False, "0"), pm.TimerFired("end", "p0"))
    assert outcomes(effects).get("p0") in (None, "unknown")


def test_a_card_payment_taken_up_after_it_was_given_up_resumes_its_row() -> None:
    """pay card; the engine takes it but the ack is slow: ack timer (cancel sent), abandon timer (settled failed);
    then the acknowledgement arrives (charging 35): expected the same payment resumed (reopened row); today it is
    taken for an echo of the given-up payment's own end, and the later approval is journaled nowhere (row failed)."""
    machine = ready()
    run(machine, pm.StartRequested("p0", "card", D(35)), pm.TimerFired("ack", "p0"), pm.TimerFired("abandon", "p0"))
    effects = run(machine, status(True, "35"))
    assert any(isinstance(e, pm.JournalReopen) and e.payment_id == "p0" for e in effects)


def test_a_reference_reported_while_still_charging_is_the_approval() -> None:
    """reading "early": pay card, acknowledged; a status still charging carries the new referenceCC R1; then the end
    with R1: expected completed with R1; today R1 is taken as the reference before the payment: declined, card
    charged (issue case 1)."""
    machine = ready()
    run(machine, pm.StartRequested("p0", "card", D(35)), status(True, "35"), status(True, "35", ref="R1"))
    effects = run(machine, status(False, "35", credit="35", ref="R1"))
    assert outcomes(effects).get("p0") == "completed"


def test_an_adopted_sale_ended_during_a_drop_with_nothing_left_is_not_a_cancel() -> None:
    """reading "left": another client's sale of 40 (adopted); the connection drops while it is paid (its
    updateCredit lost); back; status idle, Due 40, Credit 0, change 0: under "left" an exact payment, under
    "inserted" nothing paid: expected unknown; today "cancelled" (the rules need ``Facts.seen_all=False``)."""
    machine = ready()
    opened = run(machine, status(True, "40"))
    adopted = next(e.payment_id for e in opened if isinstance(e, pm.JournalOpen))
    effects = run(machine, pm.ConnectionLost(), pm.ConnectionBack(), status(False, "40"))
    assert outcomes(effects).get(adopted) == "unknown"


def test_a_due_zeroed_at_the_end_is_the_end_of_the_payment() -> None:
    """reading "zeroed": pay cash, acknowledged, 50 in; the end says Due 0, Credit 50, change 15: expected completed;
    today the end is taken for another sale's, the getstatus answer says the same, and the timer ends it unknown."""
    machine = ready()
    charging_cash(machine, credit="50")
    effects = run(machine, status(False, "0", credit="50", change="15"), status(False, "0", credit="50", change="15"),
                  pm.TimerFired("end", "p0"))  # fmt: skip
    assert outcomes(effects).get("p0") == "completed"


def test_a_second_sale_of_another_client_at_the_same_due_is_journaled() -> None:
    """another client's sale of 40 (adopted, paid, ended); at once a second one of 40 starts, is paid and ends;
    expected a second row: no command of ours went out since the first ended, so no status can be a stale
    snapshot of it (docs/protocol.md: a snapshot is built before *our* command); today the start is taken for an echo
    of the first sale, getstatus asked, and the answer (idle again) drops the second sale: no row (issue case 7)."""
    machine = ready()
    sale = (status(True, "40"), pm.CreditUpdate(D(40), D(40)), status(False, "40", credit="40"))
    first = run(machine, *sale)
    second = run(machine, *sale, status(False, "40", credit="40"))
    opened = {e.payment_id for e in first + second if isinstance(e, pm.JournalOpen)}
    assert len(opened) == 2 and set(outcomes(first + second).values()) == {"completed"}


def _two_cash_sales(machine: pm.PaymentMachine, first_change: str, second_change: str) -> list[pm.Effect]:
    """Two sales of 35 paid with 50 (change 15 each), their ends reporting ``changeDispensed`` as given."""
    effects: list[pm.Effect] = []
    for pid, change, before in (("p0", first_change, "0"), ("p1", second_change, first_change)):
        effects += run(machine, pm.StartRequested(pid, "cash", D(35)), status(True, "35", change=before),
                       pm.CreditUpdate(D(35), D(50)), status(False, "35", credit="50", change=change))  # fmt: skip
    return effects


def test_a_running_change_total_is_read_against_the_total_before_the_sale() -> None:
    """reading "running": two sales of 35 paid with 50; changeDispensed 15 after the first, 30 after the second (a
    total since the last close): expected both completed with 15 paid; before the fix the second ended unknown
    (no per-sale reading explains 30 out of 15 owed, and the total before the sale was never passed)."""
    machine = ready()
    effects = _two_cash_sales(machine, "15", "30")
    paid = {e.payment_id: (e.result.outcome, e.result.change_paid) for e in effects if isinstance(e, pm.JournalUpdate)}
    assert paid == {"p0": ("completed", D(15)), "p1": ("completed", D(15))}


def test_a_per_sale_change_repeating_the_last_sales_is_this_sales_change() -> None:
    """reading "sale": the same two sales, changeDispensed 15 after each (the engine repeats the last sale's 15 while
    idle): expected both completed with 15 paid; under a running total 15 again would mean nothing came out, so
    the total before the sale is used only where no per-sale reading explains the end."""
    machine = ready()
    effects = _two_cash_sales(machine, "15", "15")
    paid = {e.payment_id: (e.result.outcome, e.result.change_paid) for e in effects if isinstance(e, pm.JournalUpdate)}
    assert paid == {"p0": ("completed", D(15)), "p1": ("completed", D(15))}


def test_a_zeroed_due_end_with_money_is_concluded_on_its_own_status() -> None:
    """reading "zeroed" (the simulator): pay cash, acknowledged, 50 in; the end says Due 0, Credit 50, change 15; the
    engine's next idle status says Credit 0 (it keeps no sale's money): expected completed from the end itself;
    before, the end was taken for another sale's (Due 0 is not 35), the engine asked, and the answer's facts (Credit
    0, change 15) read as unknown (tests/integration/test_readings_end_to_end.py, zeroed reading)."""
    machine = ready()
    charging_cash(machine, credit="50")
    effects = run(machine, status(False, "0", credit="50", change="15"), status(False, "0", credit="0", change="15"))
    assert outcomes(effects) == {"p0": "completed"}


def test_a_cancel_written_after_the_payment_went_to_ending_waits_for_a_status_still_charging() -> None:
    """pay cash, acknowledged; the customer cancels (the cancel queued behind other effects); a status built
    before paycash (idle) puts the payment in ENDING before the cancel is written; the customer's 50 completes the
    sale and another client's sale starts; the engine then reads our cancel: expected the cancel refused at the
    write (the engine may have ended ours) and held until a status says it still charges ours; before, the arbiter
    let it out and it cancelled the other client's sale (or a refill)."""
    from kiosk_ui.payments.arbiter import Cancel, Refuse, Situation, arbiter

    machine = ready()
    charging_cash(machine)
    queued = machine.handle(pm.CancelRequested("p0"))  # the Send, not yet written
    assert cancels(queued) == 1
    run(machine, status(False, "0"))  # built before paycash: the end is checked (ENDING)
    assert isinstance(arbiter(Situation(machine.snapshot), m.Cancel("1"), Cancel("p0")), Refuse)
    run(machine, pm.SendFailed("p0", m.Cancel.COMMAND))
    assert cancels(run(machine, status(True, "35"))) == 1, "held, and sent once the engine says it still charges"


def test_after_a_drop_the_engine_in_a_refill_ends_the_sale_we_were_following() -> None:
    """another client's sale of 40 (adopted); it ends and a staff refill starts while the connection is down; back;
    status charging Due 0 (the refill): expected the adopted sale settled (unknown: its end was not seen) and no
    row left open; before, only a charging Due > 0 counted as another sale and the row stayed open for ever."""
    machine = ready()
    opened = run(machine, status(True, "40"))
    adopted = next(e.payment_id for e in opened if isinstance(e, pm.JournalOpen))
    effects = run(machine, pm.ConnectionLost(), pm.ConnectionBack(), status(True, "0"))
    assert outcomes(effects) == {adopted: "unknown"} and machine.payment is None


def test_a_frame_before_our_paycash_left_is_not_its_acknowledgement() -> None:
    """stale alphabet, depth 25: pay cash 35, acknowledged; the customer cancels (cancelled); a status built before
    that cancel (charging 35) is still on its way; the customer pays 35 again; the stale status arrives after the
    row is written but before the paycash left: expected no acknowledgement from it (nothing can answer a command
    that has not left); before, the payment went CHARGING on the last sale's snapshot, its paycash was then refused
    at the write (not STARTING) and it stayed live for ever with nothing charging it."""
    machine = ready()
    run(machine, pm.StartRequested("p0", "cash", D(35)), status(True, "35"), pm.CancelRequested("p0"),
        status(False, "35"))  # fmt: skip
    machine.handle(pm.StartRequested("p1", "cash", D(35)))
    machine.handle(pm.JournalWritten("p1"))  # the paycash is queued, not yet written
    machine.handle(status(True, "35"))  # the snapshot built before p0's cancel
    assert machine.state == pm.STARTING
    machine.handle(pm.Sent("p1", m.PayCash.COMMAND))
    run(machine, status(True, "35"))
    assert machine.state == pm.CHARGING, "the real acknowledgement"


def test_a_no_ack_cancel_not_yet_written_when_a_refill_is_heard_is_held() -> None:
    """faults with a refill: pay cash; the ack timer fires (cancel "1" queued behind other effects); a staff refill
    starts and the app hears it (charging, Due 0) before the cancel is written; then the engine reads our paycash
    (busy) and the cancel: expected the cancel refused at the write (the app knows the engine charges something
    else) and held until a frame shows the engine took our payment up; before, it went out and ended the refill."""
    from kiosk_ui.payments.arbiter import Cancel, Refuse, Situation, arbiter

    machine = ready()
    run(machine, pm.StartRequested("p0", "cash", D(35)))
    queued = machine.handle(pm.TimerFired("ack", "p0"))
    assert cancels(queued) == 1  # the contract's cancel, not yet written
    machine.handle(status(True, "0"))  # the refill, heard
    engine = machine.snapshot.engine
    situation = Situation(machine.snapshot, engine.charging, engine.due or D(0))
    assert isinstance(arbiter(situation, m.Cancel("1"), Cancel("p0")), Refuse)
    run(machine, pm.SendFailed("p0", m.Cancel.COMMAND), status(False, "0"), pm.TimerFired("abandon", "p0"))
    assert cancels(run(machine, status(True, "35"))) == 1, "the held cancel meets the late take-up"

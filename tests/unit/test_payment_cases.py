"""The payment machine on the event sequences of issue 19's seven cases, one test per behaviour.

Each test drives :class:`~kiosk_ui.payments.machine.PaymentMachine` the way the service does: every effect that
completes (a journal write, a frame sent) comes back as its completion event (``JournalWritten``, ``Sent``; or
``SendFailed`` where the test says the engine was away)."""

from __future__ import annotations

from decimal import Decimal

from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.readings import ALL_READINGS, Reading
from kiosk_ui.protocol import messages as m

D = Decimal


class Drive:
    """A machine and what it did: frames sent (in order), rows journaled, outcomes published."""

    def __init__(self, **kwargs: object) -> None:
        self.ids = 0
        self.mc = pm.PaymentMachine(connected=True, new_id=self._new_id, strict=True, **kwargs)  # type: ignore[arg-type]
        self.sent: list[m.Message] = []
        self.rows: dict[str, str] = {}
        self.published: list[pm.PaymentResult] = []
        #: commands whose send fails (the engine is away): SendFailed comes back instead of Sent
        self.failing: set[str] = set()

    def _new_id(self) -> str:
        self.ids += 1
        return f"adopted{self.ids}"

    def __call__(self, *events: pm.Event) -> list[pm.Effect]:
        done: list[pm.Effect] = []
        for event in events:
            effects = self.mc.handle(event)
            done += effects
            for effect in effects:
                done += self._complete(effect)
        return done

    def _complete(self, effect: pm.Effect) -> list[pm.Effect]:
        if isinstance(effect, pm.JournalOpen):
            self.rows[effect.payment_id] = "open"
            return self(pm.JournalWritten(effect.payment_id))
        if isinstance(effect, pm.JournalReopen):
            self.rows[effect.payment_id] = "open"
        elif isinstance(effect, pm.JournalUpdate):
            self.rows[effect.payment_id] = effect.result.outcome
        elif isinstance(effect, pm.Publish):
            self.published.append(effect.result)
        elif isinstance(effect, pm.Send):
            if effect.message.COMMAND in self.failing:
                return self(pm.SendFailed(effect.payment_id, effect.message.COMMAND))
            self.sent.append(effect.message)
            return self(pm.Sent(effect.payment_id, effect.message.COMMAND))
        return []

    def cancels(self) -> list[m.Message]:
        return [s for s in self.sent if isinstance(s, m.Cancel)]


def status(charging: bool, due: str, credit: str = "0", change: str | None = "0", ref: str | None = "",
           text: str = "") -> pm.EngineStatus:  # fmt: skip
    return pm.EngineStatus(charging, D(due), D(credit), None if change is None else D(change), ref, text)


IDLE = status(False, "0", ref="R-1", text="Disponible")


# ---------------------------------------------------------------- 1. an approval told while still charging


def test_a_card_approval_reported_in_a_still_charging_status_is_completed() -> None:
    go = Drive()
    go(IDLE, pm.StartRequested("a", "card", D(30)))
    go(status(True, "30", ref="R-1", text="Inserte tarjeta"))  # acknowledged: the reference before
    go(status(True, "30", ref="R-2", text="Aprobada"))  # the approval, reported before the end
    go(status(False, "30", ref="R-2", text="Aprobada"))
    (result,) = go.published
    assert (result.outcome, result.reference) == ("completed", "R-2")


def test_a_new_reference_in_the_first_charging_status_is_not_a_definite_outcome() -> None:
    """Known reference R-1 before; the first status after the take-up already says R-2: the approval, or the
    end of a sale we never saw. The end repeating R-2 cannot tell: unknown, never declined or completed."""
    go = Drive()
    go(IDLE, pm.StartRequested("a", "card", D(30)), pm.EngineSockets(True, D(30), D(0), "tarjeta"))
    go(status(True, "30", ref="R-2"), status(False, "30", ref="R-2", text="Declinada"))
    (result,) = go.published
    assert result.outcome == "unknown"


# ---------------------------------------------------------------- 2. cancel before the ack, late take-up


def test_a_cancel_confirmed_before_the_ack_reaches_a_payment_taken_up_late() -> None:
    go = Drive()
    go(IDLE, pm.StartRequested("a", "cash", D(20)), pm.CancelRequested("a"))
    assert go.cancels() == [], "not sent to an engine that has not taken the payment up"
    go(pm.TimerFired("ack", "a"))
    assert len(go.cancels()) == 1, "the machine's own no-ack cancel"
    go(status(True, "20", text="Cobrando"))  # taken up late, after that cancel
    assert len(go.cancels()) == 2, "the customer's cancel reaches the payment the engine took up"
    assert go.mc.payment is not None and go.mc.payment.cancel == "sent"


def test_a_cancel_confirmed_before_the_ack_reaches_a_given_up_payment_taken_up() -> None:
    go = Drive(synced=True)
    go(IDLE, pm.StartRequested("a", "cash", D(20)), pm.CancelRequested("a"), pm.TimerFired("ack", "a"))
    go(pm.TimerFired("abandon", "a"))
    assert go.rows["a"] in ("failed", "unknown") and go.mc.payment is None
    go(status(True, "20", text="Cobrando"))  # the engine takes the given-up payment up after all
    assert go.mc.payment is not None and go.mc.payment.id == "a" and go.rows["a"] == "open"
    assert len(go.cancels()) == 2, "the customer's cancel goes out to the resumed payment"


# ---------------------------------------------------------------- 3. a stale end repeating the previous sale


def _previous_sale(go: Drive, method: str, due: str, end: pm.EngineStatus) -> None:
    go(IDLE, pm.StartRequested("prev", method, D(due)), status(True, due, ref="R-1"), end)  # type: ignore[arg-type]
    assert go.rows["prev"] == "completed"


def test_a_stale_card_end_repeating_the_previous_sale_is_not_this_payments_end() -> None:
    go = Drive()
    end = status(False, "30", ref="R-7", text="Aprobada")
    _previous_sale(go, "card", "30", end)
    go(pm.StartRequested("b", "card", D(30)), status(True, "30", ref="R-7", text="Inserte tarjeta"))
    sent = len(go.sent)
    go(end)  # built before our paycreditcard, delivered after the acknowledgement
    assert "b" not in [r.id for r in go.published], "no outcome from the previous sale's facts"
    assert isinstance(go.sent[sent], m.GetStatus), "the engine is asked"
    go(status(True, "30", ref="R-7", text="Inserte tarjeta"))  # its answer: still charging
    go(status(False, "30", ref="R-7", text="Declinada"))  # the real end (repeats the facts: asked again)
    go(status(False, "30", ref="R-7", text="Declinada"))  # the answer to that question
    assert [(r.id, r.outcome) for r in go.published] == [("prev", "completed"), ("b", "declined")]


def test_a_stale_cash_end_repeating_the_previous_sale_does_not_pay_the_next() -> None:
    go = Drive()
    end = status(False, "50", "50", "0", text="Pago completado")
    _previous_sale(go, "cash", "50", end)
    go(pm.StartRequested("b", "cash", D(50)), status(True, "50", text="Cobrando"))
    go(end)  # stale: built before our paycash
    assert [r.id for r in go.published] == ["prev"]
    go(status(True, "50", "0", text="Cobrando"))  # the answer: charging, nothing in yet
    assert go.mc.payment is not None and go.mc.payment.id == "b" and go.mc.state == pm.CHARGING
    go(pm.CreditUpdate(D(50), D(20)), status(False, "50", "20", "20", text="Cancelado"))
    assert [(r.id, r.outcome) for r in go.published] == [("prev", "completed"), ("b", "cancelled")]


# ---------------------------------------------------------------- 4. refund reported as Credit 0 + changeDispensed


def test_a_cash_cancel_whose_money_all_came_back_as_change_is_a_refund() -> None:
    go = Drive()
    go(IDLE, pm.StartRequested("a", "cash", D(50)), status(True, "50"), pm.CreditUpdate(D(50), D(20)))
    go(pm.CancelRequested("a"), status(False, "50", "0", "20", text="Cancelado"))
    (result,) = go.published
    assert (result.outcome, result.credit, result.change_paid, result.shortfall) == ("cancelled", 20, 20, 0)


# ---------------------------------------------------------------- 5. drop before the ack, paid in full meanwhile


def test_a_sale_paid_in_full_during_a_drop_is_completed_from_the_status_after_the_reconnect() -> None:
    """Under the reading the engine is pinned to (Credit = what was inserted): completed. Under every reading (auto,
    nothing learned yet) the money was not seen arriving, so Credit 50 could also be what is left: unknown, never
    a wrong definite outcome; and never a cancel to an idle engine."""
    for readings, expected in (((Reading(),), "completed"), (ALL_READINGS, "unknown")):
        go = Drive(synced=True, readings=readings)
        go(IDLE, pm.StartRequested("a", "cash", D(50)))
        go(pm.ConnectionLost(), pm.ConnectionBack())  # the acknowledgement was lost with the socket
        go(status(False, "50", "50", "0", ref="R-1", text="Pago completado"))
        go(pm.TimerFired("ack", "a"))
        assert go.cancels() == [], "no cancel to an idle engine"
        (result,) = go.published
        assert result.outcome == expected, readings


def test_a_status_after_a_reconnect_repeating_the_view_before_the_command_is_not_this_sale() -> None:
    go = Drive(synced=True)
    before = status(False, "50", "50", "0", ref="R-1", text="Disponible")  # the engine keeps the last sale's
    go(before, pm.StartRequested("a", "cash", D(50)), pm.ConnectionLost(), pm.ConnectionBack(), before)
    assert go.published == [] or go.published[0].outcome != "completed"


# ---------------------------------------------------------------- 6. the no-ack cancel that failed to leave


def test_a_no_ack_cancel_that_failed_to_send_goes_out_when_the_engine_returns_charging() -> None:
    go = Drive(synced=True)
    go(IDLE, pm.StartRequested("a", "cash", D(20)), pm.ConnectionLost())
    go.failing.add(m.Cancel.COMMAND)
    go(pm.TimerFired("ack", "a"), pm.TimerFired("abandon", "a"))
    assert go.cancels() == [] and go.mc.payment is None
    go.failing.clear()
    go(pm.ConnectionBack(), status(True, "20", text="Cobrando"))  # the engine took the paycash up
    assert go.mc.payment is not None and go.mc.payment.id == "a"
    assert len(go.cancels()) == 1, "the cancel that never left goes out now"


def test_a_no_ack_cancel_in_flight_is_not_believed_sent() -> None:
    go = Drive()
    go(IDLE, pm.StartRequested("a", "cash", D(20)))
    effects = go.mc.handle(pm.TimerFired("ack", "a"))
    assert any(isinstance(e, pm.Send) and isinstance(e.message, m.Cancel) for e in effects)
    assert go.mc.payment is not None and go.mc.payment.own_cancel == "sending"
    go.mc.handle(pm.Sent("a", m.Cancel.COMMAND))
    assert go.mc.payment is not None and go.mc.payment.own_cancel == "sent"


# ---------------------------------------------------------------- 7. two other-client sales at the same Due


def test_two_consecutive_other_client_sales_at_the_same_due_are_both_journaled() -> None:
    go = Drive()
    go(IDLE, pm.EngineSockets(True, D(30), D(0), "efectivo"), pm.CreditUpdate(D(30), D(30)))
    go(status(False, "30", "30", "0", ref="R-1", text="Pago completado"))
    # the next sale, a few ms later: its sockets looks like a stale echo of the first, so the kiosk asks
    go(pm.EngineSockets(True, D(30), D(0), "tarjeta"))
    go(status(False, "30", "0", "0", ref="R-2", text="Aprobada"))  # the answer: that sale already ended
    assert len(go.rows) == 2, go.rows
    assert sorted(go.rows.values()) == ["completed", "completed"]


def test_the_answer_repeating_the_ended_sale_adopts_nothing() -> None:
    go = Drive()
    go(IDLE, pm.EngineSockets(True, D(30), D(0), "efectivo"), pm.CreditUpdate(D(30), D(30)))
    end = status(False, "30", "30", "0", ref="R-1", text="Pago completado")
    go(end, pm.EngineSockets(True, D(30), D(20), "efectivo"), end)
    assert len(go.rows) == 1


# ---------------------------------------------------------------- a restarted engine's Due 0 is not a zeroed end


def test_after_a_drop_an_idle_engine_reporting_due_zero_does_not_complete_the_payment() -> None:
    """50 of 80 in, the engine restarts (the connection drops) and forgets the sale: Due 0, Credit 0. Under the
    readings where Due is zeroed and Credit is what is left this would read as an exact payment: never after a drop
    (the full suite's engine-restart test caught it)."""
    go = Drive(synced=True)
    go(IDLE, pm.StartRequested("a", "cash", D(80)), status(True, "80"), pm.CreditUpdate(D(80), D(50)))
    go(pm.ConnectionLost(), pm.ConnectionBack(), status(False, "0", "0", "0"), status(False, "0", "0", "0"))
    (result,) = go.published
    assert result.outcome == "unknown"


def test_a_card_approved_during_a_drop_before_the_ack_is_completed_not_declined() -> None:
    """Explorer: pay card; the engine takes it, the card is approved, the connection drops (the acknowledgement
    lost); after the reconnect the status ends the sale with the new reference R1. That reference is the
    approval, not the reference before the payment: completed, never declined."""
    go = Drive(synced=True)
    go(IDLE, pm.StartRequested("a", "card", D(35)), pm.ConnectionLost(), pm.ConnectionBack())
    go(status(False, "35", "35", "0", ref="R1", text="Aprobada"))
    (result,) = go.published
    assert (result.outcome, result.reference) == ("completed", "R1")


def test_a_customer_cancel_that_could_not_leave_goes_out_when_the_engine_is_back_charging() -> None:
    """Explorer: cash acknowledged; the connection drops; the customer cancels (the send fails); back; the engine
    still charges the payment: the cancel goes out then (before: forgotten, the engine charged on unattended)."""
    go = Drive(synced=True)
    go(IDLE, pm.StartRequested("a", "cash", D(35)), status(True, "35"), pm.ConnectionLost())
    go.failing.add(m.Cancel.COMMAND)
    go(pm.CancelRequested("a"))
    go.failing.clear()
    assert go.cancels() == []
    go(pm.ConnectionBack(), status(True, "35"))
    assert len(go.cancels()) == 1


def test_a_stale_pre_command_status_then_a_silent_grace_does_not_settle_a_live_payment() -> None:
    """Explorer: cash acknowledged; a status built before our paycash (idle, Due 0) arrives; the end grace runs
    out before the answer; then money comes in and the engine says it still charges this Due: one payment, one row,
    still live (before: settled unknown at the timer, then the same sale adopted on a second row)."""
    go = Drive(synced=True)
    go(IDLE, pm.StartRequested("a", "cash", D(35)), status(True, "35"), status(False, "0"))
    go(pm.TimerFired("end", "a"))
    assert go.published == [] and isinstance(go.sent[-1], m.GetStatus), "asked again, nothing settled"
    go(pm.CreditUpdate(D(35), D(20)), status(True, "35", "20"))
    assert go.mc.payment is not None and go.mc.payment.id == "a" and go.mc.state == pm.CHARGING
    assert list(go.rows) == ["a"]

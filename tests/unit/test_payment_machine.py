"""The pure payment machine: a model-based test over random interleavings of every event, and
the outcome rules one by one (issue 9)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk_ui.errors import FailureCode
from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.rules import CASH_RULES, OUTCOME_TABLE, Facts, adds_up, decide
from kiosk_ui.protocol import messages as m

D = Decimal
amounts = st.sampled_from([D(0), D("0.50"), D(5), D(10), D(20), D("35.50"), D(50), D(70), D(100)])
dues = st.sampled_from([D(10), D(20), D("35.50"), D(50)])
maybe = st.one_of(st.none(), amounts)


class PaymentModel(RuleBasedStateMachine):
    """Runs the machine's effects against a model journal and checks the promises after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = 0
        self.machine = self._new_machine()
        self.journal: dict[str, dict[str, Any]] = {}  # id → row
        self.published: dict[str, pm.PaymentResult] = {}
        self.timers: dict[str, str] = {}  # name → payment id
        self.sent: list[tuple[str, m.Message]] = []
        self.seen_credit: dict[str, Decimal] = {}

    def _new_id(self) -> str:
        self.ids += 1
        return f"p{self.ids}"

    def _new_machine(self) -> pm.PaymentMachine:
        return pm.PaymentMachine(ack_timeout=5, end_grace=2, abandon_grace=5, new_id=self._new_id, connected=True,
                                 strict=True)  # fmt: skip

    # ---------------------------------------------------------------- running effects
    def feed(self, event: pm.Event, journal_ok: bool = True) -> None:
        before = self.machine.payment
        effects = self.machine.handle(event)
        self.run(effects, journal_ok)
        for payment in (before, self.machine.payment):
            if payment is not None:
                self.seen_credit[payment.id] = max(self.seen_credit.get(payment.id, D(0)), payment.credit)

    def run(self, effects: list[pm.Effect], journal_ok: bool = True) -> None:
        for effect in effects:
            if isinstance(effect, pm.JournalOpen):
                if not journal_ok:  # the service stops the batch and says so
                    self.feed(pm.JournalOpenFailed(effect.payment_id))
                    return
                assert effect.payment_id not in self.journal, "a payment is journaled once"
                self.journal[effect.payment_id] = {"outcome": "open", "due": effect.due, "method": effect.method}
                self.feed(pm.JournalWritten(effect.payment_id))  # the completion comes back
            elif isinstance(effect, pm.JournalUpdate):
                row = self.journal.get(effect.payment_id)
                assert row is not None, "an outcome for a payment never journaled"
                assert row["outcome"] == "open", "an outcome journaled twice"
                row["outcome"] = effect.result.outcome
                row["result"] = effect.result
            elif isinstance(effect, pm.JournalReopen):
                # only a payment given up for want of an acknowledgement, which the engine then took up after all
                row = self.journal.get(effect.payment_id)
                assert row is not None and row["outcome"] in ("failed", "unknown"), "reopened a row never settled"
                given_up = self.published.pop(effect.payment_id, None)
                assert given_up is not None and given_up.failure is FailureCode.NO_ACK, "reopened a real outcome"
                assert self.machine.payment is not None and self.machine.payment.id == effect.payment_id
                row["outcome"] = "open"
                row.pop("result", None)
            elif isinstance(effect, pm.Publish):
                result = effect.result
                assert result.id not in self.published, "an outcome published twice"
                row = self.journal.get(result.id)
                assert row is not None and row.get("result") == result, "published before (or unlike) journaled"
                self.published[result.id] = result
            elif isinstance(effect, pm.Send):
                self.sent.append((effect.payment_id, effect.message))
                if isinstance(effect.message, m.Cancel):
                    # a cancel only for the payment in progress
                    payment = self.machine.payment
                    assert payment is not None and payment.id == effect.payment_id
                self.feed(pm.Sent(effect.payment_id, effect.message.COMMAND))
            elif isinstance(effect, pm.StartTimer):
                self.timers[effect.name] = effect.payment_id
            elif isinstance(effect, pm.StopTimer):
                self.timers.pop(effect.name, None)

    # ---------------------------------------------------------------- rules (events)
    @rule(method=st.sampled_from(["cash", "card"]), due=dues, journal_ok=st.booleans())
    def start(self, method: pm.Method, due: Decimal, journal_ok: bool) -> None:
        if self.machine.state == pm.IDLE:
            self.feed(pm.StartRequested(self._new_id(), method, due), journal_ok)

    @rule(charging=st.one_of(st.none(), st.booleans()), due=st.one_of(st.none(), dues), credit=maybe,
          dispensed=maybe, reference=st.sampled_from([None, "", "111", "222"]))  # fmt: skip
    def engine_status(self, charging: bool | None, due: Decimal | None, credit: Decimal | None,
                      dispensed: Decimal | None, reference: str | None) -> None:  # fmt: skip
        self.feed(pm.EngineStatus(charging, due, credit, dispensed, reference, "Estado"))

    @rule(credit=amounts, dispensed=amounts, reference=st.sampled_from(["", "111", "333"]))
    def engine_ends_this_payment(self, credit: Decimal, dispensed: Decimal, reference: str) -> None:
        payment = self.machine.payment
        due = payment.due if payment else D(10)
        self.feed(pm.EngineStatus(False, due, max(credit, payment.credit if payment else D(0)), dispensed,
                                  reference, "Fin"))  # fmt: skip

    @rule(same_due=st.booleans(), credit=amounts)
    def engine_acknowledges(self, same_due: bool, credit: Decimal) -> None:
        payment = self.machine.payment
        due = payment.due if payment and same_due else D(99)
        self.feed(pm.EngineSockets(True, due, credit, "efectivo"))

    @rule(charging=st.one_of(st.none(), st.booleans()), due=st.one_of(st.none(), dues), credit=maybe)
    def engine_sockets(self, charging: bool | None, due: Decimal | None, credit: Decimal | None) -> None:
        self.feed(pm.EngineSockets(charging, due, credit, None))

    @rule(credit=amounts, same_due=st.booleans())
    def credit_update(self, credit: Decimal, same_due: bool) -> None:
        payment = self.machine.payment
        due = payment.due if payment and same_due else D(20)
        self.feed(pm.CreditUpdate(due, credit))

    @rule(stale=st.booleans(), value=st.sampled_from(["1", "2"]))
    def cancel(self, stale: bool, value: str) -> None:
        payment = self.machine.payment
        self.feed(pm.CancelRequested("p0" if stale or payment is None else payment.id, value))

    @rule(name=st.sampled_from(["ack", "end", "abandon"]), stale=st.booleans())
    def timer(self, name: str, stale: bool) -> None:
        payment_id = self.timers.pop(name, None)
        if stale or payment_id is None:
            payment_id = "p0"
        self.feed(pm.TimerFired(name, payment_id))  # type: ignore[arg-type]

    @rule()
    def connection_lost(self) -> None:
        self.feed(pm.ConnectionLost())

    @rule()
    def connection_back(self) -> None:
        self.feed(pm.ConnectionBack())

    @rule(command=st.sampled_from(["paycash", "paycreditcard", "cancel", "getstatus"]))
    def send_failed(self, command: str) -> None:
        payment = self.machine.payment
        if payment is not None:
            self.feed(pm.SendFailed(payment.id, command))

    @precondition(lambda self: any(r["outcome"] == "open" for r in self.journal.values()))
    @rule()
    def app_restarts(self) -> None:
        """The app dies and starts again: a new machine with the journal's open rows."""
        self.machine = self._new_machine()
        self.timers.clear()
        rows = tuple({"id": i, "method": r["method"], "due": str(r["due"])}
                     for i, r in self.journal.items() if r["outcome"] == "open")  # fmt: skip
        self.feed(pm.Recover(rows))

    # ---------------------------------------------------------------- invariants
    @invariant()
    def at_most_one_payment(self) -> None:
        assert (self.machine.state == pm.IDLE) == (self.machine.payment is None)
        open_rows = [i for i, r in self.journal.items() if r["outcome"] == "open"]
        live = [self.machine.payment.id] if self.machine.payment else []
        recovering = [r["id"] for r in self.machine.recovering]
        assert set(open_rows) <= set(live) | set(recovering) | self._restarted_rows()

    def _restarted_rows(self) -> set[str]:
        # rows left open by a restart stay open until the engine's first status settles them
        return {r["id"] for r in self.machine.recovering}

    @invariant()
    def published_outcomes_add_up(self) -> None:
        for result in self.published.values():
            assert adds_up(result.method, result.due, pm_decision(result)), result
            assert result.shortfall >= 0 and result.change_owed >= 0
            if result.outcome in ("failed", "declined"):
                # never "nothing was charged" while the payment held credit
                assert result.credit == 0 and self.seen_credit.get(result.id, D(0)) == 0, result
            if result.outcome == "cancelled" and result.credit == 0:
                assert self.seen_credit.get(result.id, D(0)) == 0, result

    @invariant()
    def every_published_outcome_is_journaled_identically(self) -> None:
        for result in self.published.values():
            assert self.journal[result.id]["result"] == result


def pm_decision(result: pm.PaymentResult) -> Any:
    from kiosk_ui.payments.rules import Decision

    return Decision(result.outcome, result.credit, result.change_owed, result.change_paid, result.shortfall)


TestPaymentModel = PaymentModel.TestCase
TestPaymentModel.settings = settings(max_examples=120, stateful_step_count=30, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


# --------------------------------------------------------------------------- the rules, one by one


def cash(due: str, credit: str | None, dispensed: str | None, seen: str = "0", cancel: bool = False) -> Any:
    facts = Facts(D(due), None if credit is None else D(credit), None if dispensed is None else D(dispensed),
                  credit_seen=D(seen), cancel_requested=cancel)  # fmt: skip
    return decide("cash", facts)


def test_cancel_racing_the_last_bill_is_a_completed_sale() -> None:
    # finding 1: Due 50, the customer asked to cancel, the engine took a 50 anyway
    d = cash("50", "70", "20", seen="20", cancel=True)
    assert (d.outcome, d.change_owed, d.change_paid, d.shortfall) == ("completed", D(20), D(20), D(0))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("20", "20", "0"), ("completed", "0", "0")),
        (("12", "20", "5"), ("completed", "8", "3")),
        (("50", "20", "20"), ("cancelled", "20", "0")),
        (("50", "20", "15"), ("cancelled", "20", "5")),
        (("20", "40", "40"), ("cancelled", "40", "0")),  # everything came back
        (("20", "40", "30"), ("unknown", "0", "0")),  # more than change, less than all: contradiction
        (("20", "10", "15"), ("unknown", "0", "0")),  # more out than in
        (("20", "30", None), ("unknown", "0", "0")),  # never told what came out
        (("20", None, None), ("cancelled", "0", "0")),  # nothing in, nothing out
    ],
)
def test_cash_rules(args: tuple[str, str | None, str | None], expected: tuple[str, str, str]) -> None:
    d = cash(*args)
    assert (d.outcome, d.change_owed, d.shortfall) == (expected[0], D(expected[1]), D(expected[2]))


def test_credit_below_what_was_seen_is_unknown_not_cancelled() -> None:
    assert cash("80", "0", "0", seen="50").outcome == "unknown"


def test_card_needs_a_new_reference() -> None:
    new = decide("card", Facts(D(10), D(10), D(0), reference="9", reference_before="8"))
    old = decide("card", Facts(D(10), D(0), D(0), reference="8", reference_before="8", status_text="Declinada"))
    missing = decide("card", Facts(D(10), None, None))
    assert (new.outcome, new.reference) == ("completed", "9")
    assert (old.outcome, old.reason) == ("declined", "Declinada")
    assert missing.outcome == "unknown"


def test_outcome_table_is_the_code_table() -> None:
    assert len([row for row in OUTCOME_TABLE if row[0] == "cash"]) == len(CASH_RULES)


def run(machine: pm.PaymentMachine, *events: pm.Event) -> list[pm.Effect]:
    """Feed events as the service does: a journal row written comes back as ``JournalWritten``, a frame sent as
    ``Sent``."""
    effects: list[pm.Effect] = []
    for event in events:
        new = machine.handle(event)
        effects += new
        for effect in new:
            if isinstance(effect, pm.JournalOpen):
                effects += run(machine, pm.JournalWritten(effect.payment_id))
            elif isinstance(effect, pm.Send):
                effects += run(machine, pm.Sent(effect.payment_id, effect.message.COMMAND))
    return effects


def test_no_ack_sends_cancel_and_a_late_ack_shows_the_same_payment() -> None:
    mc = pm.PaymentMachine(new_id=lambda: "adopted", connected=True)
    run(mc, pm.StartRequested("a", "cash", D(20)), pm.TimerFired("ack", "a"))
    assert mc.state == pm.ABANDONING
    effects = run(mc, pm.EngineSockets(True, D(20), D(0), "efectivo"))
    assert mc.state == pm.CHARGING and mc.payment and mc.payment.id == "a"
    assert not any(isinstance(e, pm.JournalOpen) for e in effects), "never journaled twice"
    assert not run(mc, pm.TimerFired("abandon", "a")), "the abandon timer of an acknowledged payment does nothing"


def test_a_stale_cancel_sends_nothing() -> None:
    mc = pm.PaymentMachine(connected=True)
    assert run(mc, pm.CancelRequested("gone")) == []
    run(mc, pm.StartRequested("a", "cash", D(20)), pm.EngineSockets(True, D(20), D(0)))
    assert run(mc, pm.CancelRequested("gone")) == []
    assert [type(e) for e in run(mc, pm.CancelRequested("a"))] == [pm.Send]


def test_recovery_does_not_complete_a_row_from_a_previous_sales_facts() -> None:
    # finding 5: idle engine still reporting Due 20 / Credit 20 of the previous sale
    mc = pm.PaymentMachine(connected=True)
    run(mc, pm.Recover(({"id": "r", "method": "cash", "due": "20.00"},)))
    effects = run(mc, pm.EngineStatus(False, D(20), D(20), D(0), "", "Pago completado"))
    (update,) = [e for e in effects if isinstance(e, pm.JournalUpdate)]
    assert update.result.outcome == "unknown"


def test_recovery_resumes_a_payment_the_engine_still_charges() -> None:
    mc = pm.PaymentMachine(connected=True)
    run(mc, pm.Recover(({"id": "r", "method": "cash", "due": "50.00"},)))
    assert run(mc, pm.EngineStatus(True, D(50), D(20), D(0), "", "Cobrando")) == []
    assert mc.payment and (mc.payment.id, mc.payment.credit) == ("r", D(20))


def test_update_credit_alone_acknowledges() -> None:
    # issue 15 item 2: an engine that acknowledges with updateCredit only
    mc = pm.PaymentMachine(connected=True)
    run(mc, pm.StartRequested("a", "cash", D("35.50")))
    run(mc, pm.CreditUpdate(D("35.50"), D(0)))
    assert mc.state == pm.CHARGING
    other = pm.PaymentMachine(connected=True)
    run(other, pm.StartRequested("b", "cash", D("35.50")), pm.CreditUpdate(D(0), D(20)))  # a refill's, not ours
    assert other.state == pm.STARTING


def test_a_failed_start_carries_a_typed_failure_code() -> None:
    """Screens match ``PaymentResult.failure`` (a FailureCode), never words in the free-text reason."""
    from kiosk_ui.errors import FailureCode

    mc = pm.PaymentMachine(connected=True, synced=True)
    run(mc, pm.StartRequested("a", "cash", D(20)), pm.TimerFired("ack", "a"))
    (published,) = [e for e in run(mc, pm.TimerFired("abandon", "a")) if isinstance(e, pm.Publish)]
    assert published.result.outcome == "failed" and published.result.failure is FailureCode.NO_ACK

    mc = pm.PaymentMachine(connected=True, synced=True)
    run(mc, pm.StartRequested("b", "card", D(20)))
    (published,) = [e for e in run(mc, pm.SendFailed("b", m.PayCreditCard.COMMAND)) if isinstance(e, pm.Publish)]
    assert published.result.failure is FailureCode.ENGINE_UNAVAILABLE


def test_a_payment_taken_up_after_it_was_given_up_resumes_its_own_row() -> None:
    """No acknowledgement, cancel sent, given up (failed, published); the engine then charges that Due after
    all (paycash reached it after the cancel): the same payment and row, reopened, never a second row."""
    mc = pm.PaymentMachine(new_id=lambda: "adopted", connected=True, synced=True)
    run(mc, pm.StartRequested("a", "cash", D(20)), pm.TimerFired("ack", "a"), pm.ConnectionLost(), pm.ConnectionBack())
    (given_up,) = [e for e in run(mc, pm.TimerFired("abandon", "a")) if isinstance(e, pm.Publish)]
    assert given_up.result.outcome == "unknown" and mc.state == pm.IDLE
    effects = run(mc, pm.EngineStatus(True, D(20), D(5), None, None, "Cobrando"))
    assert [type(e) for e in effects] == [pm.JournalReopen] and effects[0].payment_id == "a"  # type: ignore[union-attr]
    assert mc.payment and (mc.payment.id, mc.payment.credit, mc.payment.cancel_requested) == ("a", D(5), False)
    effects = run(mc, pm.EngineStatus(False, D(20), D(20), D(0), "", "Pago completado"))
    (update,) = [e for e in effects if isinstance(e, pm.JournalUpdate)]
    assert update.payment_id == "a" and update.result.outcome == "completed" and update.note == pm.RESUMED
    assert not any(isinstance(e, pm.JournalOpen) for e in effects)


def test_a_given_up_payment_is_forgotten_once_another_starts_or_the_engine_charges_another_due() -> None:
    for later in (
        [
            pm.StartRequested("b", "cash", D(30)),
            pm.EngineStatus(True, D(30), D(0), None, None, ""),
            pm.EngineStatus(False, D(30), D(0), D(0), "", ""),
        ],
        [pm.EngineStatus(True, D(99), D(0), None, None, ""), pm.EngineStatus(False, D(99), D(0), D(0), "", "")],
    ):
        mc = pm.PaymentMachine(new_id=lambda: "adopted", connected=True, synced=True)
        run(mc, pm.StartRequested("a", "cash", D(20)), pm.TimerFired("ack", "a"), pm.TimerFired("abandon", "a"))
        run(mc, *later)
        assert mc.state == pm.IDLE
        effects = run(mc, pm.EngineStatus(True, D(20), D(0), None, None, "Cobrando"))
        assert not any(isinstance(e, pm.JournalReopen) for e in effects)
        assert mc.payment is not None and mc.payment.id == "adopted"


def test_a_given_up_cash_payment_is_not_resumed_by_a_card_charge() -> None:
    mc = pm.PaymentMachine(new_id=lambda: "adopted", connected=True, synced=True)
    run(mc, pm.StartRequested("a", "cash", D(20)), pm.TimerFired("ack", "a"), pm.TimerFired("abandon", "a"))
    # a card sockets with the same Due may be a stale echo: the kiosk asks, and the status (no method) decides
    run(mc, pm.EngineSockets(True, D(20), D(0), "tarjeta"), pm.EngineStatus(True, D(20), D(0), None, None, ""))
    assert mc.payment is not None and (mc.payment.id, mc.payment.method) == ("adopted", "card")

"""Crash recovery with the money (issue 20 item 3): a payment journaled with its progress by a first run, the app
killed, the sale going on at the engine while it is down, and a second run's machine meeting the engine's first
frames. Each test drives the machines the way the service does (completions fed back, ``tests/unit/
test_payment_cases.py``'s ``Drive``), and journals the progress the service would write (``progress_write``)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.readings import ALL_READINGS, Reading, pinned
from kiosk_ui.payments.recovery import progress_write
from kiosk_ui.payments.rules import adds_up

from .test_payment_cases import Drive, status

D = Decimal
#: ``[protocol] engine_reading`` pinned to what protocol.md's steps describe: Credit says what went in
INSERTED = pinned("inserted-sale-kept-end")


class FirstRun(Drive):
    """A machine whose payment's progress is journaled as the service journals it (the last write per payment)."""

    def __init__(self) -> None:
        super().__init__()
        self.progress: dict[str, str] = {}
        self.writes = 0
        #: what each payment's row was opened with (id -> method, due)
        self.opened: dict[str, tuple[str, str]] = {}

    def __call__(self, *events: pm.Event) -> list[pm.Effect]:
        done: list[pm.Effect] = []
        for event in events:
            if isinstance(event, pm.StartRequested):
                self.opened[event.payment_id] = (event.method, str(event.due))
            before = self.mc.snapshot
            done += super().__call__(event)
            write = progress_write(before, self.mc.snapshot)
            if write is not None:
                self.progress[write.payment_id] = write.progress
                self.writes += 1
        return done

    def open_rows(self) -> tuple[dict[str, str], ...]:
        """What ``journal.open_payments()`` hands the next run (the app was killed: no outcome written)."""
        return tuple({"id": i, "method": self.opened[i][0], "due": self.opened[i][1],
                      "progress": self.progress.get(i, "")} for i, outcome in self.rows.items()
                     if outcome == "open")  # fmt: skip


def first_run(payment_id: str, method: pm.Method, due: str, *frames: pm.Event) -> FirstRun:
    run = FirstRun()
    run(status(False, "0", ref="R-1", text="Disponible"), pm.StartRequested(payment_id, method, D(due)), *frames)
    return run


def restart(run: FirstRun, *frames: pm.Event, readings: tuple[Reading, ...] = ALL_READINGS,
            ) -> tuple[Drive, pm.PaymentResult | None]:  # fmt: skip
    """A second run: ``Recover`` with the open rows, then the engine's first frames; the row's journaled outcome."""
    second = Drive(readings=readings)  # [protocol] engine_reading, as the kiosk configures its machine
    effects = second(pm.Recover(run.open_rows()), *frames)
    updates = [e.result for e in effects if isinstance(e, pm.JournalUpdate)]
    assert len(updates) <= 1
    return second, updates[0] if updates else None


def cash_paid_20_of_30() -> FirstRun:
    return first_run("p", "cash", "30", status(True, "30", text="Inserte"), pm.CreditUpdate(D(30), D(20)))


def card_waiting_for_the_terminal() -> FirstRun:
    return first_run("card", "card", "30", status(True, "30", ref="R-1", text="Inserte tarjeta"))


# ---------------------------------------------------------------- the sale ended while the app was down


def test_cash_paid_in_full_while_down_is_completed_with_the_engines_amounts() -> None:
    run = cash_paid_20_of_30()
    assert run.writes == 2, "one write on the acknowledgement, one when the credit rose"
    second, result = restart(run, status(False, "30", "40", "10", ref="R-1", text="Pago completado"), readings=INSERTED)
    assert result is not None and second.published == [], "the screen that showed it is gone: staff see the row"
    assert (result.id, result.outcome, result.credit, result.change_owed, result.change_paid, result.shortfall) == (
        "p", "completed", D(40), D(10), D(10), D(0),
    )  # fmt: skip
    assert "restarted" in result.reason
    assert second.mc.payment is None and second.mc.state == pm.IDLE


def test_cash_paid_in_full_while_down_under_every_reading_is_unknown_with_the_engines_amounts() -> None:
    """Unpinned, a Credit of 40 may be what is left after 70 went in (money not seen while down): the readings
    disagree on the amounts, so unknown; but with the engine's figures, never credit 0.00."""
    _, result = restart(cash_paid_20_of_30(), status(False, "30", "40", "10", ref="R-1", text="Pago completado"))
    assert result is not None
    assert (result.outcome, result.credit, result.change_paid, result.reference) == ("unknown", D(40), D(10), "")
    assert "Credit 40" in result.reason and "readings" in result.reason


def test_cash_paid_with_change_short_while_down_records_the_shortfall() -> None:
    _, result = restart(cash_paid_20_of_30(), status(False, "30", "50", "15", text="Cambio incompleto"),
                        readings=INSERTED)  # fmt: skip
    assert result is not None
    assert (result.outcome, result.credit, result.change_owed, result.change_paid, result.shortfall) == (
        "completed", D(50), D(20), D(15), D(5),
    )  # fmt: skip


def test_a_refund_of_all_the_credit_seen_while_down_is_cancelled_under_every_reading() -> None:
    """The customer's cancel left before the kill; the engine gave back the 20 seen (Credit 0 after a refund)."""
    _, result = restart(cash_paid_20_of_30(), status(False, "30", "0", "20", text="Cancelado"))
    assert result is not None
    assert (result.outcome, result.credit, result.change_paid, result.shortfall) == ("cancelled", D(20), D(20), D(0))


def test_card_approved_while_down_is_completed_with_the_new_reference() -> None:
    _, result = restart(card_waiting_for_the_terminal(), status(False, "30", ref="R-2", text="Aprobada"))
    assert result is not None
    assert (result.id, result.outcome, result.credit, result.reference) == ("card", "completed", D(30), "R-2")


@pytest.mark.parametrize("reference", ["R-1", ""])
def test_card_declined_while_down_is_unknown_never_a_definite_outcome(reference: str) -> None:
    """A reference equal to the journaled reference before (or none) proves neither a decline nor an approval."""
    _, result = restart(card_waiting_for_the_terminal(), status(False, "30", ref=reference, text="Rechazada"))
    assert result is not None
    assert (result.outcome, result.reference) == ("unknown", "")
    assert "Due 30" in result.reason and "reference" in result.reason


def test_a_card_reference_first_heard_while_charging_proves_nothing_after_a_restart() -> None:
    run = first_run(
        "card",
        "card",
        "30",
        pm.EngineSockets(True, D(30), D(0), "tarjeta"),  # acknowledged
        status(True, "30", ref="R-9", text="Inserte tarjeta"),
    )  # not R-1: the approval, or another end
    _, result = restart(run, status(False, "30", ref="R-9", text="Aprobada"))
    assert result is not None and result.outcome == "unknown" and result.reference == "R-9"
    assert "while charging" in result.reason


def test_a_card_reference_with_no_reference_before_known_proves_nothing_after_a_restart() -> None:
    """No status had told the engine's reference before the payment: the one at the end may be the previous sale's."""
    progress = json.dumps({"acknowledged": True, "credit_seen": "0", "method": "card", "reference_before": None})
    second = Drive()
    effects = second(pm.Recover(({"id": "c", "method": "card", "due": "30.00", "progress": progress},)),
                     status(False, "30", ref="R-2", text="Aprobada"))  # fmt: skip
    (result,) = [e.result for e in effects if isinstance(e, pm.JournalUpdate)]
    assert (result.outcome, result.reference) == ("unknown", ""), "a reference that may be another sale's stays out"
    assert "R-2" in result.reason


def test_the_reference_the_acknowledgement_told_is_the_reference_before() -> None:
    run = first_run("card", "card", "30", status(True, "30", ref="R-9", text="Inserte tarjeta"))
    _, result = restart(run, status(False, "30", ref="R-9", text="Rechazada"))
    assert result is not None and (result.outcome, result.reference) == ("unknown", "")


# ---------------------------------------------------------------- the engine still charges it


def test_a_payment_the_engine_still_charges_resumes_live_with_its_journaled_credit() -> None:
    second, result = restart(cash_paid_20_of_30(), status(True, "30", "25", text="Inserte"))
    assert result is None
    assert second.mc.payment is not None and (second.mc.payment.id, second.mc.payment.credit) == ("p", D(25))
    second(pm.CreditUpdate(D(30), D(35)), status(False, "30", "35", "5", text="Pago completado"))
    (published,) = second.published
    assert (published.id, published.outcome, published.credit, published.change_paid) == ("p", "completed", D(35),
                                                                                          D(5))  # fmt: skip
    assert second.rows == {"p": "completed"}, "the same row, never a second one"


def test_a_resumed_card_keeps_the_journaled_reference_before() -> None:
    second, _ = restart(card_waiting_for_the_terminal(), status(True, "30", ref="R-1", text="Inserte tarjeta"))
    second(status(False, "30", ref="R-1", text="Rechazada"))  # the previous sale's reference: not an approval
    (published,) = second.published
    assert published.outcome == "declined"


# ---------------------------------------------------------------- facts that do not tie the row


def test_another_sale_heard_of_before_the_first_status_leaves_the_row_unknown_with_its_amounts() -> None:
    _, result = restart(cash_paid_20_of_30(), pm.EngineSockets(True, D(50), D(0), "efectivo"),
                        status(False, "30", "40", "10", text="Pago completado"))  # fmt: skip
    assert result is not None and result.outcome == "unknown"
    assert (result.credit, result.change_paid) == (D(40), D(10)), "the engine's amounts, never 0.00"
    assert "another sale" in result.reason


def test_money_for_another_sale_before_the_first_status_is_another_sale_too() -> None:
    _, result = restart(cash_paid_20_of_30(), pm.CreditUpdate(D(50), D(20)),
                        status(False, "30", "40", "10", text="Pago completado"))  # fmt: skip
    assert result is not None and result.outcome == "unknown"


def test_the_engine_charging_this_due_after_another_sale_is_not_resumed_as_this_row() -> None:
    second, result = restart(cash_paid_20_of_30(), pm.EngineSockets(True, D(50), D(0), "efectivo"),
                             status(True, "30", "0", text="Inserte"))  # fmt: skip
    assert result is not None and result.outcome == "unknown" and result.credit == D(20)
    assert second.mc.payment is not None and second.mc.payment.id != "p", "a sale of its own (adopted)"


def test_an_idle_engine_with_another_due_leaves_the_row_unknown_with_the_credit_seen() -> None:
    _, result = restart(cash_paid_20_of_30(), status(False, "45", "50", "5", ref="R-3", text="Pago completado"))
    assert result is not None and result.outcome == "unknown"
    assert (result.credit, result.reference) == (D(20), ""), "the credit seen here; not the other sale's money"
    assert "Due 45" in result.reason


def test_a_row_never_acknowledged_is_unknown_with_the_engines_amounts() -> None:
    """The engine's Due/Credit may be the previous sale's (the same total): never completed from them."""
    run = first_run("p", "cash", "20")  # killed right after paycash went
    # even under the reading that would complete it: the end may be an earlier sale's
    _, result = restart(run, status(False, "20", "20", "0", text="Pago completado"), readings=INSERTED)
    assert result is not None and result.outcome == "unknown" and result.credit == D(20)
    assert "acknowledged" in result.reason


def test_a_row_from_before_progress_was_journaled_gets_the_engines_amounts() -> None:
    second = Drive()
    effects = second(pm.Recover(({"id": "old", "method": "cash", "due": "30.00"},)),
                     status(False, "30", "40", "10", text="Pago completado"))  # fmt: skip
    (result,) = [e.result for e in effects if isinstance(e, pm.JournalUpdate)]
    assert (result.outcome, result.credit, result.change_paid) == ("unknown", D(40), D(10))


def test_the_engines_view_before_the_command_repeated_is_no_end_of_this_payment() -> None:
    run = FirstRun()
    before = status(False, "30", "30", "0", ref="R-1", text="Pago completado")  # the last sale: the same total
    run(before, pm.StartRequested("p", "cash", D(30)), status(True, "30", "0", text="Inserte"))
    _, result = restart(run, before, readings=INSERTED)  # the reading under which it would be completed
    assert result is not None and result.outcome == "unknown"
    assert "before this payment's command" in result.reason


def test_a_cash_end_with_no_money_after_a_restart_proves_nothing_unless_credit_says_what_went_in() -> None:
    run = first_run("p", "cash", "30", status(True, "30", text="Inserte"))  # acknowledged, nothing seen yet
    _, result = restart(run, status(False, "30", "0", "0", text="Cancelado"))
    assert result is not None and result.outcome == "unknown"  # Credit 0 may be what is left after an exact payment
    _, result = restart(run, status(False, "30", "0", "0", text="Cancelado"), readings=INSERTED)
    assert result is not None and (result.outcome, result.credit) == ("cancelled", D(0))


def test_older_open_rows_are_superseded_with_the_credit_they_had() -> None:
    run = cash_paid_20_of_30()
    rows = ({"id": "older", "method": "cash", "due": "10.00",
             "progress": run.progress["p"].replace('"20"', '"5"')}, *run.open_rows())  # fmt: skip
    second = Drive(readings=INSERTED)
    effects = second(pm.Recover(rows), status(False, "30", "40", "10", text="Pago completado"))
    results = {e.result.id: e.result for e in effects if isinstance(e, pm.JournalUpdate)}
    assert (results["older"].outcome, results["older"].credit) == ("unknown", D(5))
    assert results["p"].outcome == "completed"


def test_a_progress_that_cannot_be_read_counts_as_none() -> None:
    second = Drive()
    effects = second(pm.Recover(({"id": "p", "method": "cash", "due": "30.00", "progress": "{not json"},)),
                     status(False, "30", "40", "10", text="Pago completado"))  # fmt: skip
    (result,) = [e.result for e in effects if isinstance(e, pm.JournalUpdate)]
    assert result.outcome == "unknown" and result.credit == D(40)


# ---------------------------------------------------------------- any first status: never a wrong definite outcome

_amounts = st.sampled_from([D(0), D(5), D(20), D(30), D(40), D(50)])


@settings(max_examples=400, deadline=None)
@given(method=st.sampled_from(["cash", "card"]), acknowledged=st.booleans(), seen=_amounts,
       before=st.sampled_from([None, "", "R-1"]), charging=st.sampled_from([None, False, True]),
       due=st.sampled_from([None, D(0), D(30), D(45)]), credit=st.one_of(st.none(), _amounts),
       dispensed=st.one_of(st.none(), _amounts), reference=st.sampled_from([None, "", "R-1", "R-2"]),
       readings=st.sampled_from([ALL_READINGS, INSERTED]))  # fmt: skip
def test_a_recovered_row_is_definite_only_on_what_proves_it(method: pm.Method, acknowledged: bool, seen: Decimal,
                                                            before: str | None, charging: bool | None,
                                                            due: Decimal | None, credit: Decimal | None,
                                                            dispensed: Decimal | None, reference: str | None,
                                                            readings: tuple[Reading, ...]) -> None:  # fmt: skip
    progress = {"acknowledged": True, "credit_seen": str(seen), "method": method, "reference_before": before,
                "reference_doubt": "", "view_before": None} if acknowledged else {}  # fmt: skip
    row = {"id": "p", "method": method, "due": "30.00", "progress": json.dumps(progress) if progress else ""}
    second = Drive(readings=readings)
    effects = second(pm.Recover((row,)), pm.EngineStatus(charging, due, credit, dispensed, reference, "Fin"))
    results = [e.result for e in effects if isinstance(e, pm.JournalUpdate)]
    seen = seen if acknowledged else D(0)  # journaled with the acknowledgement only
    if charging and due == D(30):
        assert results == [] and second.mc.payment is not None and second.mc.payment.id == "p"  # resumed live
        return
    (result,) = results
    assert second.published == []
    if result.outcome != "unknown":
        assert acknowledged and charging is False and due == D(30), result
        assert adds_up(method, D(30), pm.Decision(result.outcome, result.credit, result.change_owed,
                                                  result.change_paid, result.shortfall))  # fmt: skip
        if method == "card":
            assert result.outcome == "completed" and before is not None and reference not in (None, "", before)
        else:
            assert result.credit >= seen and result.outcome in ("completed", "cancelled")
    elif due == D(30):
        assert result.credit >= max(credit or D(0), seen), "the engine's Credit (or the credit seen), never less"
    else:
        assert result.credit == seen

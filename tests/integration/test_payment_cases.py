"""Issue 19's cases and issue 20's full disk, end to end: the kiosk against the scripted fake engine of
:mod:`tests.fake_engine` (frames scripted one by one), asserting what the journal records, what the customer is
shown and what reaches the engine."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from kiosk_ui.errors import PaymentRefused
from kiosk_ui.journal import Journal, JournalError

from ..fake_engine import FakeEngine, close, engine_away, fake_engine, make_rig, start_cash
from ..helpers import eventually

__all__ = ["fake_engine"]  # the fixture, re-exported for pytest

IDLE = {"cobrando": "False", "Due": "0.00", "Credit": "0.00", "changeDispensed": "0.00", "referenceCC": "R-1",
        "tarjeta": "True", "Status": "Disponible"}  # fmt: skip


async def test_a_card_approval_told_in_a_still_charging_status_is_journaled_completed(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("status", **IDLE)
        await rig.settle()
        task = asyncio.create_task(rig.kiosk.start_payment("card", Decimal("30")))
        await eventually(lambda: fake_engine.commands("paycreditcard"))
        await fake_engine.push("status", **{**IDLE, "cobrando": "True", "Due": "30.00", "Status": "Inserte tarjeta"})
        assert await asyncio.wait_for(task, 10) is None
        await fake_engine.push("status", **{**IDLE, "cobrando": "True", "Due": "30.00", "referenceCC": "R-2",
                                            "Status": "Aprobada"})  # fmt: skip
        await fake_engine.push("status", **{**IDLE, "Due": "30.00", "referenceCC": "R-2", "Status": "Aprobada"})
        await eventually(lambda: rig.results)
        assert (rig.results[0].outcome, rig.results[0].reference) == ("completed", "R-2")
        assert [r["outcome"] for r in rig.journal.payments()] == ["completed"]
    finally:
        await close(rig)


async def test_a_stale_end_repeating_the_last_cash_sale_does_not_pay_the_next(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    rig = await make_rig(tmp_path, fake_engine)
    end = {**IDLE, "Due": "50.00", "Credit": "50.00", "Status": "Pago completado"}
    try:
        await start_cash(rig, "50")
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", **end)
        await eventually(lambda: rig.results)
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("50")))  # the next customer, same price
        await eventually(lambda: len(fake_engine.commands("paycash")) == 2)
        await fake_engine.push("status", **{**end, "cobrando": "True", "Credit": "0.00", "Status": "Cobrando"})
        assert await asyncio.wait_for(task, 10) is None
        second = rig.kiosk.payment.id if rig.kiosk.payment else ""
        asked = len(fake_engine.commands("getstatus"))
        await fake_engine.push("status", **end)  # built before our paycash, delivered after the acknowledgement
        await eventually(lambda: len(fake_engine.commands("getstatus")) > asked)
        await fake_engine.push("status", **{**end, "cobrando": "True", "Credit": "0.00", "Status": "Cobrando"})
        await rig.settle()
        assert len(rig.results) == 1 and rig.kiosk.payment is not None and rig.kiosk.payment.id == second
        assert await rig.kiosk.cancel("1", second)
        await fake_engine.push("status", **{**end, "Credit": "0.00", "Status": "Cancelado"})
        await eventually(lambda: len(rig.results) == 2)
        assert [r["outcome"] for r in rig.journal.payments()] == ["completed", "cancelled"]
    finally:
        await close(rig)


async def test_a_cash_cancel_reported_as_credit_zero_and_all_money_dispensed_is_a_refund(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        paid = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await fake_engine.push("updateCredit", Due="50.00", Credit="20.00")
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.credit == 20)
        assert await rig.kiosk.cancel("1", paid)
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="0.00", changeDispensed="20.00",
                               Status="Cancelado")  # fmt: skip
        await eventually(lambda: rig.results)
        result = rig.results[0]
        assert (result.outcome, result.credit, result.change_paid, result.shortfall) == ("cancelled", 20, 20, 0)
    finally:
        await close(rig)


async def test_a_no_ack_cancel_that_could_not_leave_goes_out_when_the_engine_returns_charging(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("20")))
        await eventually(lambda: fake_engine.commands("paycash"))
        paid = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await engine_away(fake_engine, rig, 7.0)  # the ack timer's cancel cannot leave; the payment is given up
        await asyncio.wait_for(task, 10)
        assert fake_engine.commands("cancel") == []
        await fake_engine.push("status", cobrando="True", Due="20.00", Credit="0.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await eventually(lambda: fake_engine.commands("cancel"), timeout=5)
        assert rig.kiosk.payment is not None and rig.kiosk.payment.id == paid
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="0.00", changeDispensed="0.00",
                               Status="Cancelado")  # fmt: skip
        await eventually(lambda: any(r.outcome == "cancelled" for r in rig.results), timeout=10)
        assert [(r["id"], r["outcome"]) for r in rig.journal.payments()] == [(paid, "cancelled")]
    finally:
        await close(rig)


class _FullDisk(Journal):
    """A journal whose outcome writes fail while ``full`` (the data disk filled mid-payment)."""

    full = False

    def update_payment(self, payment_id: str, **values: Any) -> None:
        if self.full:
            raise JournalError("database or disk is full")
        super().update_payment(payment_id, **values)


async def test_an_outcome_that_cannot_be_written_is_kept_retried_and_shown_only_once_on_disk(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    journal = _FullDisk(tmp_path / "journal.sqlite")
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    rig.kiosk.service.retry_every = 0.2
    try:
        await start_cash(rig, "35.50")
        paid = rig.kiosk.payment.id if rig.kiosk.payment else ""
        journal.full = True
        await fake_engine.push("updateCredit", Due="35.50", Credit="40.00")
        await fake_engine.push("status", cobrando="False", Due="35.50", Credit="40.00", changeDispensed="4.50",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.kiosk.service.unwritten)
        await asyncio.sleep(0.5)  # several retries fail
        assert rig.results == [], "nothing is shown before it is on disk"
        assert not rig.kiosk.journal_writable and rig.kiosk.can_pay() == "err_journal"
        try:
            await rig.kiosk.start_payment("cash", Decimal("10"))
            raise AssertionError("a payment started while the journal could not write")
        except PaymentRefused as exc:
            assert str(exc) == "err_journal"
        journal.full = False  # the disk is freed
        await eventually(lambda: rig.results, timeout=5)
        assert (rig.results[0].id, rig.results[0].outcome) == (paid, "completed")
        assert [(r["id"], r["outcome"]) for r in rig.journal.payments()] == [(paid, "completed")]
        assert not rig.kiosk.service.unwritten and rig.kiosk.journal_writable and rig.kiosk.can_pay() == ""
    finally:
        await close(rig)


async def test_a_real_full_disk_mid_payment_keeps_the_outcome_until_the_disk_is_freed(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Issue 20's full-disk run on a small tmpfs: a 35.50 sale starts, the data disk fills, the customer pays 40.
    The outcome cannot be written: nothing is shown, new payments are refused, the payment still reaches its end;
    the disk is freed: the kept outcome is written, then shown; no row is left open."""
    from .test_journal_faults import fill, small_disk

    with small_disk(tmp_path / "disk") as disk:
        journal = Journal(disk / "journal.sqlite3")
        rig = await make_rig(tmp_path, fake_engine, journal=journal)
        rig.kiosk.service.retry_every = 0.2
        try:
            await start_cash(rig, "35.50")
            paid = rig.kiosk.payment.id if rig.kiosk.payment else ""
            fill(disk)
            await fake_engine.push("updateCredit", Due="35.50", Credit="40.00")
            await fake_engine.push("status", cobrando="False", Due="35.50", Credit="40.00", changeDispensed="4.50",
                                   Status="Pago completado")  # fmt: skip
            await eventually(lambda: rig.kiosk.payment is None)  # the payment reached its end
            await asyncio.sleep(0.5)
            refused = 0
            for _ in range(3):  # customers keep trying
                try:
                    await rig.kiosk.start_payment("cash", Decimal("10"))
                except PaymentRefused as exc:
                    refused += str(exc) == "err_journal"
            assert refused == 3 and fake_engine.commands("paycash") and len(fake_engine.commands("paycash")) == 1
            assert rig.results == [] and rig.kiosk.service.unwritten, "kept, not shown, before it is on disk"
            for filler in disk.glob("filler*"):
                filler.unlink()
            await eventually(lambda: rig.results, timeout=10)
            assert (rig.results[0].id, rig.results[0].outcome, rig.results[0].change_owed) == (paid, "completed", 4.5)
            rows = rig.journal.payments()
            assert [(r["id"], r["outcome"]) for r in rows] == [(paid, "completed")], "no row left open"
            assert rig.kiosk.can_pay() == ""
        finally:
            await close(rig)


async def test_each_ending_teaches_the_reading_learner_and_narrows_the_next_decisions(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """[protocol] engine_reading = auto: an ending's facts go to the learner, whose candidates the machine decides
    the next sales under (the metrics and the staff status read the same learner)."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        before = rig.kiosk.learner.candidates()
        await start_cash(rig, "35.50")
        await fake_engine.push("updateCredit", Due="35.50", Credit="40.00")
        await fake_engine.push("status", cobrando="False", Due="35.50", Credit="40.00", changeDispensed="4.50",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        assert rig.kiosk.learner.seen == 1
        narrowed = rig.kiosk.learner.candidates()
        assert len(narrowed) < len(before) and rig.kiosk.machine.settings.readings == narrowed
    finally:
        await close(rig)


class _SlowFailingOpen(Journal):
    """A journal whose next row opening fails, slowly (the write is still under way when the sale ends)."""

    fail_next_open = False

    def open_payment(self, *args: Any, **kwargs: Any) -> None:
        if self.fail_next_open:
            self.fail_next_open = False
            time.sleep(0.3)
            raise JournalError("database or disk is full")
        super().open_payment(*args, **kwargs)


async def test_an_adopted_sale_whose_row_failed_while_it_ended_is_journaled_with_its_outcome(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Another client's sale is adopted; its row's write is slow and fails; the sale ends meanwhile (its outcome
    already queued): the outcome writes the row first, so the journal holds it and the screen shows only what the
    journal says (found by the explorer with journal failures: published with no row)."""
    journal = _SlowFailingOpen(tmp_path / "journal.sqlite")
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    try:
        await fake_engine.push("status", **IDLE)
        await rig.settle()
        journal.fail_next_open = True
        await fake_engine.push("sockets", cobrando="True", Due="40.00", Credit="0.00", formaPago="efectivo")
        await fake_engine.push("updateCredit", Due="40.00", Credit="40.00")
        await fake_engine.push("status", **{**IDLE, "Due": "40.00", "Credit": "40.00", "Status": "Pago completado"})
        await eventually(lambda: rig.results, timeout=5)
        (result,) = rig.results
        assert result.outcome == "completed"
        assert [(r["id"], r["outcome"]) for r in rig.journal.payments()] == [(result.id, "completed")]
    finally:
        await close(rig)

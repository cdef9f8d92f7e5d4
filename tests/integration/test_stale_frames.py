"""Frames that arrive late or out of order (an echo of the sale that just ended, a status built before our
command, a late updateCredit): none of them is evidence about the payment in progress. Against the
scripted fake engine (tests/fake_engine.py).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from kiosk_ui.protocol import messages as m

from ..fake_engine import FakeEngine, close, fake_engine, make_rig, start_cash
from ..helpers import Env, eventually

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


def cancels(env: Env) -> list[m.Message]:
    return [msg for _, msg in env.engine.received if isinstance(msg, m.Cancel)]


async def test_stale_charging_echo_after_the_end_is_not_a_second_sale(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """A sockets broadcast built while the sale ran (cobrando true, same Due/Credit) arrives after the
    final status. Before the fix the kiosk adopted it as a new payment and, on the next periodic
    status (the same final facts), journaled a second completed sale of $50 that never happened."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        await fake_engine.push("updateCredit", Due=50, Credit="70.00", Status="Cobrando")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit=70, changeDispensed="20.00",
                               Status="Pago completado", referenceCC="")  # fmt: skip
        # the stale echo (another engine thread), then the engine's next periodic status
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="70.00", formaPago="efectivo")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="70.00", changeDispensed="20.00",
                               Status="Pago completado", referenceCC="")  # fmt: skip
        await rig.settle()
        await eventually(lambda: rig.results)
        rows = rig.journal.payments()
        assert [(r["outcome"], r["due"]) for r in rows] == [("completed", "50.00")], rows
        assert [r.outcome for r in rig.results] == ["completed"]
        assert rig.kiosk.payment is None, "no ghost payment on the customer screen"
    finally:
        await close(rig)


async def test_a_real_foreign_sale_after_an_end_is_still_adopted(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Beside the test above: a payment another client starts (confirmed by the engine's status) is shown."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        await fake_engine.push("sockets", cobrando="1", Due="20", Credit="0", formaPago="efectivo")
        await eventually(lambda: rig.kiosk.payment is not None, timeout=5)
        assert rig.kiosk.payment is not None and rig.kiosk.payment.due == Decimal("20")
    finally:
        await close(rig)


async def test_stale_bare_sockets_end_does_not_end_a_live_payment(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Mid-payment a stale ``sockets`` with cobrando false arrives (interleaved broadcast); the engine's
    status (the answer to getstatus) says it is still charging. Before the fix the payment ended as
    'unknown' after the grace while the customer was still inserting money, and the next charging
    broadcast was adopted as a second payment: two journal rows for one sale."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await fake_engine.push("updateCredit", Due="50.00", Credit="20.00")
        await fake_engine.push("sockets", cobrando="False", Due="50.00", Credit="0.00", formaPago="")  # stale
        await eventually(lambda: fake_engine.commands("getstatus")[1:])  # the kiosk asks where it stands
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="20.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await asyncio.sleep(2.5)  # past the 1.5 s end grace: the payment must still be live
        await rig.settle()
        assert rig.results == [], "the payment did not end while the engine is charging"
        assert rig.kiosk.payment is not None and rig.kiosk.payment.id == paid_id
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["credit"]) for r in rows] == [(paid_id, "completed", "50.00")], rows
    finally:
        await close(rig)


async def test_a_late_credit_of_the_previous_sale_neither_acknowledges_nor_pays_the_next(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Sale 1 (due 20) ends; the customer at once starts sale 2 for the same 20. A late ``updateCredit`` of
    sale 1 (Due 20, Credit 20: sent after cobrando false) arrives before the engine takes sale 2 up, and the
    engine never does; its idle status still carries sale 1's Due 20 / Credit 20. Before the fix the late
    credit acknowledged sale 2 with $20 already 'paid' (the ack timer stopped, no cancel sent) and the
    idle status then journaled sale 2 as a completed sale nobody paid for."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "20")
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="20.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("20")))
        await eventually(lambda: len(fake_engine.commands("paycash")) == 2)
        await fake_engine.push("updateCredit", Due="20", Credit="20", Status="Pago completado")  # late, sale 1's
        await rig.settle()
        payment = rig.kiosk.payment
        assert payment is not None and payment.credit == 0, "the customer of sale 2 has paid nothing"
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="20.00", changeDispensed="0.00",
                               Status="Disponible")  # fmt: skip
        await asyncio.wait_for(task, 10)
        await eventually(lambda: len(rig.results) == 2, timeout=15)
        assert rig.results[1].outcome != "completed", rig.results[1]
        assert fake_engine.commands("cancel"), "no acknowledgement: the kiosk cancels (cancel '1')"
        rows = {r["id"]: r for r in rig.journal.payments()}
        assert rows[rig.results[1].id]["outcome"] == rig.results[1].outcome
    finally:
        await close(rig)


async def test_a_stale_idle_status_after_the_ack_does_not_end_the_payment(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The engine acknowledges with ``sockets`` (cobrando true); a ``status`` built before the paycash
    (cobrando false, Due 0) is delivered after it. Before the fix the payment ended at once as
    'unknown' while the engine was charging, and the next charging frame was adopted as a second row."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("20")))
        await eventually(lambda: fake_engine.commands("paycash"))
        await fake_engine.push("sockets", cobrando=1, Due=20, Credit=0, formaPago="efectivo")
        assert await asyncio.wait_for(task, 10) is None
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await fake_engine.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               Status="Disponible")  # fmt: skip
        await rig.settle()
        await fake_engine.push("status", cobrando="True", Due="20.00", Credit="0.00", Status="Cobrando")
        await asyncio.sleep(2.5)  # past the end grace
        await rig.settle()
        assert rig.results == [], "the payment is still live"
        await fake_engine.push("updateCredit", Due="20.00", Credit="20.00")
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="20.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"]) for r in rows] == [(paid_id, "completed")], rows
    finally:
        await close(rig)


async def test_a_later_sale_of_the_same_due_is_asked_about_after_an_echo_was_answered(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Our cash 50 completes. A stale ``sockets`` echo of it (cobrando true, Due 50, Credit 50) arrives; the kiosk
    asks (getstatus) and the engine answers idle: right. ``echo_asked`` stays set until the next sale *ends*.
    Minutes later a LAN client sells $50: the engine's ``sockets`` says cobrando true, Due 50, Credit 0. It looks
    like an echo (same Due, no more Credit), the question was already asked, so the kiosk neither asks again
    nor adopts it: that sale (its updateCredit and its end status, cobrando false) passes unseen, no journal row
    for $50 taken. After the earlier question was answered, a new charging frame must be asked about again."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        asked = len(fake_engine.commands("getstatus"))
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="50.00", formaPago="efectivo")
        await eventually(lambda: len(fake_engine.commands("getstatus")) > asked)
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Disponible")  # fmt: skip
        await rig.settle()
        asked = len(fake_engine.commands("getstatus"))
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="0.00", formaPago="efectivo",
                               conexiones="2")  # fmt: skip
        await eventually(lambda: len(fake_engine.commands("getstatus")) > asked, timeout=3)
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="0.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await eventually(lambda: rig.kiosk.payment is not None)
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: len(rig.results) > 1)
        await rig.settle()
        assert [r["outcome"] for r in rig.journal.payments()] == ["completed", "completed"]
    finally:
        await close(rig)


async def test_a_stale_status_echo_is_not_taken_as_the_answer_to_the_echo_question(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 50 in, the engine's status ends it (completed). Two frames built while the sale ran arrive
    late, from another engine thread: a ``sockets`` (cobrando true, Due 50, Credit 50), then a ``status`` with
    the same facts. The sockets raises the echo question (getstatus goes out); the stale status arrives before
    the engine's answer and is taken as that answer, so the ended sale is adopted as a new payment; the
    engine's real answer (cobrando false, the same end facts) then concludes it 'completed'. The journal holds
    two completed $50 sales for one $50 paid. A charging frame that repeats the ended sale's Due and its full,
    non-zero Credit is still that sale's echo (a new sale starts with no money in): expected one row."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00", Status="Cobrando")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado", referenceCC="")  # fmt: skip
        await eventually(lambda: rig.results)
        asked = len(fake_engine.commands("getstatus"))
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="50.00", formaPago="efectivo")
        await eventually(lambda: len(fake_engine.commands("getstatus")) > asked)
        await fake_engine.push(
            "status",
            cobrando="True",
            Due="50.00",
            Credit="50.00",
            changeDispensed="0.00",
            Status="Cobrando",
            referenceCC="",
        )  # fmt: skip  (stale, built before the end)
        await rig.settle()
        await fake_engine.push(
            "status",
            cobrando="False",
            Due="50.00",
            Credit="50.00",
            changeDispensed="0.00",
            Status="Pago completado",
            referenceCC="",
        )  # fmt: skip  (the answer)
        await rig.settle()
        await asyncio.sleep(0.3)
        rows = rig.journal.payments()
        assert [(r["outcome"], r["due"]) for r in rows] == [("completed", "50.00")], rows
        assert rig.kiosk.payment is None, "no ghost payment on the customer screen"
    finally:
        await close(rig)

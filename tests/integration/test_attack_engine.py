"""Outside review: the payment core against a hand-written fake engine (not kiosk_ui.simulator).

The fake engine answers nothing by itself: each test scripts, frame by frame, what a C# engine
with odd timing may send (C#-style booleans, numbers as strings, stale broadcasts interleaved
with the final status). Every test asserts what the journal records and what the kiosk shows.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui.journal import Journal

from ..fake_engine import FakeEngine, close, fake_engine, make_rig, start_cash
from ..helpers import eventually

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests

# --------------------------------------------------------------------------- finding A


async def test_attack_stale_charging_echo_after_the_end_is_not_a_second_sale(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
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


async def test_attack_a_real_foreign_sale_after_an_end_is_still_adopted(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Guard for the fix above: a payment another client starts (confirmed by the engine's status) is shown."""
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


# --------------------------------------------------------------------------- finding B


async def test_attack_stale_bare_sockets_end_does_not_end_a_live_payment(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
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


# --------------------------------------------------------------------------- finding C


async def test_attack_card_after_restart_is_not_approved_on_the_previous_sales_reference(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The app restarts; the engine (which ignores the inferred getstatus) keeps the previous sale's
    referenceCC "R-OLD" in every status. A declined card then ended with referenceCC "R-OLD": before
    the fix the kiosk called it approved (the customer walks away with unpaid goods, journal says
    completed with a reference already journaled for another sale)."""
    journal = Journal(tmp_path / "journal.sqlite")
    journal.open_payment("prev", "card", "80.00", [])
    journal.update_payment("prev", outcome="completed", credit="80.00", reference="R-OLD")
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    try:
        await fake_engine.push("sockets", cobrando="False", Due="0", Credit="0", tarjeta="True", conexiones=1)
        await eventually(lambda: rig.kiosk.state.card_available)
        task = asyncio.create_task(rig.kiosk.start_payment("card", Decimal("80")))
        await eventually(lambda: fake_engine.commands("paycreditcard"))
        await fake_engine.push("status", cobrando=True, Due=80, Credit=0, referenceCC="R-OLD", tarjeta="True",
                               Status="Procesando tarjeta")  # fmt: skip
        assert await asyncio.wait_for(task, 10) is None
        await fake_engine.push("status", cobrando=False, Due=80, Credit=0, changeDispensed=0, referenceCC="R-OLD",
                               tarjeta="True", Status="Tarjeta declinada")  # fmt: skip
        await eventually(lambda: rig.results)
        assert rig.results[0].outcome == "declined", rig.results
        row = rig.journal.payment(rig.results[0].id)
        assert row is not None and row["outcome"] == "declined"
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding D


async def test_attack_a_late_credit_of_the_previous_sale_neither_acknowledges_nor_pays_the_next(
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


# --------------------------------------------------------------------------- finding E


async def test_attack_two_screens_cancelling_at_once_send_one_cancel(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Two tabs (or a double tap) confirm cancel at the same moment: one ``cancel`` goes to the engine.
    Before the fix each press sent its own; the second reaches an engine that has already ended the
    payment (during a staff refill started right after, a stray cancel returns money)."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "35.50")
        payment = rig.kiosk.payment
        assert payment is not None
        done = await asyncio.gather(*(rig.kiosk.cancel("1", payment.id) for _ in range(3)))
        assert done[0] is True
        await rig.settle()
        assert fake_engine.commands("cancel") == [
            {"fecha": fake_engine.commands("cancel")[0]["fecha"], "comando": "cancel", "cancelvalue": "1"}
        ]
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding F


async def test_attack_a_stale_idle_status_after_the_ack_does_not_end_the_payment(
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


# --------------------------------------------------------------------------- finding G


async def test_attack_engine_restart_mid_payment_reporting_the_previous_sale_is_not_a_sale(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """A cash payment of 20 runs, nothing inserted yet; the engine restarts (the socket drops) and, once back,
    reports the last sale it remembers: cobrando false, Due 20, Credit 20, changeDispensed 0. Before the fix
    the kiosk journaled this customer's payment as a completed $20 sale (money it never saw arrive)."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "20")
        for connection in list(fake_engine.connections):
            await connection.close()
        await eventually(lambda: not rig.kiosk.client.connected)
        await eventually(lambda: rig.kiosk.client.connected and fake_engine.connections, timeout=10)
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="20.00", changeDispensed="0.00",
                               Status="Disponible")  # fmt: skip
        await eventually(lambda: rig.results, timeout=10)
        assert rig.results[0].outcome == "unknown", rig.results[0]
        row = rig.journal.payment(rig.results[0].id)
        assert row is not None and row["outcome"] == "unknown"
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding H


async def test_attack_cancel_before_the_acknowledgement_reaches_the_payment(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The customer cancels while the engine has not yet taken the paycash up (slow engine). Before the fix
    ``cancel "1"`` went out at once, reached an idle engine (a no-op), the engine then started charging,
    and a second press sent nothing more: a live payment the customer believes cancelled. Now the
    cancel goes out once, after the engine acknowledges."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("20")))
        await eventually(lambda: fake_engine.commands("paycash"))
        payment = rig.kiosk.payment
        assert payment is not None and payment.phase == "starting"
        assert await rig.kiosk.cancel("1", payment.id)
        await rig.settle()
        assert fake_engine.commands("cancel") == [], "not sent to an engine that has not taken the payment up"
        await fake_engine.push("status", cobrando="True", Due="20.00", Credit="0.00", Status="Cobrando")
        assert await asyncio.wait_for(task, 10) is None
        await eventually(lambda: fake_engine.commands("cancel"))
        await rig.kiosk.cancel("1", payment.id)  # a second press
        await rig.settle()
        assert [c["cancelvalue"] for c in fake_engine.commands("cancel")] == ["1"]
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="0.00", changeDispensed="0.00",
                               Status="Cancelado")  # fmt: skip
        await eventually(lambda: rig.results)
        assert rig.results[0].outcome == "cancelled"
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding I


async def test_attack_amounts_with_a_currency_sign_and_thousands_are_read(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """docs/protocol.md: read the number out of ``"$1,250.00"`` when unambiguous. Before the fix every such amount
    was dropped: a completed $1,200 sale with $50 change paid ended 'unknown' for staff review, and
    the customer's screen never showed the credit going in."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "1200")
        await fake_engine.push("updateCredit", Due="$1,200.00", Credit="$1,250.00")
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.credit == Decimal("1250"))
        await fake_engine.push("status", cobrando="False", Due="$1,200.00", Credit="$1,250.00",
                               changeDispensed="$50.00", Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        result = rig.results[0]
        assert (result.outcome, result.change_paid, result.shortfall) == ("completed", Decimal("50"), Decimal(0))
    finally:
        await close(rig)


@pytest.mark.parametrize("raw", ["1,250", "0,500", "40,000", "$", "$-3", "$1,250,00", "1.250.00,5", "1,25.0"])
def test_attack_ambiguous_amount_texts_are_still_refused(raw: str) -> None:
    """Issue 20: a decimal comma ("35,50") is read now; a form that could mean two things is still refused."""
    from kiosk_ui.protocol import ProtocolError
    from kiosk_ui.protocol.values import parse_amount

    with pytest.raises(ProtocolError):
        parse_amount(raw)

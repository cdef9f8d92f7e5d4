"""The engine goes away (a restart, a blip) before the acknowledgement, while charging or while ending: one
journal row per sale, and what the engine says on coming back is weighed, never taken as a clean outcome.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from kiosk_ui.engine import EngineClient
from kiosk_ui.journal import Journal
from kiosk_ui.kiosk import Kiosk
from kiosk_ui.protocol import Codec
from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.server import SimServer

from ..fake_engine import FakeEngine, close, engine_away, fake_engine, make_rig, paid_in_full, start_cash, to_ending
from ..helpers import (
    eventually,
)

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


async def test_engine_restart_mid_payment_reporting_the_previous_sale_is_not_a_sale(
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


async def test_engine_away_while_ending_keeps_one_row(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Cash 50, 20 inserted, stale ``sockets`` → ENDING. The engine then goes away for longer than the end
    grace (1.5 s here) and comes back still charging (status cobrando true, Due 50, Credit 20). Before the fix, the end
    timer concludes the payment 'unknown' while nobody can ask the engine, and the charging status after the
    reconnect is adopted as a new payment: two rows for one sale, the first a false 'unknown'. A drop in
    CHARGING keeps the payment until the engine speaks again; ENDING must do the same (one row)."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await to_ending(rig, fake_engine, "20.00")
        await engine_away(fake_engine, rig, 2.5)  # longer than the 1.5 s end grace
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="20.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await rig.settle()
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="20.00", Status="Cobrando")
        await rig.settle()
        await paid_in_full(fake_engine, rig, "50.00")
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"]) for r in rows] == [(paid_id, "completed")], rows
    finally:
        await close(rig)


async def test_engine_away_before_the_acknowledgement_keeps_one_row(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Cash 20: the paycash reaches the engine, which then restarts before acknowledging, for longer than the ack
    timeout + abandon grace (3 + 3 s here). Before the fix, the ack timer's ``cancel "1"`` fails to leave (no
    connection) and the abandon timer ends the payment ('unknown'); the engine comes back charging the customer's 20
    (it took the paycash up) and the kiosk adopts it as a new payment: two rows for one sale. README: "if the
    engine takes the payment up anyway the screen shows that same payment live, and it ends on the same row"."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("20")))
        await eventually(lambda: fake_engine.commands("paycash"))
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await engine_away(fake_engine, rig, 7.0)
        await asyncio.wait_for(task, 10)
        for _ in range(2):  # the engine's status on reconnect, and its answer to the kiosk's getstatus
            await fake_engine.push("status", cobrando="True", Due="20.00", Credit="0.00", changeDispensed="0.00",
                                   Status="Cobrando")  # fmt: skip
            await rig.settle()
        await paid_in_full(fake_engine, rig, "20.00")
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"]) for r in rows] == [(paid_id, "completed")], rows
    finally:
        await close(rig)


async def test_a_blip_the_engine_confirms_it_survived_does_not_make_the_end_unknown(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 30 in. The connection drops and comes straight back; the engine's status says it is still
    charging this payment (cobrando true, Due 50, Credit 30): the payment survived the blip. The last $20
    goes in and the engine sends the final status (Credit 50, no change) before that bill's ``updateCredit``
    (as some engines do, the engine sends updateCredit late). Without the blip this is a completed sale; today
    the blip marks the payment 'interrupted' for good and a final Credit above the last seen one ends it
    'unknown' for staff review: the customer, who paid in full, is told the outcome is unclear."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await fake_engine.push("updateCredit", Due="50.00", Credit="30.00")
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.credit == 30)
        for connection in list(fake_engine.connections):
            await connection.close()
        await eventually(lambda: not rig.kiosk.client.connected)
        await eventually(lambda: rig.kiosk.client.connected and fake_engine.connections, timeout=10)
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="30.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await rig.settle()
        assert rig.kiosk.payment is not None and rig.kiosk.payment.id == paid_id
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")  # late
        await eventually(lambda: rig.results)
        await rig.settle()
        assert [(r.id, r.outcome) for r in rig.results] == [(paid_id, "completed")], rig.results
    finally:
        await close(rig)


async def test_recovery_does_not_complete_a_row_from_the_previous_sale(tmp_path: Path) -> None:
    engine = SimEngine(status_interval=0)
    engine.faults.stale_sale_facts = True
    engine.last_sale = (Decimal(20), Decimal(20))  # the idle engine still reports the previous sale
    server = SimServer(engine, "127.0.0.1", 0)
    await server.start()
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("row-1", "cash", "20.00", [])  # the app died right after asking
    client = EngineClient(server.url, Codec())
    kiosk = Kiosk(client, journal, ack_timeout=2.0)
    try:
        await kiosk.recover()
        client.start()
        await eventually(lambda: journal.payment("row-1")["outcome"] != "open")  # type: ignore[index]
        row = journal.payment("row-1")
        assert row is not None and row["outcome"] == "unknown"
        assert [r["id"] for r in journal.to_review()] == ["row-1"]
        assert kiosk.payment is None
    finally:
        await client.stop()
        await server.stop()
        journal.close()

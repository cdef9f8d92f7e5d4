"""A card sale is approved only by a new referenceCC: never by the previous sale's (after a restart, before
any status, after an unseen end), and an adopted card sale is never taken for cash.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from kiosk_ui.journal import Journal

from ..fake_engine import FakeEngine, close, fake_engine, make_rig
from ..helpers import eventually

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


async def test_card_after_restart_is_not_approved_on_the_previous_sales_reference(
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


async def test_a_card_payment_before_any_status_does_not_take_the_old_reference_as_approval(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """On connect the engine broadcasts ``sockets`` (the client count changed): cobrando false, tarjeta true.
    The kiosk is online and offers card before any ``status`` arrived, so it does not know the engine's
    referenceCC (R-100, the previous card sale's, still reported). Card 80 starts with ``reference_before`` ''.
    The terminal declines: final status cobrando false, Credit 0, referenceCC still R-100, Status 'Tarjeta
    declinada'. Before the fix, R-100 != '' counts as a new reference: 'completed' card sale, R-100 journaled, the
    customer walks away with goods unpaid. A reference not known to be new proves nothing (docs/protocol.md: a new
    non-empty referenceCC, not the one before the payment): not completed."""
    fake_engine.greeting = None  # this engine's first word is the sockets below: no status before the payment
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("sockets", cobrando="False", Due="0.00", Credit="0.00", tarjeta="True",
                               formaPago="", conexiones="2")  # fmt: skip
        await eventually(lambda: rig.kiosk.state.card_available and rig.kiosk.can_pay() == "")
        task = asyncio.create_task(rig.kiosk.start_payment("card", Decimal("80")))
        await eventually(lambda: fake_engine.commands("paycreditcard"))
        await fake_engine.push("sockets", cobrando="True", Due="80.00", Credit="0.00", tarjeta="True",
                               formaPago="tarjeta")  # fmt: skip
        assert await asyncio.wait_for(task, 10) is None
        await fake_engine.push("status", cobrando="False", Due="80.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-100", tarjeta="True", Status="Tarjeta declinada")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        assert rig.results[0].outcome != "completed", rig.results
        rows = rig.journal.payments()
        assert [r["outcome"] for r in rows] != ["completed"], rows
    finally:
        await close(rig)


async def test_a_card_decline_after_an_unseen_card_end_is_not_completed(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The engine's idle status told referenceCC R-4 (``reference_known``). An adopted card sale of 50 (another
    client's) ends with a bare ``sockets`` (cobrando false): ENDING, getstatus; the engine's answer is later
    than the 1.5 s end grace, so the sale is settled 'unknown' with no reference, and ``last_reference`` stays
    R-4. The customer at once starts a card payment of 30. The late answer (cobrando false, Due 50, approved
    R-5) arrives while it is STARTING and is ignored, reference before included. The engine takes the 30 up
    (status cobrando true, Due 30, referenceCC R-5: the engine still reports the reference before) but the rule
    that learns the reference before from it is skipped (it was already 'known'). The terminal declines: final
    status cobrando false, Due 30, referenceCC R-5 unchanged, Status "Declinada". R-5 differs from the stale
    R-4: 'completed', $30 journaled as paid by card with the previous sale's reference. Expected: not
    completed (declined, or unknown for staff to check)."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-4", tarjeta="True", Status="Disponible")  # fmt: skip
        await rig.settle()
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="0.00", formaPago="tarjeta")
        await eventually(lambda: rig.kiosk.payment is not None)
        await fake_engine.push("sockets", cobrando="False", Due="50.00", Credit="0.00", formaPago="")
        await eventually(lambda: rig.results, timeout=10)  # the end grace ran out: 'unknown'
        await rig.settle()
        task = asyncio.create_task(rig.kiosk.start_payment("card", Decimal("30")))
        await eventually(lambda: fake_engine.commands("paycreditcard"))
        ours = rig.kiosk.payment
        assert ours is not None
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-5", tarjeta="True", Status="Aprobada")  # fmt: skip
        await fake_engine.push("status", cobrando="True", Due="30.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-5", tarjeta="True",
                               Status="Siga las instrucciones de la terminal")  # fmt: skip
        assert await asyncio.wait_for(task, 10) is None
        await fake_engine.push("status", cobrando="False", Due="30.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-5", tarjeta="True", Status="Declinada")  # fmt: skip
        await eventually(lambda: len(rig.results) > 1, timeout=10)
        await rig.settle()
        row = next(r for r in rig.journal.payments() if r["id"] == ours.id)
        assert row["outcome"] != "completed", row
    finally:
        await close(rig)


async def test_an_adopted_card_payment_approved_is_not_a_cancelled_cash_payment(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Another client (the vendor's ``index.html`` on the LAN) starts a card payment of 80. The kiosk first
    hears of it from a ``status`` (cobrando true, Due 80; a status has no ``formaPago``) and adopts it, as
    cash. The terminal approves: final status cobrando false, Credit 0, changeDispensed 0, a new referenceCC.
    Before the fix, the cash rules decide: Credit 0 < Due → 'cancelled', and the screen tells the customer nothing was
    charged while the card was. docs/protocol.md: the outcome follows the engine's money facts, and a new
    non-empty referenceCC is a card approval: completed, with its reference journaled."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("status", cobrando="False", Due="0", Credit="0", changeDispensed="0",
                               referenceCC="R-100", tarjeta="True", Status="Disponible")  # fmt: skip
        await fake_engine.push("status", cobrando="True", Due="80.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-100", tarjeta="True",
                               Status="Siga las instrucciones de la terminal")  # fmt: skip
        await eventually(lambda: rig.kiosk.payment is not None)
        await fake_engine.push("status", cobrando="False", Due="80.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-101", tarjeta="True", Status="Aprobada")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        assert [(r.outcome, r.reference) for r in rig.results] == [("completed", "R-101")], rig.results
        rows = rig.journal.payments()
        assert [(r["outcome"], r["reference"]) for r in rows] == [("completed", "R-101")], rows
    finally:
        await close(rig)

"""Issue 20 item 1 through the kiosk: a C# engine in a decimal-comma locale, capitalised formaPago and
Spanish "no error" texts, against the hand-written fake engine of the attack tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..fake_engine import FakeEngine, close, fake_engine, make_rig, start_cash
from ..helpers import eventually

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


async def test_a_sale_paid_in_comma_amounts_is_completed_with_its_change(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Before: every comma amount was dropped, "Credit missing" read as nothing moved: a 35.50 sale paid with 40
    was journaled and shown cancelled."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "35.50")
        await fake_engine.push("updateCredit", Due="35,50", Credit="40,00", Status="Cobrando")
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.credit == Decimal("40"))
        await fake_engine.push("status", cobrando="False", Due="35,50", Credit="40,00", changeDispensed="4,50",
                               Status="Pago completado", bvError="Sin error", caError="Ninguno")  # fmt: skip
        await eventually(lambda: rig.results)
        result = rig.results[0]
        assert (result.outcome, result.credit, result.change_paid) == ("completed", Decimal("40"), Decimal("4.5"))
        row = rig.journal.payments()[0]
        assert (row["outcome"], row["credit"], row["change_paid"]) == ("completed", "40.00", "4.50")
    finally:
        await close(rig)


async def test_a_thousands_looking_comma_never_becomes_a_claim(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Before: ``_GROUPED`` read "40,000" as 40000: a 35.50 sale settled completed with 35,464.50 owed."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "35.50")
        await fake_engine.push("status", cobrando="False", Due="35,50", Credit="40,000", changeDispensed="4,500",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results, timeout=10)
        result = rig.results[0]
        assert result.credit < Decimal("1000") and result.shortfall < Decimal("1000")
        assert all(Decimal(row["shortfall"]) < 1000 for row in rig.journal.payments())
    finally:
        await close(rig)


async def test_a_capitalised_tarjeta_is_adopted_as_a_card_sale(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Before: payments compared formaPago raw: "TARJETA" was cash, an adopted card sale landed in the cash
    totals. The codec now hands the payments exactly "tarjeta"."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("sockets", cobrando="True", Due="80,00", Credit="0", formaPago="TARJETA")
        await eventually(lambda: rig.kiosk.payment is not None, timeout=5)
        assert rig.kiosk.payment is not None
        assert (rig.kiosk.payment.method, rig.kiosk.payment.due) == ("card", Decimal("80"))
    finally:
        await close(rig)


async def test_spanish_no_error_texts_do_not_refuse_cash(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Before: bvError "Sin error" and caError "Ninguno" were read as device errors: with both set, cash was
    refused and the customer was told the devices were faulty."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("status", cobrando="False", Due="0,00", Credit="0,00", bvError="Sin error",
                               caError="NINGUNO", tarjeta="True", Status="Disponible")  # fmt: skip
        await eventually(lambda: rig.kiosk.state.bv_error == "" and rig.kiosk.state.online)
        await rig.settle()
        assert (rig.kiosk.state.bv_error, rig.kiosk.state.ca_error) == ("", "")
        await start_cash(rig, "35.50")  # not refused
    finally:
        await close(rig)

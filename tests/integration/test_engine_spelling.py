"""However the engine spells what it says (amounts with a currency sign, sub-cent doubles, numeric or
unreadable cobrando, a byte order mark, odd values, a burst of frames) and however we spell what we send:
the journal records the truth and nothing odd changes a payment.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui.protocol import Product
from kiosk_ui.protocol import messages as m

from ..fake_engine import FakeEngine, close, fake_engine, make_rig, start_cash, to_ending
from ..helpers import (
    Env,
    eventually,
    key_in,
    label_text,
    open_sale,
)

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


async def test_amounts_with_a_currency_sign_and_thousands_are_read(tmp_path: Path, fake_engine: FakeEngine) -> None:
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
def test_ambiguous_amount_texts_are_still_refused(raw: str) -> None:
    """Issue 20: a decimal comma ("35,50") is read now; a form that could mean two things is still refused."""
    from kiosk_ui.protocol import ProtocolError
    from kiosk_ui.protocol.values import parse_amount

    with pytest.raises(ProtocolError):
        parse_amount(raw)


async def test_status_with_unreadable_cobrando_does_not_end_a_payment(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Cash 50, 20 inserted, stale ``sockets`` → ENDING, ``getstatus`` asked. The engine answers with a status
    whose ``cobrando`` is ``"si"`` (not a docs/protocol.md boolean: the field is dropped, the rest used). Before the
    fix, the machine concludes on it: Credit 20 < Due 50, changeDispensed 0 → 'cancelled' with a $20 shortfall shown to
    the customer, while the engine is still charging; its next charging status is adopted as a second journal
    row. A status that does not say cobrando false is not an end: the payment must stay live, one row."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await to_ending(rig, fake_engine, "20.00")
        await fake_engine.push("status", cobrando="si", Due="50.00", Credit="20.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await rig.settle()
        assert rig.results == [], "no outcome from a status that never said the payment ended"
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="20.00", Status="Cobrando")
        await rig.settle()
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["credit"]) for r in rows] == [(paid_id, "completed", "50.00")], rows
    finally:
        await close(rig)


async def test_sub_cent_amounts_are_rounded_once_where_they_enter(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """The engine (C# doubles) reports the final Credit as ``"49.995"`` for a Due of 50 and no change. Money is
    rounded to cents once where it enters (common rules): 50.00, a completed sale. Before the fix (incoming money
    fields rounded in ``protocol/fields.py``) the unrounded 49.995 decided: 'cancelled', shortfall 49.995 shown
    as $50.00 owed to the customer, and the journal row read Due 50.00, Credit 50.00, outcome cancelled,
    shortfall 50.00: a row that contradicts itself."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        await fake_engine.push("updateCredit", Due="50.00", Credit="49.995")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="49.995", changeDispensed="0",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        result = rig.results[0]
        assert result.credit == result.credit.quantize(Decimal("0.01")), result
        row = rig.journal.payment(result.id)
        assert row is not None
        assert (row["outcome"], row["credit"], row["shortfall"]) == ("completed", "50.00", "0.00"), row
    finally:
        await close(rig)


@pytest.mark.parametrize(
    ("raw", "cents"),
    [("49.995", "50.00"), ("18.505", "18.51"), ("0.004", "0.00"), ("1e3", "1000.00"), ('"$1,250.005"', "1250.01")],
)
def test_incoming_money_is_rounded_half_up_to_cents(raw: str, cents: str) -> None:
    """The rule at the codec: every incoming money field is rounded half-up to cents, once."""
    from kiosk_ui.protocol import codec

    for comando in ("status", "sockets", "updateCredit"):
        message = codec.decode(f'{{"comando":"{comando}","fecha":"x","Credit":{raw},"Due":{raw}}}')
        assert isinstance(message, m.Status | m.Sockets | m.UpdateCredit)
        assert (str(message.credit), str(message.due)) == (cents, cents), comando


async def test_odd_values_mid_payment_change_nothing(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Mid-payment: a negative Credit, two JSON objects in one frame, a status with cobrando "si", an
    updateCredit whose Credit goes down, a "1e3" Due of another sale, a huge Credit: none ends the payment,
    lowers what the customer has inserted, or adds a row; the real end is then one completed row."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await fake_engine.push("updateCredit", Due="50.00", Credit="20.00")
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.credit == Decimal(20))
        bad_before = rig.kiosk.client.bad_frames
        await fake_engine.push("updateCredit", Due="50.00", Credit="-5")
        for connection in list(fake_engine.connections):
            await connection.send('{"comando":"status","fecha":"x","cobrando":false,"Due":"50","Credit":"50",'
                                  '"changeDispensed":"0"}{"comando":"sockets","fecha":"x"}')  # fmt: skip
        await fake_engine.push("status", cobrando="si", Due="50.00", Credit="20.00", Status="Cobrando")
        await fake_engine.push("updateCredit", Due="50.00", Credit="10.00")
        await fake_engine.push("sockets", cobrando="True", Due="1e3", Credit="0", formaPago="efectivo")
        await fake_engine.push("updateCredit", Due="50.00", Credit="1" + "0" * 40)
        await rig.settle()
        assert rig.kiosk.client.bad_frames == bad_before + 1, "only the merged frame is refused as a whole"
        assert rig.results == []
        payment = rig.kiosk.payment
        assert payment is not None and (payment.id, payment.phase, payment.credit) == (paid_id, "charging", 20)
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["credit"]) for r in rows] == [(paid_id, "completed", "50.00")], rows
    finally:
        await close(rig)


async def test_a_sockets_storm_does_not_lose_the_end(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """3000 ``sockets`` (cobrando true, the credit climbing) arrive in a burst, the final status right
    behind them: one completed row with the last credit, nothing adopted, no frame lost."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        for i in range(3000):
            await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit=f"{(i * 60 // 3000)}.00",
                                   formaPago="efectivo", conexiones=i % 7)  # fmt: skip
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="59.00", changeDispensed="9.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results, timeout=30)
        await rig.settle()
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["credit"], r["change_paid"]) for r in rows] == [
            (paid_id, "completed", "59.00", "9.00")
        ], rows
        assert rig.kiosk.payment is None
    finally:
        await close(rig)


async def test_an_acknowledgement_with_a_byte_order_mark_is_read(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """A .NET engine writing with ``new UTF8Encoding(true)`` puts a byte order mark before each JSON text.
    Before the fix (``Codec.decode`` strips one leading BOM) every such frame was 'not JSON': the paycash's
    acknowledgement was dropped, the ack timer sent ``cancel "1"`` to an engine that was charging the
    customer, and the kiosk never learnt a thing the engine said."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("20")))
        await eventually(lambda: fake_engine.commands("paycash"))
        for connection in list(fake_engine.connections):
            await connection.send('\ufeff{"comando":"status","fecha":"14/03/2026 12:22:05","cobrando":"True",'
                                  '"Due":"20.00","Credit":"0.00","Status":"Cobrando"}')  # fmt: skip
        assert await asyncio.wait_for(task, 10) is None
        assert rig.kiosk.payment is not None and rig.kiosk.payment.phase == "charging"
        assert fake_engine.commands("cancel") == []
    finally:
        await close(rig)


async def test_numeric_cobrando_acknowledges_and_ends_one_payment(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """``cobrando`` as the number 1 acknowledges, a ``sockets`` with ``"1"`` mid-payment changes nothing, and
    a status with the number 0 ends it: one completed row with the change paid."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("35.50")))
        await eventually(lambda: fake_engine.commands("paycash"))
        await fake_engine.push("status", cobrando=1, Due=35.5, Credit=0, changeDispensed=0, Status="Cobrando")
        assert await asyncio.wait_for(task, 10) is None
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        await fake_engine.push("sockets", cobrando="1", Due="35.50", Credit="20", formaPago="efectivo")
        await fake_engine.push("updateCredit", Due="35.50", Credit="40.00")
        await fake_engine.push("status", cobrando=0, Due="35.5", Credit=40, changeDispensed="4.5",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["credit"], r["change_paid"]) for r in rows] == [
            (paid_id, "completed", "40.00", "4.50")
        ], rows
        assert fake_engine.commands("cancel") == []
    finally:
        await close(rig)


async def test_an_odd_field_does_not_turn_a_charged_card_into_declined(env: Env) -> None:
    env.engine.set_fault("odd_shapes", True)  # tubesSW as a list of objects in every status
    user = await open_sale(env, "80")
    user.find(marker="pay-card").click()
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.approve_card()
    env.kick()
    await user.should_see(marker="result-success", retries=50)
    (row,) = env.kapp.journal.payments()
    assert (row["outcome"], row["reference"]) == ("completed", env.engine.last_reference)
    assert env.kapp.client.bad_frames == 0


async def test_three_decimal_prices_are_rounded_once(env: Env) -> None:
    env.engine.catalog.save(Product("7500000000001", "Dulce", Decimal("18.495"), "PZA", ""))
    user = env.new_user()
    await user.open("/")
    env.engine.push_product("7500000000001")
    env.kick()
    await user.should_see(marker="cart-item", retries=30)
    assert label_text(user, "sale-total") == "$18.50"
    user.find(marker="pay-cash").click()
    await eventually(lambda: env.engine.payment is not None)
    assert [msg for _, msg in env.engine.received if isinstance(msg, m.PayCash)] == [m.PayCash(Decimal("18.50"))]
    for value, kind in (("10", "coin"), ("5", "coin"), ("2", "coin"), ("1", "coin"), ("0.50", "coin")):
        await env.insert(value, kind=kind)
    await user.should_see(marker="result-success", retries=50)
    await user.should_not_see(marker="result-shortfall")
    (row,) = env.kapp.journal.payments()
    assert (row["due"], row["shortfall"], row["change_owed"]) == ("18.50", "0.00", "0.00")
    assert row["items"].count('"18.50"') == 1


async def test_keypad_amount_is_sent_as_shown(env: Env) -> None:
    user = await open_sale(env, "")
    await key_in(user, "18.5")
    user.find(marker="pay-cash").click()
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.payment is not None and env.engine.payment.due == Decimal("18.50")

"""The customer's cancel, on every path: before the acknowledgement, while the payment is ending, from two
screens at once, racing the last bill, queued behind a slow journal. It reaches every live sale of ours
once, and never another client's sale or a refill.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from kiosk_ui.journal import Journal
from kiosk_ui.protocol import messages as m

from ..fake_engine import FakeEngine, close, fake_engine, make_rig, start_cash, to_ending
from ..helpers import Env, dialog_open, eventually, label_text, start_cash_payment

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


class _SlowOpenJournal(Journal):
    """A journal on a slow disk: opening a payment row takes ``delay`` seconds."""

    delay = 2.0

    def open_payment(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self.delay)
        return super().open_payment(*args, **kwargs)


def cancels(env: Env) -> list[m.Message]:
    return [msg for _, msg in env.engine.received if isinstance(msg, m.Cancel)]


async def test_two_screens_cancelling_at_once_send_one_cancel(tmp_path: Path, fake_engine: FakeEngine) -> None:
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


async def test_cancel_before_the_acknowledgement_reaches_the_payment(tmp_path: Path, fake_engine: FakeEngine) -> None:
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


async def test_cancel_pressed_while_ending_is_sent_when_the_engine_is_still_charging(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 20 inserted; a stale ``sockets`` (cobrando false) puts the payment in ENDING. The customer
    presses cancel right then: ``Kiosk.cancel`` returns True (the screen says 'cancelling'), but nothing goes
    out and nothing is remembered. The engine's status then says it is still charging: the payment is live
    again, the customer walks away believing it cancelled, $20 held. Per docs/protocol.md step 5 the customer's
    cancel must reach the engine once (as a cancel pressed in STARTING does on the acknowledgement)."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await to_ending(rig, fake_engine, "20.00")
        assert await rig.kiosk.cancel("1", paid_id), "the screen was told the cancel is under way"
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="20.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.phase == "charging")
        await eventually(lambda: fake_engine.commands("cancel"), timeout=3)
        await rig.settle()
        assert [c["cancelvalue"] for c in fake_engine.commands("cancel")] == ["1"]
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="20.00", changeDispensed="20.00",
                               Status="Cancelado")  # fmt: skip
        await eventually(lambda: rig.results)
        assert [(r.id, r.outcome, r.change_paid) for r in rig.results] == [(paid_id, "cancelled", Decimal(20))]
    finally:
        await close(rig)


async def test_no_cancel_for_a_sale_the_engine_charges_for_someone_else(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The kiosk starts cash 50. The engine is busy with another client's sale (an ``index.html`` on the
    LAN started it a moment earlier): it answers with ``status`` cobrando true, Due 30, Credit 10, and never
    takes our paycash up. Before the fix, the ack timer fires and ``cancel "1"`` goes out: the engine cancels the sale
    it *is* charging (somebody else's, $10 inserted). A cancel goes out only for the payment it was asked for
    (docs/protocol.md: cancel "the current operation"): an engine charging another Due did not take ours up, so
    ours ends (failed: engine busy) with no cancel sent."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("50")))
        await eventually(lambda: fake_engine.commands("paycash"))
        await fake_engine.push("status", cobrando="True", Due="30.00", Credit="10.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await asyncio.wait_for(task, 15)
        await eventually(lambda: rig.results, timeout=15)  # ack timeout 3 s + abandon grace 3 s
        await rig.settle()
        assert fake_engine.commands("cancel") == [], "the other customer's sale was cancelled"
        assert rig.results[0].outcome in ("failed", "unknown"), rig.results
    finally:
        await close(rig)


async def test_cancel_pressed_as_the_final_status_arrives(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """The last bill goes in and the customer presses cancel in the same instant, from two tabs: at most one
    ``cancel`` goes out, the outcome follows the money (completed, change paid), one row, and a cancel pressed
    after the end sends nothing."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await start_cash(rig, "50")
        payment = rig.kiosk.payment
        assert payment is not None
        await fake_engine.push("updateCredit", Due="50.00", Credit="100.00")
        final = fake_engine.push("status", cobrando="False", Due="50.00", Credit="100.00", changeDispensed="50.00",
                                 Status="Pago completado")  # fmt: skip
        await asyncio.gather(final, rig.kiosk.cancel("1", payment.id), rig.kiosk.cancel("1", payment.id))
        await eventually(lambda: rig.results)
        assert await rig.kiosk.cancel("1", payment.id) is False
        await rig.settle()
        assert len(fake_engine.commands("cancel")) <= 1
        assert [(r.outcome, r.change_paid, r.shortfall) for r in rig.results] == [("completed", 50, 0)]
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["change_paid"]) for r in rows] == [(payment.id, "completed", "50.00")]
    finally:
        await close(rig)


async def test_a_cancel_pressed_before_the_busy_failure_survives_the_resume(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50 is asked while the engine is charging another client's sale (sockets cobrando true, Due 30).
    The customer presses cancel before any acknowledgement: held for the acknowledgement.
    The engine's frame shows it busy with Due 30: payment 'failed', no cancel (not theirs), kept as
    ``abandoned`` (and the other sale adopted). The other sale ends and the engine then takes our paycash up
    (cobrando true, Due 50): the abandoned rule resumed the row with ``cancel_requested=False``. The customer's
    cancel was gone: the engine took the money of a payment the customer cancelled, with the screen having said it
    failed. A cancel pressed before the acknowledgement must go out on it, resumed or not (exactly one cancel "1")."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("50")))
        await eventually(lambda: fake_engine.commands("paycash"))
        paid_id = rig.kiosk.payment.id if rig.kiosk.payment else ""
        assert await rig.kiosk.cancel("1", paid_id), "the screen was told the cancel is under way"
        # the engine charges another client's sale: ours fails at once (busy), that sale is adopted
        await fake_engine.push("sockets", cobrando="True", Due="30.00", Credit="10.00", formaPago="efectivo")
        await rig.settle()
        await asyncio.wait_for(task, 15)
        await eventually(lambda: rig.results, timeout=15)
        assert fake_engine.commands("cancel") == []  # never cancel the other client's sale
        await fake_engine.push("status", cobrando="False", Due="30.00", Credit="30.00", changeDispensed="0.00",
                               Status="Pago completado")  # fmt: skip
        await rig.settle()
        for _ in range(2):
            await fake_engine.push("status", cobrando="True", Due="50.00", Credit="0.00", changeDispensed="0.00",
                                   Status="Cobrando")  # fmt: skip
            await rig.settle()
        assert rig.kiosk.payment is not None and rig.kiosk.payment.id == paid_id, "resumed on its row"
        await eventually(lambda: fake_engine.commands("cancel"), timeout=3)
        assert [c["cancelvalue"] for c in fake_engine.commands("cancel")] == ["1"]
    finally:
        await close(rig)


async def test_ending_hears_the_engine_still_charging_from_sockets(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Cash 50, 20 in; a stale bare ``sockets`` (cobrando false) puts the payment in ENDING and ``getstatus``
    goes out. The customer presses cancel: held (ENDING). The engine goes on charging: another bill
    (updateCredit Credit 30) and its ``sockets`` broadcast (cobrando true, Due 50, Credit 30), but its answer
    to getstatus comes only after the 1.5 s end grace. Before the fix, ENDING ignores both frames, the end timer settles
    the payment 'unknown' with $20, the held cancel is never sent, and the engine's charging status is then
    adopted as a second row. A sockets naming this Due with more money than seen proves the payment is live:
    back to charging, the held cancel goes out once, and the end is one row for the $30 returned."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await to_ending(rig, fake_engine, "20.00")
        assert await rig.kiosk.cancel("1", paid_id)
        await fake_engine.push("updateCredit", Due="50.00", Credit="30.00", Status="Cobrando")
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="30.00", formaPago="efectivo")
        await asyncio.sleep(2.5)  # the engine's status answer is late: longer than the 1.5 s end grace
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="30.00", changeDispensed="0.00",
                               Status="Cobrando")  # fmt: skip
        await rig.settle()
        await eventually(lambda: fake_engine.commands("cancel"), timeout=3)
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="30.00", changeDispensed="30.00",
                               Status="Cancelado")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        assert [c["cancelvalue"] for c in fake_engine.commands("cancel")] == ["1"]
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["change_paid"]) for r in rows] == [(paid_id, "cancelled", "30.00")], rows
    finally:
        await close(rig)


async def test_a_late_update_credit_in_ending_does_not_release_the_held_cancel(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 40 in. The customer's last bill (20) ends the sale: the engine's end ``sockets`` (cobrando false)
    reaches the kiosk first, so it is in ENDING and asks ``getstatus``. The customer presses cancel at that
    instant: held (it goes out only if a status says the engine still charges this payment). The last bill's
    ``updateCredit`` (Credit 60), delivered late by another engine thread, arrives next: before the fix,
    ``_ending_frame`` takes it as proof the payment is live and sends the held cancel to an engine that has ended
    the sale (it could reach a staff refill begun meanwhile). The engine's status then says it ended: completed, 60 in,
    10 change. An updateCredit carries no ``cobrando``: it may show money, never that the sale is still open.
    Expected: no cancel at all, one completed row with Credit 60."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await to_ending(rig, fake_engine, "40.00")
        assert await rig.kiosk.cancel("1", paid_id)
        await fake_engine.push("updateCredit", Due="50.00", Credit="60.00", Status="Cobrando")
        await rig.settle()
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="60.00", changeDispensed="10.00",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results)
        await rig.settle()
        assert fake_engine.commands("cancel") == [], "the sale had ended: no cancel may go out"
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], Decimal(str(r["credit"]))) for r in rows] == [
            (paid_id, "completed", Decimal("60"))
        ], rows
    finally:
        await close(rig)


async def test_a_cancel_queued_behind_a_slow_journal_never_goes_out_after_the_end(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The engine starts a sale (another client's, or one the kiosk missed): ``sockets`` cobrando true, Due 30,
    cash. The kiosk adopts it; its journal row opens on a slow disk (2 s). The customer presses cancel on the
    adopted payment: the machine decides ``cancel "1"`` at once, but the send is queued behind the row's
    opening. Meanwhile the engine ends the sale (status cobrando false, $30 in, completed): the payment is
    over, ``money_locked`` is false, and staff start a refill (``cashrefill``). The queued cancel then goes out,
    after the refill: it ends the refill (the engine's ``cancel`` acts on "the current operation"). A
    cancel for a payment that has ended must be dropped, not sent."""
    journal = _SlowOpenJournal(tmp_path / "journal.sqlite")
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    try:
        await fake_engine.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="", Status="Disponible")  # fmt: skip
        await rig.settle()
        await fake_engine.push("sockets", cobrando="True", Due="30.00", Credit="0.00", formaPago="efectivo")
        await eventually(lambda: rig.kiosk.payment is not None)
        payment = rig.kiosk.payment
        assert payment is not None
        pressed = asyncio.create_task(rig.kiosk.cancel("1", payment.id))  # the screen awaits it; frames go on
        await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.cancel_requested)
        await fake_engine.push("status", cobrando="False", Due="30.00", Credit="30.00", changeDispensed="0.00",
                               referenceCC="", Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.kiosk.payment is None)
        assert not rig.kiosk.money_locked, "the payment ended: staff may refill"
        await rig.kiosk.send(m.CashRefill())
        await eventually(lambda: rig.results, timeout=10)
        await asyncio.wait_for(pressed, 10)
        await rig.kiosk.service.idle()
        await asyncio.sleep(0.2)
        sent = [f["comando"] for f in fake_engine.received if f["comando"] != "getstatus"]
        assert sent[-1] == "cashrefill", f"a cancel reached the engine after the refill: {sent}"
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"]) for r in rows] == [(payment.id, "completed")], rows
    finally:
        await close(rig)


async def test_a_held_cancel_never_reaches_a_refill_reported_during_ending(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 20 in; a bare ``sockets`` (cobrando false) puts it in ENDING and the customer's cancel is held.
    The engine's next status says it is charging a Due of 0 (a staff refill another client began after the
    sale ended). The held cancel must not go out (it would end the refill), and the payment is one row,
    settled once, never 'completed'. (This held from the start.)"""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await to_ending(rig, fake_engine, "20.00")
        assert await rig.kiosk.cancel("1", paid_id)
        await fake_engine.push("status", cobrando="True", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="", Status="Recarga")  # fmt: skip
        await eventually(lambda: rig.results, timeout=10)
        await rig.settle()
        assert fake_engine.commands("cancel") == []
        rows = rig.journal.payments()
        assert [r["id"] for r in rows] == [paid_id], rows
        assert rows[0]["outcome"] != "completed", rows
        assert rig.kiosk.payment is None, "a refill is not adopted as a customer payment"
    finally:
        await close(rig)


async def test_a_cancel_racing_the_last_bill_is_a_sale(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "50")
    await env.insert("20")
    await eventually(lambda: label_text(user, "pay-credit") == "$20.00")
    env.engine.set_fault("race_bill_on_cancel", 50)  # a 50 is already in the validator
    user.find(marker="cancel").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="result-success", retries=50)
    assert label_text(user, "result-change") == "Su cambio: $20.00"
    await user.should_not_see(marker="result-shortfall")
    (row,) = env.kapp.journal.payments()
    assert (row["outcome"], row["credit"], row["change_owed"], row["change_paid"], row["shortfall"]) == (
        "completed", "70.00", "20.00", "20.00", "0.00",
    )  # fmt: skip


async def test_the_cancel_question_closes_with_its_payment(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "20")
    await env.insert("10")
    await eventually(lambda: label_text(user, "pay-credit") == "$10.00")
    user.find(marker="cancel").click()
    assert dialog_open(user, "confirm-ok")
    await env.insert("10")  # the customer pays the rest while the question is open
    await user.should_see(marker="result-success", retries=50)
    await eventually(lambda: not dialog_open(user, "confirm-ok"))
    user.find(marker="confirm-ok").click()  # a late press on the stale question
    await env.caught_up()  # anything that press sent has reached the engine by now
    assert cancels(env) == [], "no cancel without a payment in progress"
    # and the kiosk itself refuses a cancel for a payment that ended
    assert await env.kapp.kiosk.cancel("1", payment_id="no-such-payment") is False
    assert cancels(env) == []

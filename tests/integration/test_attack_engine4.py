"""Outside review, fourth round: the rules added after round three (tests/integration/test_attack_engine3.py),
against the hand-written fake engine of :mod:`.test_attack_engine`.

Each test scripts what an engine (or another client on the LAN) may send and asserts what docs/protocol.md says
the journal must record and the kiosk must do. Its faults (AE-AI) were committed as strict xfail tests, then fixed.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk_ui.errors import PaymentRefused
from kiosk_ui.journal import Journal
from kiosk_ui.protocol import messages as m

from ..fake_engine import FakeEngine, close, fake_engine, make_rig, start_cash, to_ending
from ..helpers import eventually

__all__ = ["fake_engine"]  # the fixture, re-exported for pytest


# --------------------------------------------------------------------------- finding AE


async def test_attack4_a_late_update_credit_in_ending_does_not_release_the_held_cancel(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 40 in. The customer's last bill (20) ends the sale: the engine's end ``sockets`` (cobrando false)
    reaches the kiosk first, so it is in ENDING and asks ``getstatus``. The customer presses cancel at that
    instant: held (it goes out only if a status says the engine still charges this payment). The last bill's
    ``updateCredit`` (Credit 60), delivered late by another engine thread, arrives next: today ``_ending_frame``
    takes it as proof the payment is live and sends the held cancel to an engine that has ended the sale (it
    could reach a staff refill begun meanwhile). The engine's status then says it ended: completed, 60 in,
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


# --------------------------------------------------------------------------- finding AF


class _SlowOpenJournal(Journal):
    """A journal on a slow disk: opening a payment row takes ``delay`` seconds."""

    delay = 2.0

    def open_payment(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self.delay)
        return super().open_payment(*args, **kwargs)


async def test_attack4_a_cancel_queued_behind_a_slow_journal_never_goes_out_after_the_end(
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


# --------------------------------------------------------------------------- finding AG


async def test_attack4_a_stale_status_echo_is_not_taken_as_the_answer_to_the_echo_question(
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


# --------------------------------------------------------------------------- finding AH


async def test_attack4_a_card_decline_after_an_unseen_card_end_is_not_completed(
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


# --------------------------------------------------------------------------- finding AI


async def test_attack4_no_customer_payment_starts_right_after_a_staff_refill(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The engine is idle (status cobrando false). Staff start a refill from this kiosk (``cashrefill``; the
    money_locked guard lets it through: no payment). The engine's word on the refill has not come (PROTOCOL:
    how a refill is reported and ended is not documented; some engines never report it as ``cobrando``).
    A customer starts a cash payment of 50 a moment later: ``can_pay`` sees an idle engine and ``paycash`` goes
    out while the refill loads change: bills loaded for change would count as the customer's Credit.
    Expected: a customer payment is refused (busy) while a refill this kiosk started has not been ended."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        await fake_engine.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="", Status="Disponible")  # fmt: skip
        await rig.settle()
        assert not rig.kiosk.money_locked
        await rig.kiosk.send(m.CashRefill())
        await rig.settle()
        with pytest.raises(PaymentRefused):
            await asyncio.wait_for(rig.kiosk.start_payment("cash", Decimal("50")), 10)
        assert fake_engine.commands("paycash") == []
    finally:
        await close(rig)


# --------------------------------------------------------------------------- held up


async def test_attack4_a_held_cancel_never_reaches_a_refill_reported_during_ending(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 20 in; a bare ``sockets`` (cobrando false) puts it in ENDING and the customer's cancel is held.
    The engine's next status says it is charging a Due of 0 (a staff refill another client began after the
    sale ended). The held cancel must not go out (it would end the refill), and the payment is one row,
    settled once, never 'completed'. Holds today."""
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

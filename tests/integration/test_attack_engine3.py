"""Outside review, third round: the rules added after round two (tests/integration/test_attack_engine2.py),
against the hand-written fake engine of :mod:`.test_attack_engine`.

Each test scripts what an engine (or another client on the LAN) may send and asserts what docs/protocol.md says
the journal must record and the kiosk must do. Its faults (V-AD) were committed as strict xfail tests, then fixed.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

from kiosk_ui.protocol import messages as m

from ..fake_engine import FakeEngine, Rig, close, fake_engine, make_rig, start_cash, to_ending
from ..helpers import Env, dialog_open, engine_caught_up, eventually, logged_in, sent

__all__ = ["fake_engine"]  # the fixture, re-exported for pytest


async def _given_up(rig: Rig, fake: FakeEngine, due: str) -> str:
    """A cash payment of ``due`` the engine never acknowledges: cancel "1" goes out, then it is settled as
    given up (the machine keeps it as ``abandoned``). Returns its id."""
    await fake.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                    referenceCC="R-200", tarjeta="True", Status="Disponible")  # fmt: skip
    await rig.settle()
    task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal(due)))
    await eventually(lambda: fake.commands("paycash"))
    payment = rig.kiosk.payment
    assert payment is not None
    await asyncio.wait_for(task, 15)
    await eventually(lambda: rig.results, timeout=15)  # ack timeout 3 s + abandon grace 3 s
    await rig.settle()
    assert rig.results[0].outcome in ("failed", "unknown"), rig.results
    return payment.id


# --------------------------------------------------------------------------- finding V


async def test_attack3_a_card_charge_that_resumes_a_given_up_cash_payment_is_decided_as_card(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50 is given up (no acknowledgement; cancel "1" sent). A moment later the engine charges 50 again:
    this time by card (another client, or the engine's own retry), and the kiosk hears of it from a ``status``
    (no ``formaPago``). The abandoned-payment rule resumes the cash row (same Due, method unstated) with the
    method fixed as cash, so the adopted-method inference of round two is skipped. The terminal approves
    (Credit 0, a new referenceCC R-201): cash rules say Credit 0 < Due → 'cancelled', nothing charged, while
    the card was charged $50. The outcome follows the engine's money facts: a new reference and no cash is a
    card approval (as for an adopted payment): completed, R-201 journaled."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await _given_up(rig, fake_engine, "50")
        for _ in range(2):  # the first may be an echo of the ended sale: the kiosk asks, the engine repeats
            await fake_engine.push("status", cobrando="True", Due="50.00", Credit="0.00", changeDispensed="0.00",
                                   referenceCC="R-200", tarjeta="True",
                                   Status="Siga las instrucciones de la terminal")  # fmt: skip
            await rig.settle()
        await eventually(lambda: rig.kiosk.payment is not None)
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-201", tarjeta="True", Status="Aprobada")  # fmt: skip
        await eventually(lambda: len(rig.results) > 1)
        await rig.settle()
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["reference"]) for r in rows] == [(paid_id, "completed", "R-201")], rows
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding W


async def test_attack3_a_cancel_pressed_before_the_busy_failure_survives_the_resume(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50 is asked while the engine is charging another client's sale (sockets cobrando true, Due 30).
    The customer presses cancel before any acknowledgement: held for the acknowledgement (round-one rule).
    The engine's frame shows it busy with Due 30: payment 'failed', no cancel (round-two rule M), kept as
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
        assert fake_engine.commands("cancel") == []  # rule M: never cancel the other client's sale
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


# --------------------------------------------------------------------------- finding X


async def test_attack3_ending_hears_the_engine_still_charging_from_sockets(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50, 20 in; a stale bare ``sockets`` (cobrando false) puts the payment in ENDING and ``getstatus``
    goes out. The customer presses cancel: held (round-two rule J). The engine goes on charging: another bill
    (updateCredit Credit 30) and its ``sockets`` broadcast (cobrando true, Due 50, Credit 30), but its answer
    to getstatus comes only after the 1.5 s end grace. Today ENDING ignores both frames, the end timer settles
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


# --------------------------------------------------------------------------- finding Y


async def test_attack3_a_card_payment_before_any_status_does_not_take_the_old_reference_as_approval(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """On connect the engine broadcasts ``sockets`` (the client count changed): cobrando false, tarjeta true.
    The kiosk is online and offers card before any ``status`` arrived, so it does not know the engine's
    referenceCC (R-100, the previous card sale's, still reported). Card 80 starts with ``reference_before`` ''.
    The terminal declines: final status cobrando false, Credit 0, referenceCC still R-100, Status 'Tarjeta
    declinada'. Today R-100 != '' counts as a new reference: 'completed' card sale, R-100 journaled, the
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


# --------------------------------------------------------------------------- finding Z


async def test_attack3_a_given_up_payment_taken_up_by_an_update_credit_engine_resumes(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The engine acknowledges cash with ``updateCredit`` only (a dialect the machine supports: issue 15, the
    simulator's ``ack_by_update_credit``). Cash 20 gets no acknowledgement in time: cancel "1", then settled as
    given up ('failed', nothing charged). The engine took the paycash up after all (our cancel reached it first):
    updateCredit Due 20 Credit 0, the customer's $20 (updateCredit Credit 20), then the end status (cobrando
    false, Due 20, Credit 20, no change). Today IDLE ignores updateCredit and a cobrando-false status, so the
    given-up payment is never resumed: the journal says 'failed' and the customer was told nothing was charged,
    while the engine took $20. docs/protocol.md step 2: "if the engine charges anyway, that same payment resumes"."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await _given_up(rig, fake_engine, "20")
        await fake_engine.push("updateCredit", Due="20.00", Credit="0.00", Status="Cobrando")
        await fake_engine.push("updateCredit", Due="20.00", Credit="20.00", Status="Cobrando")
        await fake_engine.push("status", cobrando="False", Due="20.00", Credit="20.00", changeDispensed="0.00",
                               referenceCC="R-200", Status="Pago completado")  # fmt: skip
        await rig.settle()
        await eventually(lambda: len(rig.results) > 1, timeout=5)
        rows = rig.journal.payments()
        assert [(r["id"], r["outcome"], r["credit"]) for r in rows] == [(paid_id, "completed", "20.00")], rows
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding AA


async def test_attack3_another_clients_later_sale_of_the_same_due_is_not_the_given_up_row(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50 (customer A, with a cart) is given up: no acknowledgement, cancel "1", settled 'failed' and
    A is told nothing was charged. The engine then reports itself idle, again and again (cobrando false,
    Credit 0, in answer to the kiosk's getstatus). Later, a LAN client (the vendor's ``index.html``) sells
    something else for the same $50 (sockets cobrando true, Due 50, formaPago efectivo). Today the abandoned
    rule has no end but "another payment starts here", so the kiosk reopens A's row, shows A's payment live
    again on the customer screen, and journals the other client's $50 on A's row (with A's items). An engine
    that has said it is idle, after the give-up, did not take that paycash up: the later sale is adopted on a
    row of its own, and A's row stays as A was told."""
    rig = await make_rig(tmp_path, fake_engine)
    try:
        paid_id = await _given_up(rig, fake_engine, "50")
        told = rig.results[0].outcome
        for _ in range(3):  # the engine's periodic status: idle, nothing in
            await fake_engine.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                                   referenceCC="R-200", Status="Disponible")  # fmt: skip
            await rig.settle()
        await fake_engine.push("sockets", cobrando="True", Due="50.00", Credit="0.00", formaPago="efectivo")
        await rig.settle()  # the same Due as the given-up sale: the kiosk asks (getstatus), the engine answers
        await fake_engine.push("status", cobrando="True", Due="50.00", Credit="0.00", changeDispensed="0.00",
                               referenceCC="R-200", Status="Cobrando")  # fmt: skip
        await eventually(lambda: rig.kiosk.payment is not None)
        assert rig.kiosk.payment is not None and rig.kiosk.payment.id != paid_id, "the given-up row reopened"
        await fake_engine.push("updateCredit", Due="50.00", Credit="50.00")
        await fake_engine.push("status", cobrando="False", Due="50.00", Credit="50.00", changeDispensed="0.00",
                               referenceCC="R-200", Status="Pago completado")  # fmt: skip
        await eventually(lambda: len(rig.results) > 1)
        await rig.settle()
        rows = {r["id"]: r["outcome"] for r in rig.journal.payments()}
        assert rows.pop(paid_id) == told, "the given-up customer's row was rewritten by another sale"
        assert list(rows.values()) == ["completed"], rows
    finally:
        await close(rig)


# --------------------------------------------------------------------------- finding AB


async def test_attack3_a_payment_started_during_the_override_audit_write_is_not_covered(env: Env) -> None:
    """Staff ask to open the door while customer A pays; the busy dialog offers an override; staff confirm it
    over A. ``ActionsPanel.override`` checks ``payment_key()`` is still A, then awaits ``runner.check``, whose
    audit row is a journal write (a thread; a slow disk). While that write runs, A ends and customer B (another
    tab) starts paying. The panel then sends ``opendoor`` with override=True: the door opens during B's payment,
    which nobody confirmed an override for (round-two rule P, lost to the await between check and send). The
    payment must be checked again after the last await before the send (fixed in
    ``kiosk_ui/ui/pages/admin/actions.py``: ``ActionsPanel.override`` checks again after ``runner.check``)."""
    user = await logged_in(env)
    kiosk = env.kapp.kiosk
    staff = env.kapp.staff
    assert await kiosk.start_payment("cash", Decimal("10")) is None
    first = kiosk.payment.id if kiosk.payment else ""
    user.find(marker="action-opendoor").click()
    user.find(marker="confirm-ok").click()
    await eventually(lambda: dialog_open(user, "action-busy"))
    real_audit = staff.audit

    async def slow_audit(caller: Any, action: str, result: str, detail: str = "") -> None:
        if result == "override confirmed during a payment":
            # while the row is written: A ends, customer B starts in another tab
            assert await kiosk.cancel("1", first)
            await eventually(lambda: kiosk.payment is None and not kiosk.state.charging, timeout=10)
            assert await kiosk.start_payment("cash", Decimal("20")) is None
        await real_audit(caller, action, result, detail)

    staff.audit = slow_audit  # type: ignore[method-assign]
    user.find(marker="action-override").click()
    await eventually(lambda: kiosk.payment is not None and kiosk.payment.id != first, timeout=15)
    await eventually(  # the panel either asks again about B or runs the action and journals its end
        lambda: (
            dialog_open(user, "action-busy")
            or env.kapp.journal.staff_actions()[-1]["result"] != "override confirmed during a payment"
        ),
        timeout=15,
    )
    await engine_caught_up(env.kapp.client)
    assert sent(env, m.OpenDoor) == [], "the door opened during a payment nobody confirmed an override for"


# --------------------------------------------------------------------------- finding AC


async def test_attack3_a_later_sale_of_the_same_due_is_asked_about_after_an_echo_was_answered(
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


# --------------------------------------------------------------------------- cases that held up


async def test_attack3_numeric_cobrando_acknowledges_and_ends_one_payment(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
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


# --------------------------------------------------------------------------- finding AD


async def test_attack3_no_customer_payment_starts_during_a_refill_begun_while_the_journal_is_checked(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """A customer taps 'pay cash 50'. ``Kiosk.start_payment`` checks ``can_pay()`` (engine idle), then awaits the
    journal's writability check in a thread (0.5 s: a slow disk). No payment exists yet, so the staff tab's
    'Iniciar dotación' passes the busy guard and ``cashrefill`` goes out; the engine reports the refill
    (cobrando true, Due 0). The customer's start then goes on without looking again: ``paycash`` is sent during
    the refill. docs/protocol.md: while ``cobrando`` is true no second payment may start, from any screen; a refill's
    money would be counted as the customer's. Fixed in ``kiosk_ui/kiosk.py``: the kiosk counts as busy from the
    start's first check until the payment exists (the refill is refused), and ``can_pay()`` is asked again after
    the journal check (a refill the engine reports meanwhile refuses the start)."""
    import time

    from kiosk_ui.engine import CommandRefused
    from kiosk_ui.journal import Journal
    from kiosk_ui.kiosk import PaymentRefused
    from kiosk_ui.staff_rules import may_send

    class SlowCheck(Journal):
        slow = False

        def check_writable(self) -> None:
            if self.slow:
                time.sleep(0.5)  # runs in a worker thread (asyncio.to_thread)
            super().check_writable()

    journal = SlowCheck(tmp_path / "journal.sqlite")
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    rig.kiosk.client.guard = lambda message, override: may_send(message, rig.kiosk.money_locked, override)  # as app.py
    try:
        await fake_engine.push("status", cobrando="False", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               Status="Disponible")  # fmt: skip
        await rig.settle()
        journal.slow = True
        task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal("50")))
        await asyncio.sleep(0.05)  # the start is inside its journal check
        refill_refused = ""
        try:
            await rig.kiosk.client.send(m.CashRefill())  # the staff tab, while the start is being checked
        except CommandRefused as exc:
            refill_refused = exc.reason
        # an engine that reports the refill regardless (or a refill from another client)
        await fake_engine.push("status", cobrando="True", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               Status="Dotación de efectivo")  # fmt: skip
        await eventually(lambda: rig.kiosk.state.charging)
        refused = False
        try:
            await asyncio.wait_for(task, 15)
        except PaymentRefused:
            refused = True
        await rig.settle()
        # the kiosk counts as busy from its first check until the payment exists: staff's refill is refused
        assert refill_refused and fake_engine.commands("cashrefill") == [], "a refill went out during a start"
        assert refused and fake_engine.commands("paycash") == [], "a customer payment started during a refill"
    finally:
        await close(rig)

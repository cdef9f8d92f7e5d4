"""Staff and the customer on one engine: a refill is never a customer payment and no payment starts during
one; a staff override covers only the payment it was confirmed over.
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

from ..fake_engine import FakeEngine, close, fake_engine, make_rig
from ..helpers import Env, dialog_open, engine_caught_up, eventually, logged_in, sent

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


async def test_a_staff_override_is_for_the_payment_it_was_confirmed_over(env: Env) -> None:
    """Staff asks to open the door while customer A pays: the busy dialog offers an override. Before staff
    answer, A ends and customer B (another tab) starts paying. Staff then press 'Hacerlo de todos modos':
    before the fix, ``opendoor`` goes out during B's payment, which no one confirmed an override for. docs/protocol.md:
    a cash-moving command is refused during a customer payment "unless staff confirm an explicit override";
    the override was confirmed over A. The door must stay shut and staff be asked again about B."""
    user = await logged_in(env)
    kiosk = env.kapp.kiosk
    assert await kiosk.start_payment("cash", Decimal("10")) is None
    first = kiosk.payment.id if kiosk.payment else ""
    user.find(marker="action-opendoor").click()
    user.find(marker="confirm-ok").click()
    await eventually(lambda: dialog_open(user, "action-busy"))
    assert await kiosk.cancel("1", first)
    await eventually(lambda: kiosk.payment is None and not kiosk.state.charging, timeout=10)
    assert await kiosk.start_payment("cash", Decimal("20")) is None  # customer B, another tab
    rows_before = len(env.kapp.journal.staff_actions())
    user.find(marker="action-override").click()
    await eventually(lambda: len(env.kapp.journal.staff_actions()) > rows_before)
    await eventually(
        lambda: (
            dialog_open(user, "action-busy")
            or env.kapp.journal.staff_actions()[-1]["result"] != "override confirmed during a payment"
        )
    )
    await engine_caught_up(env.kapp.client)
    assert sent(env, m.OpenDoor) == [], "the door opened during a payment nobody confirmed an override for"


async def test_a_payment_started_during_the_override_audit_write_is_not_covered(env: Env) -> None:
    """Staff ask to open the door while customer A pays; the busy dialog offers an override; staff confirm it
    over A. ``ActionsPanel.override`` checks ``payment_key()`` is still A, then awaits ``runner.check``, whose
    audit row is a journal write (a thread; a slow disk). While that write runs, A ends and customer B (another
    tab) starts paying. The panel then sends ``opendoor`` with override=True: the door opens during B's payment,
    which nobody confirmed an override for (lost to the await between check and send). The
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


async def test_a_refill_reported_as_charging_is_not_a_customer_payment(tmp_path: Path, fake_engine: FakeEngine) -> None:
    """Staff start a refill (``cashrefill``). This engine (unlike the simulator) reports it as ``cobrando`` true
    with ``Due`` 0 while the validators take the change float, $500 in. Before the fix, the kiosk adopts it as a
    customer payment of $0 (a journal row, the customer screen shows a payment), staff's 'Terminar dotación'
    (``cancel "2"``) is refused as "a payment is in progress", and the end status (Credit 500, nothing
    dispensed) journals a *completed* $0 sale with $500 owed to a customer. No sale has a Due of 0: it is not
    a customer payment; nothing is journaled as one and the refill can be ended."""
    from kiosk_ui.engine import CommandRefused
    from kiosk_ui.staff_rules import may_send

    rig = await make_rig(tmp_path, fake_engine)
    rig.kiosk.client.guard = lambda message, override: may_send(message, rig.kiosk.money_locked, override)  # as app.py
    try:
        await rig.kiosk.client.send(m.CashRefill())
        await fake_engine.push("status", cobrando="True", Due="0.00", Credit="0.00", changeDispensed="0.00",
                               Status="Dotación de efectivo")  # fmt: skip
        await rig.settle()
        for credit in ("200.00", "500.00"):
            await fake_engine.push("updateCredit", Due="0.00", Credit=credit, Status="Dotación de efectivo")
        await rig.settle()
        refused = ""
        try:
            await rig.kiosk.client.send(m.Cancel("2"))  # 'Terminar dotación'
        except CommandRefused as exc:
            refused = exc.reason
        await fake_engine.push("status", cobrando="False", Due="0.00", Credit="500.00", changeDispensed="0.00",
                               Status="Dotación terminada")  # fmt: skip
        await rig.settle()
        assert (rig.journal.payments(), rig.results) == ([], []), "a refill is not a customer payment"
        assert refused == "" and [c["cancelvalue"] for c in fake_engine.commands("cancel")] == ["2"]
    finally:
        await close(rig)


async def test_no_customer_payment_starts_during_a_refill_begun_while_the_journal_is_checked(
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

    from kiosk_ui.engine import CommandRefused
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


async def test_no_customer_payment_starts_right_after_a_staff_refill(tmp_path: Path, fake_engine: FakeEngine) -> None:
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

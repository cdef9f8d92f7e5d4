"""A payment the engine acknowledges late, or never: the no-acknowledgement cancel, one row, and a payment
taken up after it was given up resumes the same row (never another client's later sale of the same Due).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from kiosk_ui.protocol import messages as m

from ..fake_engine import FakeEngine, Rig, close, fake_engine, make_rig
from ..helpers import (
    Env,
    eventually,
    open_sale,
)

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


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


def cancels(env: Env) -> list[m.Message]:
    return [msg for _, msg in env.engine.received if isinstance(msg, m.Cancel)]


async def test_a_late_acknowledgement_is_cancelled_then_shown_as_the_same_payment(env: Env) -> None:
    ack_timeout = env.config.ack_timeout
    env.engine.set_fault("ack_delay", ack_timeout * 1.3)  # 6.5 s against 5 s, scaled
    user = await open_sale(env, "20")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    # no acknowledgement in time: cancel "1" goes out and the customer is told plainly
    await eventually(lambda: cancels(env) == [m.Cancel("1")], timeout=ack_timeout + 5)
    await user.should_see("El equipo no respondió. Estamos cancelando el cobro; no inserte dinero.", retries=30)
    (opened,) = env.kapp.journal.payments()
    # the engine takes the payment up anyway: the same payment, live
    await eventually(lambda: env.engine.payment is not None, timeout=10)
    await eventually(lambda: env.kapp.kiosk.payment is not None and env.kapp.kiosk.payment.phase == "charging")
    assert env.kapp.kiosk.payment is not None and env.kapp.kiosk.payment.id == opened["id"]
    await user.should_not_see("El equipo no respondió. Estamos cancelando el cobro; no inserte dinero.", retries=30)
    await env.insert("20")
    await user.should_see(marker="result-success", retries=50)
    rows = env.kapp.journal.payments()
    assert [(r["id"], r["outcome"]) for r in rows] == [(opened["id"], "completed")], "one payment, one row"


async def test_a_payment_taken_up_after_it_was_given_up_resumes_the_same_row(env: Env) -> None:
    """The acknowledgement comes after the no-acknowledgement cancel *and* the grace that follows it: the
    customer was told nothing was charged, then the engine charges anyway. The screen shows that same payment
    live again, and the journal keeps one row for it, reopened and then settled (never an adopted second row)."""
    ack_timeout = env.config.ack_timeout
    env.engine.set_fault("ack_delay", ack_timeout * 2.6)  # past the ack timeout plus the abandon grace
    user = await open_sale(env, "20")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="result-error", retries=100)
    await user.should_see("El equipo no respondió. No se cobró nada.")
    (given_up,) = env.kapp.journal.payments()
    assert given_up["outcome"] == "failed"
    await eventually(lambda: env.engine.payment is not None, timeout=ack_timeout * 3)
    await user.should_see(marker="screen-payment", retries=50)
    # the engine's charging status shows at once; the machine first asks getstatus (the charge repeats the
    # given-up payment's Due: it could be a stale echo) and resumes the payment on the answer
    await eventually(lambda: env.kapp.kiosk.payment is not None and env.kapp.kiosk.payment.phase == "charging")
    payment = env.kapp.kiosk.payment
    assert payment is not None and payment.id == given_up["id"]
    await eventually(lambda: env.kapp.journal.payments()[0]["outcome"] == "open")
    await env.insert("20")
    await user.should_see(marker="result-success", retries=50)
    rows = env.kapp.journal.payments()
    assert [(r["id"], r["outcome"], r["credit"]) for r in rows] == [(given_up["id"], "completed", "20.00")]
    assert rows[0]["detail"].startswith("resumed")


async def test_no_acknowledgement_at_all_fails_with_one_row_and_a_cancel(env: Env) -> None:
    env.engine.set_fault("ack_delay", 60)
    user = await open_sale(env, "20")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="result-error", retries=100)
    await user.should_see("El equipo no respondió. No se cobró nada.")
    assert cancels(env) == [m.Cancel("1")]
    (row,) = env.kapp.journal.payments()
    assert row["outcome"] == "failed"


async def test_update_credit_alone_acknowledges_a_payment(env: Env) -> None:
    env.engine.set_fault("ack_by_update_credit", True)
    user = await open_sale(env, "35.5")
    user.find(marker="pay-cash").click()
    await eventually(lambda: env.kapp.kiosk.payment is not None and env.kapp.kiosk.payment.phase == "charging")
    await asyncio.sleep(env.config.ack_timeout + 0.5)
    assert cancels(env) == [], "an acknowledged payment is not cancelled"
    await env.insert("20", "10", "5")
    await env.insert("0.50", kind="coin")
    await user.should_see(marker="result-success", retries=50)
    assert env.kapp.journal.payments()[0]["outcome"] == "completed"


async def test_a_card_charge_that_resumes_a_given_up_cash_payment_is_decided_as_card(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50 is given up (no acknowledgement; cancel "1" sent). A moment later the engine charges 50 again:
    this time by card (another client, or the engine's own retry), and the kiosk hears of it from a ``status``
    (no ``formaPago``). The abandoned-payment rule resumes the cash row (same Due, method unstated) with the
    method fixed as cash, so the adopted-method inference is skipped. The terminal approves
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


async def test_a_given_up_payment_taken_up_by_an_update_credit_engine_resumes(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """The engine acknowledges cash with ``updateCredit`` only (a dialect the machine supports: issue 15, the
    simulator's ``ack_by_update_credit``). Cash 20 gets no acknowledgement in time: cancel "1", then settled as
    given up ('failed', nothing charged). The engine took the paycash up after all (our cancel reached it first):
    updateCredit Due 20 Credit 0, the customer's $20 (updateCredit Credit 20), then the end status (cobrando
    false, Due 20, Credit 20, no change). Before the fix, IDLE ignores updateCredit and a cobrando-false status, so the
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


async def test_another_clients_later_sale_of_the_same_due_is_not_the_given_up_row(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Cash 50 (customer A, with a cart) is given up: no acknowledgement, cancel "1", settled 'failed' and
    A is told nothing was charged. The engine then reports itself idle, again and again (cobrando false,
    Credit 0, in answer to the kiosk's getstatus). Later, a LAN client (the vendor's ``index.html``) sells
    something else for the same $50 (sockets cobrando true, Due 50, formaPago efectivo). Before the fix, the abandoned
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

"""Issue 9's seven findings (and issue 15 item 2), each end to end against the simulator."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from kiosk_ui.engine import EngineClient
from kiosk_ui.journal import Journal
from kiosk_ui.kiosk import Kiosk
from kiosk_ui.protocol import Codec, Product
from kiosk_ui.protocol import messages as m
from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.server import SimServer

from ..helpers import Env, dialog_open, eventually, key_in, label_text, open_sale, scan, start_cash_payment


def cancels(env: Env) -> list[m.Message]:
    return [msg for _, msg in env.engine.received if isinstance(msg, m.Cancel)]


async def test_finding_1_cancel_racing_the_last_bill_is_a_sale(env: Env) -> None:
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


async def test_finding_2_an_odd_field_does_not_turn_a_charged_card_into_declined(env: Env) -> None:
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


async def test_finding_3_a_late_acknowledgement_is_cancelled_then_shown_as_the_same_payment(env: Env) -> None:
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


async def test_finding_4_the_cancel_question_closes_with_its_payment(env: Env) -> None:
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


async def test_finding_6_three_decimal_prices_are_rounded_once(env: Env) -> None:
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


async def test_finding_7_scans_stay_on_their_screen(env: Env) -> None:
    kiosk_screen = env.new_user()
    await kiosk_screen.open("/")
    tablet = env.new_user()
    await tablet.open("/")
    # the engine's own scanner: the kiosk's own screen only
    env.engine.push_product("7501055300075")
    env.kick()
    await kiosk_screen.should_see(marker="cart-item", retries=30)
    await asyncio.sleep(0.3)
    await tablet.should_see(marker="screen-idle")
    await tablet.should_not_see(marker="screen-sale")
    # a keyboard-wedge scan on the second screen stays there
    tablet.find(marker="start").click()
    scan(tablet, "7501055300075")
    await tablet.should_see("1 × Coca-Cola 600 ml", retries=30)
    await kiosk_screen.should_see("1 × Coca-Cola 600 ml")
    await kiosk_screen.should_not_see("2 × Coca-Cola 600 ml")


async def test_issue_15_2_update_credit_alone_acknowledges_a_payment(env: Env) -> None:
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


async def test_finding_5_recovery_does_not_complete_a_row_from_the_previous_sale(tmp_path: Path) -> None:
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


async def test_keypad_amount_is_sent_as_shown(env: Env) -> None:
    user = await open_sale(env, "")
    await key_in(user, "18.5")
    user.find(marker="pay-cash").click()
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.payment is not None and env.engine.payment.due == Decimal("18.50")

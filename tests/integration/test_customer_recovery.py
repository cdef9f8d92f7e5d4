"""The customer screen off the happy path (issue 21), met the way a customer meets it: an abandoned payment,
a decline and its retries, an error with its folio and a call for staff, a fresh start for the next customer,
out of service, a payment screen that follows the devices, the receipt in the customer's language, and the
last result kept across a reload. Timers run on the test's clock (``manual_clock``)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kiosk_ui.protocol import messages as m

from ..helpers import Env, ManualClock, dialog_open, eventually, key_in, label_text, sent, start_cash_payment


def visible(user, marker: str) -> bool:  # type: ignore[no-untyped-def]
    with user:
        return any(element.visible for element in user.find(marker=marker).elements)


async def charging(env: Env) -> None:
    await eventually(lambda: env.kapp.kiosk.payment is not None and env.kapp.kiosk.payment.phase == "charging")


# ----------------------------------------------------------------------------- 1. abandoned payments


async def test_abandoned_payment_is_asked_about_then_cancelled_and_the_screen_returns_to_idle(
    manual_clock: ManualClock, env: Env
) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "57.50")
    await charging(env)
    manual_clock.advance(env.config.sale_timeout - 1)
    assert not dialog_open(user, "timeout-warning")  # not before its time
    manual_clock.advance(1)
    await eventually(lambda: dialog_open(user, "timeout-warning"))
    assert label_text(user, "timeout-seconds") == f"Quedan {env.config.timeout_answer} s"
    manual_clock.advance(1)
    assert label_text(user, "timeout-seconds") == f"Quedan {env.config.timeout_answer - 1} s"  # live countdown
    assert not sent(env, m.Cancel)
    manual_clock.advance(env.config.timeout_answer - 1)
    await user.should_see(marker="screen-idle", retries=100)
    await eventually(lambda: env.kapp.journal.payments()[0]["outcome"] == "cancelled")
    assert len(sent(env, m.Cancel)) == 1
    # a reload shows the next customer the idle screen, not someone else's cancelled payment
    again = env.new_user()
    await again.open("/")
    await again.should_see(marker="screen-idle")


async def test_continue_keeps_the_payment_and_no_finish_ends_it(manual_clock: ManualClock, env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "20")
    await charging(env)
    manual_clock.advance(env.config.sale_timeout)
    await eventually(lambda: dialog_open(user, "timeout-warning"))
    user.find(marker="timeout-continue").click()
    assert not dialog_open(user, "timeout-warning")
    manual_clock.advance(env.config.sale_timeout - 1)  # the question's time would have run out long ago
    await env.caught_up()
    assert not sent(env, m.Cancel) and env.kapp.kiosk.payment is not None
    assert not dialog_open(user, "timeout-warning")
    await user.should_see(marker="screen-payment")
    manual_clock.advance(1)  # asked again after another full quiet spell
    await eventually(lambda: dialog_open(user, "timeout-warning"))
    user.find(marker="timeout-end").click()  # "No, terminar"
    await user.should_see(marker="screen-idle", retries=100)
    assert len(sent(env, m.Cancel)) == 1


async def test_money_inserted_is_never_cancelled_for_the_customer_staff_are_called(
    manual_clock: ManualClock, env: Env
) -> None:
    alerts = env.kapp.ops.alerts if env.kapp.ops else None
    assert alerts is not None
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "57.50")
    await charging(env)
    await env.insert("20")
    await eventually(lambda: label_text(user, "pay-credit") == "$20.00")
    for _ in range(5):
        manual_clock.advance(env.config.sale_timeout + env.config.timeout_answer)
        await env.caught_up()
    assert not dialog_open(user, "timeout-warning")
    assert not sent(env, m.Cancel) and env.kapp.kiosk.payment is not None
    await user.should_see(marker="pay-stalled")
    assert "$20.00" in label_text(user, "pay-stalled") and "encargado" in label_text(user, "pay-stalled")
    stalled = [record for record in alerts.recent if record.key == "payment_stalled"]
    assert len(stalled) == 1 and "$20.00" in stalled[0].detail  # once per payment, with the amount in
    await env.insert("50")
    await user.should_see(marker="result-success", retries=100)


# ----------------------------------------------------------------------------- 2. decline and error recovery


async def test_declined_card_offers_another_card_or_cash_for_the_same_amount(env: Env) -> None:
    env.engine.card_mode = "manual"
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    await key_in(user, "57.5")
    user.find(marker="pay-card").click()
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.decline_card()
    env.kick()
    await user.should_see(marker="result-declined", retries=100)
    await user.should_see(marker="result-retry-card")
    await user.should_see(marker="result-retry-cash")
    await user.should_see("Cancelar")
    step3 = next(iter(user.find(marker="progress-step-3").elements))
    assert "is-done" not in step3.classes and "is-current" not in step3.classes
    retry_card = next(iter(user.find(marker="result-retry-card").elements))
    env.engine.set_fault("card_unavailable", True)  # the terminal goes away: its retry stays, disabled
    env.kick()
    await eventually(lambda: not retry_card.enabled)
    await user.should_see(marker="result-retry-card")
    user.find(marker="result-retry-cash").click()  # one tap: cash for the same amount
    await user.should_see(marker="screen-payment", retries=100)
    await eventually(lambda: label_text(user, "pay-due") == "$57.50")
    assert [p.due for p in sent(env, m.PayCash)] == [Decimal("57.50")]  # type: ignore[attr-defined]
    await env.insert("50", "10")
    await user.should_see(marker="result-success", retries=100)


async def test_unknown_result_shows_its_folio_and_calls_staff(env: Env) -> None:
    alerts = env.kapp.ops.alerts if env.kapp.ops else None
    assert alerts is not None
    env.engine.set_fault("slow_replies", 10.0)  # never acknowledged: the start fails
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    await key_in(user, "5")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="result-error", retries=200)
    (row,) = env.kapp.journal.payments()
    assert label_text(user, "result-folio") == row["id"][:12].upper()
    await user.should_see(marker="help-call-staff")
    user.find(marker="help-call-staff").click()
    await user.should_see(marker="help-called")
    helps = [record for record in alerts.recent if record.key == "help_call"]
    assert len(helps) == 1 and row["id"][:12].upper() in helps[0].detail


# ----------------------------------------------------------------------------- 3. every session starts fresh


async def test_language_voice_and_contrast_return_to_the_defaults_at_idle(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    a11y = next(iter(user.find(marker="a11y-toggle").elements))
    voice = next(iter(user.find(marker="voice-toggle").elements))
    user.find(marker="lang-toggle").click()
    user.find(marker="a11y-toggle").click()
    user.find(marker="voice-toggle").click()
    await user.should_see("Touch the screen to start")
    assert voice.props["aria-pressed"] == "false" and a11y.props["aria-pressed"] == "true"
    user.find(marker="start").click()
    await user.should_see("Pay with cash")
    user.find(marker="sale-back").click()
    await user.should_see("Toque la pantalla para comenzar")
    assert voice.props["aria-pressed"] == "true" and a11y.props["aria-pressed"] == "false"


# ----------------------------------------------------------------------------- 4. out of service


async def test_no_payment_method_works_means_out_of_service(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_see(marker="start")
    for fault in ("bill_jam", "coin_error", "card_unavailable"):
        env.engine.set_fault(fault, True)
    env.kick()
    await user.should_see(marker="out-of-service", retries=100)
    await user.should_see("Fuera de servicio temporalmente")
    await user.should_not_see(marker="start")
    user.find(marker="screen-idle").click()  # touching the screen starts nothing
    await user.should_not_see(marker="screen-sale")
    env.engine.set_fault("coin_error", False)  # coins work again: a sale can be paid
    env.kick()
    await user.should_see(marker="start", retries=100)
    await user.should_not_see(marker="out-of-service")


async def test_a_journal_that_cannot_write_means_out_of_service(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_see(marker="start")
    env.kapp.kiosk.journal_error = "disk full"
    env.kapp.kiosk._notify()
    await user.should_see(marker="out-of-service", retries=100)
    await user.should_not_see(marker="start")


# ----------------------------------------------------------------------------- 5. the devices


async def test_payment_screen_follows_the_devices(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "57.50")
    await user.should_see("Inserte sus billetes o monedas")
    env.engine.set_fault("bill_jam", True)
    env.kick()
    await user.should_see("Inserte sus monedas (billetes no disponibles)", retries=100)
    bill = next(iter(user.find(marker="screen-payment").elements))
    with user:
        pictures = [e for e in bill.descendants() if "kiosk-pictogram" in e.classes]
    assert ["is-off" in p.classes for p in pictures[:2]] == [True, False]
    await user.should_see("Billetes · No disponible")
    env.engine.set_fault("bill_jam", False)
    env.engine.set_fault("coin_error", True)
    env.kick()
    await user.should_see("Inserte sus billetes (monedas no disponibles)", retries=100)
    await user.should_see("Monedas · No disponible")
    await user.should_not_see(marker="pay-low-change")


# ----------------------------------------------------------------------------- 7./8. receipt and last result


@pytest.mark.parametrize("config_overrides", [{"result_seconds": 5}])
async def test_result_with_a_receipt_stays_20_s_and_survives_a_reload(manual_clock: ManualClock, env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    user.find(marker="lang-toggle").click()
    await start_cash_payment(user, env, "15")
    await env.insert("20")
    await user.should_see(marker="result-success", retries=100)
    (row,) = env.kapp.journal.payments()
    qr = next(iter(user.find(marker="receipt-qr").elements))
    assert qr.content  # type: ignore[attr-defined]
    assert label_text(user, "result-folio") == row["id"][:12].upper()
    manual_clock.advance(10)  # longer than result_seconds: the QR keeps it on
    await user.should_see(marker="screen-result")
    reload = env.new_user()
    await reload.open("/")
    await reload.should_see(marker="result-success")
    assert label_text(reload, "result-change") == "Su cambio: $5.00"
    manual_clock.advance(10.5)
    await user.should_see(marker="screen-idle", retries=100)
    late = env.new_user()
    await late.open("/")
    await late.should_see(marker="screen-idle")


def test_receipt_speaks_the_customers_language() -> None:
    from kiosk_ui.kiosk import PaymentResult
    from kiosk_ui.ui.components.receipt import receipt_text

    result = PaymentResult("abc123def4567890", "completed", "cash", Decimal("57.50"), credit=Decimal("100"),
                           change_owed=Decimal("42.50"), change_paid=Decimal("40"), shortfall=Decimal("2.50"),
                           at="2026-12-05T10:00:00.000Z")  # fmt: skip
    es = receipt_text(result, lang="es")
    assert "RESULTADO:PAGADO" in es and "completed" not in es and "FOLIO:ABC123DEF456" in es
    assert "MONTO:57.50" in es and "CAMBIO_PENDIENTE:2.50" in es
    en = receipt_text(result, lang="en")
    assert "RESULT:PAID" in en and "CHANGE_OWED:2.50" in en and "RECEIPT:ABC123DEF456" in en


# ----------------------------------------------------------------------------- stale "charging" statuses


def shows(user, marker: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        return visible(user, marker)
    except AssertionError:  # no such element on the page (or none visible)
        return False


def screens_heard(env: Env) -> list[bool]:
    """The engine's "charging" as each state notice told the screens (a listener added after the page's own)."""
    heard: list[bool] = []
    env.kapp.kiosk.on_change(lambda state: heard.append(state.charging))
    return heard


async def _engine_says(env: Env, **fields: object) -> None:
    """One ``status`` frame straight from the engine's socket, as a multi-threaded engine may send one it built
    before our last command (docs/protocol.md, "Transport")."""
    frame = json.dumps({"comando": "status", "fecha": "14/03/2026 12:22:05", **fields})
    for connection in list(env.server._connections.values()):
        await connection.send(frame)


async def test_a_stale_charging_status_after_a_cancel_leaves_the_result_on_screen(
    manual_clock: ManualClock, env: Env
) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "100")
    await env.insert("50")
    await charging(env)
    await env.kapp.kiosk.cancel("1")
    await user.should_see(marker="result-cancelled", retries=100)
    env.engine.set_fault("slow_replies", 30.0)  # the engine answers no getstatus meanwhile: the stale word holds
    heard = screens_heard(env)
    # the status the engine built before it took the cancel arrives now: charging, 50.00 in
    await _engine_says(env, cobrando=True, Due="100.00", Credit="50.00", changeDispensed="0.00")
    await eventually(lambda: True in heard)  # the screen has heard it
    # the engine's next status: idle, the cancelled sale's end facts exactly (a heartbeat repeats them)
    due, credit, change, reference = env.kapp.kiosk.machine.snapshot.last_end.facts
    await _engine_says(
        env, cobrando=False, Due=str(due), Credit=str(credit), changeDispensed=str(change), referenceCC=reference or ""
    )
    await eventually(lambda: not env.kapp.kiosk.state.charging)
    await eventually(lambda: heard[-1] is False)
    manual_clock.advance(5)
    await user.should_see(marker="result-cancelled", retries=30)
    assert not shows(user, "screen-payment")
    assert len(env.kapp.journal.payments()) == 1  # the stale word journaled no second sale

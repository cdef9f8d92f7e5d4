"""Customer screen flows with NiceGUI's simulated user, against the simulator over a real socket."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from kiosk_ui.protocol import messages as m

from ..helpers import Env, dialog_open, eventually, key_in, label_text, open_sale, scan, start_cash_payment


async def test_idle_screen_shows_settings_and_starts_a_sale(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_see(marker="screen-idle")
    await user.should_see(marker="cta-message")
    await user.should_see("¡Pague aquí sus compras!")
    await user.should_see(marker="eyes")
    await user.should_see(marker="clock")
    await user.should_not_see(marker="engine-offline")
    user.find(marker="start").click()
    await user.should_see(marker="screen-sale")
    await user.should_not_see(marker="screen-idle")


async def test_screensettings_switch_idle_elements_live(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_see(marker="eyes")
    await env.kapp.kiosk.client.request(m.SaveScreenSettings(False, False, True, "Hola"), timeout=3)
    await user.should_not_see(marker="eyes")
    await user.should_not_see(marker="cta-message")
    await user.should_see(marker="clock")
    await env.kapp.kiosk.client.request(m.SaveScreenSettings(True, True, False, "Bienvenido"), timeout=3)
    await user.should_see("Bienvenido")
    await user.should_see(marker="eyes")
    await user.should_not_see(marker="clock")


async def test_keypad_rules(env: Env) -> None:
    user = await open_sale(env, "35.5")
    assert label_text(user, "amount-display") == "$35.50"
    await key_in(user, "55")  # a third decimal is refused with a hint
    assert label_text(user, "amount-display") == "$35.55"
    await user.should_see("Solo se permiten dos decimales")
    user.find(marker="key-dot").click()
    await user.should_see("El monto ya tiene punto decimal")
    for _ in range(5):
        user.find(marker="key-del").click()
    assert label_text(user, "amount-display") == "$0.00"
    await key_in(user, "00")
    await user.should_see("El monto no puede empezar con ceros")
    user.find(marker="key-del").click()
    await key_in(user, "99999")
    await user.should_see("El monto máximo es $10,000.00")
    assert label_text(user, "amount-display") == "$9,999.00"


async def test_pay_buttons_disabled_without_amount(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    await user.should_see(marker="screen-sale")
    assert not any(button.enabled for button in user.find(marker="pay-cash").elements)  # type: ignore[attr-defined]
    user.find(marker="pay-cash").click()  # a disabled button: nothing runs
    await asyncio.sleep(0)
    assert not [msg for _, msg in env.engine.received if isinstance(msg, (m.PayCash, m.PayCreditCard))]


async def test_cash_sale_with_change(env: Env) -> None:
    user = await open_sale(env, "35.5")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: label_text(user, "pay-due") == "$35.50")
    await env.insert("20")
    await eventually(lambda: label_text(user, "pay-credit") == "$20.00")
    assert label_text(user, "pay-remaining") == "$15.50"
    await env.insert("50")
    await user.should_see(marker="result-success", retries=30)
    assert label_text(user, "result-change") == "Su cambio: $34.50"
    await user.should_see(marker="receipt-qr")
    await user.should_not_see(marker="result-shortfall")
    rows = env.kapp.journal.payments()
    assert [(r["outcome"], r["due"], r["credit"], r["change_paid"], r["shortfall"]) for r in rows] == [
        ("completed", "35.50", "70.00", "34.50", "0.00")
    ]
    user.find(marker="result-done").click()
    await user.should_see(marker="screen-idle")


async def test_shortfall_is_shown_and_recorded(env: Env) -> None:
    env.engine.tubes = {d: 0 for d in env.engine.tubes}
    env.engine.recycler = {d: 0 for d in env.engine.recycler}
    env.engine.tubes[Decimal("5")] = 1
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "12")
    await env.insert("20", kind="coin")  # 8 owed; only one 5-peso coin can be paid
    await user.should_see(marker="result-success", retries=30)
    assert label_text(user, "result-change") == "Su cambio: $5.00"
    assert label_text(user, "result-shortfall") == "Cambio pendiente: $3.00"
    await user.should_see(marker="shortfall-help")
    (row,) = env.kapp.journal.owed()
    assert row["shortfall"] == "3.00"


async def test_cancel_returns_money_after_confirmation(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "100")
    await env.insert("50")
    await eventually(lambda: label_text(user, "pay-credit") == "$50.00")
    user.find(marker="cancel").click()
    assert dialog_open(user, "confirm-ok")
    user.find(marker="confirm-cancel").click()
    assert not dialog_open(user, "confirm-ok")
    assert env.engine.payment is not None  # nothing sent without the customer's confirmation
    user.find(marker="cancel").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="result-cancelled", retries=30)
    assert label_text(user, "result-change") == "Dinero devuelto: $50.00"
    cancels = [msg for _, msg in env.engine.received if isinstance(msg, m.Cancel)]
    assert cancels == [m.Cancel("1")]
    assert env.kapp.journal.payments()[0]["outcome"] == "cancelled"


async def test_card_approved(env: Env) -> None:
    user = await open_sale(env, "250")
    user.find(marker="pay-card").click()
    await user.should_see(marker="screen-payment")
    await user.should_see("Siga las instrucciones de la terminal")
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.approve_card()
    env.kick()
    await user.should_see(marker="result-success", retries=30)
    await user.should_see(marker="result-reference")
    assert env.kapp.journal.payments()[0]["reference"] == env.engine.last_reference


async def test_card_declined_shows_reason(env: Env) -> None:
    user = await open_sale(env, "80")
    user.find(marker="pay-card").click()
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.decline_card("Fondos insuficientes")
    env.kick()
    await user.should_see(marker="result-declined", retries=30)
    await user.should_see("Fondos insuficientes")
    assert env.kapp.journal.payments()[0]["outcome"] == "declined"


async def test_card_button_disabled_while_terminal_unavailable(env: Env) -> None:
    env.engine.set_fault("card_unavailable", True)
    env.kick()
    await eventually(lambda: not env.kapp.kiosk.state.card_available)
    user = await open_sale(env, "80")
    await user.should_not_see(marker="pay-card")


async def test_second_screen_and_reload_follow_the_payment(env: Env) -> None:
    first = env.new_user()
    await first.open("/")
    first.find(marker="start").click()
    await key_in(first, "40")
    first.find(marker="pay-cash").click()
    await first.should_see(marker="screen-payment")
    await eventually(lambda: env.engine.payment is not None)
    await env.insert("20")
    second = env.new_user()
    await second.open("/")
    await second.should_see(marker="screen-payment")
    await eventually(lambda: label_text(second, "pay-credit") == "$20.00")
    # no second payment can start from the other screen
    assert env.kapp.kiosk.can_pay() == "err_busy"
    await env.insert("20")
    await first.should_see(marker="result-success", retries=30)
    await second.should_see(marker="result-success", retries=30)
    assert len(env.kapp.journal.payments()) == 1


async def test_engine_lost_and_back(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_not_see(marker="engine-offline")
    env.engine.power_off(1.0)
    env.kick()
    await user.should_see(marker="engine-offline", retries=50)
    # out of service: no sale can even start (issue 21), so nothing is ever sent
    await user.should_see(marker="out-of-service")
    await user.should_not_see(marker="start")
    await eventually(lambda: env.kapp.kiosk.state.online, timeout=10)
    await user.should_not_see(marker="engine-offline", retries=30)
    await user.should_see(marker="start")
    await user.should_not_see(marker="out-of-service")
    assert not any(isinstance(msg, m.PayCash) for _, msg in env.engine.received)


async def test_no_acknowledgement_gives_an_error_result(env: Env) -> None:
    env.engine.set_fault("slow_replies", 10.0)
    user = await open_sale(env, "10")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="result-error", retries=60)
    await user.should_see("El equipo no respondió. No se cobró nada.")
    assert env.kapp.journal.payments()[0]["outcome"] == "failed"


async def test_scanned_product_lands_in_cart(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    # a scan on the idle screen starts a sale with that item
    env.engine.push_product("7501055300075")
    env.kick()
    await user.should_see(marker="screen-sale", retries=30)
    await user.should_see(marker="cart-item")
    await user.should_see("1 × Coca-Cola 600 ml")
    assert label_text(user, "cart-total") == "$18.50"
    env.engine.push_product("7501055300075")
    env.kick()
    await user.should_see("2 × Coca-Cola 600 ml", retries=30)
    assert label_text(user, "cart-total") == "$37.00"
    user.find(marker="cart-remove").click()
    await user.should_see("1 × Coca-Cola 600 ml")


async def test_unknown_product_code_gets_a_message(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    scan(user, "0000999")
    await user.should_see("Producto no encontrado: 0000999", retries=30)
    await user.should_not_see(marker="cart-item")
    assert [msg for _, msg in env.engine.received if isinstance(msg, m.GetProduct)] == [m.GetProduct("0000999")]


async def test_scanner_on_the_screen_adds_the_item(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    scan(user, "7501020515343")
    await user.should_see(marker="screen-sale", retries=30)
    await user.should_see("1 × Leche Lala Entera 1 L", retries=30)
    await key_in(user, "10")
    assert label_text(user, "sale-total") == "$38.50"


@pytest.mark.parametrize("config_overrides", [{"sale_timeout": 1, "timeout_answer": 1}])
async def test_abandoned_sale_warns_then_returns_to_idle(env: Env) -> None:
    user = await open_sale(env, "5")
    await eventually(lambda: dialog_open(user, "timeout-warning"), timeout=3)
    user.find(marker="timeout-continue").click()
    assert not dialog_open(user, "timeout-warning")
    await user.should_see(marker="screen-sale")
    assert label_text(user, "amount-display") == "$5.00"  # the sale is kept
    await eventually(lambda: dialog_open(user, "timeout-warning"), timeout=3)
    await user.should_see(marker="screen-idle", retries=40)
    assert not dialog_open(user, "timeout-warning")


@pytest.mark.parametrize("config_overrides", [{"sale_timeout": 1, "timeout_answer": 1}])
async def test_no_timeout_during_a_payment_with_money_in(env: Env) -> None:
    """A payment with nothing in it is asked about (test_customer_recovery.py); one with money, never."""
    user = await open_sale(env, "50")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: env.engine.payment is not None)
    await env.insert("20")
    await asyncio.sleep(2.5)
    assert not dialog_open(user, "timeout-warning")
    await user.should_see(marker="screen-payment")


async def test_language_switch(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_see("Toque la pantalla para comenzar")
    user.find(marker="lang-toggle").click()
    await user.should_see("Touch the screen to start")
    user.find(marker="start").click()
    await user.should_see("Pay with cash")
    await user.should_see("Total to pay")
    user.find(marker="lang-toggle").click()
    await user.should_see("Pagar en efectivo")


def test_receipt_holds_the_payment() -> None:
    from kiosk_ui.kiosk import PaymentResult
    from kiosk_ui.ui.components.receipt import receipt_text

    result = PaymentResult("abc123def4567890", "completed", "cash", Decimal("35.50"), credit=Decimal("50"),
                           change_owed=Decimal("14.50"), change_paid=Decimal("10"), shortfall=Decimal("4.50"),
                           at="2026-11-27T10:00:00.000Z")  # fmt: skip
    text = receipt_text(result)
    assert "FECHA:2026-11-27T10:00:00.000Z" in text and "MONTO:35.50" in text and "FORMA:EFECTIVO" in text
    assert "MONEDA:MXN" in text
    assert "CAMBIO:10.00" in text and "CAMBIO_PENDIENTE:4.50" in text and "FOLIO:ABC123DEF456" in text
    card = PaymentResult("x", "completed", "card", Decimal("99"), reference="123456", at="t")
    assert "REF:123456" in receipt_text(card) and "FORMA:TARJETA" in receipt_text(card)


async def test_payment_started_by_another_engine_client_is_shown_and_journaled(env: Env) -> None:
    """The vendor's own index.html (or any client) starts a payment: the kiosk shows and records it."""
    from websockets.asyncio.client import connect

    user = env.new_user()
    await user.open("/")
    async with connect(env.server.url) as other:
        await other.send('{"fecha":"2026-03-14T18:22:05.123Z","comando":"paycash","due":"15.00"}')
        await user.should_see(marker="screen-payment", retries=50)
        await eventually(lambda: label_text(user, "pay-due") == "$15.00")
        await env.insert("20")
        await user.should_see(marker="result-success", retries=50)
    (row,) = env.kapp.journal.payments()
    assert (row["outcome"], row["due"], row["change_paid"]) == ("completed", "15.00", "5.00")
    assert row["detail"] != "" and env.kapp.kiosk.can_pay() == ""


async def test_accessibility_switch_is_reset_for_the_next_customer(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await user.should_see(marker="a11y-toggle")
    button = next(iter(user.find(marker="a11y-toggle").elements))
    user.find(marker="a11y-toggle").click()
    await eventually(lambda: button.props.get("aria-pressed") == "true")
    user.find(marker="start").click()
    await user.should_see(marker="screen-sale")
    assert button.props.get("aria-pressed") == "true"  # it holds through this customer's sale
    user.find(marker="sale-back").click()
    await user.should_see(marker="screen-idle")
    await eventually(lambda: button.props.get("aria-pressed") == "false")  # the next customer starts standard


async def test_a_coin_reaches_each_screen_as_one_browser_message(env: Env) -> None:
    """The live figures and the coin sound of one credit update go out together (one socket.io message per
    screen and coin, not two: with ten screens open that halves what the server sends and the browsers parse)."""
    user = await open_sale(env, "35.5")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: label_text(user, "pay-due") == "$35.50")
    sent: list[str] = []
    client = user.client
    assert client is not None
    original = client.run_javascript

    def recording(code: str, **kwargs: Any) -> Any:
        sent.append(code)
        return original(code, **kwargs)

    client.run_javascript = recording  # type: ignore[method-assign]
    await env.insert("20")
    await eventually(lambda: label_text(user, "pay-credit") == "$20.00")
    await eventually(lambda: any("kioskLive" in code for code in sent))
    live = [code for code in sent if "kioskLive" in code]
    assert len(live) == 1 and 'kioskSound("coin")' in live[0], sent
    assert not [code for code in sent if "kioskSound" in code and code is not live[0]], sent

"""Staff safety and clarity (issue 21, item 8), as a staff member meets it: grouped actions, a confirm
button that says the verb (red for the dangerous ones), the figures a cash close or collection closes
before and after, the payment-in-progress warning before confirming, the health line, one section at a time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui
from nicegui.testing.user import User

from kiosk_ui.protocol import messages as m
from kiosk_ui.ui.i18n import money
from kiosk_ui.ui.pages.admin.actions import DANGEROUS, GROUPS

from ..helpers import Env, dialog_open, eventually, label_text, logged_in, sent


def element(user: User, marker: str) -> Any:
    with user:
        return next(iter(user.find(marker=marker).elements))


def any_element(user: User, marker: str, but: str = "") -> Any:
    """The element with ``marker`` (visible or not), not the one also marked ``but``."""
    with user:
        return next(e for e in ui.context.client.elements.values() if marker in e._markers and but not in e._markers)


def ok_button(user: User) -> Any:
    """The actions' confirm button (the catalog's delete dialog has a confirm-ok too)."""
    return any_element(user, "confirm-ok", but="delete-ok")


def visible_text(user: User, marker: str) -> str:
    with user:
        elements = [e for e in ui.context.client.elements.values() if marker in e._markers and e.visible]
    assert elements, marker
    return str(elements[0].text)  # type: ignore[attr-defined]


async def test_actions_are_grouped_and_the_dangerous_ones_are_red(env: Env) -> None:
    user = await logged_in(env)
    for name in ("Efectivo", "Mantenimiento", "Equipo"):
        await user.should_see(name)
    for title, ids in GROUPS:
        for test_id in ids:
            button = element(user, test_id)
            group = button.parent_slot.parent.parent_slot.parent  # the grid, then its group
            with user:
                heading = next(e for e in group.descendants() if e.props.get("tag") == "h3")
            assert title in heading.content, (test_id, heading.content)
            assert button.props["color"] == ("negative" if test_id in DANGEROUS else "primary"), test_id
    assert {"action-poweroff", "action-restart", "action-resetbalance"} <= DANGEROUS


async def test_the_confirm_button_says_the_verb(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="action-poweroff").click()
    await eventually(lambda: dialog_open(user, "confirm-ok"))
    ok = ok_button(user)
    assert ok.text == "Apagar equipo" and ok.props["color"] == "negative"
    user.find(marker="confirm-cancel").click()
    await eventually(lambda: not dialog_open(user, "confirm-ok"))
    assert not sent(env, m.Shutdown)
    user.find(marker="action-report").click()
    await eventually(lambda: ok_button(user).text == "Reporte del equipo")
    assert ok_button(user).props["color"] == "primary"


async def stocked(env: Env) -> tuple[Decimal, Decimal]:
    """Cashboxes holding 7 × $10 coins and 3 × $500 bills (the engine's status says so)."""
    env.engine.coin_cashbox[Decimal(10)] = 7
    env.engine.bill_cashbox[Decimal(500)] = 3
    env.engine.set_fault("bill_jam", False)  # any change: the engine broadcasts its status
    await eventually(lambda: env.kapp.kiosk.state.bills_cashbox_amount == Decimal(1500))
    await eventually(lambda: env.kapp.kiosk.state.coin_cashbox_amount == Decimal(70))
    return Decimal(70), Decimal(1500)


async def test_cash_close_shows_the_figures_before_and_after(env: Env) -> None:
    coins, bills = await stocked(env)
    user = await logged_in(env)
    user.find(marker="action-resetbalance").click()
    await eventually(lambda: dialog_open(user, "confirm-ok"))
    assert visible_text(user, "confirm-figure-coin-amount") == money(coins)
    assert visible_text(user, "confirm-figure-bill-amount") == money(bills)
    assert visible_text(user, "confirm-figure-total") == money(coins + bills)
    assert ok_button(user).text == "Corte de caja"
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-sent", retries=40)
    await user.should_see(marker="action-figures")
    await user.should_see("Corte de caja: cifras al enviarlo")  # no documented answer: never "closed"
    assert visible_text(user, "closed-figure-total") == money(coins + bills)
    assert sent(env, m.ResetBalance)


async def test_a_collection_shows_what_it_empties_and_what_it_collected(env: Env) -> None:
    _, amount = await stocked(env)
    user = await logged_in(env)
    user.find(marker="action-cashcollect-bill").click()
    await eventually(lambda: dialog_open(user, "confirm-ok"))
    assert visible_text(user, "confirm-figure-bill-amount") == money(amount)
    assert ok_button(user).text == "Recolectar billetes"
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-done", retries=60)
    assert f"recolectado {money(amount)}" in label_text(user, "action-done")
    assert visible_text(user, "closed-figure-bill-amount") == money(amount)
    await user.should_see("Recolectar billetes: cifras cerradas")


async def test_the_payment_in_progress_is_said_before_confirming(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="action-opendoor").click()
    await eventually(lambda: dialog_open(user, "confirm-ok"))
    assert not any_element(user, "action-busy").visible  # no payment: no warning
    user.find(marker="confirm-cancel").click()
    assert await env.kapp.kiosk.start_payment("cash", Decimal("10")) is None
    user.find(marker="action-opendoor").click()
    await eventually(lambda: dialog_open(user, "confirm-ok"))
    busy = any_element(user, "action-busy")
    assert busy.visible and "cobro en curso" in busy.text
    assert not sent(env, m.OpenDoor)
    user.find(marker="confirm-cancel").click()
    user.find(marker="action-report").click()  # moves no cash: no warning even during a payment
    await eventually(lambda: ok_button(user).text == "Reporte del equipo")
    assert not any_element(user, "action-busy").visible
    user.find(marker="confirm-cancel").click()
    user.find(marker="action-cashrefill-end").click()  # never sent during a payment: says so now
    await eventually(lambda: "nunca se envía" in any_element(user, "action-busy").text)
    assert any_element(user, "action-busy").visible


async def test_a_payment_starting_while_the_confirmation_is_open_is_said_there(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="action-cashcollect-coin").click()
    await eventually(lambda: dialog_open(user, "confirm-ok"))
    assert not any_element(user, "action-busy").visible
    assert await env.kapp.kiosk.start_payment("cash", Decimal("10")) is None
    await eventually(lambda: any_element(user, "action-busy").visible)
    await env.kapp.kiosk.cancel("1")
    await eventually(lambda: not any_element(user, "action-busy").visible)


async def test_health_line_says_the_worst_first_with_its_reason(env: Env) -> None:
    user = await logged_in(env)
    health = element(user, "staff-health")
    await eventually(lambda: health.props.get("data-level") in ("ok", "warn"))
    env.engine.set_fault("bill_jam", True)
    await eventually(lambda: health.props.get("data-level") == "bad")
    assert health.text.startswith("Fuera de servicio") and "lector de billetes" in health.text
    env.engine.set_fault("bill_jam", False)
    env.engine.set_fault("card_unavailable", True)
    await eventually(lambda: health.props.get("data-level") == "warn")
    assert "terminal de tarjeta no disponible" in health.text
    env.engine.set_fault("card_unavailable", False)
    await eventually(lambda: health.props.get("data-level") == "ok")
    assert health.text == "Todo en orden"


async def test_each_section_is_its_own_view(env: Env) -> None:
    user = await logged_in(env)
    box = element(user, "nav-status")
    with user:
        sections = next(e for e in ui.context.client.elements.values() if "admin-sections" in e.classes)
    assert sections.props["data-open"] == "status" and box.props.get("aria-current") == "page"
    user.find(marker="nav-actions").click()
    await eventually(lambda: sections.props["data-open"] == "actions")
    assert element(user, "nav-actions").props.get("aria-current") == "page"
    assert "aria-current" not in element(user, "nav-status").props
    # the choice holds for this browser across a reload
    await user.open("/admin")
    await user.should_see(marker="admin-home", retries=30)
    with user:
        sections = next(e for e in ui.context.client.elements.values() if "admin-sections" in e.classes)
    assert sections.props["data-open"] == "actions"


async def test_one_bill_collected_is_one_piece(env: Env) -> None:
    env.engine.bill_cashbox[Decimal(500)] = 1
    env.engine.set_fault("bill_jam", False)  # the engine broadcasts its status
    await eventually(lambda: env.kapp.kiosk.state.bills_cashbox_qty == 1)
    user = await logged_in(env)
    user.find(marker="action-cashcollect-bill").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-done", retries=60)
    assert "recolectado $500.00 (1 pieza)" in label_text(user, "action-done")

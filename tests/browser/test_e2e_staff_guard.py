"""Real Chromium: no staff action can take a customer's money (issue 15, item 1).

Every staff action runs during a customer's cash payment, first without and then with the
override. The simulator's log of received commands must show: no cash-moving command
without the override, and ``cancel "2"`` (end of refill: cancel *without* returning the
money) never, override or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from devtools import AppProcess, ThreadedSim, app_on_simulator
from kiosk_ui.protocol import messages as m
from kiosk_ui.staff_rules import is_cash_moving
from kiosk_ui.ui.pages.admin import ACTIONS, Action

from ..helpers import begin_payment
from .states import IDLE_OR_RESULT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedSim, AppProcess]]:
    sim = ThreadedSim(card_mode="manual")
    sim.call(lambda: setattr(sim.engine, "restart_delay", 0.5))  # restart 0.5 s, power-off 5 s
    with app_on_simulator(tmp_path_factory.mktemp("guard"), sim=sim) as stack:
        yield stack


def received(sim: ThreadedSim) -> list[m.Message]:
    return sim.call(lambda: [message for _, message in sim.engine.received])


def staff_page(browser: Browser, app: AppProcess) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    page.goto(app.base + "/admin")
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    page.get_by_test_id("nav-actions").click()  # each staff section is its own view
    return page


def customer_paying(browser: Browser, app: AppProcess, sim: ThreadedSim) -> Page:
    """A customer mid-payment: $35.50 due, a $20 bill inserted."""
    sim.wait_for(lambda e: e.payment is None and not e.is_off, timeout=30)
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    page.goto(app.base + "/")
    # the previous customer's result is kiosk state: a new page shows it while it lasts, until "Terminar"
    expect(page.locator(IDLE_OR_RESULT)).to_have_count(1)
    if page.get_by_test_id("screen-result").is_visible():
        page.get_by_test_id("result-done").click()
    expect(page.get_by_test_id("screen-idle")).to_be_visible()
    begin_payment(page, sim, "35.5")
    sim.insert("20", "bill")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$20.00")
    return page


def answered(action: Action) -> str:
    """What the staff page shows once the action went out: "done" only for a documented answer."""
    return "action-sent" if action.soft else "action-done"


def attempt(staff: Page, action: Action) -> None:
    """Staff press the action and confirm; where the payment makes the app ask, they back off."""
    staff.get_by_test_id(action.test_id).click()
    staff.get_by_test_id("confirm-ok").click()
    message = action.make()
    if message == m.Cancel("2"):
        expect(staff.get_by_test_id("action-failed")).to_contain_text(action.title)
        expect(staff.get_by_test_id("action-override")).to_be_hidden()
    elif is_cash_moving(message):
        expect(staff.get_by_test_id("action-busy")).to_be_visible()
        staff.get_by_test_id("action-busy-close").click()
        expect(staff.get_by_test_id("action-busy")).to_be_hidden()
    else:
        expect(staff.get_by_test_id(answered(action))).to_contain_text(action.title)


def override(staff: Page, action: Action) -> None:
    """Staff press the action, confirm, and insist ("Hacerlo de todos modos") where offered."""
    staff.get_by_test_id(action.test_id).click()
    staff.get_by_test_id("confirm-ok").click()
    message = action.make()
    if message == m.Cancel("2"):  # no override is offered: it would keep the customer's money
        expect(staff.get_by_test_id("action-failed")).to_contain_text(action.title)
        expect(staff.get_by_test_id("action-override")).to_be_hidden()
        return
    if is_cash_moving(message):
        expect(staff.get_by_test_id("action-busy")).to_be_visible()
        staff.get_by_test_id("action-override").click()
    expect(staff.get_by_test_id(answered(action))).to_contain_text(action.title, timeout=30_000)


def test_no_staff_action_takes_the_customers_money(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, app = stack
    customer = customer_paying(browser, app, sim)
    staff = staff_page(browser, app)
    expect(staff.get_by_test_id("st-cobrando")).to_contain_text("Sí")

    # 1. without the override: only the harmless ones reach the engine
    before = len(received(sim))
    for action in ACTIONS:
        attempt(staff, action)
    arrived = received(sim)[before:]
    assert not [msg for msg in arrived if is_cash_moving(msg)], arrived
    assert {type(msg) for msg in arrived} == {type(a.make()) for a in ACTIONS if not is_cash_moving(a.make())}
    assert sim.call(lambda: sim.engine.payment is not None and sim.engine.payment.credit == Decimal(20))

    # 2. with the override: each cash-moving action reaches the engine exactly once, cancel "2" never;
    # the shutdowns end the payment, so each gets a payment of its own
    lasting = [a for a in ACTIONS if not a.goes_away]
    for action in lasting:
        before = len(received(sim))
        override(staff, action)
        arrived = received(sim)[before:]
        message = action.make()
        expected = [message] if is_cash_moving(message) and message != m.Cancel("2") else []
        assert [msg for msg in arrived if is_cash_moving(msg)] == expected, (action.test_id, arrived)
    assert sim.call(lambda: sim.engine.payment is not None and sim.engine.payment.credit == Decimal(20))
    sim.insert("20", "bill")  # the customer finishes paying: nothing was taken from them
    expect(customer.get_by_test_id("result-success")).to_be_visible()
    expect(customer.get_by_test_id("result-change")).to_contain_text("$4.50")
    customer.context.close()
    for action in [a for a in ACTIONS if a.goes_away]:
        customer = customer_paying(browser, app, sim)
        expect(staff.get_by_test_id("st-cobrando")).to_contain_text("Sí")
        before = len(received(sim))
        attempt(staff, action)  # refused first
        assert not [msg for msg in received(sim)[before:] if is_cash_moving(msg)]
        override(staff, action)  # then insisted on
        assert [msg for msg in received(sim)[before:] if is_cash_moving(msg)] == [action.make()]
        customer.context.close()
        expect(staff.get_by_test_id("st-engine")).to_have_text("Conectado", timeout=30_000)

    log = received(sim)
    assert m.Cancel("2") not in log, "cancel 2 reached the engine during a customer payment"
    assert not [msg for msg in log if isinstance(msg, m.Cancel)]  # nobody cancelled the customers' payments

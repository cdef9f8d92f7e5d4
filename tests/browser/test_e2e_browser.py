"""Real Chromium (Debian's, through Playwright) against ``kiosk-ui run`` and a simulator engine.

These drive the app exactly as the acceptance tests do: by route and ``data-testid``.
Screenshots of every customer screen land in ``screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from devtools import AppProcess, ThreadedSim, app_on_simulator
from kiosk_ui import product_images

from ..helpers import SCREENSHOTS, begin_payment, start_sale, tiny_png
from .states import IDLE_OR_RESULT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedSim, AppProcess]]:
    with app_on_simulator(tmp_path_factory.mktemp("app"), "--log-level", "debug") as stack:
        yield stack


@pytest.fixture
def page(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> Iterator[Page]:
    sim, app = stack
    sim.wait_for(lambda e: e.payment is None and not e.is_off)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-MX")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(app.base + "/")
    to_idle(page)
    yield page
    context.close()


def to_idle(page: Page) -> None:
    """The last test's result is kiosk state: a new page shows it while it lasts, until "Terminar"."""
    expect(page.locator(IDLE_OR_RESULT)).to_have_count(1)
    if page.get_by_test_id("screen-result").is_visible():
        page.get_by_test_id("result-done").click()
    expect(page.get_by_test_id("screen-idle")).to_be_visible()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(250)  # let transitions settle
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_cash_sale_with_change(page: Page, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, _ = stack
    shot(page, "idle-1280x800")
    start_sale(page, "35.5")
    expect(page.get_by_test_id("amount-display")).to_have_text("$35.50")
    shot(page, "sale-1280x800")
    page.get_by_test_id("pay-cash").click()
    expect(page.get_by_test_id("screen-payment")).to_be_visible()
    expect(page.get_by_test_id("pay-due")).to_have_text("$35.50")
    sim.wait_for(lambda e: e.payment is not None)
    sim.insert("20", "bill")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$20.00")
    expect(page.get_by_test_id("pay-remaining")).to_have_text("$15.50")
    shot(page, "payment-1280x800")
    sim.insert("20", "bill")
    expect(page.get_by_test_id("screen-result")).to_be_visible()
    expect(page.get_by_test_id("result-success")).to_be_visible()
    expect(page.get_by_test_id("result-change")).to_contain_text("$4.50")
    expect(page.get_by_test_id("receipt-qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("result-shortfall")).to_be_hidden()
    shot(page, "result-1280x800")
    page.get_by_test_id("result-done").click()
    expect(page.get_by_test_id("screen-idle")).to_be_visible()
    # a second payment on the same page: the live figures start from zero again
    start_sale(page, "70")
    page.get_by_test_id("pay-cash").click()
    expect(page.get_by_test_id("pay-due")).to_have_text("$70.00")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$0.00")
    sim.wait_for(lambda e: e.payment is not None)
    sim.insert("50", "bill")
    expect(page.get_by_test_id("pay-remaining")).to_have_text("$20.00")
    page.get_by_test_id("lang-toggle").click()  # a full re-render keeps the live text
    expect(page.get_by_test_id("pay-credit")).to_have_text("$50.00")
    sim.insert("20", "bill")
    expect(page.get_by_test_id("result-success")).to_be_visible()


def test_cancel_returns_the_money(page: Page, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, _ = stack
    begin_payment(page, sim, "100")
    sim.insert("50", "bill")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$50.00")
    page.get_by_test_id("cancel").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("result-cancelled")).to_be_visible()
    expect(page.get_by_test_id("result-change")).to_contain_text("$50.00")
    shot(page, "result-cancelled-1280x800")


@pytest.mark.parametrize("approve", [True, False])
def test_card_approved_and_declined(page: Page, stack: tuple[ThreadedSim, AppProcess], approve: bool) -> None:
    sim, _ = stack
    begin_payment(page, sim, "250", "card")
    if approve:
        sim.call(sim.engine.approve_card)
        expect(page.get_by_test_id("result-success")).to_be_visible()
        expect(page.get_by_test_id("result-reference")).to_contain_text(sim.engine.last_reference)
    else:
        sim.call(lambda: sim.engine.decline_card("Fondos insuficientes"))
        expect(page.get_by_test_id("result-declined")).to_be_visible()
        expect(page.get_by_test_id("result-reason")).to_have_text("Fondos insuficientes")
        shot(page, "result-declined-1280x800")


def test_reload_mid_payment_shows_the_payment(page: Page, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, _ = stack
    begin_payment(page, sim, "60")
    sim.insert("20", "bill")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$20.00")
    page.reload()
    expect(page.get_by_test_id("screen-payment")).to_be_visible()
    expect(page.get_by_test_id("pay-credit")).to_have_text("$20.00")
    expect(page.get_by_test_id("pay-due")).to_have_text("$60.00")
    sim.insert("50", "bill")
    expect(page.get_by_test_id("result-success")).to_be_visible()
    expect(page.get_by_test_id("result-change")).to_contain_text("$10.00")


def test_engine_lost_and_back(page: Page, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, app = stack
    expect(page.get_by_test_id("engine-offline")).to_be_hidden()
    page.get_by_test_id("start").click()
    for char in "10":
        page.get_by_test_id(f"key-{char}").click()
    sim.call(lambda: sim.engine.power_off(3.0))
    expect(page.get_by_test_id("engine-offline")).to_be_visible()
    expect(page.get_by_test_id("pay-cash")).to_be_disabled()  # a sale already open cannot be paid
    shot(page, "offline-1280x800")
    expect(page.get_by_test_id("engine-offline")).to_be_hidden(timeout=15_000)
    expect(page.get_by_test_id("pay-cash")).to_be_enabled()
    page.get_by_test_id("sale-back").click()
    sim.call(lambda: sim.engine.power_off(3.0))
    expect(page.get_by_test_id("out-of-service")).to_be_visible()  # and no new one starts (issue 21)
    expect(page.get_by_test_id("start")).to_be_hidden()
    expect(page.get_by_test_id("start")).to_be_visible(timeout=15_000)
    health = app.health()
    assert health is not None and health["engine"] == "connected"


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_other_screen_sizes(browser: Browser, stack: tuple[ThreadedSim, AppProcess], width: int, height: int) -> None:
    _, app = stack
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(app.base + "/")
        to_idle(page)
        page.get_by_test_id("start").click()
        expect(page.get_by_test_id("screen-sale")).to_be_visible()  # measured once drawn, not while it loads
        for key in ("pay-cash", "key-0", "key-del", "sale-back"):
            box = page.get_by_test_id(key).bounding_box()
            assert box is not None and box["width"] >= 48 and box["height"] >= 48
            assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width
        shot(page, f"sale-{width}x{height}")
        page.get_by_test_id("sale-back").click()  # leave the kiosk idle for the next test
        expect(page.get_by_test_id("screen-idle")).to_be_visible()
    finally:
        context.close()


def test_staff_login_action_and_catalog(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, app = stack
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(app.base + "/admin")
    expect(page.get_by_test_id("nip-input")).to_be_visible()
    assert page.get_by_test_id("action-opendoor").count() == 0
    page.get_by_test_id("nip-input").fill("0000")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("nip-error")).to_be_visible()
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    expect(page.get_by_test_id("st-connections")).to_have_text("1")
    shot(page, "admin-home")
    page.get_by_test_id("nav-actions").click()  # each staff section is its own view
    page.get_by_test_id("action-opendoor").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("action-sent")).to_be_visible()  # no documented answer: never "done"
    expect(page.get_by_test_id("action-done")).to_be_hidden()
    page.get_by_test_id("nav-catalog").click()
    page.get_by_test_id("product-search").fill("coca")
    page.get_by_test_id("product-search").press("Enter")
    expect(page.get_by_test_id("product-result")).to_have_count(1)
    page.get_by_test_id("product-new").click()
    expect(page.get_by_test_id("product-code")).not_to_have_value("")
    code = page.get_by_test_id("product-code").input_value()
    page.get_by_test_id("product-desc").fill("Tamal de elote")
    page.get_by_test_id("product-price").fill("22.00")
    image = {"name": "tamal.png", "mimeType": "image/png", "buffer": tiny_png()}
    page.get_by_test_id("product-image").locator("input[type=file]").set_input_files(image)  # type: ignore[arg-type]
    stored = f"{product_images.stem(code)}.png"
    expect(page.get_by_text(stored)).to_be_visible()
    page.get_by_test_id("product-save").click()
    row = page.get_by_test_id("product-result").filter(has_text="Tamal de elote")
    expect(row).to_be_visible()
    expect(row.locator("img")).to_have_attribute("src", f"/product-images/{stored}")
    # the customer screen shows the picture when the item is scanned
    customer = context.new_page()
    customer.goto(app.base + "/")
    to_idle(customer)
    sim.call(lambda: sim.engine.push_product(code))
    expect(customer.get_by_test_id("cart-item")).to_contain_text("Tamal de elote")
    expect(customer.get_by_test_id("cart-image").locator("img")).to_have_attribute("src", f"/product-images/{stored}")
    customer.get_by_test_id("sale-back").click()
    customer.close()
    page.get_by_test_id("admin-logout").click()
    expect(page.get_by_test_id("nip-input")).to_be_visible()
    context.close()
    log = app.log_path.read_text(errors="replace")
    assert '"nip"' not in log and '"nip":"1234"' not in log, "the NIP frame reached the log"
    assert "sent checknip" in log  # the command itself is logged, by name only
    assert "DEBUG" in log  # the app did log at debug level

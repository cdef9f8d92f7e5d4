"""Issue 22 item 1 in a real Chromium: engine- and staff-supplied text never runs, wherever it shows.

Every hostile string tries to set ``window.__pwned``: by closing an attribute and adding a ``:``-prop
(NiceGUI runs those as JavaScript), by an HTML ``<script>``/``onerror``, or by a Vue interpolation. It
goes in through every door the app has: product fields (catalog results, quick picks on the staff page
and on the customer screen, product pictures' alt text), the engine's status text, the brand name, the
screen's call-to-action, and the journal rows that name them. The test then reads the pages: nothing ran
and the text shows literally (an RTL override and a 100 KB field included).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from devtools import AppProcess, ThreadedSim
from kiosk_ui.protocol import Product

from ..helpers import tiny_png

pytestmark = pytest.mark.browser

ATTRIBUTE = 'Pan dulce" :data-x="(window.__pwned = \'attr\')" x="'
SCRIPT = "<script>window.__pwned='script'</script><img src=x onerror=\"window.__pwned='img'\">"
VUE = "{{ (window.__pwned = 'vue') }} ' :title='window.__pwned=1'"
RTL = "\u202egnp.exe Tortilla \u2066x\u2069"
BIG = "Z" * 440 + ATTRIBUTE  # at the protocol's description limit (500): one long text ending in the attack
HUGE = "H" * 100_000  # 100 KB: more than a text field may hold; the app refuses it, nothing runs
HOSTILE = {"9900000000001": ATTRIBUTE, "9900000000002": SCRIPT, "9900000000003": VUE, "9900000000004": RTL,
           "9900000000005": BIG}  # fmt: skip
BRAND = '"><script>window.__pwned=7</script>:x="'  # within [brand] name's 40 characters
UDM = '" :x="window.__pwned=\'udm\'" <i>'  # udm: 32 characters at most
CTA = 'Hola" :class="(window.__pwned=\'cta\')" <b onmouseover=x>'
STATUS = 'Listo" :title="(window.__pwned=\'status\')" <script>x</script>'
BV_ERROR = 'Atasco" :title="(window.__pwned=\'bv\')" <img src=x onerror="window.__pwned=\'bvimg\'">'
PICTURE = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedSim, AppProcess]]:
    sim = ThreadedSim(card_mode="manual")

    def plant() -> None:
        for code, text in HOSTILE.items():
            sim.engine.catalog.save(Product(code=code, description=text, udm=UDM,
                                            price=Decimal("12.50"), image=PICTURE))  # fmt: skip
        sim.engine.catalog.save(Product(code="8800000000006", description="Enorme " + HUGE, udm="PZA",
                                        price=Decimal("1"), image=""))  # fmt: skip
        sim.engine.status_text = STATUS
        status = sim.engine._status  # the engine's device error text, shown in the status and in an alert

        def hostile_status(**kw: object) -> object:
            return dataclasses.replace(status(**kw), bv_error=BV_ERROR)

        sim.engine._status = hostile_status

    sim.call(plant)
    data = tmp_path_factory.mktemp("inject")
    config = Path(data) / "kiosk.toml"
    config.write_text(f"[brand]\nname = '''{BRAND}'''\n", encoding="utf-8")
    app = AppProcess(["run", "--engine", sim.url, "--config", str(config)], data)
    try:
        app.wait_connected()
        yield sim, app
    finally:
        app.stop()
        sim.close()


def nothing_ran(page: Page) -> None:
    assert page.evaluate("window.__pwned") is None, page.evaluate("window.__pwned")


def staff_page(browser: Browser, app: AppProcess) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    page.goto(app.base + "/admin")
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    return page


def test_hostile_text_shows_literally_and_never_runs(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    _sim, app = stack
    staff = staff_page(browser, app)
    # the engine's status text on the status section
    expect(staff.get_by_test_id("st-status-text")).to_have_text(STATUS)
    expect(staff.get_by_test_id("st-bv-error")).to_have_text(f"Error: {BV_ERROR}")
    # the alert the device error raises, in the staff area's recent alerts
    expect(staff.get_by_test_id("alert-row").filter(has_text=BV_ERROR[:30]).first).to_be_visible(timeout=15_000)
    nothing_ran(staff)
    # catalog results: rows, pin/edit labels, pictures' alt text
    staff.get_by_test_id("nav-catalog").click()
    staff.get_by_test_id("product-search").fill("8800000000006")  # the 100 KB product: refused, nothing runs
    staff.get_by_test_id("product-search-go").click()
    nothing_ran(staff)
    staff.get_by_test_id("product-search").fill("990000000000")
    staff.get_by_test_id("product-search-go").click()
    rows = staff.get_by_test_id("product-result")
    expect(rows).to_have_count(len(HOSTILE))
    nothing_ran(staff)
    for code, text in HOSTILE.items():
        row = rows.filter(has_text=code)
        expect(row).to_have_count(1)
        expect(row.get_by_test_id("product-pin")).to_have_attribute("aria-label", f"Acceso rápido: {text}")
        expect(row.get_by_test_id("product-edit")).to_have_attribute("aria-label", f"Editar: {text}")
        expect(row.locator("img")).to_have_attribute("alt", text)
        assert text in row.inner_text() and UDM in row.inner_text()
    nothing_ran(staff)
    # quick picks: every hostile product pinned (the staff page's list and the customer screen's buttons)
    for code in list(HOSTILE)[:4]:
        rows.filter(has_text=code).get_by_test_id("product-pin").click()
        expect(rows.filter(has_text=code).get_by_test_id("product-pin")).to_have_attribute("aria-pressed", "true")
    picks = staff.get_by_test_id("quick-pick-row")
    expect(picks).to_have_count(4)
    expect(picks.filter(has_text="Pan dulce").get_by_test_id("quick-pick-unpin")).to_have_attribute(
        "aria-label", f"Quitar: {ATTRIBUTE}"
    )
    # the screen's call-to-action, saved by staff
    staff.get_by_test_id("nav-screen").click()
    staff.get_by_test_id("set-ctamessage").fill(CTA)
    staff.get_by_test_id("set-save").click()
    # the journal rows that record the pins and the screen change
    staff.get_by_test_id("nav-journal").click()
    expect(staff.get_by_test_id("journal-row").first).to_be_visible()
    nothing_ran(staff)

    customer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    customer.set_default_timeout(20_000)
    customer.goto(app.base + "/")
    expect(customer.get_by_test_id("screen-idle")).to_be_visible()
    expect(customer.get_by_test_id("cta-message")).to_have_text(CTA)
    assert BRAND in customer.locator("body").inner_text()
    customer.get_by_test_id("start").click()
    expect(customer.get_by_test_id("quick-pick")).to_have_count(4)
    for text in (ATTRIBUTE, SCRIPT, RTL):
        expect(customer.get_by_test_id("quick-pick").filter(has_text=text[:12])).to_have_count(1)
    customer.get_by_test_id("quick-pick").filter(has_text="Pan dulce").click()
    nothing_ran(customer)
    nothing_ran(staff)
    assert app.health() is not None  # the 100 KB product did not take the app down

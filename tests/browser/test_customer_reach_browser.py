"""Reach and low vision on the portrait kiosk (1080 × 1920), in real Chromium (issue 21 item 6 and the
result's folio, item 2): every control in the lower two thirds of the display, no customer text under 24 px,
the large-text switch enlarging the amounts, the keys and the pay buttons too, the switches at the bottom,
the folio at least 38 px, and the offline banner over no control.

Prints the figures the issue asks for (smallest text and control, taps to pay $57.50 in cash).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .states import SETTLED, key_in, stack

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1080, 1920
MIN_TEXT = 24
MIN_FOLIO = 38

#: every visible text's font size, every visible control's box
MEASURE = """() => {
  const shown = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
                      && !el.closest('.q-dialog__backdrop');
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('script, style') || !shown(el)) continue;
    texts.push({text: node.textContent.trim().slice(0, 40), px: parseFloat(getComputedStyle(el).fontSize)});
  }
  const controls = [...document.querySelectorAll('button, a[href], input, [role=button]')].filter(shown)
    .map(el => { const r = el.getBoundingClientRect();
                 return {id: el.dataset.testid || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30),
                         top: r.top, left: r.left, right: r.right, bottom: r.bottom,
                         w: Math.round(r.width), h: Math.round(r.height)}; });
  return {texts, controls};
}"""


def box(page: Page, test_id: str) -> dict[str, float]:
    found = page.get_by_test_id(test_id).bounding_box()
    assert found is not None, test_id
    return found


def font_px(page: Page, test_id: str) -> float:
    return float(page.get_by_test_id(test_id).evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


@pytest.fixture(scope="module")
def seen(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Walk a customer through the screens at 1080 × 1920, standard and large text; measure each."""
    found: dict[str, Any] = {"screens": {}, "large": {}, "taps": 0}
    with stack(tmp_path_factory.mktemp("reach")) as (sim, app, _):
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="es-MX")
        page = context.new_page()
        page.set_default_timeout(15_000)
        taps = 0

        def tap(test_id: str) -> None:
            nonlocal taps
            page.get_by_test_id(test_id).click()
            taps += 1

        def measure(name: str, into: dict[str, Any]) -> None:
            page.wait_for_timeout(150)
            page.wait_for_function(SETTLED)
            into[name] = page.evaluate(MEASURE)
            into[name]["sizes"] = {i: box(page, i) for i in ("key-1", "amount-display", "pay-cash", "pay-due")
                                   if page.get_by_test_id(i).is_visible()}  # fmt: skip

        page.goto(app.base + "/")
        expect(page.get_by_test_id("start")).to_be_visible()
        measure("idle", found["screens"])
        # a customer pays $57.50 in cash, counting every tap
        tap("start")
        for char in "57.5":
            tap("key-dot" if char == "." else f"key-{char}")
        expect(page.get_by_test_id("sale-total")).to_have_text("$57.50")
        measure("sale", found["screens"])
        tap("pay-cash")
        expect(page.get_by_test_id("screen-payment")).to_be_visible()
        sim.wait_for(lambda e: e.payment is not None)
        measure("payment", found["screens"])
        sim.insert("50", "bill")
        sim.insert("10", "coin")
        expect(page.get_by_test_id("result-success")).to_be_visible()
        found["taps"] = taps
        measure("result-success", found["screens"])
        found["folio_px"] = font_px(page, "result-folio")
        page.get_by_test_id("result-done").click()
        # a declined card: the ways on
        page.get_by_test_id("start").click()
        key_in(page, "250")
        page.get_by_test_id("pay-card").click()
        sim.wait_for(lambda e: e.payment is not None)
        sim.call(lambda: sim.engine.decline_card("Fondos insuficientes"))
        expect(page.get_by_test_id("result-retry-cash")).to_be_visible()
        measure("result-declined", found["screens"])
        found["folio_px_declined"] = font_px(page, "result-folio")
        page.get_by_test_id("result-done").click()
        # large text: the same screens again
        page.get_by_test_id("a11y-toggle").click()
        page.get_by_test_id("start").click()
        key_in(page, "57.5")
        measure("sale", found["large"])
        page.get_by_test_id("pay-cash").click()
        expect(page.get_by_test_id("screen-payment")).to_be_visible()
        sim.wait_for(lambda e: e.payment is not None)
        measure("payment", found["large"])
        page.get_by_test_id("cancel").click()
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("result-cancelled")).to_be_visible()
        page.get_by_test_id("result-done").click()
        # the engine away: the banner takes its own room
        expect(page.get_by_test_id("start")).to_be_visible()
        sim.call(lambda: sim.engine.power_off(4.0))
        expect(page.get_by_test_id("engine-offline")).to_be_visible()
        expect(page.get_by_test_id("out-of-service")).to_be_visible()
        found["banner"] = box(page, "engine-offline")
        measure("offline", found["screens"])
        context.close()
    yield found


SCREENS = ["idle", "sale", "payment", "result-success", "result-declined", "offline"]


@pytest.mark.parametrize("screen", SCREENS)
def test_every_control_is_in_the_lower_two_thirds(seen: dict[str, Any], screen: str) -> None:
    high = [c for c in seen["screens"][screen]["controls"] if c["top"] < HEIGHT / 3]
    assert high == [], f"{screen}: controls above {HEIGHT // 3} px"


@pytest.mark.parametrize("screen", SCREENS)
def test_no_customer_text_under_24_px(seen: dict[str, Any], screen: str) -> None:
    small = [t for t in seen["screens"][screen]["texts"] if t["px"] < MIN_TEXT]
    assert small == [], screen


def test_the_switches_are_at_the_bottom(seen: dict[str, Any]) -> None:
    for screen in SCREENS:
        toggles = [c for c in seen["screens"][screen]["controls"] if c["id"] in ("a11y-toggle", "lang-toggle")]
        assert len(toggles) == 2 and all(c["top"] > HEIGHT * 0.85 for c in toggles), screen


def test_large_text_enlarges_amounts_keys_and_pay_buttons(seen: dict[str, Any]) -> None:
    for screen, ids in (("sale", ("key-1", "amount-display", "pay-cash")), ("payment", ("pay-due",))):
        standard, large = seen["screens"][screen]["sizes"], seen["large"][screen]["sizes"]
        for test_id in ids:
            assert large[test_id]["height"] >= 1.15 * standard[test_id]["height"], (screen, test_id)


def test_the_folio_is_large(seen: dict[str, Any]) -> None:
    assert seen["folio_px"] >= MIN_FOLIO and seen["folio_px_declined"] >= MIN_FOLIO


def test_the_offline_banner_covers_no_control(seen: dict[str, Any]) -> None:
    banner = seen["banner"]
    bottom = banner["y"] + banner["height"]
    under = [c for c in seen["screens"]["offline"]["controls"] if c["top"] < bottom and c["bottom"] > banner["y"]]
    assert under == []


def test_figures_for_the_report(seen: dict[str, Any]) -> None:
    """The issue's figures: taps to pay $57.50 in cash, the smallest text and control at 1080 × 1920."""
    texts = [t["px"] for screen in SCREENS for t in seen["screens"][screen]["texts"]]
    controls = [(min(c["w"], c["h"]), c["id"]) for screen in SCREENS for c in seen["screens"][screen]["controls"]]
    print(f"\ntaps to pay $57.50 in cash: {seen['taps']}; smallest text {min(texts)} px; "
          f"smallest control {min(controls)} px")  # fmt: skip
    assert seen["taps"] == 6  # start, 5, 7, ., 5, pay in cash


@pytest.mark.parametrize("screen", SCREENS)
def test_every_control_is_on_the_display_without_scrolling(seen: dict[str, Any], screen: str) -> None:
    """The banner takes its room from the screen, not below it: the switches at the bottom stay on the display."""
    below = [c for c in seen["screens"][screen]["controls"] if c["bottom"] > HEIGHT]
    assert below == [], screen

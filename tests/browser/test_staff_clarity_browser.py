"""The staff area in real Chromium on a phone (390x844), issue 21 item 8: every staff control at least
48 px tall in every section and in the confirmation; the health line's colour follows its level; one
section on screen at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from devtools import AppProcess, ThreadedSim, app_on_simulator
from kiosk_ui.ui.pages.admin import SECTIONS

pytestmark = pytest.mark.browser

PHONE = (390, 844)
MIN_CONTROL = 48
WAIT = 20_000
#: every visible control the staff can press or type in, measured by its whole touch target
SMALLEST = """() => {
  const sel = '.q-btn, a[href], .q-field__control, .q-toggle, .q-checkbox, [role=switch], [role=checkbox]';
  let smallest = null;
  for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
    const id = e.dataset.testid || e.closest('[data-testid]')?.dataset.testid || e.textContent.trim().slice(0, 30);
    if (smallest === null || r.height < smallest[0]) smallest = [r.height, id];
  }
  return smallest;
}"""
HEALTH = """() => {
  const e = document.querySelector('[data-testid=staff-health]');
  return [e.dataset.level, getComputedStyle(e).backgroundColor, getComputedStyle(e).borderLeftColor];
}"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedSim, AppProcess]]:
    with app_on_simulator(tmp_path_factory.mktemp("app")) as stack:
        yield stack


def phone_staff(browser: Browser, base: str) -> Page:
    page = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="es-MX").new_page()
    page.set_default_timeout(WAIT)
    page.goto(base + "/admin")
    assert page.evaluate(SMALLEST)[0] >= MIN_CONTROL, "gate"
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    expect(page.get_by_test_id("st-connections")).not_to_have_text("—")
    return page


def test_every_staff_control_is_at_least_48_px_on_a_phone(browser: Browser,
                                                          stack: tuple[ThreadedSim, AppProcess]) -> None:  # fmt: skip
    _, app = stack
    page = phone_staff(browser, app.base)
    smallest: dict[str, tuple[float, str]] = {}
    for name, _, _ in SECTIONS:
        page.get_by_test_id(f"nav-{name}").click()
        expect(page.locator(f"#sec-{name}")).to_be_visible()
        others = [other for other, _, _ in SECTIONS if other != name]
        for other in others:  # one section on screen at a time
            expect(page.locator(f"#sec-{other}")).to_be_hidden()
        height, where = page.evaluate(SMALLEST)
        smallest[name] = (height, where)
    page.get_by_test_id("nav-actions").click()
    page.get_by_test_id("action-resetbalance").click()
    expect(page.get_by_test_id("confirm-ok")).to_have_text("Corte de caja")
    expect(page.get_by_test_id("confirm-figure-total")).to_be_visible()
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")  # dialog opened
    smallest["confirm"] = tuple(page.evaluate(SMALLEST))  # type: ignore[assignment]
    print("smallest staff control at 390x844:", min(smallest.values()))
    assert {name: h for name, (h, _) in smallest.items() if h < MIN_CONTROL} == {}, smallest
    page.context.close()


def test_health_line_colour_follows_its_level(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    sim, app = stack
    page = phone_staff(browser, app.base)
    page.get_by_test_id("nav-status").click()
    health = page.get_by_test_id("staff-health")
    expect(health).to_have_attribute("data-level", "ok")
    expect(health).to_have_text("Todo en orden")
    level, background, border = page.evaluate(HEALTH)
    assert (level, background, border) == ("ok", "rgb(236, 253, 245)", "rgb(4, 120, 87)")  # green
    sim.call(lambda: sim.engine.set_fault("bill_jam", True))
    try:
        expect(health).to_have_attribute("data-level", "bad")
        expect(health).to_contain_text("lector de billetes con error")
        level, background, border = page.evaluate(HEALTH)
        assert (level, background, border) == ("bad", "rgb(254, 242, 242)", "rgb(185, 28, 28)")
    finally:
        sim.call(lambda: sim.engine.set_fault("bill_jam", False))
    expect(health).to_have_attribute("data-level", "ok")
    page.context.close()


def test_date_picker_fills_day_first(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    """Issue 21 item 9: the staff date fields read dd/mm/aaaa whatever the browser's language (en-US here)."""
    _, app = stack
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US").new_page()
    page.set_default_timeout(WAIT)
    page.goto(app.base + "/admin")
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    page.get_by_test_id("nav-journal").click()
    field = page.get_by_test_id("journal-from")  # Quasar puts the test id on the <input>
    page.locator(".q-field", has=field).get_by_role("button", name="Elegir fecha: Desde").click()
    page.locator(".q-date__calendar-days .q-btn").get_by_text("13", exact=True).click()
    today = dt.date.today()
    expect(field).to_have_value(f"13/{today.month:02d}/{today.year}")
    page.get_by_test_id("journal-apply").click()
    expect(page.get_by_test_id("journal-error")).to_be_hidden()
    page.context.close()

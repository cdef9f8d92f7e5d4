"""The staff area in real Chromium at a tablet (1280x800) and a phone (390x844): every section reachable
from its nav link, axe-core (WCAG 2 A/AA) finds nothing serious or critical, keyboard focus visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from devtools import AppProcess, ThreadedSim, app_on_simulator

pytestmark = pytest.mark.browser

SIZES = {"tablet": (1280, 800), "phone": (390, 844)}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
#: each section and an id that must be on screen once it is open
SECTIONS = {"status": "st-engine", "actions": "action-opendoor", "review": "review-list", "screen": "set-preview",
            "catalog": "product-search", "journal": "sales-chart", "tablet": "tablet-qr"}  # fmt: skip
WAIT = 20_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedSim, AppProcess]]:
    with app_on_simulator(tmp_path_factory.mktemp("app")) as stack:
        yield stack


def serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now (WCAG 2.0/2.1 A and AA)."""
    result = Axe().run(page, options=WCAG)
    found = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in found]


def staff_page(browser: Browser, base: str, size: tuple[int, int]) -> Page:
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="es-MX").new_page()
    page.set_default_timeout(WAIT)
    page.goto(base + "/admin")
    expect(page.get_by_test_id("nip-input")).to_be_visible()
    return page


def log_in(page: Page) -> None:
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    expect(page.get_by_test_id("st-connections")).not_to_have_text("—")


def open_section(page: Page, name: str) -> None:
    page.get_by_test_id(f"nav-{name}").click()
    expect(page.get_by_test_id(SECTIONS[name]).first).to_be_in_viewport()


@pytest.mark.parametrize("size", list(SIZES))
def test_staff_area_has_no_serious_axe_finding(browser: Browser, stack: tuple[ThreadedSim, AppProcess],
                                               size: str) -> None:  # fmt: skip
    _, app = stack
    page = staff_page(browser, app.base, SIZES[size])
    assert serious(page) == [], "gate"
    log_in(page)
    page.wait_for_load_state("networkidle")
    found = {}
    for name in SECTIONS:
        open_section(page, name)
        found[name] = serious(page)
    assert found == {name: [] for name in SECTIONS}, found
    page.context.close()


def test_staff_area_is_operable_by_keyboard(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    _, app = stack
    page = staff_page(browser, app.base, SIZES["tablet"])
    page.get_by_test_id("nip-input").focus()
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    # Tab reaches the section nav; Enter on a nav link brings its section into view
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.dataset?.testid") == "nav-catalog":
            break
    else:
        pytest.fail("the section nav is not reachable by Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "keyboard focus is not visible"
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("product-search")).to_be_in_viewport()
    # an action is confirmed and cancelled with the keyboard alone (its section opened by Enter on its link)
    page.get_by_test_id("nav-actions").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("action-report")).to_be_visible()
    page.get_by_test_id("action-report").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("confirm-cancel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("confirm-cancel")).to_be_hidden()
    page.context.close()


def test_phone_sections_fit_the_width(browser: Browser, stack: tuple[ThreadedSim, AppProcess]) -> None:
    _, app = stack
    page = staff_page(browser, app.base, SIZES["phone"])
    log_in(page)
    for name in SECTIONS:
        open_section(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES["phone"][0], f"the page scrolls sideways on a phone ({width} px)"
    page.context.close()

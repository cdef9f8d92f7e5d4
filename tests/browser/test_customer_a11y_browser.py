"""Every customer screen and state, at the three display sizes, in real Chromium: axe-core (WCAG 2 A/AA
rules) finds nothing serious or critical, and every control is big enough to touch (64 px and more on
the kiosk's 1080 × 1920 display, keypad keys 120 px and more).

One page walks the states once (tests/browser/states.py); at each state it is resized to each size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .states import SETTLED, SIZES, stack, walk

pytestmark = pytest.mark.browser

STATES = ["idle", "sale", "payment-cash", "cancel-question", "result-cancelled", "result-success-cash",
          "payment-card", "result-declined", "payment-device-fault", "out-of-service", "result-success-card",
          "result-error", "timeout-warning", "timeout-payment", "offline", "offline-idle"]  # fmt: skip
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}  # fmt: skip
KIOSK = SIZES[0]
MIN_TARGET = 64
MIN_KEY = 120

#: every visible control the customer can touch (Quasar's dialog backdrop and NiceGUI's own bits aside)
CONTROLS = """() => [...document.querySelectorAll(
    'button, a[href], input, select, textarea, [role=button], [tabindex="0"]')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
          && !el.closest('[aria-hidden=true]') && !el.closest('.q-dialog__backdrop'))
  .map(el => { const r = el.getBoundingClientRect();
               return {id: el.dataset.testid || el.getAttribute('aria-label') || el.outerHTML.slice(0, 80),
                       w: Math.round(r.width), h: Math.round(r.height), key: el.classList.contains('kiosk-key')}; })"""


@pytest.fixture(scope="module")
def findings(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Walk every state once; at each, at every size: the serious/critical axe findings and the small targets."""
    found: dict[str, Any] = {"axe": {}, "small": {}, "states": []}
    axe = Axe()
    with stack(tmp_path_factory.mktemp("a11y")) as (sim, app, timeout_app):
        context = browser.new_context(viewport={"width": KIOSK[0], "height": KIOSK[1]}, locale="es-MX")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(app.base + "/")
        other = context.new_page()
        other.set_default_timeout(15_000)
        other.goto(timeout_app.base + "/")
        page.bring_to_front()  # a tab behind another gets one animation frame a second: each click took 2 s
        for tab in (page, other):
            # the walk waits at each state for finite animations to end (the change tray pulses for 6.4 s):
            # at 20 times the speed they end in a blink, in the same end state axe then reads
            cdp = context.new_cdp_session(tab)
            cdp.send("Animation.enable")
            cdp.send("Animation.setPlaybackRate", {"playbackRate": 20})

        def visit(on: Page, name: str, reopen: Callable[[], None] | None) -> None:
            for width, height in SIZES:
                if on.viewport_size != {"width": width, "height": height}:
                    on.set_viewport_size({"width": width, "height": height})
                    on.wait_for_timeout(100)
                    on.wait_for_function(SETTLED)
                if reopen is not None:
                    reopen()
                result = axe.run(on, options=AXE_OPTIONS)
                bad = [f"{v['id']} ({v['impact']}): {[(n['html'][:80], n['failureSummary'][-160:]) for n in v['nodes']][:3]}"  # noqa: E501
                       for v in result.response["violations"] if v["impact"] in ("serious", "critical")]  # fmt: skip
                found["axe"][f"{name}@{width}x{height}"] = bad
                if (width, height) == KIOSK:
                    small = [c for c in on.evaluate(CONTROLS)
                             if min(c["w"], c["h"]) < (MIN_KEY if c["key"] else MIN_TARGET)]  # fmt: skip
                    found["small"][name] = small
                    found.setdefault("keys", {})[name] = [c for c in on.evaluate(CONTROLS) if c["key"]]
            on.set_viewport_size({"width": KIOSK[0], "height": KIOSK[1]})

        found["states"] = walk(page, sim, other, visit)
        context.close()
    yield found


def test_every_state_was_visited(findings: dict[str, Any]) -> None:
    assert findings["states"] == STATES


@pytest.mark.parametrize("state", STATES)
def test_axe_finds_nothing_serious(findings: dict[str, Any], state: str) -> None:
    for width, height in SIZES:
        assert findings["axe"][f"{state}@{width}x{height}"] == [], f"{state} at {width}x{height}"


@pytest.mark.parametrize("state", STATES)
def test_touch_targets_on_the_kiosk_display(findings: dict[str, Any], state: str) -> None:
    assert findings["small"][state] == []


def test_keypad_keys_are_at_least_120_px(findings: dict[str, Any]) -> None:
    keys = findings["keys"]["sale"]
    assert len(keys) == 12
    assert min(min(k["w"], k["h"]) for k in keys) >= MIN_KEY

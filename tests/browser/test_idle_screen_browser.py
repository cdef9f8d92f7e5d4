"""The idle screen in real Chromium: the kiosk's most common state, all day. It draws a frame only when
something on it changes: no endless CSS animation (the eyes' kept Chromium drawing 60 frames a second, about
4 % of a core without a GPU), eyes that jump between poses a few times a second on their own compositor
layers and hold still when nobody can see them, a clock written when its text changes, a cross-fade in two
poses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from devtools import AppProcess

pytestmark = pytest.mark.browser

#: counts the mutations of the elements matching a selector, by kind ("style" for the style attribute)
COUNT_MUTATIONS = """(selector) => {
    window.__mutations = [];
    const observer = new MutationObserver(records => records.forEach(r => window.__mutations.push(
        {kind: r.type === "attributes" ? r.attributeName : r.type,
         target: r.target.nodeType === 1 ? r.target.className.baseVal ?? r.target.className : "text"})));
    document.querySelectorAll(selector).forEach(el => observer.observe(el,
        {attributes: true, childList: true, characterData: true, subtree: true}));
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    process = AppProcess(["demo"], tmp_path_factory.mktemp("demo"))
    try:
        process.wait_connected()
        yield process
    finally:
        process.stop()


def idle_screen(
    browser: Browser, app: AppProcess, reduced_motion: str = "no-preference"
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion=reduced_motion)  # type: ignore[arg-type]
    # the page's timers and Date on Playwright's clock: time flows as usual, and clock.run_for(ms) moves it on,
    # firing every timer that falls due, in order (seconds of the eyes' and the clock's loops in a blink)
    context.clock.install()
    page = context.new_page()
    page.goto(app.base + "/")
    page.get_by_test_id("eyes").wait_for(state="visible")
    return context, page


def mutations(page: Page) -> list[dict[str, str]]:
    return page.evaluate("() => window.__mutations")  # type: ignore[no-any-return]


def test_the_idle_screen_runs_no_endless_animation(browser: Browser, app: AppProcess) -> None:
    context, page = idle_screen(browser, app)
    try:
        endless = page.evaluate(
            "() => document.getAnimations().filter(a => a.effect.getComputedTiming().iterations === Infinity)"
            ".map(a => a.animationName || a.transitionProperty)"
        )
        assert endless == []
    finally:
        context.close()


def test_the_eyes_jump_between_a_few_poses_changing_only_their_transform(browser: Browser, app: AppProcess) -> None:
    """Over six seconds on the page's clock (a blink every 5 s, a glance about every 2 s) the eyes move, and each
    move is a style write of a transform on an element of its own compositor layer: a few poses, never a frame
    per display refresh (360 in six seconds)."""
    context, page = idle_screen(browser, app)
    try:
        layers = page.evaluate(
            """() => [...document.querySelectorAll('[data-kiosk-eyes], [data-kiosk-eyes] .kiosk-eyes-pupils')]
                .map(el => getComputedStyle(el).willChange)"""
        )
        assert layers == ["transform", "transform"]
        page.evaluate(COUNT_MUTATIONS, "[data-kiosk-eyes]")
        page.clock.run_for(6000)
        seen = mutations(page)
        assert {m["kind"] for m in seen} == {"style"}, seen
        styles = page.evaluate(
            """() => [...document.querySelectorAll('[data-kiosk-eyes], [data-kiosk-eyes] .kiosk-eyes-pupils')]
                .map(el => [...el.style].join(','))"""
        )
        assert styles == ["transform", "transform"]
        assert 3 <= len(seen) <= 30, seen  # about 5: three glances and a blink (shut, open)
    finally:
        context.close()


def test_the_eyes_hold_still_when_nobody_can_see_them(browser: Browser, app: AppProcess) -> None:
    context, page = idle_screen(browser, app)
    try:
        page.get_by_test_id("start").click()
        page.get_by_test_id("screen-sale").wait_for(state="visible")
        page.evaluate(COUNT_MUTATIONS, "[data-kiosk-eyes]")
        page.clock.run_for(5500)  # a blink and two glances would have moved them
        assert mutations(page) == []
    finally:
        context.close()
    context, page = idle_screen(browser, app, reduced_motion="reduce")
    try:
        page.evaluate(COUNT_MUTATIONS, "[data-kiosk-eyes]")
        page.clock.run_for(5500)
        assert mutations(page) == []
    finally:
        context.close()


def test_the_clock_is_written_only_when_its_text_changes(browser: Browser, app: AppProcess) -> None:
    """It ticks every second but its text changes once a minute: each write costs a layout and a paint."""
    context, page = idle_screen(browser, app)
    try:
        page.evaluate(COUNT_MUTATIONS, "[data-kiosk-clock], [data-kiosk-date]")
        page.clock.run_for(3500)
        assert len(mutations(page)) <= 4  # a minute (and a date) may turn over meanwhile: two writes each
    finally:
        context.close()


def test_the_attract_slides_cross_fade_in_two_poses_without_an_animation(browser: Browser, app: AppProcess) -> None:
    """A slide change is two poses (both slides at half opacity, then the new one alone), not a CSS transition:
    even a stepped one had the browser run the animation for its whole length, every 7 s all day. Each slide is
    on its own compositor layer, so a pose blends them without painting their pictograms again."""
    context, page = idle_screen(browser, app)
    try:
        layers = page.evaluate(
            "() => [...document.querySelectorAll('[data-slide]')].map(s => getComputedStyle(s).willChange)"
        )
        assert layers == ["opacity", "opacity"]
        opacities = "() => [...document.querySelectorAll('[data-slide]')].map(s => getComputedStyle(s).opacity)"
        before = page.evaluate(opacities)
        assert sorted(before) == ["0", "1"], before
        during = page.evaluate(
            "() => { window.kioskAttractStep(); return [document.getAnimations().filter(a => a.effect.target.matches("
            "'[data-slide]')).length,"
            " [...document.querySelectorAll('[data-slide]')].map(s => getComputedStyle(s).opacity)]; }"
        )
        assert during == [0, ["0.5", "0.5"]]
        page.wait_for_function(f"() => ({opacities})().join() === {','.join(reversed(before))!r}")
        running = page.evaluate("() => document.getAnimations().filter(a => a.effect.target.matches('[data-slide]'))")
        assert running == []
    finally:
        context.close()


def test_the_live_figures_are_written_without_a_search_through_the_page(browser: Browser, app: AppProcess) -> None:
    """kioskLive (every coin) finds the payment figures among the page's live labels, a collection the browser
    keeps current: a selector search went through the whole page's DOM three times per coin and screen."""
    context, page = idle_screen(browser, app)  # the payment screen's figures are in the page, hidden
    try:
        searches = page.evaluate(
            """() => {
                let searches = 0;
                for (const name of ["querySelector", "querySelectorAll", "getElementsByClassName"]) {
                    const original = Document.prototype[name];
                    document[name] = function (...args) { searches++; return original.apply(this, args); };
                }
                window.kioskLive({"pay-credit": "$12.50", "pay-remaining": "$7.50"});
                return searches;
            }"""
        )
        assert searches == 0
        assert page.get_by_test_id("pay-credit").text_content() == "$12.50"
        assert page.get_by_test_id("pay-remaining").text_content() == "$7.50"
    finally:
        context.close()

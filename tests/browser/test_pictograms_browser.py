"""The pictograms in real Chromium: they load from the app, and the pulse is a compositor-only animation
that stops under prefers-reduced-motion."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from devtools import AppProcess
from kiosk_ui.ui.components.pictogram import PICTOGRAMS, pictogram_url

from ..helpers import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    process = AppProcess(["demo"], tmp_path_factory.mktemp("demo"))
    try:
        process.wait_connected()
        yield process
    finally:
        process.stop()


def sheet(base: str) -> str:
    """A page of every pictogram with the app's own stylesheet, the first one pulsing."""
    images = "".join(
        f'<img class="kiosk-pictogram{" pulse" if i == 0 else ""}" data-name="{name}" src="{base}{pictogram_url(name)}"'
        f' width="192" height="192" alt="{name}">'
        for i, name in enumerate(PICTOGRAMS)
    )
    return (
        f'<html><head><link rel="stylesheet" href="{base}/kiosk-static/kiosk.css"></head>'
        f'<body style="display:flex;flex-wrap:wrap;gap:24px;padding:24px;background:#fff">{images}</body></html>'
    )


def open_sheet(browser: Browser, app: AppProcess, reduced_motion: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 520}, reduced_motion=reduced_motion)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_content(sheet(app.base))
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=10_000)
    return context, page


def test_pictograms_load_and_the_pulse_uses_transform_and_opacity_only(browser: Browser, app: AppProcess) -> None:
    context, page = open_sheet(browser, app, "no-preference")
    try:
        animated = page.evaluate(
            """() => document.getAnimations().map(a => ({
                name: a.effect.target.dataset.name, state: a.playState,
                props: [...new Set(a.effect.getKeyframes().flatMap(k => Object.keys(k)
                    .filter(p => !['offset', 'computedOffset', 'easing', 'composite'].includes(p))))].sort(),
            }))"""
        )
        assert animated == [{"name": PICTOGRAMS[0], "state": "running", "props": ["opacity", "transform"]}]
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "pictograms.png"))
    finally:
        context.close()


def test_reduced_motion_stops_the_pulse(browser: Browser, app: AppProcess) -> None:
    context, page = open_sheet(browser, app, "reduce")
    try:
        assert page.evaluate("() => document.getAnimations().length") == 0
    finally:
        context.close()


def test_the_pulse_ends_so_a_waiting_screen_costs_the_browser_nothing(browser: Browser, app: AppProcess) -> None:
    """An endless pulse kept Chromium compositing every frame for a whole payment (60 % of a core for ten
    payment screens without a GPU, benchmarks/latency.py); it pulses four times and stands still."""
    context, page = open_sheet(browser, app, "no-preference")
    try:
        timing = page.evaluate("() => document.getAnimations().map(a => a.effect.getComputedTiming())")
        assert len(timing) == 1
        assert timing[0]["iterations"] == 4 and timing[0]["endTime"] <= 8000
    finally:
        context.close()


def test_the_pulse_moves_in_steps(browser: Browser, app: AppProcess) -> None:
    """A few poses a second, not one per display refresh: each pose is a frame drawn (without a GPU, ten payment
    screens' smooth pulses took much of a core while the first coins' figures waited, benchmarks/latency.py)."""
    context, page = open_sheet(browser, app, "no-preference")
    try:
        easings = page.evaluate("() => document.getAnimations()[0].effect.getKeyframes().map(k => k.easing)")
        assert easings and all(easing.startswith("steps(") for easing in easings[:-1]), easings
    finally:
        context.close()


def test_a_burst_of_coin_sounds_plays_one_clink(browser: Browser, app: AppProcess) -> None:
    """The screen asks for the coin sound on every credit update; within 150 ms of a start a repeat is skipped
    (each restart costs the browser a seek and a decode), after that the sound plays again. It plays after the
    next paint: never in the task that writes the coin's figures (the sound comes in the same message)."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(
        """{
            window.__plays = [];
            window.__now = 1_000_000;
            Date.now = () => window.__now;
            window.Audio = class { constructor(src) { this.src = src; this.currentTime = 0; }
                                   play() { window.__plays.push(this.src); return Promise.resolve(); } };
        }"""
    )
    try:
        page.goto(app.base + "/")
        page.get_by_test_id("screen-idle").wait_for(state="visible")
        plays = page.evaluate(
            """async () => {
                const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 20)));
                const counts = [];
                window.kioskSound("coin");
                counts.push(window.__plays.length);   // not in this task: after the next paint
                for (let i = 0; i < 4; i++) { window.__now += 20; window.kioskSound("coin"); }
                await painted();
                counts.push(window.__plays.length);   // 5 asks within 100 ms: one start
                window.__now += 150;
                window.kioskSound("coin");
                await painted();
                counts.push(window.__plays.length);   // past the gap: plays again
                window.kioskSound("success");
                await painted();
                counts.push(window.__plays.length);   // another sound is not held back by the coin
                return counts;
            }"""
        )
        assert plays == [0, 1, 2, 3]
    finally:
        context.close()


def test_the_clink_is_fetched_with_the_page_not_with_the_first_coin(browser: Browser, app: AppProcess) -> None:
    """Fetched at the first coin, the sound was one more request to the app per screen while the first coins'
    figures were on their way (ten screens: ten requests in the middle of them)."""
    context = browser.new_context()
    page = context.new_page()
    try:
        with page.expect_request(lambda request: request.url.endswith("/kiosk-assets/sounds/coin.wav"), timeout=10_000):
            page.goto(app.base + "/")
            page.get_by_test_id("screen-idle").wait_for(state="visible")
    finally:
        context.close()

# ruff: noqa: E501  (small SVG drawings and product rows read better on one line)
"""Drive the customer screen through every screen and state in real Chromium, against the simulator.

Shared by the accessibility and touch-target browser test (tests/browser/test_customer_a11y_browser.py) and by
``scripts/screenshots.py``: one browser page is walked once through the states; at each state the
caller gets ``visit(name)`` and may resize the page, run axe-core, measure or take a picture.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect

from devtools import AppProcess, ThreadedSim

#: the three customer display sizes: the kiosk's portrait display first
SIZES = ((1080, 1920), (1920, 1080), (1280, 800))

BRAND = {"name": "Abarrotes La Esperanza", "accent": "#0f766e"}


def _svg(shape: str, colour: str) -> str:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="18" fill="#f1f5f9"/>{shape.format(c=colour)}</svg>'
    return "data:image/svg+xml," + urllib.parse.quote(svg)


BOTTLE = '<rect x="38" y="10" width="20" height="18" rx="4" fill="{c}"/><rect x="28" y="26" width="40" height="62" rx="12" fill="{c}"/><rect x="28" y="46" width="40" height="18" fill="#fff" opacity=".8"/>'
LOAF = '<ellipse cx="48" cy="54" rx="38" ry="26" fill="{c}"/><path d="M28 44 q6 -8 12 0 M44 42 q6 -8 12 0 M60 44 q6 -8 12 0" stroke="#fff" stroke-width="4" fill="none"/>'
CAN = '<rect x="26" y="16" width="44" height="66" rx="8" fill="{c}"/><rect x="26" y="36" width="44" height="24" fill="#fff" opacity=".85"/>'
CUP = (
    '<path d="M22 30 h52 l-8 54 h-36 z" fill="{c}"/><rect x="18" y="22" width="60" height="10" rx="5" fill="#334155"/>'
)

PICKS = [
    {
        "code": "7501055300075",
        "description": "Agua natural 1 L",
        "price": "15.00",
        "udm": "PZA",
        "image": _svg(BOTTLE, "#0284c7"),
    },
    {
        "code": "7501030410011",
        "description": "Pan blanco",
        "price": "42.50",
        "udm": "PZA",
        "image": _svg(LOAF, "#b45309"),
    },
    {
        "code": "7501055310883",
        "description": "Refresco lata",
        "price": "18.00",
        "udm": "PZA",
        "image": _svg(CAN, "#dc2626"),
    },
    {
        "code": "7501000912345",
        "description": "Café americano",
        "price": "28.00",
        "udm": "PZA",
        "image": _svg(CUP, "#78350f"),
    },
]


def write_setup(data_dir: Path, *, sale_timeout: int = 600) -> Path:
    """A config with the shop's brand, and four quick picks in the data dir; returns the config path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "quick-picks.json").write_text(json.dumps({"version": 1, "picks": PICKS}), encoding="utf-8")
    config = data_dir / "kiosk.toml"
    config.write_text(
        f'[brand]\nname = "{BRAND["name"]}"\naccent = "{BRAND["accent"]}"\n\n'
        f"[kiosk]\nsale_timeout = {sale_timeout}\nack_timeout = 1.0\nresult_seconds = 600\n",
        encoding="utf-8",
    )
    return config


@contextmanager
def stack(data_dir: Path) -> Iterator[tuple[ThreadedSim, AppProcess, AppProcess]]:
    """A simulator, the app on it, and a second app whose sale times out at once (for the warning)."""
    sim = ThreadedSim(card_mode="manual")
    apps: list[AppProcess] = []
    try:
        for name, timeout in (("app", 600), ("app-timeout", 1)):
            config = write_setup(data_dir / name, sale_timeout=timeout)
            apps.append(AppProcess(["run", "--engine", sim.url, "--config", str(config)], data_dir / name))
        for app in apps:
            app.wait_connected()
        yield sim, apps[0], apps[1]
    finally:
        for app in apps:
            app.stop()
        sim.close()


#: no finite animation or transition still running (the pulse and the eyes loop forever: they do not count)
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)"


def key_in(page: Page, amount: str) -> None:
    for char in amount:
        page.get_by_test_id("key-dot" if char == "." else f"key-{char}").click()


def to_sale(page: Page, amount: str) -> None:
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("screen-sale")).to_be_visible()
    key_in(page, amount)


def pay(page: Page, sim: ThreadedSim, method: str) -> None:
    page.get_by_test_id(f"pay-{method}").click()
    expect(page.get_by_test_id("screen-payment")).to_be_visible()
    sim.wait_for(lambda e: e.payment is not None)


def done(page: Page, sim: ThreadedSim) -> None:
    page.get_by_test_id("result-done").click()
    expect(page.get_by_test_id("screen-idle")).to_be_visible()
    sim.wait_for(lambda e: e.payment is None and not e.is_off)


#: the idle or the result screen, whichever shows
IDLE_OR_RESULT = '[data-testid="screen-idle"]:visible, [data-testid="screen-result"]:visible'


def to_idle(page: Page) -> None:
    """Reload ``page`` and bring it to idle: a reload shows the kiosk's last result while it lasts (that of a
    payment this app followed, started by the other app on the same engine); "Terminar" dismisses it."""
    page.reload()
    expect(page.locator(IDLE_OR_RESULT)).to_have_count(1)
    if page.get_by_test_id("screen-result").is_visible():
        page.get_by_test_id("result-done").click()
    expect(page.get_by_test_id("start")).to_be_visible()


Visit = Callable[[Page, str, Callable[[], None] | None], None]


def walk(page: Page, sim: ThreadedSim, timeout_page: Page, visit: Visit) -> list[str]:
    """Go through every customer screen and state, calling ``visit(page, name, reopen)`` at each; returns
    the names. ``reopen`` (dialog states only) reloads the page and opens the dialog again: after a viewport
    change with a Quasar dialog open, axe reads the dialog's buttons as lying on the backdrop (white text on
    #999), which no fixed kiosk display ever does; a dialog opened at the new size reads right."""
    seen: list[str] = []

    def reopen_cancel() -> None:
        page.reload()  # mid-payment: the payment screen again
        expect(page.get_by_test_id("pay-credit")).to_have_text("$50.00")
        page.get_by_test_id("cancel").click()
        expect(page.get_by_test_id("cancel-dialog")).to_be_visible()
        page.wait_for_function(SETTLED)

    def reopen_timeout() -> None:
        timeout_page.bring_to_front()
        to_idle(timeout_page)
        timeout_page.get_by_test_id("start").click()
        expect(timeout_page.get_by_test_id("timeout-warning")).to_be_visible()
        timeout_page.wait_for_function(SETTLED)

    def reopen_timeout_payment() -> None:
        timeout_page.bring_to_front()
        timeout_page.reload()  # mid-payment: the payment screen again, and the question after a second
        expect(timeout_page.get_by_test_id("timeout-warning")).to_be_visible()
        timeout_page.wait_for_function(SETTLED)

    def at(name: str, on: Page = page, reopen: Callable[[], None] | None = None) -> None:
        on.wait_for_timeout(150)  # let the last patch land, then the transitions (a dialog's fade-in) finish
        on.wait_for_function(SETTLED)
        seen.append(name)
        visit(on, name, reopen)

    expect(page.get_by_test_id("screen-idle")).to_be_visible()
    at("idle")
    to_sale(page, "35.5")
    page.get_by_test_id("quick-pick").first.click()
    expect(page.get_by_test_id("cart-item")).to_have_count(1)
    at("sale")
    page.get_by_test_id("sale-back").click()
    to_sale(page, "100")
    pay(page, sim, "cash")
    sim.insert("50", "bill")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$50.00")
    at("payment-cash")
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("cancel-dialog")).to_be_visible()
    at("cancel-question", reopen=reopen_cancel)
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("result-cancelled")).to_be_visible()
    at("result-cancelled")
    done(page, sim)
    to_sale(page, "35.5")
    pay(page, sim, "cash")
    sim.insert("20", "bill")
    sim.insert("20", "bill")
    expect(page.get_by_test_id("result-success")).to_be_visible()
    at("result-success-cash")
    done(page, sim)
    to_sale(page, "250")
    pay(page, sim, "card")
    at("payment-card")
    sim.call(lambda: sim.engine.decline_card("Fondos insuficientes"))
    expect(page.get_by_test_id("result-declined")).to_be_visible()
    at("result-declined")  # with "Intentar otra tarjeta", "Pagar en efectivo" and "Cancelar"
    done(page, sim)
    to_sale(page, "57.5")
    pay(page, sim, "cash")
    sim.call(lambda: sim.engine.set_fault("bill_jam", True))
    expect(page.get_by_test_id("screen-payment")).to_contain_text("billetes no disponibles")
    at("payment-device-fault")  # the bill reader down: coins only, the bill slot greyed
    sim.call(lambda: sim.engine.set_fault("bill_jam", False))
    page.get_by_test_id("cancel").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("result-cancelled")).to_be_visible()
    done(page, sim)
    for fault in ("bill_jam", "coin_error", "card_unavailable"):
        sim.call(lambda fault=fault: sim.engine.set_fault(fault, True))
    expect(page.get_by_test_id("out-of-service")).to_be_visible()
    at("out-of-service")  # no payment method works
    for fault in ("bill_jam", "coin_error", "card_unavailable"):
        sim.call(lambda fault=fault: sim.engine.set_fault(fault, False))
    expect(page.get_by_test_id("start")).to_be_visible()
    to_sale(page, "250")
    pay(page, sim, "card")
    sim.call(sim.engine.approve_card)
    expect(page.get_by_test_id("result-success")).to_be_visible()
    at("result-success-card")
    done(page, sim)
    sim.call(lambda: setattr(sim.engine.faults, "ack_delay", 60.0))
    try:
        to_sale(page, "80")
        page.get_by_test_id("pay-cash").click()
        expect(page.get_by_test_id("result-error")).to_be_visible(timeout=30_000)
        at("result-error")
    finally:
        sim.call(lambda: setattr(sim.engine.faults, "ack_delay", 0.0))
        sim.call(lambda: setattr(sim.engine, "pending_start", None))  # the late start never comes
    done(page, sim)
    timeout_page.bring_to_front()
    to_idle(timeout_page)  # a second app on the same engine: open it now, while the engine is idle
    timeout_page.get_by_test_id("start").click()
    expect(timeout_page.get_by_test_id("timeout-warning")).to_be_visible()
    at("timeout-warning", timeout_page, reopen_timeout)
    timeout_page.get_by_test_id("timeout-continue").click()
    timeout_page.get_by_test_id("key-1").click()
    timeout_page.get_by_test_id("pay-cash").click()
    expect(timeout_page.get_by_test_id("timeout-warning")).to_contain_text("No se ha insertado dinero")
    at("timeout-payment", timeout_page, reopen_timeout_payment)  # an abandoned payment: "¿Sigue ahí?"
    timeout_page.get_by_test_id("timeout-end").click()
    expect(timeout_page.get_by_test_id("screen-idle")).to_be_visible()
    sim.wait_for(lambda e: e.payment is None)
    page.bring_to_front()  # this app followed the other's payment: it may show its end
    expect(page.locator(IDLE_OR_RESULT)).to_have_count(1)
    if page.get_by_test_id("screen-result").is_visible():
        done(page, sim)
    to_sale(page, "10")
    sim.call(lambda: sim.engine.power_off(4.0))
    expect(page.get_by_test_id("engine-offline")).to_be_visible()
    at("offline")
    expect(page.get_by_test_id("engine-offline")).to_be_hidden(timeout=20_000)
    page.get_by_test_id("sale-back").click()
    sim.call(lambda: sim.engine.power_off(4.0))
    expect(page.get_by_test_id("out-of-service")).to_be_visible()
    at("offline-idle")  # the banner above, "Fuera de servicio temporalmente" and no start
    expect(page.get_by_test_id("start")).to_be_visible(timeout=20_000)
    return seen

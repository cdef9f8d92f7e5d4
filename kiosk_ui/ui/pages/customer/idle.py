"""The idle screen: the shop's brand, an attract loop within the engine's screensettings, the clock,
and the big start button. Touching anywhere starts a sale.

While no payment can be taken (engine away, no payment method works, the journal cannot write) it says
"Fuera de servicio temporalmente" in place of the start button, and touching starts nothing."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from ....state import ScreenConfig
from ...components.brand import brand_mark
from ...components.eyes import eyes
from ...components.pictogram import pictogram
from ...theme import tid
from .texts import Texts

#: the idle screen's "how to pay" slide, one entry per step: (pictograms, caption key)
HOW_STEPS = ((("bill-slot", "card-tap"), "how_2"), (("change-tray", "receipt-qr"), "how_3"))
HOW_ICON = 112


class IdleView:
    def __init__(self, texts: Texts, *, logo_url: str, brand_name: str, cart: bool,
                 on_start: Callable[[], None]) -> None:  # fmt: skip
        self.texts = texts
        self.root = tid(ui.column().classes("kiosk-screen kiosk-idle w-full items-center no-wrap"), "screen-idle")
        self.root.on("click", on_start)
        with self.root:
            brand_mark(logo_url, brand_name, texts.lang, size=160, classes="kiosk-idle-brand")
            with ui.element("div").classes("kiosk-attract").props("data-attract"):
                with ui.column().classes("kiosk-slide is-on items-center").props('data-slide aria-hidden="false"'):
                    self.eyes = tid(eyes(texts("eyes_label")), "eyes")
                    self.cta = tid(ui.label("").classes("kiosk-cta"), "cta-message")
                with ui.column().classes("kiosk-slide items-center").props('data-slide aria-hidden="true"'):
                    texts.label("how_title", "kiosk-how-title")
                    with ui.row().classes("kiosk-how no-wrap justify-center"):
                        steps = (((), "how_1_cart" if cart else "how_1"), *HOW_STEPS)
                        for n, (names, key) in enumerate(steps, start=1):
                            with ui.column().classes("kiosk-how-step items-center"):
                                ui.label(str(n)).classes("kiosk-step-dot").props('aria-hidden="true"')
                                with ui.row().classes("kiosk-how-pics no-wrap gap-1 items-center"):
                                    if not names:  # step 1: the keypad (or the items) on this screen
                                        icon = "touch_app" if cart else "dialpad"
                                        ui.icon(icon).classes("kiosk-how-icon").props('aria-hidden="true"')
                                    for name in names:
                                        pictogram(name, size=HOW_ICON, lang=texts.lang)
                                texts.label(key, "kiosk-how-text")
            self.clock = tid(ui.column().classes("items-center gap-1"), "clock")
            with self.clock:
                ui.label("").classes("kiosk-clock").props("data-kiosk-clock")
                ui.label("").classes("kiosk-date").props("data-kiosk-date")
            self.start = texts.button("touch_to_start", "start", on_start, classes="kiosk-big-btn kiosk-start")
            self.out_of_service = tid(
                ui.column().classes("kiosk-card kiosk-out items-center no-wrap"), "out-of-service"
            )
            self.out_of_service.props.update({"role": "status"})
            with self.out_of_service:
                ui.icon("block").classes("kiosk-out-icon").props('aria-hidden="true"')
                texts.label("out_of_service", "kiosk-out-title").props('role="heading" aria-level="1"')
                texts.label("out_of_service_help", "kiosk-out-help text-center")

    def render(self, screen: ScreenConfig, *, in_service: bool) -> None:
        """Show only what the engine's screensettings allow (the attract loop skips what is hidden), and
        the start button only while a payment can be taken."""
        self.start.set_visibility(in_service)
        self.out_of_service.set_visibility(not in_service)
        self.cta.set_text(screen.cta_message or self.texts("default_cta"))
        self.cta.set_visibility(screen.show_cta)
        self.eyes.set_visibility(screen.show_eyes)
        self.clock.set_visibility(screen.show_time)

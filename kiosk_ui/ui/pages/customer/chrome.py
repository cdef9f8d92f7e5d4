"""The customer screen's top bar: the shop's small brand (on every screen but idle) and the three-step
progress; and the bar of the customer's switches at the bottom: accessibility (high contrast, large
text), voice, language.
Plus the brand's accent colour applied to the page."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from ...components.brand import brand_mark
from ...theme import tid
from .guidance import Guidance
from .texts import Texts

#: theme.head()'s colours, chosen for AA contrast with white text
KEPT_COLOURS = {"positive": "#047857", "negative": "#b91c1c", "warning": "#92400e"}


def brand_colours(accent: str) -> None:
    """The shop's accent for buttons and highlights (config.py checked it keeps white text at AA contrast)."""
    ui.colors(primary=accent, **KEPT_COLOURS)  # ui.colors resets every colour it is not given
    ui.add_css(f":root {{ --kiosk-brand: {accent}; }}")


class Toggles:
    def __init__(self, texts: Texts, guide: Guidance, *, on_language: Callable[[str], None], logo_url: str,
                 brand_name: str) -> None:  # fmt: skip
        self.texts, self.guide, self.on_language = texts, guide, on_language
        self.a11y = False
        with ui.row().classes("kiosk-topbar w-full items-center no-wrap"):
            self.mini_brand = brand_mark(logo_url, brand_name, texts.lang, size=56, classes="kiosk-mini-brand")
        # the switches sit at the bottom of the screen (customer.css: ``order``), in reach of a seated
        # customer or a child on the portrait kiosk; first in the page's order for keyboard and screen reader
        with (
            ui.row().classes("kiosk-toggles-bar w-full items-center justify-center no-wrap"),
            ui.row().classes("kiosk-toggles items-center no-wrap"),
        ):
            self.a11y_button = tid(
                    ui.button(icon="contrast", on_click=self.toggle_a11y, color="grey-9").props("round unelevated")
                    .classes("kiosk-icon-btn"),
                    "a11y-toggle",
                )  # fmt: skip
            self.voice_button = tid(
                    ui.button(icon="record_voice_over", on_click=self.toggle_voice, color="grey-9")
                    .props("round unelevated").classes("kiosk-icon-btn"),
                    "voice-toggle",
                )  # fmt: skip
            self.lang_button = texts.button("switch_language", "lang-toggle", self.toggle_language,
                                                classes="kiosk-lang-btn", color="grey-9")  # fmt: skip
        #: where the shell puts the progress (its own full-width row under the bar)
        self.progress_slot = ui.row().classes("kiosk-progress-row w-full justify-center")
        self._label()

    def _label(self) -> None:
        texts = self.texts
        self.a11y_button.props.update({"aria-label": texts("a11y_on" if self.a11y else "a11y_off"),
                                       "aria-pressed": "true" if self.a11y else "false"})  # fmt: skip
        voice = self.guide.voice
        self.voice_button.props.update({"aria-label": texts("voice_on" if voice else "voice_off"),
                                        "aria-pressed": "true" if voice else "false",
                                        "icon": "record_voice_over" if voice else "voice_over_off"})  # fmt: skip
        self.a11y_button.update()
        self.voice_button.update()

    def toggle_a11y(self) -> None:
        self.a11y = not self.a11y
        self.guide.scripts.run(f"window.kioskA11y && window.kioskA11y({'true' if self.a11y else 'false'})")
        self._label()

    def reset_a11y(self) -> None:
        """Back to the standard view for the next customer (the switch is one person's choice)."""
        if self.a11y:
            self.toggle_a11y()

    def reset(self, *, voice: bool) -> None:
        """The next customer's switches: standard view, and the configured voice."""
        self.reset_a11y()
        if self.guide.voice != voice:
            self.toggle_voice()

    def toggle_voice(self) -> None:
        self.guide.toggle_voice()
        self._label()

    def toggle_language(self) -> None:
        self.on_language("en" if self.texts.lang == "es" else "es")
        self._label()

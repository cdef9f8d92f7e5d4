"""The customer screen's words: every label and button remembers its i18n key, so a language
switch re-translates them all in one pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from ...i18n import t
from ...theme import tid


class Texts:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._tracked: list[tuple[Any, str]] = []

    def __call__(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def track(self, element: Any, key: str) -> Any:
        """Re-translate ``element``'s text (``set_text``) with ``key`` on every language switch."""
        self._tracked.append((element, key))
        return element

    def label(self, key: str, classes: str = "") -> ui.label:
        return self.track(ui.label(self(key)).classes(classes), key)

    def button(self, key: str, test_id: str, on_click: Callable[..., Any], classes: str = "kiosk-big-btn",
               color: str = "primary") -> ui.button:  # fmt: skip
        button = tid(ui.button(self(key), on_click=on_click, color=color).classes(classes), test_id)
        return self.track(button, key)

    def switch(self, lang: str) -> None:
        self.lang = lang
        for element, key in self._tracked:
            element.set_text(self(key))

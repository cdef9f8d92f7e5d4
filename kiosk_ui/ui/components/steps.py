"""The customer's three-step progress: amount (or products) → payment → done.

An ordered list (``<ol>``) with the current step marked ``aria-current="step"``, so a screen reader
hears where the customer is; the look is in kiosk.css (``.kiosk-steps``).
"""

from __future__ import annotations

from nicegui import ui

from ..i18n import t
from ..theme import attrs, tid

STEPS = 3


class Progress:
    def __init__(self) -> None:
        self.root = tid(ui.element("ol").classes("kiosk-steps"), "progress")
        self.items: list[ui.element] = []
        self.names: list[ui.label] = []
        with self.root:
            for n in range(1, STEPS + 1):
                with tid(ui.element("li").classes("kiosk-step"), f"progress-step-{n}") as item:
                    ui.label(str(n)).classes("kiosk-step-dot").props('aria-hidden="true"')
                    self.names.append(ui.label("").classes("kiosk-step-name"))
                self.items.append(item)
        self._shown: tuple[int, str, bool] | None = None

    def show(self, step: int, lang: str, *, cart: bool) -> None:
        """Mark ``step`` (1-3) current, the ones before it done. Sends nothing when nothing changed."""
        if self._shown == (step, lang, cart):
            return
        self._shown = (step, lang, cart)
        attrs(self.root, {"aria-label": t("progress", lang)})
        names = ("step_products" if cart else "step_amount", "step_pay", "step_done")
        for n, (item, name) in enumerate(zip(self.items, self.names, strict=True), start=1):
            name.set_text(t(names[n - 1], lang))
            state = "is-current" if n == step else "is-done" if n < step else "is-todo"
            item.classes(replace=f"kiosk-step {state}")
            if n == step:
                item.props('aria-current="step"')
            else:
                item.props(remove="aria-current")

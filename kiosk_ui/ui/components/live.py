"""Labels for figures that change with every coin, updated without a page re-render.

A NiceGUI element update makes the browser replace the element in Vue's store and re-render
the page's tree. On the kiosk's two cores, with several screens open, that cost per coin
queued the customer's new credit behind other pages' renders (≈300 ms at p95 with ten
screens). A live label instead writes its new text straight into its DOM text node
(``window.kioskLive`` in kiosk.js) and updates NiceGUI's model *quietly*, so a reload or a
later full update of the element still renders the right text.

The browser finds a live label by its own ``data-live`` attribute (its key), never by a test id, among the
page's ``kiosk-live`` elements (a collection the browser keeps current, cheaper per coin than a selector
search through the whole page).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from nicegui import ui

from .scripts import Scripts


class LiveLabel(ui.label):
    _quiet = False

    def __init__(self, text: str = "", *, key: str) -> None:
        super().__init__(text)
        self.key = key
        self.classes("kiosk-live")
        self.props.update({"data-live": key})

    def _handle_text_change(self, text: str) -> None:
        if self._quiet:
            self._text_to_model_text(text)  # the model only: the browser was told by kioskLive
        else:
            super()._handle_text_change(text)

    def set_quietly(self, text: str) -> None:
        self._quiet = True
        try:
            self.text = text
        finally:
            self._quiet = False


def push_live(scripts: Scripts, labels: Iterable[tuple[LiveLabel, str]]) -> None:
    """Show ``(label, text)`` figures now, in one call, changing only what changed."""
    pairs = list(labels)
    changed = {label.key: text for label, text in pairs if label.text != text}
    if not changed:
        return
    scripts.run(f"window.kioskLive && window.kioskLive({json.dumps(changed)})")
    for label, text in pairs:
        if label.key in changed:
            label.set_quietly(text)

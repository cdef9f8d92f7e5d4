"""Our own pictograms (``assets/img/*.svg``, served under ``/kiosk-assets/img/``) as plain ``<img>`` elements.

Each picture shows the customer where to act: the bill slot, the coin slot, the card terminal (insert or
tap), the change tray, the receipt QR; ``logo-default`` stands in for a merchant logo. ``pulse=True`` adds
the ``pulse`` class of ``kiosk.css``: a gentle scale and fade (transform and opacity only, so the
compositor runs it without re-layout), four times and then still (an endless pulse kept the browser
compositing every frame), switched off under ``prefers-reduced-motion``.
"""

from __future__ import annotations

from nicegui import ui

from ..i18n import t

PICTOGRAMS = ("bill-slot", "coin-slot", "card-insert", "card-tap", "change-tray", "receipt-qr", "logo-default")
DEFAULT_SIZE = 96  # CSS pixels; the drawings are made on a 96 × 96 grid


def pictogram_url(name: str) -> str:
    if name not in PICTOGRAMS:
        raise ValueError(f"unknown pictogram {name!r}; known: {', '.join(PICTOGRAMS)}")
    return f"/kiosk-assets/img/{name}.svg"


def pictogram(name: str, *, pulse: bool = False, size: int = DEFAULT_SIZE, lang: str = "es",
              photo: str = "") -> ui.element:  # fmt: skip
    """An ``<img>`` of pictogram ``name`` at ``size`` CSS pixels square, its alt text in ``lang`` (es or en);
    ``photo``: the URL of a photo of the real thing to show instead of the drawing (same alt text)."""
    if size <= 0:
        raise ValueError(f"pictogram size must be positive, got {size}")
    image = ui.element("img").classes("kiosk-pictogram kiosk-photo" if photo else "kiosk-pictogram")
    image.props.update(
        src=photo or pictogram_url(name), alt=t(f"pictogram_{name}", lang), width=size, height=size, draggable="false"
    )
    if pulse:
        image.classes("pulse")
    return image

"""The idle screen's friendly eyes: inline SVG moved by kiosk.js at a low frame rate.

The face (``[data-kiosk-eyes]``) squashes for a blink every few seconds and its pupils (a second SVG laid
over the whites) look around. Both are HTML boxes of their own compositor layer (``will-change: transform``
in kiosk.css) and only their ``transform`` changes, so a pose costs the browser a composite: no layout, no
paint. kiosk.js writes a new pose about 15 times a second only while the eyes move, holds still between
moves, and stops while the eyes are hidden or the page is: an endless CSS animation had Chromium draw 60
frames a second all day (about 4 % of a core without a GPU, benchmarks/latency.py --idle-browser).
"""

import html

from nicegui import ui

from ..i18n import t

EYES_SVG = """
<div class="kiosk-eyes-face" role="img" aria-label="{label}" data-kiosk-eyes>
  <svg class="kiosk-eyes-whites" viewBox="0 0 420 200" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">
    <ellipse cx="110" cy="100" rx="85" ry="90" fill="#ffffff" stroke="#0f172a" stroke-width="8"/>
    <ellipse cx="310" cy="100" rx="85" ry="90" fill="#ffffff" stroke="#0f172a" stroke-width="8"/>
  </svg>
  <svg class="kiosk-eyes-pupils" viewBox="0 0 420 200" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">
    <circle cx="110" cy="108" r="34" fill="#0b5fff"/><circle cx="110" cy="108" r="16" fill="#0f172a"/>
    <circle cx="122" cy="96" r="8" fill="#ffffff"/>
    <circle cx="310" cy="108" r="34" fill="#0b5fff"/><circle cx="310" cy="108" r="16" fill="#0f172a"/>
    <circle cx="322" cy="96" r="8" fill="#ffffff"/>
  </svg>
</div>
"""


def eyes_svg(lang: str = "es", label: str | None = None) -> str:
    """The eyes' markup (SVG), named ``label`` for assistive technology (default: their name in ``lang``)."""
    name = t("eyes_label", lang) if label is None else label
    return EYES_SVG.replace("{label}", html.escape(name, quote=True))


def eyes(label: str | None = None, *, lang: str = "es") -> ui.html:
    """The eyes, named ``label`` (the caller's translation) or else by their name in ``lang``."""
    return ui.html(eyes_svg(lang, label), sanitize=False).classes("kiosk-eyes")

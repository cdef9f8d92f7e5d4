"""The idle screen's friendly eyes: an inline SVG animated by CSS in the browser.

``.lid`` squashes the eyes for a blink every few seconds; ``.pupils`` look around.
"""

import html

from nicegui import ui

from ..i18n import t

EYES_SVG = """
<svg viewBox="0 0 420 200" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">
  <g class="lid">
    <ellipse cx="110" cy="100" rx="85" ry="90" fill="#ffffff" stroke="#0f172a" stroke-width="8"/>
    <ellipse cx="310" cy="100" rx="85" ry="90" fill="#ffffff" stroke="#0f172a" stroke-width="8"/>
    <g class="pupils">
      <circle cx="110" cy="108" r="34" fill="#0b5fff"/><circle cx="110" cy="108" r="16" fill="#0f172a"/>
      <circle cx="122" cy="96" r="8" fill="#ffffff"/>
      <circle cx="310" cy="108" r="34" fill="#0b5fff"/><circle cx="310" cy="108" r="16" fill="#0f172a"/>
      <circle cx="322" cy="96" r="8" fill="#ffffff"/>
    </g>
  </g>
</svg>
"""


def eyes_svg(lang: str = "es", label: str | None = None) -> str:
    """The eyes' SVG, named ``label`` for assistive technology (default: their name in ``lang``)."""
    name = t("eyes_label", lang) if label is None else label
    return EYES_SVG.replace("{label}", html.escape(name, quote=True))


def eyes(label: str | None = None, *, lang: str = "es") -> ui.html:
    """The eyes, named ``label`` (the caller's translation) or else by their name in ``lang``."""
    return ui.html(eyes_svg(lang, label), sanitize=False).classes("kiosk-eyes")

"""The page frame shared by every screen: styles, scripts, DEMO mark, engine-offline banner."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from nicegui import ui
from nicegui.element import Element

from .i18n import t

STATIC_DIR = Path(__file__).parent / "static"


PACKAGE_DIR = Path(__file__).resolve().parent.parent


def find_assets_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """Where the sounds and pictograms are: ``kiosk_ui/assets/`` inside an installed wheel (the build
    copies the repository's top-level ``assets/`` there), else the checkout's ``assets/`` beside the
    package (an editable install or a plain checkout)."""
    candidates = (package_dir / "assets", package_dir.parent / "assets")
    for candidate in candidates:
        if (candidate / "sounds").is_dir():
            return candidate
    raise FileNotFoundError(f"kiosk-ui assets not found in {' nor '.join(map(str, candidates))}")


ASSETS_DIR = find_assets_dir()

E = TypeVar("E", bound=Element)


def tid(element: E, test_id: str, *extra_markers: str) -> E:
    """Give an element its ``data-testid`` (docs/contract.md), and the same NiceGUI marker so the
    ``user`` test fixture finds it by the same name as a browser test does."""
    attrs(element, {"data-testid": test_id})
    element.mark(test_id, *extra_markers)
    return element


def attrs(element: E, values: Mapping[str, str]) -> E:
    """Set props/attributes from values, never by formatting text into a props string: NiceGUI parses a
    props string and runs any ``:``-prefixed prop as JavaScript, so a quote in a product's description
    would end the attribute and start code. The text here stays text, whatever it holds."""
    element.props.update(values)
    return element


def head() -> None:
    """Styles and browser helpers, once per page. Colours chosen for WCAG AA with white text."""
    ui.colors(primary="#0b4fd6", positive="#047857", negative="#b91c1c", warning="#92400e")
    ui.add_head_html(
        '<link rel="stylesheet" href="/kiosk-static/kiosk.css">'
        '<script src="/kiosk-static/kiosk.js"></script>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
    )


def demo_mark(demo: bool) -> None:
    if demo:
        tid(ui.label("DEMO").classes("kiosk-demo"), "demo-mark")


def offline_banner(lang: Callable[[], str]) -> ui.label:
    banner = tid(ui.label(t("engine_offline", lang())).classes("kiosk-banner"), "engine-offline")
    banner.props('role="alert"')
    return banner

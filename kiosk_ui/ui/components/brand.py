"""The merchant's brand on the customer screen: logo and name from ``[brand]`` (config.py).

The logo file is served at ``/kiosk-brand/logo<ext>``; without one the default drawing
``assets/img/logo-default.svg`` stands in. Photos of the cabinet's real bill and coin slots, when the
owner gives them, are served at ``/kiosk-brand/bill-slot<ext>`` and ``/kiosk-brand/coin-slot<ext>``.
"""

from __future__ import annotations

from nicegui import app, ui

from ...config import BrandConfig
from ..i18n import t
from .pictogram import pictogram_url

LOGO_ROUTE = "/kiosk-brand/logo"


def serve_logo(brand: BrandConfig) -> str:
    """Publish the configured logo (once per process) and return its URL; the default logo's URL without one."""
    if brand.logo is None:
        return pictogram_url("logo-default")
    url = LOGO_ROUTE + brand.logo.suffix.lower()
    app.add_static_file(local_file=brand.logo, url_path=url)
    return url


def serve_slot_photos(brand: BrandConfig) -> dict[str, str]:
    """Publish the photos of the real bill and coin slots (once per process): pictogram name -> URL."""
    photos: dict[str, str] = {}
    for name, path in (("bill-slot", brand.bill_slot_photo), ("coin-slot", brand.coin_slot_photo)):
        if path is not None:
            url = f"/kiosk-brand/{name}{path.suffix.lower()}"
            app.add_static_file(local_file=path, url_path=url)
            photos[name] = url
    return photos


def brand_mark(url: str, name: str, lang: str, *, size: int, classes: str = "") -> ui.row:
    """Logo and name side by side (the name is the text; a logo alone says it is the shop's logo)."""
    with ui.row().classes(f"kiosk-brand items-center no-wrap {classes}") as row:
        logo = ui.element("img").classes("kiosk-brand-logo")
        logo.props.update(src=url, alt="" if name else t("pictogram_logo-default", lang), width=size, height=size)
        if name:
            ui.label(name).classes("kiosk-brand-name")
    return row

"""Pairing a tablet: the Wi-Fi QR (if configured) and the staff area's address as a QR."""

from __future__ import annotations

import socket

from nicegui import ui

from ....config import Config
from ...components.receipt import qr_svg
from ...theme import attrs, tid
from .base import StaffText

#: The kiosk Wi-Fi's factory password, as the vendor manual gives it.
DEFAULT_WIFI_PASSWORD = "abcdefgh"


def lan_address() -> str:
    """The kiosk's LAN address as other devices see it (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def wifi_qr_text(ssid: str, password: str) -> str:
    def esc(text: str) -> str:
        return "".join("\\" + c if c in '\\;,:"' else c for c in text)

    return f"WIFI:T:WPA;S:{esc(ssid)};P:{esc(password)};;"


def wifi_warning(config: Config, say: StaffText) -> None:
    """The manual's default Wi-Fi password lets anyone nearby reach the engine's open port."""
    if config.wifi_password == DEFAULT_WIFI_PASSWORD:
        text = say("Aviso de seguridad: la red Wi-Fi del equipo usa la contraseña de fábrica «abcdefgh». "
                   "Cualquiera cerca puede entrar a la red y enviar instrucciones al motor (puerto 8080). "
                   "Cámbiela en el router y en la configuración ([wifi] password).")  # fmt: skip
        tid(ui.label(text).classes("w-full kiosk-alert kiosk-alert-bad").props('role="alert"'), "wifi-default-warning")


def tablet_view(config: Config, say: StaffText) -> None:
    url = config.public_url or f"http://{lan_address()}:{config.port}/admin"
    with tid(ui.element("div").classes("admin-tablet w-full"), "tablet-qr"):
        if config.wifi_ssid:
            with ui.column().classes("admin-panel items-center"):
                qr = ui.html(qr_svg(wifi_qr_text(config.wifi_ssid, config.wifi_password)), sanitize=False)
                attrs(qr.classes("kiosk-qr"), {"role": "img", "aria-label": say("Código QR de la red Wi-Fi")})
                ui.label(say("1. Unirse a la red «{ssid}»", ssid=config.wifi_ssid)).classes("text-center")
        with ui.column().classes("admin-panel items-center"):
            qr = ui.html(qr_svg(url), sanitize=False).classes("kiosk-qr")
            attrs(qr, {"role": "img", "aria-label": say("Código QR de la dirección del área de personal")})
            ui.label(say("{step}. Abrir {url}", step=2 if config.wifi_ssid else 1, url=url)).classes("text-center")

"""The idle screen's settings (``savescreensettings``), with a preview drawn by the real idle-screen parts."""

from __future__ import annotations

from nicegui import ui

from ....staff import StaffService
from ....staff.service import CTA_LIMIT
from ...components.eyes import eyes
from ...i18n import t
from ...theme import attrs, tid
from .base import Access, StaffText, staff_only


class ScreenView:
    def __init__(self, access: Access, service: StaffService, say: StaffText) -> None:
        self.access = access
        self.service = service
        self._ = say

    def build(self) -> None:
        _ = self._
        screen = self.service.state.screen
        with ui.element("div").classes("admin-screen-grid w-full"):
            with ui.column().classes("gap-2"):
                self.show_cta = tid(ui.switch(_("Mostrar mensaje"), value=screen.show_cta), "set-showcta")
                self.show_eyes = tid(ui.switch(_("Mostrar ojos"), value=screen.show_eyes), "set-showeyes")
                self.show_time = tid(ui.switch(_("Mostrar reloj"), value=screen.show_time), "set-showtime")
                too_long = _("Máximo {limit} caracteres", limit=CTA_LIMIT)
                self.message = tid(attrs(
                    ui.input(_("Mensaje"), value=screen.cta_message,
                             validation={too_long: lambda v: len(v or "") <= CTA_LIMIT})
                    .props("counter outlined").classes("w-full"), {"maxlength": str(CTA_LIMIT)}),
                    "set-ctamessage",
                )  # fmt: skip
                tid(ui.button(_("Guardar"), icon="save", on_click=self.save), "set-save")
            with ui.column().classes("gap-1 items-stretch"):
                ui.label(_("Vista previa")).classes("admin-caption")
                self._preview()

    def _preview(self) -> None:
        """The customer's idle screen in small: the same eyes, clock and message as the kiosk shows."""
        default = t("default_cta", self._.lang)
        with tid(ui.column().classes("admin-preview items-center justify-center gap-3"), "set-preview"):
            with ui.element("div").classes("admin-preview-eyes").bind_visibility_from(self.show_eyes, "value"):
                eyes(lang=self._.lang)
            cta = ui.label().classes("kiosk-cta")
            cta.bind_text_from(self.message, "value", backward=lambda v: (v or "").strip() or default)
            cta.bind_visibility_from(self.show_cta, "value")
            with ui.column().classes("items-center gap-0").bind_visibility_from(self.show_time, "value"):
                ui.label("").classes("kiosk-clock").props("data-kiosk-clock")
                ui.label("").classes("kiosk-date").props("data-kiosk-date")

    @staff_only
    async def save(self) -> None:
        text = (self.message.value or "").strip()
        shown = (bool(self.show_cta.value), bool(self.show_eyes.value), bool(self.show_time.value))
        problem = await self.service.save_screen(self.access.caller, *shown, text)
        if problem:
            ui.notify(self._(problem, limit=CTA_LIMIT), type="negative")
        else:
            ui.notify(self._("Pantalla guardada"), type="positive")

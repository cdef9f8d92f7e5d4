"""Recent alerts for the shop owner (webhooks, issue 14), and a test alert."""

from __future__ import annotations

from nicegui import ui

from ....alerts import AlertRecord, AlertService, title
from ...theme import tid
from .base import Access, StaffText, staff_only
from .journal_view import local_time

SHOWN_ALERTS = 20
DETAIL_CHARS = 80
DELIVERIES = {"pending": "pendiente", "sent": "enviada", "retrying": "reintentando", "failed": "falló",
              "no webhook": "sin webhook configurado"}  # fmt: skip


class AlertsView:
    def __init__(self, access: Access, alerts: AlertService, say: StaffText) -> None:
        self.access = access
        self.alerts = alerts
        self._ = say

    def build(self) -> None:
        with ui.row().classes("w-full justify-end"):
            tid(ui.button(self._("Enviar alerta de prueba"), icon="notifications", on_click=self.send_test),
                "alert-test")  # fmt: skip
        self.box = tid(ui.column().classes("w-full gap-1"), "alerts-list")
        self.render()

    def recorded(self, _record: AlertRecord) -> None:
        if not self.box.is_deleted:
            self.render()

    def render(self) -> None:
        _ = self._
        self.box.clear()
        with self.box:
            holding = self.alerts.holding()
            if holding:
                names = ", ".join(title(key, _.lang) for key in holding)
                ui.label(_("Activas: {alerts}", alerts=names)).classes("kiosk-alert kiosk-alert-bad")
            if not self.alerts.recent:
                ui.label(_("Sin alertas")).classes("admin-muted")
            for record in list(self.alerts.recent)[:SHOWN_ALERTS]:
                with tid(ui.element("div").classes("admin-alert-row"), "alert-row"):
                    ui.label(local_time(record.at, _.lang)).classes("tabular-nums")
                    status = _("Resuelta") if record.status == "resolved" else _("Activa")
                    if record.repeat:
                        status += " " + _("(recordatorio)")
                    ui.label(status)
                    ui.label(title(record.key, _.lang)).classes("font-semibold")
                    ui.label(record.detail[:DETAIL_CHARS]).classes("admin-muted")
                    ui.label(_(DELIVERIES.get(record.delivery, record.delivery)))

    @staff_only
    async def send_test(self) -> None:
        await self.alerts.send_test()
        ui.notify(self._("Alerta de prueba enviada"), type="positive")
        await self.access.service.audit(self.access.caller, "alert-test", "sent")

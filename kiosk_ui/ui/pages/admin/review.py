"""Payments to review (unknown outcome) and change owed to customers, each settled by staff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from ....journal import JournalError
from ....staff import StaffService
from ...theme import tid
from .base import Access, StaffText, heading, staff_only

DETAIL_CHARS = 80


def payment_heading(row: dict[str, Any], say: StaffText) -> str:
    """When and which payment, as staff and the customer's receipt QR name it (folio)."""
    return f"{row['created_at'][:16].replace('T', ' ')} · {say('folio')} {row['id'][:12].upper()}"


class ReviewView:
    def __init__(self, access: Access, service: StaffService, say: StaffText) -> None:
        self.access = access
        self.service = service
        self._ = say

    def build(self) -> None:
        _ = self._
        with ui.column().classes("admin-panel w-full gap-1"):
            heading(_("Pagos por revisar (resultado desconocido)"), 3)
            self.review_box = tid(ui.column().classes("w-full gap-1"), "review-list")
        with ui.column().classes("admin-panel w-full gap-1"):
            heading(_("Cambio pendiente a clientes"), 3)
            self.owed_box = tid(ui.column().classes("w-full gap-1"), "owed-list")

    async def render(self) -> None:
        _ = self._
        try:
            owed, review = await self.service.owed_and_review()
        except JournalError as exc:
            ui.notify(_("No se pudo leer la bitácora: {error}", error=exc), type="negative")
            return
        self.review_box.clear()
        with self.review_box:
            if not review:
                ui.label(_("Nada por revisar")).classes("admin-muted")
            for row in review:
                with tid(ui.row().classes("admin-row w-full items-center justify-between"), "review-row"):
                    method = _("Tarjeta" if row["method"] == "card" else "Efectivo")
                    ui.label(f"{payment_heading(row, _)} · {method} {_.money(Decimal(row['due']))}")
                    ui.label(row["detail"][:DETAIL_CHARS]).classes("admin-muted")
                    tid(ui.button(_("Revisado"), on_click=lambda pid=row["id"]: self.settle(pid)), "review-settle")
        self.owed_box.clear()
        with self.owed_box:
            if not owed:
                ui.label(_("Nada pendiente")).classes("admin-muted")
            for row in owed:
                with tid(ui.row().classes("admin-row w-full items-center justify-between"), "owed-row"):
                    ui.label(payment_heading(row, _))
                    ui.label(_.money(Decimal(row["shortfall"]))).classes("font-bold text-red-700")
                    tid(ui.button(_("Marcar pagado"), on_click=lambda pid=row["id"]: self.settle(pid)), "owed-settle")

    @staff_only
    async def settle(self, payment_id: str) -> None:
        await self.service.settle(self.access.caller, payment_id)
        await self.render()

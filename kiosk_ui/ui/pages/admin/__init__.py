"""The staff area at ``/admin``: a NIP gate, then status, actions, review, screen, catalog, journal, tablet.

One module per concern; every component gets what it needs as arguments and talks only to the
staff service (:class:`kiosk_ui.staff.StaffService`), never to the engine client or the journal.
"""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from nicegui import Client, app, ui

from .... import product_images
from ....alerts import AlertService
from ....config import Config
from ....staff import StaffService
from ....staff.actions import ACTIONS, Action
from .journal_view import EXPORT_ROUTE
from .shell import SECTIONS, AdminArea
from .tablet import lan_address, wifi_qr_text

__all__ = ["ACTIONS", "EXPORT_ROUTE", "SECTIONS", "Action", "AdminArea", "lan_address", "register", "wifi_qr_text"]


def _register_export_route(service: StaffService) -> None:
    @app.get(EXPORT_ROUTE + "/{token}", include_in_schema=False)
    def journal_export(token: str, request: Request) -> Response:
        address = request.client.host if request.client else ""
        alive = lambda sid: service.sessions.valid(sid, address, touch=False)  # noqa: E731 - the link dies at logout
        flt = service.exports.redeem(token, address, alive=alive)
        if flt is None:
            return PlainTextResponse("Enlace vencido o ya usado / link expired or used", status_code=404)
        name = f"bitacora-kiosk-{dt.date.today().isoformat()}.csv"
        return StreamingResponse(
            service.export_stream(flt, address),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )


def register(*, config: Config, service: StaffService, alerts: AlertService | None = None) -> None:
    """The ``/admin`` page, the product images and the CSV export route."""
    images = product_images.folder(config.data_dir)
    images.mkdir(parents=True, exist_ok=True)
    app.add_static_files(product_images.URL_PREFIX, images)
    _register_export_route(service)

    @ui.page("/admin", title="Administración · Quickpaymini")
    def admin_page(client: Client) -> None:
        AdminArea(config, service, alerts, client).build()

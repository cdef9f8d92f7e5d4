"""One upload route for the whole app, instead of one per upload widget (issue 22, item 4).

NiceGUI's ``ui.upload`` registers a FastAPI route per widget whose handler closes over the widget, so
over its page; FastAPI's caches keep that route's dependencies after the route is removed, and with
them every staff page that ever showed the catalog form (31 pages alive for one open tab, RSS
85 → 280 MB after 150 open/close cycles). :class:`Upload` is the same Quasar uploader posting to one
app-level route, :data:`ROUTE`, that looks the widget up by client and element id at the time of the
request: nothing outlives its page. The route sits behind :class:`~kiosk_ui.upload_limit.UploadLimit`
like NiceGUI's own.
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import HTTPException, Request
from nicegui import Client, ui
from nicegui.elements.upload_files import create_file_upload
from starlette.datastructures import UploadFile

#: the one upload route: /kiosk-upload/{client id}/{element id}
PREFIX = "/kiosk-upload/"
ROUTE = PREFIX + "{client_id}/{element_id}"


class Upload(ui.upload):
    """``ui.upload`` (same props, events and browser component) without a route of its own."""

    def __init__(self, *, label: str = "", auto_upload: bool = False, max_files: int | None = None,
                 max_file_size: int | None = None, on_upload: Any = None, on_rejected: Any = None) -> None:  # fmt: skip
        # ui.upload.__init__ would register the per-widget route: set up its parts here instead
        super(ui.upload, self).__init__(label=label)  # the label and disableable mixins
        self._props.set_bool("auto-upload", auto_upload)
        self._props["url"] = f"{PREFIX}{self.client.id}/{self.id}"
        self._props.set_optional("max-file-size", max_file_size)
        self._props.set_optional("max-files", max_files)
        self._begin_upload_handlers = []
        self._upload_handlers = [on_upload] if on_upload else []
        self._multi_upload_handlers = []
        if on_rejected:
            self.on_rejected(on_rejected)

    def _handle_delete(self) -> None:
        super(ui.upload, self)._handle_delete()  # no route to remove


def register(app: Any) -> None:
    """The app-level route every :class:`Upload` posts to."""

    @app.post(ROUTE, include_in_schema=False)
    async def upload(request: Request, client_id: str, element_id: str) -> dict[str, str]:
        client = Client.instances.get(client_id)
        element = client.elements.get(int(element_id)) if client is not None and element_id.isdigit() else None
        if not isinstance(element, Upload) or element.is_ignoring_events:
            raise HTTPException(status_code=404, detail="no such upload")
        async with request.form() as form:
            files = [await create_file_upload(cast(UploadFile, data)) for data in form.values()]
        await element.handle_uploads(files)
        return {"upload": "success"}

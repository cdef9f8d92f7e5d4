"""Uploads are cut off while they arrive, not after: an ASGI middleware on NiceGUI's upload routes.

NiceGUI's ``max_file_size`` is checked by the browser only; a hostile client can send anything.
This counts the request body as it streams in and answers 413 as soon as it passes the limit,
so a 300 MB upload costs at most ``limit`` bytes of work and nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from .access import App, Receive, Scope, Send
from .errors import KioskError

log = logging.getLogger(__name__)


class _TooLarge(KioskError):
    pass


def is_upload(path: str) -> bool:
    """NiceGUI's per-widget upload routes, and the app's one (ui/components/upload.py)."""
    return path.startswith("/kiosk-upload/") or (path.startswith("/_nicegui/client/") and "/upload/" in path)


class UploadLimit:
    def __init__(self, app: App, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_upload(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > self.limit:
            await self._refuse(send, declared)
            return
        received = 0
        started = False

        async def counting_receive() -> MutableMapping[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, received)

    async def _refuse(self, send: Send, size: int) -> None:
        self.refused += 1
        log.warning("upload refused: more than %d bytes (%d seen)", self.limit, size)
        body = b'{"detail":"file too large"}'
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

"""The screens' socket to the app as a browser gets it: no per-message compression (issue 23). The app and its
screens share one PC; deflating every small update cost the server about 0.4 ms per screen and update (py-spy,
benchmarks/latency.py --profile) and the browser an inflate, to save nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from websockets.asyncio.client import connect

from devtools import AppProcess


def test_the_screens_socket_is_not_compressed(tmp_path: Path) -> None:
    app = AppProcess(["demo"], tmp_path / "demo")
    try:
        app.wait_connected(timeout=30)
        url = app.base.replace("http", "ws") + "/_nicegui_ws/socket.io/?EIO=4&transport=websocket"

        async def extensions() -> str | None:
            async with connect(url, compression="deflate") as socket:  # offered, as Chromium offers it
                assert socket.response is not None
                return socket.response.headers.get("Sec-WebSocket-Extensions")

        assert asyncio.run(extensions()) is None
    finally:
        app.stop()

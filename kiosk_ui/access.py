"""Who may use what, by client address (UI_CONTRACT.md "Routes").

The address is the TCP peer the server saw (``request.client.host``), never a header a browser
sends: uvicorn only rewrites it from ``X-Forwarded-For`` when the connection itself comes from a
trusted proxy on the kiosk (loopback by default).
"""

from __future__ import annotations

import html
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .config import Config


def loopback(host: str | None) -> bool:
    """The kiosk itself: 127.0.0.0/8, ::1 or an IPv4-mapped loopback."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def trusted(host: str | None, config: Config) -> bool:
    """May ``host`` use the customer screen (and /sim, /metrics)? Loopback or listed in the config."""
    if loopback(host):
        return True
    if not host:
        return False
    allowed = getattr(config, "allowed_addresses", ())
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


AWAY_PAGE = """<!doctype html>
<html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Quickpaymini</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#0f172a}}
a{{display:inline-block;margin-top:1rem;padding:.8rem 1.4rem;background:#1d4ed8;color:#fff;border-radius:.5rem;
text-decoration:none;font-size:1.2rem}}</style></head>
<body data-testid="not-this-screen">
<h1>Esta pantalla es solo para el cajero</h1>
<p>La pantalla del cliente solo se muestra en el propio cajero. Si usted es parte del personal,
entre a la administración.</p>
<p lang="en">The customer screen is shown on the kiosk itself only. Staff: open the staff area.</p>
<a href="/admin" data-testid="go-admin">Administración · Staff area</a>
<p style="color:#64748b;font-size:.8rem">{address}</p>
</body></html>"""


def away_page(host: str | None) -> str:
    return AWAY_PAGE.format(address=html.escape(host or ""))


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class AddressGate:
    """ASGI middleware: in ``run`` mode, ``/`` and ``/sim`` answer a short page to other addresses."""

    def __init__(self, app: App, config: Config) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.config.demo and scope.get("path", "").rstrip("/") in ("", "/sim"):
            client = scope.get("client")
            host = client[0] if client else None
            if not trusted(host, self.config):
                body = away_page(host).encode("utf-8")
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode()),
                                        (b"cache-control", b"no-store")]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

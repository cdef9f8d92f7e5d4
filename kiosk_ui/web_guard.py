"""Defence in depth on every HTTP request and socket (issue 22, items 4 and 7): an ASGI middleware.

- **Host allowlist** (DNS rebinding): the ``Host`` header must name this machine: a loopback name or
  address, the address the connection arrived on (so any LAN address of the machine), the machine's
  host name, or ``public_url``'s host. Anything else gets 421 and reaches no page.
- **No framing**: ``Content-Security-Policy: frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` on
  every answer, and ``X-Content-Type-Options: nosniff``.
- **socket.io from the app's own pages only**: a WebSocket or socket.io request whose ``Origin`` is
  not the host it was sent to is refused (NiceGUI's socket.io accepts any origin with credentials).
- **Page builds per address**: a non-loopback address may have NiceGUI build at most
  :attr:`PageBudget.per_window` pages per :attr:`PageBudget.window` seconds (each ``GET /admin``
  builds a whole page the server keeps until the browser connects or the page is pruned), and hold at
  most :attr:`PageBudget.sockets` WebSockets at once; loopback is never counted.
"""

from __future__ import annotations

import socket
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .access import App, Receive, Scope, Send, loopback

SECURITY_HEADERS = [
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
]
#: loopback names, and the wildcard addresses a browser on the machine itself may be pointed at
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "127.0.0.1", "::1", "0.0.0.0", "::"}
#: paths that are not pages: static files, NiceGUI's own routes, uploads, health and metrics
NOT_PAGES = ("/_nicegui", "/kiosk-static", "/kiosk-assets", "/product-images", "/kiosk-upload", "/health",
             "/metrics", "/favicon")  # fmt: skip


def machine_names() -> set[str]:
    """This machine's host names and the addresses they resolve to (no packet leaves the machine)."""
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    for name in list(names):
        try:
            names |= {str(info[4][0]).lower() for info in socket.getaddrinfo(name, None)}
        except OSError:
            continue
    return {n for n in names if n}


def host_name(header: str) -> str:
    """The host of a ``Host``/``Origin`` value, lower case, without port or IPv6 brackets."""
    value = header.strip().lower()
    if "://" in value:
        value = value.split("://", 1)[1]
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass
class PageBudget:
    window: float = 10.0
    per_window: int = 40
    sockets: int = 32
    clock: Any = time.monotonic
    builds: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    open_sockets: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: int = 0

    def may_build(self, host: str) -> bool:
        now = self.clock()
        recent = self.builds[host]
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.per_window:
            self.refused += 1
            return False
        recent.append(now)
        if len(self.builds) > 10_000:  # forget idle addresses: the table itself stays bounded
            for key in [k for k, v in self.builds.items() if not v or v[-1] <= now - self.window]:
                del self.builds[key]
        return True


class WebGuard:
    def __init__(self, app: App, *, public_url: str = "", names: Iterable[str] = (),
                 budget: PageBudget | None = None) -> None:  # fmt: skip
        self.app = app
        public = urlsplit(public_url).hostname if public_url else None
        self.allowed = LOOPBACK_NAMES | {n.lower() for n in names} | ({public.lower()} if public else set())
        self.budget = budget or PageBudget()

    def host_allowed(self, scope: Scope, host: str) -> bool:
        server = scope.get("server")
        return host in self.allowed or (server is not None and host == str(server[0]).lower())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        host = host_name(headers.get(b"host", ""))
        if not self.host_allowed(scope, host):
            await self._refuse(scope, send, 421, b"unknown host")
            return
        path = scope.get("path", "")
        origin = headers.get(b"origin")
        socket_request = scope["type"] == "websocket" or path.startswith("/_nicegui_ws")
        if socket_request and origin is not None and (origin == "null" or host_name(origin) != host):
            await self._refuse(scope, send, 403, b"cross-origin socket refused")
            return
        client = scope.get("client")
        peer = str(client[0]) if client else ""
        if not loopback(peer):
            if scope["type"] == "websocket":
                await self._socket(scope, receive, send, peer)
                return
            if scope.get("method") == "GET" and not path.startswith(NOT_PAGES) and not self.budget.may_build(peer):
                await self._refuse(scope, send, 429, b"too many pages from this address, try again shortly")
                return
        await self.app(scope, receive, self._with_headers(send))

    async def _socket(self, scope: Scope, receive: Receive, send: Send, peer: str) -> None:
        budget = self.budget
        if budget.open_sockets[peer] >= budget.sockets:
            budget.refused += 1
            await send({"type": "websocket.close", "code": 1013})
            return
        budget.open_sockets[peer] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            budget.open_sockets[peer] -= 1
            if budget.open_sockets[peer] <= 0:
                del budget.open_sockets[peer]

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return sending

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, text: bytes) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(text)).encode()), (b"cache-control", b"no-store"),
                                *SECURITY_HEADERS]})  # fmt: skip
        await send({"type": "http.response.body", "body": text})

"""Bounded connections (issue 22, item 5): uvicorn's HTTP protocol with a header deadline and caps.

uvicorn starts no timer when a connection opens: a client that never finishes its request headers is
held forever (1,000 such connections from one LAN address: 1,026 descriptors, none closed after 60 s),
and ``limit_concurrency`` counts only requests whose headers arrived, and would starve the kiosk's own
screen too. :func:`guarded_protocol` wraps uvicorn's HTTP protocol class so that

- a request's headers must be complete within :attr:`Limits.header_seconds` of its first byte (or of
  the connection), else the connection is closed; keep-alive idling is uvicorn's ``timeout_keep_alive``;
- a non-loopback address holds at most :attr:`Limits.per_address` connections, and all non-loopback
  addresses together at most :attr:`Limits.remote_total`: above that a new connection gets a short
  503 and is closed at once (Windows' ``select()`` loop stops at 512 sockets);
- loopback (the kiosk's own customer screen) is never capped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .access import loopback

log = logging.getLogger(__name__)

BUSY = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\nretry-after: 5\r\n\r\n"


@dataclass
class Limits:
    header_seconds: float = 10.0
    per_address: int = 128
    remote_total: int = 384
    open_by_address: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    timed_out: int = 0

    def admit(self, host: str | None) -> bool:
        if loopback(host):
            return True
        key = host or "?"
        if self.open_by_address[key] >= self.per_address or self.remote() >= self.remote_total:
            self.refused += 1
            if self.refused in (1, 10, 100) or self.refused % 1000 == 0:
                log.warning("connection from %s refused: %d open from it, %d from other addresses (%d refused)",
                            key, self.open_by_address[key], self.remote(), self.refused)  # fmt: skip
            return False
        self.open_by_address[key] += 1
        return True

    def release(self, host: str | None) -> None:
        if loopback(host):
            return
        key = host or "?"
        self.open_by_address[key] -= 1
        if self.open_by_address[key] <= 0:
            del self.open_by_address[key]

    def remote(self) -> int:
        return sum(self.open_by_address.values())


def _peer(transport: asyncio.BaseTransport) -> str | None:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else None


def guarded_protocol(base: type[Any], limits: Limits) -> type[asyncio.Protocol]:
    """``base`` (uvicorn's h11 or httptools protocol) with the header deadline and the caps of ``limits``."""

    class Guarded(base):  # type: ignore[misc, valid-type]
        _guard_host: str | None = None
        _guard_admitted = False
        _guard_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            host = _peer(transport)
            if not limits.admit(host):
                transport.write(BUSY)
                transport.close()
                return
            self._guard_host, self._guard_admitted = host, True
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if not self._guard_admitted:
                return  # refused at the door: uvicorn never saw it
            self._disarm()
            self._guard_admitted = False
            limits.release(self._guard_host)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._guard_timer is None and self._between_requests():
                self._arm()  # the first byte of a new request on a kept-alive connection
            super().data_received(data)
            if not self._between_requests():
                self._disarm()  # the headers are in: the request runs

        def _between_requests(self) -> bool:
            cycle = getattr(self, "cycle", None)
            return cycle is None or bool(cycle.response_complete)

        def _arm(self) -> None:
            self._disarm()
            self._guard_timer = self.loop.call_later(limits.header_seconds, self._headers_late)

        def _disarm(self) -> None:
            if self._guard_timer is not None:
                self._guard_timer.cancel()
                self._guard_timer = None

        def _headers_late(self) -> None:
            self._guard_timer = None
            transport = self.transport
            if transport.get_protocol() is not self or transport.is_closing() or not self._between_requests():
                return  # upgraded to a WebSocket, closing already, or a request is running
            limits.timed_out += 1
            transport.close()

    Guarded.__name__ = f"Guarded{base.__name__}"
    return Guarded


def uvicorn_options(limits: Limits) -> dict[str, Any]:
    """Keyword arguments for ``ui.run`` (passed on to uvicorn)."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    return {"http": guarded_protocol(AutoHTTPProtocol, limits), "timeout_keep_alive": 5, "backlog": 512}

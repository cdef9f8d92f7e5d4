"""Keepalive for an engine that may block: the original ``index.html`` never pinged, so no engine was ever
exercised with pings, and a C# engine whose receive loop waits on the card terminal answers nothing (not even
a pong) for many seconds, exactly while a payment is charging.

Rules (docs/protocol.md, "Connection"):
- a ping every ``ping_interval`` s; any frame or pong counts as "heard";
- outside a payment, ``silence_timeout`` s without hearing anything drops the connection (then reconnect);
- while a payment is charging, silence never drops the connection (the approval would go to a dead socket);
  after ``silent_alert`` s it is shown to staff (:attr:`Keepalive.silent_in_payment`), never to the customer.

Durations are measured on a monotonic clock (injectable for tests): a wall-clock step changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Literal

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

log = logging.getLogger(__name__)

#: defaults that no browser-era engine can trip: a ping every 20 s, a drop after 60 s of silence
PING_INTERVAL = 20.0
SILENCE_TIMEOUT = 60.0
SILENT_ALERT = 30.0

Verdict = Literal["ok", "ping", "drop"]


class Keepalive:
    """What one connection's watch decides at a moment; the client acts on it (:meth:`check`)."""

    def __init__(self, ping_interval: float = PING_INTERVAL, silence_timeout: float = SILENCE_TIMEOUT,
                 silent_alert: float = SILENT_ALERT, clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        if not 0 < ping_interval < silence_timeout or silent_alert <= 0:
            raise ValueError("keepalive: need 0 < ping_interval < silence_timeout and silent_alert > 0")
        self.ping_interval = ping_interval
        self.silence_timeout = silence_timeout
        self.silent_alert = silent_alert
        self.clock = clock
        self.last_heard = clock()
        self.last_ping = self.last_heard
        #: the engine has been silent longer than ``silent_alert`` during a payment (for the staff status page)
        self.silent_in_payment = False
        #: how many times that happened since start (for metrics)
        self.silent_episodes = 0

    def reset(self) -> None:
        """A new connection: nothing owed yet."""
        self.last_heard = self.last_ping = self.clock()
        self.silent_in_payment = False

    def heard(self) -> None:
        """A frame or a pong arrived."""
        self.last_heard = self.clock()
        if self.silent_in_payment:
            log.info("engine answers again after a silence during a payment")
        self.silent_in_payment = False

    @property
    def silence(self) -> float:
        """Seconds since the engine was last heard."""
        return max(0.0, self.clock() - self.last_heard)

    def check(self, charging: bool) -> Verdict:
        """ "drop" (silent too long outside a payment), "ping" (one is due) or "ok"."""
        now = self.clock()
        silence = now - self.last_heard
        if charging:
            if silence >= self.silent_alert and not self.silent_in_payment:
                self.silent_in_payment = True
                self.silent_episodes += 1
                log.warning("engine silent for %.0f s during a payment (not dropped: it may be waiting on a device)",
                            silence)  # fmt: skip
        elif silence >= self.silence_timeout:
            return "drop"
        if now - self.last_ping >= self.ping_interval:
            self.last_ping = now
            return "ping"
        return "ok"

    @property
    def step(self) -> float:
        """How often :meth:`check` should run."""
        return max(0.02, min(self.ping_interval, self.silent_alert, self.silence_timeout) / 4)


class KeepaliveWatch:
    """The keepalive side of :class:`kiosk_ui.engine.client.EngineClient` (a mixin: it runs :meth:`_watch` on
    each connection, feeds :meth:`Keepalive.heard` from every frame and pong and keeps ``engine_charging``)."""

    keepalive: Keepalive
    #: the engine's last word on ``cobrando`` (status/sockets); with :attr:`charging`, what the keepalive asks
    engine_charging: bool
    #: set by the app: True while a payment of ours is in progress (the engine may not have said so yet)
    charging: Callable[[], bool] | None

    @property
    def payment_charging(self) -> bool:
        """A payment is charging, as the engine last said or as the app knows it."""
        return self.engine_charging or (self.charging is not None and self.charging())

    async def _watch(self, connection: ClientConnection) -> None:
        """Ping, and drop a connection silent for too long, but never while a payment is charging."""
        keepalive = self.keepalive
        while True:
            await asyncio.sleep(keepalive.step)
            verdict = keepalive.check(self.payment_charging)
            if verdict == "drop":
                log.warning("engine silent for %.0f s outside a payment: dropping the connection", keepalive.silence)
                await connection.close(1011, "keepalive timeout")
                return
            if verdict == "ping":
                with contextlib.suppress(ConnectionClosed):
                    pong = await connection.ping()
                    asyncio.ensure_future(pong).add_done_callback(self._pong)

    def _pong(self, done: asyncio.Future[float]) -> None:
        if not done.cancelled() and done.exception() is None:
            self.keepalive.heard()

"""The kiosk's own customer screen: a browser on this PC (loopback) showing ``/``.

NiceGUI tells us when a client connects and disconnects; we keep the set of loopback
customer screens and since when there has been none. Nothing polls.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from .listeners import Listeners


def is_loopback(host: str | None) -> bool:
    try:
        address = ipaddress.ip_address((host or "").split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or (
        isinstance(address, ipaddress.IPv6Address) and bool(address.ipv4_mapped and address.ipv4_mapped.is_loopback)
    )


class ScreenWatch:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._screens: set[str] = set()
        #: monotonic time since which no kiosk screen has been connected (the app start at first)
        self.missing_since: float | None = clock()
        self._listeners: Listeners[bool] = Listeners("screen watch")

    def on_change(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        return self._listeners.add(callback)

    @property
    def connected(self) -> bool:
        return bool(self._screens)

    def missing_seconds(self) -> float:
        return 0.0 if self.missing_since is None else max(0.0, self.clock() - self.missing_since)

    def connect(self, client_id: str, path: str, host: str | None) -> None:
        if path != "/" or not is_loopback(host):
            return
        was = self.connected
        self._screens.add(client_id)
        self.missing_since = None
        if not was:
            self._listeners.emit(True)

    def disconnect(self, client_id: str) -> None:
        if client_id not in self._screens:
            return
        self._screens.discard(client_id)
        if not self._screens:
            self.missing_since = self.clock()
            self._listeners.emit(False)

"""The customer screen's timers on one clock, so a test can drive time instead of waiting for it.

Every delay on the customer screen (the "¿Sigue ahí?" question and its countdown, the result screen's
time, the journal re-check while out of service) goes through a :class:`Clock`. The app uses the event
loop's (:class:`LoopClock`); tests put a manual clock in :data:`CLOCK` (``tests/helpers.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol


class Handle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle: ...


class LoopClock:
    """The running event loop's monotonic clock."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        return asyncio.get_running_loop().call_later(delay, callback)


#: the clock new customer screens use (one per process; a test replaces it before the page is built)
CLOCK: Clock = LoopClock()

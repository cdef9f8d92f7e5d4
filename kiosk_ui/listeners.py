"""A list of callbacks that one failing callback cannot break (engine events reach every screen)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Listeners(Generic[T]):
    def __init__(self, what: str) -> None:
        self.what = what
        self._callbacks: list[Callable[[T], None]] = []

    def add(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Subscribe; returns the function that unsubscribes (for a page that goes away)."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def emit(self, value: T) -> None:
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception:
                log.exception("%s listener failed", self.what)

"""Products by code: the keyboard-wedge scanner's lookups and where the engine's replies go."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from ....engine import EngineUnavailable
from ....kiosk import Kiosk
from ....protocol import Message
from ....protocol import messages as m

#: seconds to wait for the engine's productinfo before saying the product was not found
SCAN_ANSWER_SECONDS = 4.0
MAX_CODE = 64


class ScanTarget(Protocol):
    @property
    def pending_scans(self) -> dict[str, asyncio.TimerHandle]: ...

    @property
    def connected(self) -> bool: ...

    @property
    def is_local(self) -> bool: ...

    def on_product(self, info: m.ProductInfo) -> None: ...


class ScanRouter:
    """Where a ``productinfo`` goes. A reply to a screen's own scan (keyboard wedge) goes back to
    that screen only; one nobody asked for (the engine's own scanner) goes to the kiosk's own
    screen only: the first connected screen open on the kiosk PC, else the first connected one."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.screens: list[ScanTarget] = []
        kiosk.on_message(self._on_message)

    def add(self, screen: ScanTarget) -> Callable[[], None]:
        self.screens.append(screen)
        return lambda: self.screens.remove(screen) if screen in self.screens else None

    def target(self, code: str) -> ScanTarget | None:
        asked = [screen for screen in self.screens if code in screen.pending_scans]
        if asked:
            return asked[0]
        # a closed tab lingers until NiceGUI deletes its client: prefer screens still connected
        live = [screen for screen in self.screens if screen.connected] or self.screens
        local = [screen for screen in live if screen.is_local]
        candidates = local or live
        return candidates[0] if candidates else None

    def _on_message(self, message: Message) -> None:
        if isinstance(message, m.ProductInfo) and message.code:
            screen = self.target(message.code)
            if screen is not None:
                screen.on_product(message)


class Lookups:
    """One tab's outstanding product lookups: ask the engine, and say "not found" if it never answers."""

    def __init__(
        self, kiosk: Kiosk, *, on_error: Callable[..., None], answer_seconds: float = SCAN_ANSWER_SECONDS
    ) -> None:
        self.kiosk = kiosk
        self.on_error = on_error
        self.answer_seconds = answer_seconds
        self.pending: dict[str, asyncio.TimerHandle] = {}

    async def ask(self, code: str) -> None:
        try:
            await self.kiosk.send(m.GetProduct(code))
        except EngineUnavailable:
            self.on_error("err_offline")
            return
        loop = asyncio.get_running_loop()
        if code in self.pending:
            self.pending[code].cancel()
        self.pending[code] = loop.call_later(self.answer_seconds, lambda: self._unanswered(code))

    def answered(self, code: str) -> None:
        timer = self.pending.pop(code, None)
        if timer:
            timer.cancel()

    def _unanswered(self, code: str) -> None:
        if self.pending.pop(code, None) is not None:
            self.on_error("product_not_found", code=code)

    def close(self) -> None:
        for timer in self.pending.values():
            timer.cancel()
        self.pending.clear()

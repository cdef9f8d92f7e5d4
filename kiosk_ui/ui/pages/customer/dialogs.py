"""The customer's two questions: "cancel the payment?" and "are you still there?" (WCAG 2.2.1:
the customer is warned and given ``timeout_answer`` seconds, at least 20, to ask for more time)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from ...i18n import money
from ...theme import tid
from .texts import Texts


def modal(dialog: ui.dialog) -> ui.dialog:
    """While ``dialog`` is open, the page behind it is ``inert``: out of reach of touch, keyboard and
    assistive technology (Quasar only dims it)."""

    def follow(event: ValueChangeEventArguments) -> None:
        dialog.client.run_javascript(f"window.kioskInert && window.kioskInert({'true' if event.value else 'false'})")

    dialog.on_value_change(follow)
    return dialog


class CancelDialog:
    """Asks before cancelling; remembers which payment it asked about, so a "yes" never cancels another."""

    def __init__(self, texts: Texts, *, on_confirm: Callable[[str], Awaitable[None]]) -> None:
        self.texts = texts
        self.on_confirm = on_confirm
        #: the payment the open question is about (None: no question open)
        self.payment_id: str | None = None
        with (
            modal(ui.dialog().props("persistent")) as self.dialog,
            tid(ui.card().classes("kiosk-dialog"), "cancel-dialog").props('role="alertdialog" aria-modal="true"'),
        ):
            texts.label("cancel_confirm_title", "kiosk-title").props('role="heading" aria-level="2"')
            self.text = ui.label("").classes("text-2xl")
            with ui.row().classes("gap-4 justify-end w-full no-wrap"):
                texts.button("cancel_no", "confirm-cancel", self.close, classes="kiosk-big-btn grow", color="grey-8")
                texts.button("cancel_yes", "confirm-ok", self._confirm, classes="kiosk-big-btn grow", color="negative")

    def ask(self, payment_id: str, credit: Decimal) -> None:
        self.payment_id = payment_id
        self.text.set_text(self.texts("cancel_confirm_text", amount=money(credit)))
        self.dialog.open()

    def close(self) -> None:
        self.payment_id = None
        self.dialog.close()

    async def _confirm(self) -> None:
        payment_id = self.payment_id
        self.close()
        if payment_id is not None:
            await self.on_confirm(payment_id)


class TimeoutGuard:
    """After ``idle_seconds`` without a touch, warn; without an answer in ``answer_seconds``, end the sale."""

    def __init__(self, texts: Texts, *, idle_seconds: float, answer_seconds: int,
                 still_selling: Callable[[], bool], on_warn: Callable[[], None],
                 on_expire: Callable[[], None]) -> None:  # fmt: skip
        self.texts = texts
        self.idle_seconds, self.answer_seconds = idle_seconds, answer_seconds
        self.still_selling, self.on_warn, self.on_expire = still_selling, on_warn, on_expire
        self._warn_timer: asyncio.TimerHandle | None = None
        self._expire_timer: asyncio.TimerHandle | None = None
        with (
            modal(ui.dialog().props("persistent")) as self.dialog,
            tid(ui.card().classes("kiosk-dialog"), "timeout-warning").props('role="alertdialog" aria-modal="true"'),
        ):
            texts.label("timeout_title", "kiosk-title").props('role="heading" aria-level="2"')
            self.text = ui.label("").classes("text-2xl")
            texts.button("timeout_continue", "timeout-continue", self.keep, classes="kiosk-big-btn w-full")

    def arm(self) -> None:
        """A touch: start counting again."""
        self.stop()
        self._warn_timer = asyncio.get_running_loop().call_later(self.idle_seconds, self._warn)

    def stop(self) -> None:
        for timer in (self._warn_timer, self._expire_timer):
            if timer:
                timer.cancel()
        self._warn_timer = self._expire_timer = None
        self.dialog.close()

    def keep(self) -> None:
        self.dialog.close()
        if self.still_selling():
            self.arm()

    def _warn(self) -> None:
        if not self.still_selling():
            return
        self.text.set_text(self.texts("timeout_text", seconds=self.answer_seconds))
        self.dialog.open()
        self.on_warn()
        self._expire_timer = asyncio.get_running_loop().call_later(self.answer_seconds, self._expired)

    def _expired(self) -> None:
        self.dialog.close()
        if self.still_selling():
            self.on_expire()

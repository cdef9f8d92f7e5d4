"""The customer's two questions: "cancel the payment?" and "are you still there?" (WCAG 2.2.1:
the customer is warned and given ``timeout_answer`` seconds, at least 20, counted down on the screen,
to ask for more time)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from ...i18n import money
from ...theme import tid
from .texts import Texts
from .timers import Clock, Handle


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
    """After ``idle_seconds`` of quiet, ``on_quiet()`` decides; :meth:`ask` puts the question "¿Sigue ahí?"
    with a live countdown of ``answer_seconds``. "Sí, continuar" keeps it (``on_keep``); "No, terminar" or
    no answer in time ends it (``on_end(kind)``, asked again whether it still applies at expiry).

    ``kind`` is what would end: ``"sale"`` (the amount being keyed in) or ``"payment"`` (a payment into
    which nothing was inserted). Timers run on ``clock`` (a test drives it)."""

    def __init__(self, texts: Texts, clock: Clock, *, idle_seconds: float, answer_seconds: int,
                 on_quiet: Callable[[], None], on_keep: Callable[[], None],
                 still: Callable[[str], bool], on_end: Callable[[str], None]) -> None:  # fmt: skip
        self.texts, self.clock = texts, clock
        self.idle_seconds, self.answer_seconds = idle_seconds, answer_seconds
        self.on_quiet, self.on_keep, self.still, self.on_end = on_quiet, on_keep, still, on_end
        #: what the open question would end ("" when none is open)
        self.kind = ""
        self.left = 0
        self._quiet_timer: Handle | None = None
        self._tick_timer: Handle | None = None
        with (
            modal(ui.dialog().props("persistent")) as self.dialog,
            tid(ui.card().classes("kiosk-dialog"), "timeout-warning").props('role="alertdialog" aria-modal="true"'),
        ):
            texts.label("timeout_title", "kiosk-title").props('role="heading" aria-level="2"')
            self.text = tid(ui.label("").classes("kiosk-dialog-text"), "timeout-text")
            self.count = tid(ui.label("").classes("kiosk-countdown"), "timeout-seconds")
            self.count.props.update({"aria-hidden": "true"})  # read once in the sentence, not every second
            with ui.column().classes("w-full gap-4"):
                texts.button("timeout_continue", "timeout-continue", self.keep, classes="kiosk-big-btn w-full")
                texts.button("timeout_end", "timeout-end", self.end_now, classes="kiosk-big-btn w-full",
                             color="grey-9")  # fmt: skip

    def arm(self) -> None:
        """A touch (or money, or a new screen): start counting the quiet again."""
        self.stop()
        self._quiet_timer = self.clock.call_later(self.idle_seconds, self._quiet)

    def stop(self) -> None:
        for timer in (self._quiet_timer, self._tick_timer):
            if timer:
                timer.cancel()
        self._quiet_timer = self._tick_timer = None
        self.kind = ""
        self.dialog.close()

    def ask(self, kind: str) -> None:
        self.kind = kind
        self.left = self.answer_seconds
        self.text.set_text(self.texts(f"timeout_text_{kind}", seconds=self.answer_seconds))
        self._show_left()
        self.dialog.open()
        self._tick_timer = self.clock.call_later(1, self._tick)

    def keep(self) -> None:
        self.stop()
        self.on_keep()

    def end_now(self) -> None:
        kind = self.kind
        self.stop()
        if kind and self.still(kind):
            self.on_end(kind)

    def _quiet(self) -> None:
        self._quiet_timer = None
        self.on_quiet()

    def _show_left(self) -> None:
        self.count.set_text(self.texts("timeout_left", seconds=self.left))

    def _tick(self) -> None:
        self.left -= 1
        if self.left > 0:
            self._show_left()
            self._tick_timer = self.clock.call_later(1, self._tick)
        else:
            self._tick_timer = None
            self.end_now()

"""The customer's intents that reach the kiosk service: pay (from the sale, or again from a decline or a
failed start, same amount, one tap) and cancel (after the question, naming its payment).

A mixin of :class:`~.shell.CustomerScreen` (kept apart so each stays small); it uses the shell's parts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from nicegui import ui

from ....engine import EngineUnavailable
from ....kiosk import Kiosk, PaymentRefused, PaymentResult
from .hooks import Phase, ShellHooks
from .result import retry_offered

if TYPE_CHECKING:
    from .dialogs import CancelDialog
    from .guidance import Guidance
    from .result import ResultView
    from .selling import Selling
    from .texts import Texts


class Intents(ShellHooks):
    kiosk: Kiosk
    phase: Phase
    result: PaymentResult | None
    texts: Texts
    guide: Guidance
    selling: Selling
    cancel_dialog: CancelDialog
    result_view: ResultView
    _starting: bool
    _last_sale: tuple[Decimal, list[dict[str, object]]]

    async def pay(self, method: Literal["cash", "card"]) -> None:
        if self.phase != "sale" or self._starting:
            return
        total = self.selling.sale.total
        if total <= 0:
            self.selling.hint("hint_enter_amount")
            return
        self._last_sale = (total, self.selling.sale.lines())
        await self._start(method, total, self._last_sale[1])

    async def retry(self, method: Literal["cash", "card"]) -> None:
        """After a decline or a failed start: the same amount again, by ``method``, in one tap."""
        result = self.result
        if self.phase != "result" or result is None or self._starting or not retry_offered(result):
            return
        amount, lines = self._last_sale
        await self._start(method, result.due, lines if amount == result.due else [])

    async def _start(self, method: Literal["cash", "card"], total: Decimal, lines: list[dict[str, object]]) -> None:
        self.guide.sound("touch")
        self._starting = True
        self.render()
        before = self.result
        try:
            result = await self.kiosk.start_payment(method, total, lines)
        except PaymentRefused as exc:
            self._starting = False
            if self.phase == "result":
                self.result_view.reason.set_text(self.texts(exc.reason))
                self.result_view.reason.set_visibility(True)
            else:
                self.selling.hint(exc.reason)
            self.guide.sound("error")
            self.render()
            return
        self._starting = False
        if result is not None and self.result is before:  # never acknowledged, and not shown yet
            self.result = result
            self._go("result")
            self.guide.sound("error")
        elif result is None and self.phase in ("sale", "result") and self.kiosk.payment is not None:
            self._go("payment")  # the state notice may still be on its way (coalesced to a frame)

    # ------------------------------------------------------------------ cancel
    def ask_cancel(self) -> None:
        payment = self.kiosk.payment
        if payment is None or payment.phase not in ("starting", "charging"):
            return  # nothing this screen can cancel
        self.cancel_dialog.ask(payment.id, payment.credit)
        self.guide.say(self.texts("say_cancel_question"))

    async def confirm_cancel(self, payment_id: str) -> None:
        try:
            # the intent names its payment: a cancel is never sent for another one, or for none
            await self.kiosk.cancel("1", payment_id=payment_id)
        except EngineUnavailable:
            ui.notify(self.texts("err_offline"), type="negative")

"""The customer screen off the happy path: nobody answers, or somebody needs a person.

- "¿Sigue ahí?": after ``sale_timeout`` of quiet on a sale, or on a cash payment into which nothing was
  inserted, the question with its countdown; no answer (or "No, terminar") ends the sale, or cancels the
  payment through the kiosk's cancel intent (naming that payment) and goes back to idle.
- A payment with money in it is never cancelled for the customer: after the same quiet the screen says to
  call staff, and staff get an alert (once per payment).
- "Llamar al encargado" on an error or unknown result raises a staff alert naming the folio.

A mixin of :class:`~.shell.CustomerScreen` (kept apart so each stays small); it uses the shell's parts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ....config import Config
from ....engine import EngineUnavailable
from ....kiosk import Kiosk, PaymentResult
from ....tasks import spawn
from ...components.receipt import folio
from ...i18n import money, t
from .hooks import Phase, ShellHooks

if TYPE_CHECKING:
    from .dialogs import CancelDialog, TimeoutGuard
    from .guidance import Guidance
    from .payment import PaymentView
    from .result import ResultView
    from .texts import Texts

log = logging.getLogger(__name__)

#: call_staff(alert key, detail) -> whether the alert went out (alerts service: webhook and staff status)
CallStaff = Callable[[str, str], bool]


class Unanswered(ShellHooks):
    kiosk: Kiosk
    config: Config
    phase: Phase
    result: PaymentResult | None
    call_staff: CallStaff | None
    texts: Texts
    guide: Guidance
    timeout: TimeoutGuard
    cancel_dialog: CancelDialog
    payment: PaymentView
    result_view: ResultView
    _abandoned: str | None
    _stall_alerted: str | None

    def _question_applies(self, kind: str) -> bool:
        """Whether "¿Sigue ahí?" may end ``kind`` now: a sale not yet paying, or a cash payment with nothing in."""
        if kind == "sale":
            return self.phase == "sale" and not self.kiosk.busy
        payment = self.kiosk.payment
        return (self.phase == "payment" and payment is not None and payment.method == "cash"
                and payment.phase == "charging" and payment.credit <= 0)  # fmt: skip

    def _quiet(self) -> None:
        payment = self.kiosk.payment
        for kind in ("sale", "payment"):
            if self._question_applies(kind):
                self.cancel_dialog.close()
                self.timeout.ask(kind)
                self.guide.say(self.texts("say_timeout"))
                return
        if self.phase == "payment" and payment is not None and payment.credit > 0:
            # money is in: never cancelled for the customer; they are told to call staff, and staff are told
            self.payment.stall(payment.credit)
            if self._stall_alerted != payment.id:
                self._stall_alerted = payment.id
                detail = t("alert_stalled", self.config.language, amount=money(payment.credit),
                           due=money(payment.due), folio=payment.id[:12].upper())  # fmt: skip
                self._alert("payment_stalled", detail)

    def _keep(self) -> None:
        self._touched()

    def _end(self, kind: str) -> None:
        payment = self.kiosk.payment
        if kind == "sale":
            self._go("idle")
        elif payment is not None:
            self._abandoned = payment.id
            spawn(self._abandon(payment.id))

    async def _abandon(self, payment_id: str) -> None:
        with contextlib.suppress(EngineUnavailable):  # the engine's next word ends it; the screen shows that
            await self.kiosk.cancel("1", payment_id=payment_id)

    def _alert(self, key: str, detail: str) -> bool:
        if self.call_staff is None:
            return False
        try:
            return self.call_staff(key, detail)
        except Exception:  # a broken alert path must not break the customer's screen
            log.exception("staff alert %s not raised", key)
            return False

    def call_help(self) -> None:
        """ "Llamar al encargado" on an error or unknown result: a staff alert naming the folio."""
        result = self.result
        if self.phase != "result" or result is None:
            return
        detail = t("alert_help", self.config.language, screen=t(f"outcome_{result.outcome}", self.config.language),
                   folio=folio(result))  # fmt: skip
        self.result_view.helped(self._alert("help_call", detail))

    def _touched(self) -> None:
        self.guide.sound("touch")
        self.timeout.arm()

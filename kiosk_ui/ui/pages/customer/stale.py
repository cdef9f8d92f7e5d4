"""The customer screen and an engine "charging" that comes to nothing of ours.

A multi-threaded engine may send a ``status`` it built before our last command (docs/protocol.md,
"Transport"): right after a cancel ended the customer's payment, a status that still says charging, with that
sale's money. The payment machine asks the engine before it believes it; the screen must not believe it either:

- on the result screen, an engine "charging" with no payment behind it (none ours, none adopted) leaves the
  customer's result where it is;
- a payment screen left with no payment behind it (the engine idle again, nothing adopted) goes back to the
  last result still showing, or to idle, after a short grace, and only once no outcome is on its way (an
  outcome is published after its journal write; while the journal cannot write it is kept and retried).

A mixin of :class:`~.shell.CustomerScreen` (kept apart so each stays small); it uses the shell's parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ....kiosk import Kiosk, PaymentResult
from .hooks import Phase, ShellHooks
from .timers import Clock, Handle

if TYPE_CHECKING:
    from ....last_result import LastResult

#: seconds a payment screen with no payment behind it waits for a result before it goes back
EMPTY_PAYMENT_GRACE = 2.0


class StaleCharging(ShellHooks):
    kiosk: Kiosk
    clock: Clock
    phase: Phase
    result: PaymentResult | None
    last: LastResult
    _empty_timer: Handle | None = None

    def _empty_payment(self) -> bool:
        """A payment screen with no payment behind it: none ours, none adopted, the engine not charging."""
        return self.phase == "payment" and not self.kiosk.busy and self.kiosk.payment is None

    def watch_empty_payment(self) -> None:
        """On an empty payment screen, look again after the grace (one look at a time)."""
        if self._empty_payment() and self._empty_timer is None:
            self._empty_timer = self.clock.call_later(EMPTY_PAYMENT_GRACE, self._leave_empty_payment)

    def _leave_empty_payment(self) -> None:
        self._empty_timer = None
        if not self._empty_payment():
            return
        if self.kiosk.outcome_pending:  # its result is coming (or waits for the journal): keep waiting for it
            self.watch_empty_payment()
            return
        shown = self.last.current(self.clock.now())
        if shown is not None:
            self.result = shown.result
            self._go("result")
        else:
            self._go("idle")

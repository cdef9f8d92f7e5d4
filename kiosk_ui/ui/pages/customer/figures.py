"""A coin on the payment screen changes its live figures and nothing else.

An ``updateCredit`` changes the payment's credit (and the engine's Credit and Due), nothing else a payment
screen shows; running every setter of the screen again for it cost about 0.17 ms per screen and coin, ten
screens on the kiosk's two cores (issue 23). So the shell keeps the *shape* of what it last drew in full:
everything a full render reads, with what moves with a coin taken out: the money figures (keeping whether
anything remains to pay, which decides the slots' pulse), the engine's status line (not shown here) and the
change level (keeping whether it is low). A state change of the same shape only pushes the three live figures, with the
coin's sound and the quiet timer's restart; any other change (the phase, a device, the connection, the
payment's phase, the language, service...) gets the full render.

A mixin of :class:`~.shell.CustomerScreen` (kept apart so each stays small); it uses the shell's parts.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import fields
from decimal import Decimal
from operator import attrgetter

from ....kiosk import ActivePayment, Kiosk
from ....state import KioskState
from ...components.scripts import Scripts
from .availability import in_service
from .dialogs import TimeoutGuard
from .guidance import Guidance
from .hooks import Phase
from .payment import PaymentView, figures
from .texts import Texts

#: what moves with a coin: the money figures, the engine's status line (not shown here) and the change level
#: (shown only as low or not); the shape keeps every other field (read in C: a coin's cost, on every screen)
_MOVES = ("credit", "due", "status_text", "change_level")
_STATE_KEPT = attrgetter(*(f.name for f in fields(KioskState) if f.name not in _MOVES))
_PAYMENT_KEPT = attrgetter(*(f.name for f in fields(ActivePayment) if f.compare and f.name not in _MOVES))


class LiveFigures:
    kiosk: Kiosk
    phase: Phase
    texts: Texts
    scripts: Scripts
    payment: PaymentView
    guide: Guidance
    timeout: TimeoutGuard
    shown_credit: Decimal
    _starting: bool
    #: the shape of the last full render (None: none yet, or not a payment screen with a payment)
    _drawn: Hashable | None = None

    def _shape(self) -> Hashable | None:
        """What the full render of a payment screen shows, but its live figures; None off that screen."""
        payment = self.kiosk.payment
        if self.phase != "payment" or payment is None:
            return None
        state = self.kiosk.state
        remaining, level = figures(state, payment)[2], state.change_level
        return (self.phase, self._starting, self.texts.lang, in_service(self.kiosk), remaining > 0,
                level is not None and level.is_low, _STATE_KEPT(state), _PAYMENT_KEPT(payment))  # fmt: skip

    def _drew_in_full(self) -> None:
        self._drawn = self._shape()

    def _figures_only(self) -> bool:
        """Show a change that moves only the live figures, and say so (False: it needs the full render)."""
        shape = self._shape()
        if shape is None or shape != self._drawn:
            return False
        with self.scripts.batched():
            self._took_credit(self.payment.show_figures(self.kiosk.state, self.kiosk.payment)[0])
        return True

    def _took_credit(self, credit: Decimal) -> None:
        """The credit now shown: money that came in clinks and restarts the count of the quiet."""
        if credit > self.shown_credit:
            self.guide.sound("coin")
            self.payment.stall(None)
            self.timeout.arm()  # money came: the customer is there; count the quiet again
        self.shown_credit = credit

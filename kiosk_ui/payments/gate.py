"""Two facts the arbiter (:mod:`.arbiter`) reads beside the payment machine's state; it decides nothing itself.

- A start being checked: from the first check until the payment exists (the journal check awaits a
  thread), cash-moving staff commands wait, so a refill never goes out ahead of its ``paycash``.
- A refill this kiosk sent (``cashrefill``, outside a payment) that no ``cancel`` has ended: the engine
  may never report a refill as charging, so no customer payment starts meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..protocol import Message
from ..protocol import messages as m


class StartGate:
    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self.on_change = on_change
        self.reserved = False
        self.refilling = False

    @contextmanager
    def reserve(self) -> Iterator[None]:
        self.reserved = True
        try:
            yield
        finally:
            self.reserved = False

    def sent(self, message: Message, *, payment_active: bool) -> None:
        """Note a frame that left (``on_change`` is called when the refill state changed)."""
        if isinstance(message, m.CashRefill) and not self.refilling and not payment_active:
            # (one sent over a payment, on staff's explicit override, is that exception's own: it does not hold
            # the kiosk after the payment, where only a cancel outside a payment could release it)
            self.refilling = True
            self.on_change()
        elif isinstance(message, m.Cancel) and self.refilling and not payment_active:
            self.refilling = False  # 'Terminar dotación' (cancel "2"), or any cancel outside a payment
            self.on_change()

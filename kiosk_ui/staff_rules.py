"""Pure rules for commands that move cash (PROTOCOL.md, "Semantics: staff"). No I/O here.

- Cash-moving commands (``opendoor``, ``cashcollect``, ``resetbalance``, ``shutdown``,
  ``cashrefill`` and ``cancel`` of any value) are refused while a customer payment is in
  progress, unless the sender confirms an explicit override.
- ``cancel`` with the "keep the money" value (``"2"`` by default: it ends a refill) is never
  sent over a customer payment, override or not: it would keep the customer's money.

:func:`may_send` is asked by the staff area before it offers an action, and again by the
engine client right before any frame leaves (the last line), so no screen can bypass it.
"""

from __future__ import annotations

from .protocol import Message
from .protocol import messages as m

#: Commands that move cash, whatever their field values.
CASH_MOVING: tuple[type[Message], ...] = (
    m.OpenDoor, m.CashCollect, m.ResetBalance, m.Shutdown, m.CashRefill, m.Cancel,
)  # fmt: skip

#: Reasons, in staff (es-MX) text; the staff area translates them.
REFUSED_KEEPS_MONEY = (
    "Hay un cobro en curso: «Terminar dotación» (cancelar sin devolver) nunca se envía durante un cobro."
)
REFUSED_BUSY = "Hay un cobro en curso: esta acción mueve efectivo y podría afectar al cliente."


def is_cash_moving(message: Message) -> bool:
    return isinstance(message, CASH_MOVING)


def keeps_money(message: Message, keep_values: frozenset[str] = frozenset({"2"})) -> bool:
    """A ``cancel`` whose value cancels without returning the money inserted."""
    return isinstance(message, m.Cancel) and message.value in keep_values


def may_send(message: Message, busy: bool, override: bool, keep_values: frozenset[str] = frozenset({"2"})) -> str:
    """'' when ``message`` may go to the engine now, else the reason it may not.

    ``busy``: a customer payment is in progress. ``override``: the sender confirmed that it
    acts on that payment on purpose (staff override, or the payment's own cancel).
    """
    if not busy:
        return ""
    if keeps_money(message, keep_values):
        return REFUSED_KEEPS_MONEY
    if is_cash_moving(message) and not override:
        return REFUSED_BUSY
    return ""

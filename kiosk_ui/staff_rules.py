"""The staff area's names for the send rules, which live in one place: :mod:`kiosk_ui.payments.arbiter`.

:func:`may_send` is the arbiter's rule for a plain staff command (``busy``: a customer payment is in progress or
being started; ``override``: staff confirmed acting over it on purpose); the engine client's last-line guard is the
arbiter itself (:class:`kiosk_ui.payments.arbiter.SendGuard`).
"""

from __future__ import annotations

from .payments.arbiter import (
    CASH_MOVING,
    KEEP_VALUES,
    REFUSED_BUSY,
    REFUSED_KEEPS_MONEY,
    is_cash_moving,
    keeps_money,
    staff_rule,
)
from .protocol import Message

__all__ = ["CASH_MOVING", "REFUSED_BUSY", "REFUSED_KEEPS_MONEY", "is_cash_moving", "keeps_money", "may_send"]


def may_send(message: Message, busy: bool, override: bool, keep_values: frozenset[str] = KEEP_VALUES) -> str:
    """'' when ``message`` may go to the engine now, else the reason it may not."""
    return staff_rule(message, busy, override, keep_values)

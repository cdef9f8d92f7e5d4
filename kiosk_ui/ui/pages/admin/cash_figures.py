"""The figures a cash close or a collection closes: what the cashboxes hold, read from the live state.

Shown in the confirmation (what it will close) and after the machine took it (what it closed), so the
staff count the cash against a figure, not against memory.
"""

from __future__ import annotations

from decimal import Decimal

from ....state import KioskState
from .base import StaffText

#: (caption, shown value, test id)
Figure = tuple[str, str, str]


def _count(qty: int | None) -> str:
    return "—" if qty is None else str(qty)


def _coins(state: KioskState, say: StaffText) -> list[Figure]:
    return [(say("Caja de monedas"), say.money(state.coin_cashbox_amount), "figure-coin-amount"),
            (say("Monedas en caja"), _count(state.coin_cashbox_qty), "figure-coin-qty")]  # fmt: skip


def _bills(state: KioskState, say: StaffText) -> list[Figure]:
    return [(say("Caja de billetes"), say.money(state.bills_cashbox_amount), "figure-bill-amount"),
            (say("Billetes en caja"), _count(state.bills_cashbox_qty), "figure-bill-qty")]  # fmt: skip


def closing_figures(test_id: str, state: KioskState, say: StaffText) -> list[Figure]:
    """The figures action ``test_id`` closes ([] for an action that closes none)."""
    if test_id == "action-cashcollect-coin":
        return _coins(state, say)
    if test_id == "action-cashcollect-bill":
        return _bills(state, say)
    if test_id == "action-resetbalance":
        amounts = [a for a in (state.coin_cashbox_amount, state.bills_cashbox_amount) if a is not None]
        total = sum(amounts, Decimal(0)) if amounts else None
        return [*_coins(state, say), *_bills(state, say), (say("Total en cajas"), say.money(total), "figure-total")]
    return []

"""What the customer screen may offer now, read from the kiosk service: whether any payment can be taken
(else the idle screen says "Fuera de servicio temporalmente"), and which method works."""

from __future__ import annotations

from ....kiosk import Kiosk
from ....state import KioskState


def cash_works(state: KioskState) -> bool:
    """Bills or coins can be taken (one device down still leaves the other)."""
    return not (state.bv_error and state.ca_error)


def card_works(state: KioskState) -> bool:
    return state.card_available


def journal_writable(kiosk: Kiosk) -> bool:
    """The journal can record a payment. ``Kiosk.journal_writable`` (read defensively: older kiosks lack
    it) is the service's own answer; ``journal_error`` is the last write or check that failed."""
    return bool(getattr(kiosk, "journal_writable", True)) and not kiosk.journal_error


def in_service(kiosk: Kiosk) -> bool:
    """A payment can be taken: the engine is there, some payment method works, the journal can write."""
    state = kiosk.state
    return state.online and journal_writable(kiosk) and (cash_works(state) or card_works(state))

"""A pure reducer: (kiosk state, engine message or connection change) → new kiosk state.

The UI binds to :class:`KioskState`; nothing here imports UI or does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from .protocol import messages as m
from .protocol.values import ChangeLevel, Levels

ConnectionStatus = Literal["connecting", "connected", "disconnected"]


@dataclass(frozen=True, slots=True)
class ScreenConfig:
    show_cta: bool = True
    show_eyes: bool = True
    show_time: bool = True
    cta_message: str = ""


@dataclass(frozen=True, slots=True)
class KioskState:
    connection: ConnectionStatus = "connecting"
    #: True once the engine has told us anything since the last (re)connect.
    synced: bool = False
    connections: int | None = None
    charging: bool = False
    due: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    change_dispensed: Decimal = Decimal(0)
    card_available: bool = False
    payment_method: str = ""
    status_text: str = ""
    reference_cc: str = ""
    bv_error: str = ""
    ca_error: str = ""
    change_level: ChangeLevel | None = None
    tubes: Levels = ()
    coin_cashbox_amount: Decimal | None = None
    coin_cashbox_qty: int | None = None
    bills_cashbox_amount: Decimal | None = None
    bills_cashbox_qty: int | None = None
    inventory: Levels = ()
    recycler_empty: bool | None = None
    recycler_levels: Levels = ()
    screen: ScreenConfig = field(default_factory=ScreenConfig)

    @property
    def remaining(self) -> Decimal:
        return max(self.due - self.credit, Decimal(0))

    @property
    def online(self) -> bool:
        return self.connection == "connected"


def _pick(message: m.Message, names: tuple[str, ...]) -> dict[str, object]:
    """The fields the message actually carried (None means the engine did not send it)."""
    return {name: value for name in names if (value := getattr(message, name)) is not None}


def with_connection(state: KioskState, status: ConnectionStatus) -> KioskState:
    if status == state.connection:
        return state
    if status == "connected":
        return replace(state, connection=status, synced=False)
    # The engine is gone: whatever it said about a payment in progress is no longer known.
    return replace(state, connection=status, synced=False)


def reduce(state: KioskState, message: m.Message) -> KioskState:
    """Fold one decoded engine message into the state. Unrelated messages change nothing."""
    if isinstance(message, m.Status):
        changes = _pick(message, ("due", "credit", "change_dispensed", "bv_error", "ca_error",
                                  "reference_cc", "coin_cashbox_amount", "coin_cashbox_qty",
                                  "bills_cashbox_amount", "bills_cashbox_qty"))  # fmt: skip
        if message.conexiones is not None:
            changes["connections"] = message.conexiones
        if message.cobrando is not None:
            changes["charging"] = message.cobrando
        if message.tarjeta is not None:
            changes["card_available"] = message.tarjeta
        if message.status_text is not None:
            changes["status_text"] = message.status_text
        if message.tubes is not None:
            changes["tubes"] = message.tubes
        if message.change_bar is not None:
            changes["change_level"] = message.change_bar
        if message.inventory is not None:
            changes["inventory"] = message.inventory
        return replace(state, synced=True, **changes)  # type: ignore[arg-type]
    if isinstance(message, m.Sockets):
        changes = _pick(message, ("due", "credit"))
        if message.conexiones is not None:
            changes["connections"] = message.conexiones
        if message.cobrando is not None:
            changes["charging"] = message.cobrando
        if message.tarjeta is not None:
            changes["card_available"] = message.tarjeta
        if message.change_bar is not None:
            changes["change_level"] = message.change_bar
        if message.forma_pago is not None:
            changes["payment_method"] = message.forma_pago
        return replace(state, synced=True, **changes)  # type: ignore[arg-type]
    if isinstance(message, m.UpdateCredit):
        changes = _pick(message, ("due", "credit"))
        if message.status_text is not None:
            changes["status_text"] = message.status_text
        if message.change_bar is not None:
            changes["change_level"] = message.change_bar
        return replace(state, **changes)  # type: ignore[arg-type]
    if isinstance(message, m.ScreenSettings):
        screen = replace(
            state.screen,
            **_pick(message, ("show_cta", "show_eyes", "show_time", "cta_message")),  # type: ignore[arg-type]
        )
        return replace(state, screen=screen)
    if isinstance(message, m.CheckBrResult):
        changes = {}
        if message.br_empty is not None:
            changes["recycler_empty"] = message.br_empty
        if message.max_qty is not None:
            changes["recycler_levels"] = message.max_qty
        return replace(state, **changes)  # type: ignore[arg-type]
    return state

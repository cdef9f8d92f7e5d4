"""A pure reducer: (kiosk state, engine message or connection change) → new kiosk state.

The UI binds to :class:`KioskState`; nothing here imports UI or does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from .engine.status import ConnectionStatus
from .protocol import messages as m
from .protocol.values import ChangeLevel, Levels


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


#: message field → state field, for the messages that carry engine state. A field the message
#: did not carry (None) leaves what the state knew.
_FIELDS: dict[type[m.Message], dict[str, str]] = {
    m.Status: {
        "conexiones": "connections", "cobrando": "charging", "bv_error": "bv_error", "ca_error": "ca_error",
        "tarjeta": "card_available", "status_text": "status_text", "reference_cc": "reference_cc",
        "credit": "credit", "due": "due", "change_dispensed": "change_dispensed", "tubes": "tubes",
        "coin_cashbox_amount": "coin_cashbox_amount", "coin_cashbox_qty": "coin_cashbox_qty",
        "bills_cashbox_amount": "bills_cashbox_amount", "bills_cashbox_qty": "bills_cashbox_qty",
        "change_bar": "change_level", "inventory": "inventory",
    },
    m.Sockets: {
        "conexiones": "connections", "cobrando": "charging", "due": "due", "credit": "credit",
        "change_bar": "change_level", "tarjeta": "card_available", "forma_pago": "payment_method",
    },
    m.UpdateCredit: {"due": "due", "credit": "credit", "status_text": "status_text", "change_bar": "change_level"},
    m.CheckBrResult: {"br_empty": "recycler_empty", "max_qty": "recycler_levels"},
}  # fmt: skip
#: Messages that describe the engine as a whole: after one, the state is in sync with the engine.
_SYNCING = (m.Status, m.Sockets)
_SCREEN_FIELDS = ("show_cta", "show_eyes", "show_time", "cta_message")


def _carried(message: m.Message, mapping: dict[str, str]) -> dict[str, object]:
    return {target: value for source, target in mapping.items() if (value := getattr(message, source)) is not None}


def with_connection(state: KioskState, status: ConnectionStatus) -> KioskState:
    """A connection change: until the engine speaks again, what it said before is not current."""
    if status == state.connection:
        return state
    return replace(state, connection=status, synced=False)


def reduce(state: KioskState, message: m.Message) -> KioskState:
    """Fold one decoded engine message into the state. Unrelated messages change nothing."""
    mapping = _FIELDS.get(type(message))
    if mapping is not None:
        synced = state.synced or isinstance(message, _SYNCING)
        return replace(state, synced=synced, **_carried(message, mapping))  # type: ignore[arg-type]
    if isinstance(message, m.ScreenSettings):
        screen = replace(state.screen, **_carried(message, {f: f for f in _SCREEN_FIELDS}))  # type: ignore[arg-type]
        return replace(state, screen=screen)
    return state

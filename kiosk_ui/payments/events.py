"""The payment machine's vocabulary, as plain frozen data: the payment, its result, the events the
machine takes (from the engine, the screen, timers) and the effects it returns (journal, send, publish,
timers). No behaviour here: :mod:`kiosk_ui.payments.machine` decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..errors import FailureCode
from ..protocol import messages as m
from .rules import ZERO, Facts, Method, Outcome

Phase = Literal["opening", "starting", "charging", "ending", "abandoning"]
#: the customer's cancel: ``wanted`` (confirmed, held until it may go out), ``sending`` (handed to the link),
#: ``sent`` (the link says it left), ``answered`` (the engine ended the payment after it)
CancelIntent = Literal["none", "wanted", "sending", "sent", "answered"]
#: the machine's own cancel when no acknowledgement came, apart from the customer's: ``sending`` (handed to the
#: link), ``sent``, ``held`` (it did not leave, or the arbiter refused it at the write because the engine's last
#: word was another sale or a refill: it goes out once a frame shows the engine took this payment up)
OwnCancel = Literal["none", "held", "sending", "sent"]
#: what an engine ``status`` told of a sale's money: (Due, Credit, changeDispensed, referenceCC)
SaleFacts = tuple[Decimal | None, Decimal | None, Decimal | None, str | None]

# --------------------------------------------------------------------------- the payment


@dataclass(frozen=True, slots=True)
class ActivePayment:
    id: str
    method: Method
    due: Decimal
    #: the cart, for the journal only: no part of the machine's state (not compared, not hashed)
    items: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    #: "opening" while its journal row is written (nothing sent yet), "starting" until acknowledged,
    #: "charging", "ending" (waiting for the final status), "abandoning" (no acknowledgement in time: cancel "1"
    #: sent, waiting for the engine)
    phase: Phase = "starting"
    credit: Decimal = ZERO
    #: the customer's cancel intent (the machine's own no-acknowledgement cancel is apart: ``own_cancel``)
    cancel: CancelIntent = "none"
    reference_before: str = ""
    #: the engine connection dropped while it ran: only facts naming this payment's Due count
    interrupted: bool = False
    #: given up for want of an acknowledgement, then taken up by the engine after all (same id and row)
    resumed: bool = False
    #: the engine named the method (always, for ours); an adopted payment first heard of from a ``status``
    #: (no ``formaPago``) has its method told by its end facts: a new reference and no cash is a card
    method_known: bool = True
    #: ``reference_before`` is the engine's reference as a ``status`` told it (False: no status had been seen
    #: yet, so a reference at the end may be the previous sale's: it proves no approval)
    reference_before_known: bool = True
    #: the first status of the engine charging this card payment told its reference (later changes are approvals)
    reference_told: bool = False
    #: a reference first heard while charging, unlike the one before: the approval or an unseen sale's end
    reference_doubt: str = ""
    #: the engine's last status facts before this payment's command (None: no status since the reconnect)
    view_before: SaleFacts | None = None
    #: the machine's own no-acknowledgement cancel for this payment
    own_cancel: OwnCancel = "none"
    #: its paycash/paycreditcard left (``Sent``): a frame that came before cannot be its acknowledgement
    command_left: bool = False
    #: the engine's changeDispensed in its last status before this sale (None: none since the reconnect): what a
    #: running total stood at, for the readings that read it so
    change_before: Decimal | None = None
    #: questions asked again in ENDING because the engine's last word named another Due (bounded)
    end_asks: int = 0
    #: its journal row: "written" (or being written), "failed" (an adopted payment's row the journal refused)
    row: Literal["written", "failed"] = "written"

    @property
    def cancel_requested(self) -> bool:
        """The customer asked to cancel (whether or not it went out yet)."""
        return self.cancel != "none"


@dataclass(frozen=True)
class PaymentResult:
    id: str
    outcome: Outcome
    method: Method
    due: Decimal
    credit: Decimal = ZERO
    change_owed: Decimal = ZERO
    change_paid: Decimal = ZERO
    shortfall: Decimal = ZERO
    reference: str = ""
    reason: str = ""
    at: str = ""
    #: a typed cause for screens to match on (``reason`` is free text for the journal and staff)
    failure: FailureCode | None = None


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class StartRequested:
    payment_id: str
    method: Method
    due: Decimal
    items: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """A ``status``: the full facts. ``None`` = not sent (or dropped as unreadable)."""

    charging: bool | None
    due: Decimal | None = None
    credit: Decimal | None = None
    change_dispensed: Decimal | None = None
    reference: str | None = None
    status_text: str | None = None
    #: fields the engine sent that could not be read ("credit", "due", "change_dispensed", ...): not absent
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EngineSockets:
    charging: bool | None
    due: Decimal | None = None
    credit: Decimal | None = None
    method: str | None = None
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CreditUpdate:
    due: Decimal | None
    credit: Decimal | None
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CancelRequested:
    payment_id: str
    value: str = "1"


@dataclass(frozen=True, slots=True)
class TimerFired:
    name: Literal["ack", "end", "abandon"]
    payment_id: str


@dataclass(frozen=True, slots=True)
class ConnectionLost:
    pass


@dataclass(frozen=True, slots=True)
class ConnectionBack:
    pass


@dataclass(frozen=True, slots=True)
class SendFailed:
    payment_id: str
    command: str


@dataclass(frozen=True, slots=True)
class Sent:
    """Completion of :class:`Send`: the frame left (the link wrote it)."""

    payment_id: str
    command: str


@dataclass(frozen=True, slots=True)
class FrameLeft:
    """Any frame that left this kiosk (the engine client's ``on_sent``: the machine's, staff's, anyone's), by its
    ``COMMAND``: a ``cashrefill`` or a ``cancel`` outside a payment starts or ends this kiosk's own refill."""

    command: str


@dataclass(frozen=True, slots=True)
class StartChecking:
    """A customer start is being checked (the journal check awaits a thread): cash-moving commands wait."""


@dataclass(frozen=True, slots=True)
class StartChecked:
    """The start's check is over (refused, or the payment is about to be asked for in the same step)."""


@dataclass(frozen=True, slots=True)
class JournalOpenFailed:
    payment_id: str


@dataclass(frozen=True, slots=True)
class JournalWritten:
    """Completion of :class:`JournalOpen`: the payment's row is on disk (an OPENING payment may now be sent)."""

    payment_id: str


@dataclass(frozen=True, slots=True)
class JournalFailed:
    """An outcome write (:class:`JournalUpdate`) failed: the service keeps it and retries; nothing published."""

    payment_id: str


@dataclass(frozen=True, slots=True)
class Recover:
    """App start: journal rows still ``open`` from a previous run (oldest first), with their journaled progress."""

    rows: tuple[dict[str, Any], ...]


Event = (
    StartRequested | EngineStatus | EngineSockets | CreditUpdate | CancelRequested | TimerFired
    | ConnectionLost | ConnectionBack | SendFailed | JournalOpenFailed | Recover | Sent | JournalWritten | JournalFailed
    | FrameLeft | StartChecking | StartChecked
)  # fmt: skip


def from_message(message: m.Message) -> Event | None:
    """The machine's event for an engine message, or None when it says nothing about payments."""
    if isinstance(message, m.Status):
        return EngineStatus(message.cobrando, message.due, message.credit, message.change_dispensed,
                            message.reference_cc, message.status_text, message.unreadable)  # fmt: skip
    if isinstance(message, m.Sockets):
        return EngineSockets(message.cobrando, message.due, message.credit, message.forma_pago, message.unreadable)
    if isinstance(message, m.UpdateCredit):
        return CreditUpdate(message.due, message.credit, message.unreadable)
    return None


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class JournalOpen:
    payment_id: str
    method: Method
    due: Decimal
    items: tuple[dict[str, Any], ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class JournalUpdate:
    payment_id: str
    result: PaymentResult
    #: for the journal's detail, ahead of the result's reason (e.g. the payment was resumed)
    note: str = ""


@dataclass(frozen=True, slots=True)
class JournalReopen:
    """A row settled as given up (no acknowledgement) is open again: the engine took that payment up late."""

    payment_id: str
    detail: str


@dataclass(frozen=True, slots=True)
class Send:
    message: m.Message
    payment_id: str = ""


@dataclass(frozen=True, slots=True)
class Publish:
    result: PaymentResult


@dataclass(frozen=True, slots=True)
class StartTimer:
    name: Literal["ack", "end", "abandon"]
    payment_id: str
    seconds: float


@dataclass(frozen=True, slots=True)
class StopTimer:
    name: Literal["ack", "end", "abandon"]


@dataclass(frozen=True, slots=True)
class Observed:
    """The facts a sale ended with, decided by the rules: for the reading learner (``[protocol] engine_reading``
    auto), which narrows the readings the next sales are decided under."""

    method: Method
    facts: Facts


Effect = JournalOpen | JournalUpdate | JournalReopen | Send | Publish | StartTimer | StopTimer | Observed

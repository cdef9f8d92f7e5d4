"""The payment machine's state as one frozen, hashable value, in orthogonal parts (ARCHITECTURE.md, second design).

- ``phase``: where the payment is (IDLE, OPENING, STARTING, CHARGING, ENDING, ABANDONING);
- ``payment``: the payment in progress, with the customer's cancel intent (``ActivePayment.cancel``: none → wanted →
  sending → sent) apart from the machine's own no-acknowledgement cancel (``ActivePayment.own_cancel``);
- ``given_up``: the slot of the last payment given up for want of an acknowledgement, should the engine take it up;
- ``engine``: the engine view: what the engine last said since the last (re)connect, and whether a status has
  come since our last command left (``postdates_command``);
- ``last_end`` / ``echo``: what the machine remembers of the sale that ended last, and the question asked when a
  frame looked like a late echo of it;
- ``recovering``: journal rows left open by a previous run, settled on the engine's first status;
- ``refill_sent``: a ``cashrefill`` this kiosk sent outside a payment that no ``cancel`` has ended since (the
  engine may never report a refill as charging: no customer payment starts meanwhile). One sent over a payment, on
  staff's explicit override, is that exception's own and does not set it; any ``cancel`` outside a payment ends it;
- ``start_checking``: a customer start is being checked (from the first check until the payment exists): cash-moving
  staff commands wait, so a refill never goes out ahead of its ``paycash``.

:func:`kiosk_ui.payments.table.step` maps (state, event) to (state, effects); nothing here changes in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .events import ActivePayment, SaleFacts
from .readings import ALL_READINGS, Reading
from .rules import ZERO, Method

State = Literal["IDLE", "OPENING", "STARTING", "CHARGING", "ENDING", "ABANDONING"]
IDLE: State = "IDLE"
OPENING: State = "OPENING"
STARTING: State = "STARTING"
CHARGING: State = "CHARGING"
ENDING: State = "ENDING"
ABANDONING: State = "ABANDONING"
PHASES: tuple[State, ...] = (IDLE, OPENING, STARTING, CHARGING, ENDING, ABANDONING)


@dataclass(frozen=True, slots=True)
class EngineView:
    connected: bool = False
    #: a status or sockets arrived since the last (re)connect
    synced: bool = False
    #: the engine said it is charging (last status/sockets since it connected)
    charging: bool = False
    #: the Due of the sale the engine says it is charging (None when it is not, or did not say)
    due: Decimal | None = None
    #: the engine's last reported Credit (an idle engine may still report the previous sale's)
    credit: Decimal = ZERO
    #: the method of the sale being charged, as its last ``sockets`` named it ('' once it stops charging)
    method: str = ""
    #: the last ``status``'s money facts since the last (re)connect (None: none yet)
    facts: SaleFacts | None = None
    #: the engine's last referenceCC (a card payment needs a new one), and whether a status told it
    last_reference: str = ""
    reference_known: bool = False
    #: a status arrived after our last command left: the view is known to postdate it
    postdates_command: bool = True
    #: a command of ours (or a reconnect's getstatus) went out since the last adopted sale began: only then can a
    #: status be a snapshot built before it (docs/protocol.md), so a charging frame repeating the Due of the sale
    #: that ended last, with no money in, may be its echo; otherwise it is a new sale
    commanded: bool = True


@dataclass(frozen=True, slots=True)
class GivenUp:
    """A payment settled without the engine taking it up: if the engine takes it up after all it resumes (same id
    and row). Forgotten when another payment starts, the engine charges another sale, or says twice it is idle."""

    payment: ActivePayment
    idle_seen: int = 0


@dataclass(frozen=True, slots=True)
class LastEnd:
    """The sale that ended last: its Due and the most Credit seen (a charging frame repeating them may be its late
    echo), and the facts of the status that ended it (a status repeating them exactly is no evidence of a later
    sale's end)."""

    due: Decimal
    credit: Decimal
    facts: SaleFacts | None = None


@dataclass(frozen=True, slots=True)
class EchoQuestion:
    """``getstatus`` sent about a charging frame that may be the last sale's echo: its Due and formaPago."""

    due: Decimal | None
    method: str = ""


@dataclass(frozen=True, slots=True)
class RecoverRow:
    """A row left open by a previous run, with what its journaled progress tied it to (see :mod:`.recovery`)."""

    id: str
    method: Method
    due: str
    #: the engine had acknowledged it (charged its Due) before the app went down
    acknowledged: bool = False
    #: the most Credit seen for it before the app went down
    credit_seen: Decimal = ZERO
    #: the engine's reference before it, as a status told it (None: not known)
    reference_before: str | None = None
    #: a reference first heard while it was charging, unlike the one before (the approval or an unseen sale's end)
    reference_doubt: str = ""
    #: the method was named by the engine or chosen here (False: an adopted payment's method was a guess)
    method_known: bool = True
    #: the engine's status facts before its command (an end repeating them is no evidence about it)
    view_before: SaleFacts | None = None
    #: since the restart, the engine spoke of another sale (another Due) before its first status
    other_sale: bool = False


@dataclass(frozen=True, slots=True)
class MachineState:
    phase: State = IDLE
    payment: ActivePayment | None = None
    given_up: GivenUp | None = None
    engine: EngineView = EngineView()
    last_end: LastEnd | None = None
    echo: EchoQuestion | None = None
    recovering: tuple[RecoverRow, ...] = ()
    refill_sent: bool = False
    start_checking: bool = False


@dataclass(frozen=True)
class Settings:
    """What the machine is configured with: timers, where new ids and timestamps come from, the engine readings."""

    ack_timeout: float = 5.0
    end_grace: float = 2.0
    abandon_grace: float = 5.0
    new_id: Callable[[], str] = field(default=lambda: "")
    now: Callable[[], str] = field(default=lambda: "")
    #: the engine readings outcomes are decided under (``[protocol] engine_reading``: every one, or one pinned)
    readings: tuple[Reading, ...] = ALL_READINGS

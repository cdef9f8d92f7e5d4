"""The one arbiter: may this frame go to the engine now? Pure; no I/O (docs/protocol.md, "Semantics: staff").

:func:`arbiter` decides every payment and cash-moving command, the customer's, the payment machine's and staff's,
over one :class:`Situation` taken at the moment the frame is written: it is the engine client's last-line guard
(:class:`SendGuard`), called inside ``EngineClient.send`` with no await between the decision and the write. The
screens ask the same function earlier (to enable a button, to offer an override), never a rule of their own.

Who asks says on whose behalf, as a typed intent:

- :class:`Own` ``(payment_id)``: the payment machine's own command for its payment (``paycash``, ``getstatus``);
- :class:`Cancel` ``(payment_id)``: a cancel of that payment (the customer's, or the machine's no-ack cancel);
- :class:`Override` ``(payment_key)``: staff confirmed acting over that payment on purpose;
- ``None``: a plain command (staff without override, anything else).

The rules:

- ``paycash``/``paycreditcard`` go only for the payment the machine is starting (STARTING, its own intent), never
  while a refill this kiosk sent runs or the engine charges something else, and never before the engine has
  described itself (a ``status`` or ``sockets``) on this connection: after a (re)connect, until then, nobody
  knows whether it is already charging a sale (another client's, or one of ours from before the drop). The
  kiosk asks (``getstatus``) on every connect; the customer sees "un momento" meanwhile;
- a cancel for a payment goes only while that payment is the one in progress and charging (or, the machine's
  own no-acknowledgement cancel, being abandoned): a queued cancel of an ended payment, or of one whose end is
  being checked, could end a staff refill or another sale;
- cash-moving commands (``opendoor``, ``cashcollect``, ``resetbalance``, ``shutdown``, ``cashrefill``,
  ``cancel``) wait while a customer payment is in progress or being started, unless staff confirmed an override
  over that very payment;
- a ``cancel`` with a keep-the-money value is never sent over a customer payment, override or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from ..errors import RefusalReason
from ..protocol import Message
from ..protocol import messages as m
from .model import ABANDONING, CHARGING, STARTING, MachineState

#: Commands that move cash, whatever their field values.
CASH_MOVING: tuple[type[Message], ...] = (
    m.OpenDoor, m.CashCollect, m.ResetBalance, m.Shutdown, m.CashRefill, m.Cancel,
)  # fmt: skip
KEEP_VALUES = frozenset({"2"})

#: Reasons, in staff (es-MX) text; the staff area translates them.
REFUSED_KEEPS_MONEY = (
    "Hay un cobro en curso: «Terminar dotación» (cancelar sin devolver) nunca se envía durante un cobro."
)
REFUSED_BUSY = "Hay un cobro en curso: esta acción mueve efectivo y podría afectar al cliente."
REFUSED_ENDED = "Ese cobro ya terminó: la cancelación no se envía."
REFUSED_ENDING = "Ese cobro está terminando: la cancelación se envía solo si el equipo sigue cobrándolo."
REFUSED_NOT_STARTING = "Solo se pide un cobro para el pago que se está iniciando, con el equipo libre."
REFUSED_UNSYNCED = "El equipo aún no informó su estado desde que se conectó: no se pide ningún cobro todavía."


@dataclass(frozen=True, slots=True)
class Own:
    payment_id: str


@dataclass(frozen=True, slots=True)
class Cancel:
    payment_id: str


@dataclass(frozen=True, slots=True)
class Override:
    payment_key: str


Intent = Own | Cancel | Override | None


@dataclass(frozen=True, slots=True)
class Allow:
    pass


@dataclass(frozen=True, slots=True)
class Refuse:
    reason: str


Verdict = Allow | Refuse
ALLOW = Allow()


@dataclass(frozen=True, slots=True)
class Situation:
    """What the arbiter looks at: the payment machine's state (with this kiosk's own refill and a start being
    checked: ``refill_sent``, ``start_checking``) and what the engine and this kiosk are doing."""

    machine: MachineState
    #: the engine says it is charging (``cobrando``), and the Due it reports
    engine_charging: bool = False
    engine_due: Decimal = Decimal(0)
    online: bool = True
    journal_writable: bool = True


def is_cash_moving(message: Message) -> bool:
    return isinstance(message, CASH_MOVING)


def keeps_money(message: Message, keep_values: frozenset[str] = KEEP_VALUES) -> bool:
    """A ``cancel`` whose value cancels without returning the money inserted."""
    return isinstance(message, m.Cancel) and message.value in keep_values


def refilling(s: Situation) -> bool:
    """A refill this kiosk sent outside a payment that no cancel has ended (the machine's ``refill_sent``)."""
    return s.machine.refill_sent


def in_payment(s: Situation) -> bool:
    """A customer payment is in progress: ours, adopted, or the engine charging a sale (Due > 0: not a refill)."""
    return s.machine.payment is not None or (s.engine_charging and s.engine_due > 0)


def locked(s: Situation) -> bool:
    """Cash-moving commands wait: a payment in progress, or one being started."""
    return s.machine.start_checking or in_payment(s)


def payment_key(s: Situation) -> str:
    """Which customer payment is in progress ('' when none): an override covers only that one."""
    if s.machine.payment is not None:
        return s.machine.payment.id
    return f"engine:{s.engine_due}" if in_payment(s) else ""


def described(s: Situation) -> bool:
    """The engine has said where it stands (a ``status`` or ``sockets``) since the last (re)connect."""
    return s.machine.engine.synced


def start_refusal(s: Situation) -> str:
    """'' when a customer payment may start now, else the :class:`RefusalReason` (its value is the i18n key)."""
    if not s.online:
        return RefusalReason.OFFLINE
    if not s.journal_writable:
        return RefusalReason.JOURNAL
    if not described(s):
        return RefusalReason.UNSYNCED  # not a fault: the engine's first status is on its way ("un momento")
    if locked(s) or s.engine_charging or refilling(s):
        return RefusalReason.BUSY
    return ""


def staff_rule(message: Message, busy: bool, covered: bool, keep_values: frozenset[str] = KEEP_VALUES) -> str:
    """The rule for a command that is not the payment machine's: '' or why not. ``covered``: an override confirmed
    over the payment in progress."""
    if not busy:
        return ""
    if keeps_money(message, keep_values):
        return REFUSED_KEEPS_MONEY
    if is_cash_moving(message) and not covered:
        return REFUSED_BUSY
    return ""


def arbiter(s: Situation, frame: Message, intent: Intent, keep_values: frozenset[str] = KEEP_VALUES) -> Verdict:
    """May ``frame`` go to the engine now, on behalf of ``intent``? (See the module's docstring.)"""
    payment = s.machine.payment
    if isinstance(frame, m.PayCash | m.PayCreditCard):
        ours = isinstance(intent, Own) and payment is not None and payment.id == intent.payment_id
        if not ours or s.machine.phase != STARTING or payment is None:
            return Refuse(REFUSED_NOT_STARTING)
        if not described(s):
            return Refuse(REFUSED_UNSYNCED)
        if refilling(s) or (s.engine_charging and s.engine_due != payment.due):
            return Refuse(REFUSED_BUSY)
        return ALLOW
    if isinstance(frame, m.Cancel) and isinstance(intent, Cancel):
        if keeps_money(frame, keep_values) and in_payment(s):
            return Refuse(REFUSED_KEEPS_MONEY)
        if payment is None or payment.id != intent.payment_id:
            return Refuse(REFUSED_ENDED)
        if s.machine.phase not in (CHARGING, ABANDONING):
            # its end is being checked (ENDING): the engine may have ended it and started another client's sale or
            # a refill. Refused at the write, the cancel is held and goes when a status says it still charges
            return Refuse(REFUSED_ENDING)
        if s.engine_charging and s.engine_due != payment.due:
            # the engine's last word: it charges another sale or a refill, which this cancel would end. Refused at
            # the write, it is held until a frame shows the engine charging this payment
            return Refuse(REFUSED_BUSY)
        return ALLOW
    if isinstance(intent, Own) and not is_cash_moving(frame):
        return ALLOW  # the machine's questions (getstatus)
    covered = isinstance(intent, Override) and intent.payment_key == payment_key(s) != ""
    reason = staff_rule(frame, locked(s), covered, keep_values)
    return Refuse(reason) if reason else ALLOW


_INTENT: ContextVar[Intent] = ContextVar("send_intent", default=None)


class SendGuard:
    """The engine client's last-line guard: the arbiter over the situation at the moment of the write. Senders
    state their intent with :meth:`acting` around ``EngineClient.send`` (the guard runs inside it, in the same
    task); a sender that only passes ``override=True`` is taken to mean the payment in progress now."""

    def __init__(self, situation: Callable[[], Situation], keep_values: frozenset[str] = KEEP_VALUES) -> None:
        self.situation = situation
        self.keep_values = keep_values

    def __call__(self, message: Message, override: bool) -> str:
        s = self.situation()
        intent = _INTENT.get()
        if intent is None and override:
            intent = Override(payment_key(s))
        verdict = arbiter(s, message, intent, self.keep_values)
        return verdict.reason if isinstance(verdict, Refuse) else ""

    @staticmethod
    @contextmanager
    def acting(intent: Intent) -> Iterator[None]:
        token = _INTENT.set(intent)
        try:
            yield
        finally:
            _INTENT.reset(token)

"""The payment lifecycle as one pure state machine, in the style of h11's ``_state.py``.

No asyncio, no I/O, no NiceGUI: :meth:`PaymentMachine.handle` takes an event and returns the
effects to run, in order (journal writes, commands to send, outcomes to publish, timers). The
service (:mod:`kiosk_ui.payments.service`) runs them: a journal write is finished before the
next effect, so an outcome is on disk before it is published.

States (``machine.state``): IDLE (no payment), STARTING (asked, not yet acknowledged),
CHARGING, ENDING (a bare ``sockets`` said it ended; waiting for the ``status`` with the money
facts), ABANDONING (no acknowledgement in time: ``cancel "1"`` sent; a late acknowledgement
brings the same payment back). Every event names the payment it is about where it can; an
event for another payment (a late timer, a cancel from a stale dialog) changes nothing.

The vocabulary (payment, result, events, effects) is plain data in :mod:`.events`, re-exported here;
the shared state and steps are in :mod:`.core`, the transitions and their table in :mod:`.handlers`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core import (
    ABANDONING,
    CHARGING,
    ENDING,
    ENGINE_UNAVAILABLE,
    IDLE,
    NO_ACK,
    OPENING,
    RESUMED,
    STARTING,
    MachineCore,
    State,
)
from .events import (
    ActivePayment,
    CancelRequested,
    ConnectionBack,
    ConnectionLost,
    CreditUpdate,
    Effect,
    EngineSockets,
    EngineStatus,
    Event,
    JournalFailed,
    JournalOpen,
    JournalOpenFailed,
    JournalReopen,
    JournalUpdate,
    JournalWritten,
    PaymentResult,
    Phase,
    Publish,
    Recover,
    Send,
    SendFailed,
    Sent,
    StartRequested,
    StartTimer,
    StopTimer,
    TimerFired,
    from_message,
)
from .handlers import ANY_STATE, TABLE
from .rules import Decision, Method

# the vocabulary from .events is re-exported: callers use ``machine.StartRequested`` ...
__all__ = [
    "ABANDONING",
    "CHARGING",
    "ENDING",
    "ENGINE_UNAVAILABLE",
    "IDLE",
    "NO_ACK",
    "OPENING",
    "RESUMED",
    "STARTING",
    "ActivePayment",
    "CancelRequested",
    "ConnectionBack",
    "ConnectionLost",
    "CreditUpdate",
    "Decision",
    "Effect",
    "EngineSockets",
    "EngineStatus",
    "Event",
    "JournalFailed",
    "JournalOpen",
    "JournalOpenFailed",
    "JournalReopen",
    "JournalUpdate",
    "JournalWritten",
    "Method",
    "PaymentMachine",
    "PaymentResult",
    "Phase",
    "Publish",
    "Recover",
    "Send",
    "SendFailed",
    "Sent",
    "StartRequested",
    "StartTimer",
    "State",
    "StopTimer",
    "TimerFired",
    "from_message",
]  # fmt: skip


@dataclass
class PaymentMachine(MachineCore):
    """The payment lifecycle: :meth:`handle` an event, get the effects to run (see the module's docstring)."""

    def handle(self, event: Event) -> list[Effect]:
        effects: list[Effect] = []
        if isinstance(event, EngineStatus | EngineSockets):
            effects += self._observe(event)
        handler = TABLE.get((self.state, type(event))) or ANY_STATE.get(type(event))
        if handler is not None:
            effects += handler(self, event)
        return effects

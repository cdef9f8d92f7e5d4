"""The payment lifecycle as one pure state machine, in the style of h11's ``_state.py``.

No asyncio, no I/O, no NiceGUI. The state is one frozen, hashable value (:class:`~.model.MachineState`: phase,
payment with the customer's cancel intent and the machine's own cancel, given-up slot, engine view, the refill this
kiosk sent and a start being checked); one pure function, :func:`~.table.step`, maps (state, event) to (state,
effects) through a transition table that is data (:data:`~.table.TRANSITIONS`, printed in docs/payments.md).
:class:`PaymentMachine` is a thin stateful wrapper: :meth:`~PaymentMachine.handle` steps and keeps the new state
(``machine.snapshot``; ``machine.state`` is its phase).

Phases: IDLE (no payment), OPENING (the row is being written; nothing sent), STARTING (asked, not yet
acknowledged), CHARGING, ENDING (waiting for the ``status`` with the money facts, or for the answer to a
``getstatus`` about a status that repeated the last sale's end), ABANDONING (no acknowledgement in time: the
machine's own ``cancel "1"`` sent; a late acknowledgement brings the same payment back).

Effects complete as events, which the runner (the service, a test, the explorer) feeds back:

- ``JournalOpen`` → ``JournalWritten(payment_id)`` or ``JournalOpenFailed(payment_id)`` (an OPENING payment's
  command goes only after ``JournalWritten``);
- ``Send`` → ``Sent(payment_id, command)`` or ``SendFailed(payment_id, command)`` (a cancel is believed sent only
  on ``Sent``; a no-acknowledgement cancel that failed goes out when the engine is seen charging the payment);
- ``JournalUpdate`` that could not be written → ``JournalFailed(payment_id)`` (the runner keeps it, retries, and
  publishes only once written);
- ``StartTimer`` → ``TimerFired(name, payment_id)`` when it runs out (unless a ``StopTimer`` came first).

Every event names the payment it is about where it can; an event for another payment (a late timer, a cancel
from a stale dialog) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

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
    FrameLeft,
    JournalFailed,
    JournalOpen,
    JournalOpenFailed,
    JournalReopen,
    JournalUpdate,
    JournalWritten,
    Observed,
    PaymentResult,
    Phase,
    Publish,
    Recover,
    Send,
    SendFailed,
    Sent,
    StartChecked,
    StartChecking,
    StartRequested,
    StartTimer,
    StopTimer,
    TimerFired,
    from_message,
)
from .model import EngineView, MachineState, Settings
from .readings import ALL_READINGS, Reading
from .rules import Decision, Method
from .table import TRANSITIONS, UnlistedTransition, step

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
    "TRANSITIONS",
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
    "FrameLeft",
    "JournalFailed",
    "JournalOpen",
    "JournalOpenFailed",
    "JournalReopen",
    "JournalUpdate",
    "JournalWritten",
    "Method",
    "Observed",
    "PaymentMachine",
    "PaymentResult",
    "Phase",
    "Publish",
    "Recover",
    "Send",
    "SendFailed",
    "Sent",
    "StartChecked",
    "StartChecking",
    "StartRequested",
    "StartTimer",
    "State",
    "StopTimer",
    "TimerFired",
    "UnlistedTransition",
    "from_message",
    "step",
]  # fmt: skip


class PaymentMachine:
    """The payment lifecycle: :meth:`handle` an event, get the effects to run (see the module's docstring).

    ``strict``: an event the transition table does not list for the current phase raises (tests, the explorer)
    instead of being logged and ignored."""

    def __init__(self, ack_timeout: float = 5.0, end_grace: float = 2.0, abandon_grace: float = 5.0,
                 new_id: Callable[[], str] = lambda: "", now: Callable[[], str] = lambda: "", *,
                 connected: bool = False, synced: bool = False, strict: bool = False,
                 readings: tuple[Reading, ...] = ALL_READINGS) -> None:  # fmt: skip
        self.settings = Settings(ack_timeout, end_grace, abandon_grace, new_id, now, readings)
        self.snapshot = MachineState(engine=EngineView(connected=connected, synced=synced))
        self.strict = strict

    def handle(self, event: Event) -> list[Effect]:
        self.snapshot, effects = step(self.snapshot, event, self.settings, strict=self.strict)
        return effects

    @property
    def new_id(self) -> Callable[[], str]:
        return self.settings.new_id

    @new_id.setter
    def new_id(self, make: Callable[[], str]) -> None:  # tests and the explorer name adopted payments themselves
        self.settings = replace(self.settings, new_id=make)

    def use_readings(self, readings: tuple[Reading, ...]) -> None:
        """The readings the next endings are decided under (the reading learner narrows them)."""
        self.settings = replace(self.settings, readings=readings)

    # ---- read-only views of the state, for the kiosk and tests
    @property
    def state(self) -> State:
        """The phase."""
        return self.snapshot.phase

    @property
    def payment(self) -> ActivePayment | None:
        return self.snapshot.payment

    @property
    def connected(self) -> bool:
        return self.snapshot.engine.connected

    @property
    def last_reference(self) -> str:
        return self.snapshot.engine.last_reference

    def remember_reference(self, reference: str) -> None:
        """At start-up, the journal's last card reference: an engine that keeps it must not approve the next card
        with it (only while no status told the engine's own)."""
        engine = self.snapshot.engine
        if not engine.reference_known and not engine.last_reference:
            self.snapshot = replace(self.snapshot, engine=replace(engine, last_reference=reference))

    @property
    def recovering(self) -> tuple[dict[str, Any], ...]:
        return tuple({"id": r.id, "method": r.method, "due": r.due} for r in self.snapshot.recovering)

"""The one place the explorer knows the payment machine's vocabulary (kiosk_ui/payments/machine.py, events.py).

Helper "core" is rewriting the machine (explicit states, effects that complete as events); it keeps
``PaymentMachine.handle(event) -> list[Effect]``, ``.state`` and the event names. Everything the explorer needs
goes through the functions below, so only this module changes with the machine:

- events in: :func:`start`, :func:`cancel`, :func:`timer`, :func:`lost`, :func:`back`, :func:`frame`;
- effects out: :func:`action` turns each into a plain tuple the explorer runs;
- completions: :func:`completion` feeds ``JournalWritten`` (a row opened) and ``Sent`` (a frame left) back;
  ``JournalOpenFailed``/``SendFailed`` when they fail; :func:`vetoes_cancel` is the arbiter at the write;
- the state: :func:`key` (the frozen ``machine.snapshot``), :func:`payment_id`, :func:`may_start` (the arbiter's
  start gate).
"""

from __future__ import annotations

import copy
import inspect
from decimal import Decimal
from typing import Any

from kiosk_ui.payments import events as ev
from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.arbiter import Cancel, Own, Refuse, Situation, arbiter, start_refusal
from kiosk_ui.protocol import messages as m

Action = tuple[Any, ...]


def new_machine() -> Any:
    return pm.PaymentMachine(ack_timeout=5.0, end_grace=2.0, abandon_grace=5.0)


def clone(machine: Any) -> Any:
    # the machine holds one frozen MachineState (replaced, never changed, by each step): a shallow copy is a copy
    return copy.copy(machine)


def key(machine: Any) -> str:
    return repr(machine.snapshot)


def _situation(machine: Any) -> Situation:
    engine = machine.snapshot.engine
    return Situation(machine.snapshot, engine.charging, engine.due or Decimal(0), online=engine.connected)


def payment_id(machine: Any) -> str:
    payment = getattr(machine, "payment", None)
    return payment.id if payment is not None else ""


def may_start(machine: Any) -> bool:
    """The kiosk's start gate (Kiosk.can_pay: the arbiter's start_refusal)."""
    return start_refusal(_situation(machine)) == ""


# --------------------------------------------------------------------------- events in


def start(pid: str, method: str, due: Decimal) -> Any:
    return ev.StartRequested(pid, method, due)  # type: ignore[arg-type]


def cancel(pid: str) -> Any:
    return ev.CancelRequested(pid)


def timer(name: str, pid: str) -> Any:
    return ev.TimerFired(name, pid)  # type: ignore[arg-type]


def lost() -> Any:
    return ev.ConnectionLost()


def back() -> Any:
    return ev.ConnectionBack()


def frame(f: tuple[Any, ...]) -> Any:
    if f[0] == "status":
        charging, due, credit, change, reference = f[1:6]
        return ev.EngineStatus(charging, due, credit, change, reference, "")
    return ev.CreditUpdate(f[1], f[2])


# --------------------------------------------------------------------------- effects out


def action(effect: Any) -> Action:
    """An effect as a plain tuple: ("open", pid, adopted) ("settle", pid, outcome, credit, method, change paid)
    ("reopen", pid)
    ("send", kind, due, pid) ("publish", pid, outcome) ("arm", name, pid) ("disarm", name)."""
    if isinstance(effect, pm.JournalOpen):
        return ("open", effect.payment_id, "adopted" in effect.detail)
    if isinstance(effect, pm.JournalUpdate):
        r = effect.result
        return ("settle", effect.payment_id, r.outcome, r.credit, r.method, r.change_paid)
    if isinstance(effect, pm.JournalReopen):
        return ("reopen", effect.payment_id)
    if isinstance(effect, pm.Send):
        msg = effect.message
        due = getattr(msg, "due", Decimal(0))
        return ("send", msg.COMMAND, due, effect.payment_id)
    if isinstance(effect, pm.Publish):
        return ("publish", effect.result.id, effect.result.outcome)
    if isinstance(effect, pm.StartTimer):
        return ("arm", effect.name, effect.payment_id)
    if isinstance(effect, pm.StopTimer):
        return ("disarm", effect.name)
    return ("other", type(effect).__name__)


def open_failed(pid: str) -> Any:
    return ev.JournalOpenFailed(pid)


def send_failed(pid: str, command: str) -> Any:
    return ev.SendFailed(pid, command)


def completion(act: Action) -> Any | None:
    """The event that tells the machine an effect completed (``JournalWritten``, ``Sent``), if it has them."""
    if act[0] == "open":
        return ev.JournalWritten(act[1])
    if act[0] == "send":
        sent = getattr(ev, "Sent", None)
        return None if sent is None else _build(sent, act[3], act[1])
    return None


def _build(cls: Any, pid: str, what: str) -> Any:
    """Build a completion event whatever its field names (``payment_id`` and a command/kind, or fewer)."""
    params = inspect.signature(cls).parameters
    values = {"payment_id": pid, "command": what, "kind": what, "what": what}
    missing = [p for p, spec in params.items() if p not in values and spec.default is inspect.Parameter.empty]
    if missing:  # the machine's completion events changed shape: teach this adapter (and only it) their fields
        raise TypeError(f"tests/explore/adapter.py cannot build {cls.__name__}: fields {missing} unknown")
    return cls(**{p: values[p] for p in params if p in values})


def vetoes_cancel(machine: Any, act: Action) -> bool:
    """The arbiter refuses the frame at the write (a cancel whose payment ended while it waited behind a journal
    write; a paycash for a payment no longer starting): the service then feeds ``SendFailed`` back."""
    if act[0] != "send" or not act[3]:
        return False
    frames = {m.Cancel.COMMAND: m.Cancel("1"), m.PayCash.COMMAND: m.PayCash(act[2]),
              m.PayCreditCard.COMMAND: m.PayCreditCard(act[2])}  # fmt: skip
    frame = frames.get(act[1])
    if frame is None:
        return False
    intent = Cancel(act[3]) if act[1] == m.Cancel.COMMAND else Own(act[3])
    return isinstance(arbiter(_situation(machine), frame, intent), Refuse)

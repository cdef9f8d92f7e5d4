"""The one place the explorer knows the payment machine's vocabulary (kiosk_ui/payments/machine.py, events.py).

Helper "core" is rewriting the machine (explicit states, effects that complete as events); it keeps
``PaymentMachine.handle(event) -> list[Effect]``, ``.state`` and the event names. Everything the explorer needs
goes through the functions below, so only this module changes with the machine:

- events in: :func:`start`, :func:`cancel`, :func:`timer`, :func:`lost`, :func:`back`, :func:`frame`;
- effects out: :func:`action` turns each into a plain tuple the explorer runs;
- completions: :func:`completion` feeds ``JournalWritten``/``JournalFailed``/``Sent``/``SendFailed`` back when
  the machine has those events (today only ``SendFailed`` and ``JournalOpenFailed`` exist);
- the state: :func:`key` (hashable), :func:`payment_id`, :func:`may_start` (the kiosk's start gate).
"""

from __future__ import annotations

import copy
import inspect
from decimal import Decimal
from typing import Any

from kiosk_ui.payments import events as ev
from kiosk_ui.payments import machine as pm
from kiosk_ui.protocol import messages as m

Action = tuple[Any, ...]


def new_machine() -> Any:
    return pm.PaymentMachine(ack_timeout=5.0, end_grace=2.0, abandon_grace=5.0)


def clone(machine: Any) -> Any:
    """A copy the explorer may step without touching the original: shallow when every value the machine holds
    is hashable (frozen payments, tuples, Decimals: today's machine), deep otherwise."""
    try:
        for value in vars(machine).values():
            if not callable(value):
                hash(value)
    except TypeError:
        return copy.deepcopy(machine)
    return copy.copy(machine)


def key(machine: Any) -> str:
    return repr(sorted((k, v) for k, v in vars(machine).items() if not callable(v)))


def payment_id(machine: Any) -> str:
    payment = getattr(machine, "payment", None)
    return payment.id if payment is not None else ""


def may_start(machine: Any) -> bool:
    """The kiosk's start gate (Kiosk.can_pay): online, no payment here, the engine not charging anything."""
    idle = str(machine.state).upper().rsplit(".", 1)[-1] == "IDLE" and not payment_id(machine)
    return bool(idle and getattr(machine, "connected", True) and not getattr(machine, "engine_charging", False))


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
    failed = getattr(ev, "JournalFailed", None)
    return _build(failed, pid, "open") if failed is not None else ev.JournalOpenFailed(pid)


def send_failed(pid: str, command: str) -> Any:
    return ev.SendFailed(pid, command)


def completion(act: Action) -> Any | None:
    """The event that tells the machine an effect completed (``JournalWritten``, ``Sent``), if it has them."""
    if act[0] in ("open", "settle", "reopen"):
        written = getattr(ev, "JournalWritten", None)
        return None if written is None else _build(written, act[1], act[0])
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
    """Today's service drops a cancel whose payment ended while it waited behind a journal write."""
    return act[0] == "send" and act[1] == m.Cancel.COMMAND and bool(act[3]) and payment_id(machine) != act[3]

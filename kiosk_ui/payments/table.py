"""The payment machine's transitions as data, and the pure step that applies them.

``TRANSITIONS`` lists, for every phase and every kind of event, the function that handles it (:mod:`.handlers`),
the phases it may lead to, the effects it may return and, in words, when it applies. :func:`step` applies one
row to a frozen :class:`~.model.MachineState` and checks the result against the row: a pair the table does not
list, or a row's result outside what it declares, raises :class:`UnlistedTransition` when ``strict`` (tests, the
explorer) and is logged and ignored in production. ``docs/payments.md`` is generated from this table
(:func:`markdown`; ``python -m kiosk_ui.payments.table docs/payments.md`` rewrites it).

Engine frames (``status``, ``sockets``) are first folded into the engine view, after rows left open by a previous
run had their say (:mod:`.recovery`: the first status settles or resumes them); the row for the phase they then
find applies.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from . import handlers as h
from . import holds, recovery
from .core import MachineCore
from .events import (
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
    JournalOpenFailed,
    JournalWritten,
    Recover,
    SendFailed,
    Sent,
    StartChecked,
    StartChecking,
    StartRequested,
    TimerFired,
)
from .model import ABANDONING, CHARGING, ENDING, IDLE, OPENING, PHASES, STARTING, MachineState, Settings, State

log = logging.getLogger(__name__)

Handler = Callable[[MachineCore, Any], list[Effect]]
BEGIN, END = "<!-- transitions:begin -->", "<!-- transitions:end -->"


class UnlistedTransition(AssertionError):
    """A (phase, event) pair the table does not list, or a result outside what its row declares."""


@dataclass(frozen=True)
class Transition:
    phase: State
    event: type
    run: Handler
    #: the phases this row may lead to
    to: frozenset[State]
    #: the kinds of effect it may return (class names)
    effects: frozenset[str]
    #: when and why, in words
    guard: str


EVENTS: tuple[type, ...] = (
    StartRequested, JournalWritten, JournalOpenFailed, Sent, SendFailed, JournalFailed, EngineStatus, EngineSockets,
    CreditUpdate, CancelRequested, TimerFired, ConnectionLost, ConnectionBack, Recover, FrameLeft, StartChecking,
    StartChecked,
)  # fmt: skip

#: what settling a payment returns (a JournalOpen first when an adopted payment's row had failed)
_OUTCOME = ("JournalOpen", "JournalUpdate", "Publish", "StopTimer", "Observed")


def _rows(phases: tuple[State, ...], event: type, run: Handler, to: tuple[str, ...], effects: tuple[str, ...],
          guard: str) -> list[Transition]:  # fmt: skip
    """One row per phase; ``to`` may hold ``"="`` for "the phase it was in"."""
    return [
        Transition(
            phase, event, run, frozenset(cast(State, phase if t == "=" else t) for t in to), frozenset(effects), guard
        )
        for phase in phases
    ]


_BUSY = (OPENING, STARTING, CHARGING, ENDING, ABANDONING)
_FRAMES = (EngineStatus, EngineSockets)

TRANSITIONS: tuple[Transition, ...] = (
    *_rows((IDLE,), StartRequested, h.start, (OPENING,), ("JournalOpen",), "a customer payment: its row first"),
    *_rows(_BUSY, StartRequested, h.refuse_start, ("=",), (), "one payment at a time (the arbiter refused it)"),
    *_rows(
        (OPENING,),
        JournalWritten,
        h.opened,
        (STARTING,),
        ("Send", "StartTimer"),
        "the row is on disk: paycash/paycreditcard goes, the acknowledgement timer starts",
    ),
    *_rows(
        (IDLE, STARTING, CHARGING, ENDING, ABANDONING),
        JournalWritten,
        h.ignore,
        ("=",),
        (),
        "an adopted payment's row: nothing waits on it",
    ),
    *_rows(
        PHASES,
        JournalOpenFailed,
        h.open_failed,
        ("=", IDLE),
        ("StopTimer",),
        "OPENING/STARTING: nothing was sent, no payment; an adopted row: written again at its end",
    ),
    *_rows(PHASES, Sent, h.sent, ("=",), (), "a frame left: only now is a cancel believed sent"),
    *_rows(
        PHASES,
        SendFailed,
        h.send_failed,
        ("=", IDLE, CHARGING),
        _OUTCOME,
        "pay command never left: failed (a sale the engine charges meanwhile adopted); the no-ack cancel waits for "
        "a take-up; a customer's goes again when a status says the engine charges this payment",
    ),
    *_rows(PHASES, JournalFailed, h.outcome_unwritten, ("=",), (), "an outcome write failed: the service retries it"),
    *(
        row
        for event in _FRAMES
        for row in _rows(
            (IDLE,),
            event,
            h.idle_engine,
            (IDLE, CHARGING),
            ("Send", "JournalOpen", "JournalReopen", *_OUTCOME),
            "charging with a Due > 0: resume the given-up payment, or adopt (asking first if it may be the last "
            "sale's echo); a sale asked about that ended before the answer is adopted and settled",
        )
    ),
    *_rows(
        (IDLE,),
        CreditUpdate,
        h.idle_credit,
        (IDLE, CHARGING),
        ("JournalReopen", "Send"),
        "an updateCredit-only engine taking the given-up payment up",
    ),
    *(
        row
        for event in _FRAMES
        for row in _rows(
            (OPENING,),
            event,
            h.opening_engine,
            ("=", IDLE, CHARGING),
            ("JournalOpen", *_OUTCOME),
            "the command has not left: no frame is about this payment (open rows of a previous run may settle); "
            "the engine charging another sale: ours fails unsent, that one is adopted",
        )
    ),
    *_rows((OPENING,), CreditUpdate, h.ignore, ("=",), (), "the command has not left: no frame is about it"),
    *(
        row
        for event in (*_FRAMES, CreditUpdate)
        for row in _rows(
            (STARTING, ABANDONING),
            event,
            h.ack_or_wait,
            ("=", CHARGING, IDLE),
            ("Send", *_OUTCOME),
            "charging this Due (not the last sale's echo): acknowledged, a held cancel goes; after a drop, an end "
            "that is not the view before the command settles it",
        )
    ),
    *(
        row
        for event in _FRAMES
        for row in _rows(
            (CHARGING,),
            event,
            h.charging_engine,
            ("=", ENDING, IDLE),
            ("Send", "StartTimer", *_OUTCOME),
            "a status ending this Due settles it; after a drop, another Due charging: ours unknown, that one "
            "adopted; repeating the last sale's end exactly, or a bare sockets: ask "
            "(ENDING)",
        )
    ),
    *_rows((CHARGING,), CreditUpdate, h.charging_credit, ("=",), (), "money in for this Due"),
    *_rows(
        (ENDING,),
        EngineStatus,
        h.ending_status,
        ("=", CHARGING, IDLE),
        ("Send", *_OUTCOME),
        "the answer: ended settles; still charging this Due goes back (a held cancel goes)",
    ),
    *_rows(
        (ENDING,),
        EngineSockets,
        h.ending_frame,
        ("=", CHARGING),
        ("StopTimer",),
        "more money for this Due: still live (a held cancel waits for a status)",
    ),
    *_rows(
        (ENDING,),
        CreditUpdate,
        h.ending_frame,
        ("=", CHARGING),
        ("StopTimer",),
        "more money for this Due: still live (a held cancel waits for a status)",
    ),
    *_rows(
        (OPENING, STARTING, CHARGING, ENDING, ABANDONING),
        CancelRequested,
        h.cancel,
        ("=",),
        ("Send",),
        "the customer's cancel for this payment: sent while charging, else held (wanted) until it may go",
    ),
    *_rows((IDLE,), CancelRequested, h.ignore, ("=",), (), "no payment: a stale dialog's cancel sends nothing"),
    *_rows(
        PHASES,
        TimerFired,
        h.timer,
        ("=", ABANDONING, IDLE, CHARGING),
        ("Send", "StartTimer", *_OUTCOME),
        'ack: cancel "1" and wait (ABANDONING), or failed with no cancel if the engine charges another sale '
        "(adopted); abandon: settle (adopting a sale the engine charges); end: settle without facts (if "
        "connected); a late timer does nothing",
    ),
    *_rows(PHASES, ConnectionLost, h.lost, ("=",), (), "the payment in progress is interrupted"),
    *_rows(PHASES, ConnectionBack, h.back, ("=",), ("StartTimer",), "ENDING: the end grace starts again"),
    *_rows(PHASES, Recover, h.recover, ("=",), (), "rows open from a previous run wait for the first status"),
    *_rows(
        PHASES,
        FrameLeft,
        holds.frame_left,
        ("=",),
        (),
        "any frame left: outside a payment, a cashrefill holds customer payments (refill_sent) until a cancel",
    ),
    *_rows(PHASES, StartChecking, holds.start_checking, ("=",), (), "a customer start is checked: staff's cash waits"),
    *_rows(PHASES, StartChecked, holds.start_checked, ("=",), (), "the start's check is over (refused, or it starts)"),
)

TABLE: dict[tuple[State, type], Transition] = {(t.phase, t.event): t for t in TRANSITIONS}


_DEFAULTS = Settings()


def step(state: MachineState, event: Event, settings: Settings = _DEFAULTS, *, strict: bool = False
         ) -> tuple[MachineState, list[Effect]]:  # fmt: skip
    """The machine's one transition: the next state and the effects to run, in order. Pure: ``state`` is not
    changed (the step works on a copy it freezes again)."""
    mc = MachineCore.thaw(state, settings)
    effects: list[Effect] = []
    if mc.recovering and isinstance(event, EngineStatus | EngineSockets | CreditUpdate):
        effects += recovery.first_frames(mc, event)  # rows open from a previous run: the engine's first word
    if isinstance(event, EngineStatus | EngineSockets):
        effects += mc.observe(event)
    row = TABLE.get((mc.state, type(event)))
    if row is None:
        return _unlisted(state, event, f"no transition for ({mc.state}, {type(event).__name__})", strict)
    phase = mc.state
    effects += row.run(mc, event)
    kinds = {type(e).__name__ for e in effects}
    if mc.state not in row.to | {phase} or not kinds <= row.effects | {"JournalUpdate"}:
        problem = f"({phase}, {type(event).__name__}) led to {mc.state} with {sorted(kinds)}: not what its row says"
        if strict:
            raise UnlistedTransition(problem)
        log.error("payment machine: %s", problem)
    return mc.freeze(), effects


def _unlisted(state: MachineState, event: Event, problem: str, strict: bool) -> tuple[MachineState, list[Effect]]:
    if strict:
        raise UnlistedTransition(problem)
    log.error("payment machine: %s; ignored", problem)
    return state, []


def markdown() -> str:
    """The table, as docs/payments.md prints it (between its markers)."""
    lines = ["| Phase | Event | Next phase | Effects | When |", "|---|---|---|---|---|"]
    for t in TRANSITIONS:
        to = ", ".join(sorted(t.to)) or "—"
        effects = ", ".join(sorted(t.effects)) or "—"
        lines.append(f"| {t.phase} | {t.event.__name__} | {to} | {effects} | {t.guard} |")
    return "\n".join(lines)


def render(doc: str) -> str:
    """``doc`` with the table between its markers replaced by the current one."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python -m kiosk_ui.payments.table docs/payments.md
    target = Path(sys.argv[1])
    target.write_text(render(target.read_text(encoding="utf-8")), encoding="utf-8")

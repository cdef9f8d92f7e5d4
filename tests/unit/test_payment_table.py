"""The payment machine's transition table is data: every (phase, event kind) pair is listed once, a step is pure
and stays within what its row declares (walked from a state in each phase with every sample event), an unlisted
pair raises in strict mode and is ignored otherwise, and docs/payments.md prints the table from code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.model import PHASES, MachineState
from kiosk_ui.payments.table import EVENTS, TABLE, TRANSITIONS, UnlistedTransition, render, step
from kiosk_ui.protocol import messages as m

D = Decimal
DOC = Path(__file__).resolve().parents[2] / "docs" / "payments.md"

#: events that bring a fresh machine (the engine idle, known) to each phase
TO_PHASE: dict[str, tuple[pm.Event, ...]] = {
    "IDLE": (),
    "OPENING": (pm.StartRequested("a", "cash", D(20)),),
    "STARTING": (pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a")),
    "CHARGING": (pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"), pm.Sent("a", m.PayCash.COMMAND),
                 pm.EngineSockets(True, D(20), D(0), "efectivo")),
    "ENDING": (pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"), pm.Sent("a", m.PayCash.COMMAND),
               pm.EngineSockets(True, D(20), D(0), "efectivo"), pm.EngineSockets(False, D(20), D(5))),
    "ABANDONING": (pm.StartRequested("a", "cash", D(20)), pm.JournalWritten("a"), pm.TimerFired("ack", "a")),
}  # fmt: skip

SAMPLES: dict[type, tuple[pm.Event, ...]] = {
    pm.StartRequested: (pm.StartRequested("b", "card", D(30)),),
    pm.JournalWritten: (pm.JournalWritten("a"), pm.JournalWritten("x")),
    pm.JournalOpenFailed: (pm.JournalOpenFailed("a"), pm.JournalOpenFailed("x")),
    pm.Sent: (pm.Sent("a", m.Cancel.COMMAND), pm.Sent("a", m.PayCash.COMMAND)),
    pm.SendFailed: (pm.SendFailed("a", m.Cancel.COMMAND), pm.SendFailed("a", m.PayCash.COMMAND)),
    pm.JournalFailed: (pm.JournalFailed("a"),),
    pm.EngineStatus: (
        pm.EngineStatus(True, D(20), D(5), D(0), "", ""), pm.EngineStatus(False, D(20), D(20), D(0), "", ""),
        pm.EngineStatus(True, D(99), D(0), D(0), "", ""), pm.EngineStatus(None, None, None, None, None, None),
        pm.EngineStatus(False, D(0), D(0), D(0), "R-1", ""),
    ),
    pm.EngineSockets: (pm.EngineSockets(True, D(20), D(10), "efectivo"), pm.EngineSockets(False, D(20), D(20)),
                       pm.EngineSockets(True, D(99), D(0), "tarjeta")),
    pm.CreditUpdate: (pm.CreditUpdate(D(20), D(10)), pm.CreditUpdate(D(99), D(5))),
    pm.CancelRequested: (pm.CancelRequested("a"), pm.CancelRequested("x")),
    pm.TimerFired: (pm.TimerFired("ack", "a"), pm.TimerFired("end", "a"), pm.TimerFired("abandon", "a")),
    pm.ConnectionLost: (pm.ConnectionLost(),),
    pm.ConnectionBack: (pm.ConnectionBack(),),
    pm.Recover: (pm.Recover(({"id": "r", "method": "cash", "due": "20.00"},)),),
    pm.FrameLeft: (pm.FrameLeft(m.CashRefill.COMMAND), pm.FrameLeft(m.Cancel.COMMAND),
                   pm.FrameLeft(m.GetStatus.COMMAND)),
    pm.StartChecking: (pm.StartChecking(),),
    pm.StartChecked: (pm.StartChecked(),),
}  # fmt: skip


def in_phase(phase: str) -> pm.PaymentMachine:
    mc = pm.PaymentMachine(connected=True, synced=True, new_id=lambda: "adopted", strict=True)
    mc.handle(pm.EngineStatus(False, D(0), D(0), D(0), "R-0", "Disponible"))
    for event in TO_PHASE[phase]:
        mc.handle(event)
    assert mc.state == phase
    return mc


def test_every_phase_and_event_kind_is_listed_once() -> None:
    pairs = [(t.phase, t.event) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs)), "a pair listed twice"
    assert set(pairs) == {(phase, event) for phase in PHASES for event in EVENTS}
    assert set(SAMPLES) == set(EVENTS)


@pytest.mark.parametrize("row", TRANSITIONS, ids=lambda t: f"{t.phase}-{t.event.__name__}")
def test_each_row_does_what_it_says(row: object) -> None:
    """From a state in the row's phase, every sample event of its kind steps within the row (strict mode raises
    otherwise); the step leaves the state it was given as it was, and both are hashable."""
    transition = TABLE[(row.phase, row.event)]  # type: ignore[attr-defined]
    for event in SAMPLES[transition.event]:
        before = in_phase(transition.phase).snapshot
        after, _ = step(before, event, strict=True)
        assert before == in_phase(transition.phase).snapshot, "step changed the state it was given"
        hash(before), hash(after)


@dataclass(frozen=True)
class Stranger:
    """An event kind the table does not know."""


def test_an_unlisted_pair_raises_in_strict_mode_and_is_ignored_otherwise() -> None:
    state = MachineState()
    with pytest.raises(UnlistedTransition):
        step(state, Stranger(), strict=True)  # type: ignore[arg-type]
    assert step(state, Stranger()) == (state, [])  # type: ignore[arg-type]


def test_docs_print_the_table_from_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text == render(text), "docs/payments.md is out of date: python -m kiosk_ui.payments.table docs/payments.md"

"""The simulator speaks each reading of the end-of-sale fields (issue 19 item 8), and the rules read every one."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kiosk_ui.payments.readings import READING_NAMES
from kiosk_ui.payments.rules import Facts, decide
from kiosk_ui.protocol import messages as m
from kiosk_ui.simulator import SimEngine, speech


def frames(engine: SimEngine) -> list[m.Message]:
    return [engine.codec.decode(text) for _, text in engine.drain(10**9)]


def last_status(engine: SimEngine) -> m.Status:
    return [f for f in frames(engine) if isinstance(f, m.Status)][-1]


def sale(reading: str, *pieces: str, cancel: bool = False) -> tuple[SimEngine, m.Status, D]:
    """Two cash sales of 35 (the second shows running totals), the last one paid with ``pieces`` or cancelled."""
    engine = SimEngine(status_interval=0, reading=reading)
    cid = engine.connect()
    engine.receive(cid, engine.codec.encode(m.PayCash(D(35))))
    engine.insert(D(50))
    frames(engine)
    engine.receive(cid, engine.codec.encode(m.PayCash(D(35))))
    before = last_status(engine).change_dispensed or D(0)
    for piece in pieces:
        engine.insert(D(piece))
    if cancel:
        engine.receive(cid, engine.codec.encode(m.Cancel("1")))
    return engine, last_status(engine), before


def test_the_simulator_and_the_rules_name_the_same_readings() -> None:
    assert speech.NAMES == READING_NAMES
    with pytest.raises(ValueError, match="unknown reading"):
        SimEngine(reading="credit-whatever")


def test_the_default_reading_is_what_the_simulator_always_said() -> None:
    _, end, _ = sale(speech.DEFAULT, "20", cancel=True)
    assert (end.cobrando, end.due, end.credit, end.change_dispensed) == (False, D(35), D(20), D(20))


@pytest.mark.parametrize("reading", READING_NAMES)
def test_every_reading_is_spoken_and_read_right(reading: str) -> None:
    said = speech.Speech.named(reading)
    for pieces, cancel, truth, inserted, change in ((("50",), False, "completed", D(50), D(15)),
                                                   (("20",), True, "cancelled", D(20), D(20))):  # fmt: skip
        engine, end, before = sale(reading, *pieces, cancel=cancel)
        assert engine.ledger[-1][0] == truth
        left = (inserted - D(35) if truth == "completed" else D(0)) if said.credit == "left" else inserted
        assert end.credit == left
        assert end.due == (D(35) if said.due == "kept" else D(0))
        assert end.change_dispensed == (change if said.change == "sale" else D(15) + change)
        facts = Facts(D(35), end.credit, end.change_dispensed, credit_seen=inserted,
                      change_before=before, due_reported=end.due)  # fmt: skip
        decision = decide("cash", facts)
        assert decision.outcome in (truth, "unknown")  # never a wrong definite outcome
        pinned = decide("cash", facts, [r for r in _readings() if r.name == reading])
        assert (pinned.outcome, pinned.credit, pinned.change_paid) == (truth, inserted, change)


def _readings() -> tuple[object, ...]:
    from kiosk_ui.payments.readings import ALL_READINGS

    return ALL_READINGS


def test_card_references_follow_the_reading() -> None:
    def card(reading: str, approve: bool) -> list[m.Status]:
        engine = SimEngine(status_interval=0, reading=reading)
        cid = engine.connect()
        engine.receive(cid, engine.codec.encode(m.PayCreditCard(D(35))))
        engine.approve_card()
        frames(engine)
        engine.receive(cid, engine.codec.encode(m.PayCreditCard(D(35))))
        engine.approve_card() if approve else engine.decline_card()
        return [f for f in frames(engine) if isinstance(f, m.Status)]

    early = card("inserted-sale-kept-early", approve=True)
    assert early[-2].cobrando is True and early[-2].reference_cc == early[-1].reference_cc != ""
    sticky = card("inserted-sale-kept-sticky", approve=False)
    assert sticky[0].reference_cc == sticky[-1].reference_cc != ""  # the previous approval's, never cleared
    end = card(speech.DEFAULT, approve=False)
    assert end[-1].reference_cc == ""


def test_mixed_picks_a_reading_per_sale() -> None:
    engine = SimEngine(status_interval=0, reading="mixed", reading_seed=3)
    cid = engine.connect()
    spoken = set()
    for _ in range(12):
        engine.receive(cid, engine.codec.encode(m.PayCash(D(35))))
        spoken.add(engine.speech.name)
        engine.insert(D(50))
    assert len(spoken) > 3


def test_a_status_built_before_the_command_is_sent_after_its_answer() -> None:
    engine = SimEngine(status_interval=0)
    engine.set_fault("stale_status_on_command", True)
    cid = engine.connect()
    frames(engine)
    engine.receive(cid, engine.codec.encode(m.PayCash(D(35))))
    statuses = [f for f in frames(engine) if isinstance(f, m.Status)]
    assert [s.cobrando for s in statuses] == [True, False]  # the answer, then the heartbeat's older snapshot


def test_the_command_line_picks_the_simulators_reading() -> None:
    from kiosk_ui.cli import make_parser

    parser = make_parser()
    assert parser.parse_args(["simulate"]).reading == speech.DEFAULT
    assert parser.parse_args(["simulate", "--reading", "mixed"]).reading == "mixed"
    assert parser.parse_args(["demo", "--reading", "left-running-zeroed-early"]).reading == "left-running-zeroed-early"
    with pytest.raises(SystemExit):
        parser.parse_args(["simulate", "--reading", "credit-whatever"])

"""Outcomes under every reading of the end-of-sale fields (docs/protocol.md, "Readings"), and the reading learner."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kiosk_ui.payments.readings import (
    ALL_READINGS,
    DEFAULT_READING,
    READING_NAMES,
    Reading,
    ReadingLearner,
    parse_engine_reading,
    pinned,
)
from kiosk_ui.payments.rules import Facts, adds_up, decide, fitting_readings

LEFT = Reading(credit="left")
RUNNING = Reading(change="running")


def cash(due: str, credit: str | None, out: str | None, seen: str = "0", **extra: object) -> Facts:
    return Facts(D(due), None if credit is None else D(credit), None if out is None else D(out),
                 credit_seen=D(seen), **extra)  # type: ignore[arg-type]  # fmt: skip


def test_refund_reported_as_change_is_a_cancel_whatever_credit_says() -> None:
    # 20.00 in, cancel, then Credit 0.00 and changeDispensed 20.00 (an engine whose Credit is what is left)
    d = decide("cash", cash("35", "0", "20", seen="20", cancel_requested=True))
    assert (d.outcome, d.credit, d.change_paid, d.shortfall) == ("cancelled", D(20), D(20), D(0))
    assert adds_up("cash", D(35), d)


def test_common_endings_stay_definite_under_every_reading() -> None:
    inserted_cancel = decide("cash", cash("35", "20", "20", seen="20"))
    inserted_sale = decide("cash", cash("35", "50", "15", seen="50"))
    left_sale = decide("cash", cash("35", "15", "15", seen="50"))
    nothing = decide("cash", cash("20", "0", "0"))
    assert (inserted_cancel.outcome, inserted_cancel.change_paid) == ("cancelled", D(20))
    assert (inserted_sale.outcome, inserted_sale.change_paid, inserted_sale.shortfall) == ("completed", D(15), D(0))
    assert (left_sale.outcome, left_sale.credit, left_sale.change_paid) == ("completed", D(50), D(15))
    assert nothing.outcome == "cancelled"


def test_readings_that_disagree_make_it_unknown() -> None:
    # Credit 0, 20 back, but only 10 was seen: under "inserted" Credit 0 < seen does not fit; under "left" 20
    # came back of 10 seen: no reading explains it
    assert decide("cash", cash("35", "0", "20", seen="10")).outcome == "unknown"
    # a running total: with the change before the sale known, 25 total after 10 before is 15 for this sale
    facts = cash("35", "50", "25", seen="50", change_before=D(10))
    assert decide("cash", facts, [RUNNING]).change_paid == D(15)
    # per sale, 25 out of 15 owed does not fit; running, it is 15: only the running reading fits, so definite
    assert decide("cash", facts).outcome == "completed"
    # both fit but tell other amounts (per sale 10 paid; running 0 paid and 15 short): unknown
    assert decide("cash", cash("35", "50", "10", seen="50", change_before=D(10))).outcome == "unknown"


def test_unreadable_money_never_counts_as_nothing_moved() -> None:
    facts = cash("35", None, None, unreadable=frozenset({"credit"}))
    assert decide("cash", facts).outcome == "unknown"
    assert decide("cash", cash("35", None, None)).outcome == "cancelled"
    card = Facts(D(10), D(0), D(0), reference="", reference_before="8", unreadable=frozenset({"reference"}))
    assert decide("card", card).outcome == "unknown"


def test_a_pinned_reading_decides_alone() -> None:
    facts = cash("35", "20", "20", seen="0")  # under "left": 20 left means nothing; no reading of its own fits
    assert decide("cash", facts, [DEFAULT_READING]).outcome == "cancelled"
    assert decide("cash", facts, [LEFT]).outcome == "unknown"


def test_due_axis_filters_readings() -> None:
    zeroed = cash("35", "0", "20", seen="20", due_reported=D(0))
    assert {r.due for r in fitting_readings("cash", zeroed)} == {"zeroed"}
    assert decide("cash", zeroed).outcome == "cancelled"


def test_reading_names_round_trip_and_config_values() -> None:
    assert len(ALL_READINGS) == len(set(READING_NAMES)) == 24
    assert all(Reading.named(n).name == n for n in READING_NAMES)
    assert parse_engine_reading(" AUTO ") == "auto"
    assert pinned("auto") == ALL_READINGS
    assert pinned("left-sale-kept-end") == (Reading(credit="left"),)
    with pytest.raises(ValueError, match="unknown engine reading"):
        parse_engine_reading("credit-is-whatever")


def test_learner_narrows_to_the_readings_every_explained_sale_fits() -> None:
    learner = ReadingLearner()
    assert learner.matched() == "unknown"
    learner.observe(fitting_readings("cash", cash("35", "15", "15", seen="50", due_reported=D(35),
                                                  change_before=D(0))))  # fmt: skip
    assert learner.axes()["credit"] == ("left",) and learner.axes()["due"] == ("kept",)
    learner.observe(fitting_readings("cash", cash("35", "0", "20", seen="10", change_before=D(0))))  # by none
    assert learner.unexplained == 1 and learner.seen == 2
    assert learner.matched() == f"ambiguous ({len(learner.candidates())})"
    assert all(r.credit == "left" for r in learner.candidates())


def test_config_pins_or_learns_the_reading(tmp_path: object) -> None:
    from pathlib import Path

    from kiosk_ui.config import load
    from kiosk_ui.errors import ConfigError

    base = Path(str(tmp_path))
    assert load(None).engine_reading == "auto"
    good = base / "good.toml"
    good.write_text('[protocol]\nengine_reading = "Left-Running-Zeroed-Sticky"\n', encoding="utf-8")
    assert pinned(load(good).engine_reading) == (Reading("left", "running", "zeroed", "sticky"),)
    bad = base / "bad.toml"
    bad.write_text('[protocol]\nengine_reading = "whatever"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown engine reading"):
        load(bad)


def test_after_a_drop_a_left_reading_end_with_nothing_left_is_not_proof_of_a_cancel() -> None:
    # an adopted 40.00 sale, the connection dropped while its money went in; the engine then says Credit 0,
    # change 0: under "inserted" nothing went in (cancelled), under "left" it was paid exactly (completed)
    facts = cash("40", "0", "0", seen="0", seen_all=False)
    assert decide("cash", facts).outcome == "unknown"
    assert decide("cash", cash("40", "0", "0", seen="0")).outcome == "cancelled"


def test_an_empty_cash_payment_cancelled_is_a_cancel_under_a_learned_left_reading() -> None:
    # an engine whose Credit is what is left, learned from earlier sales; the customer inserts nothing and the
    # payment is cancelled (or abandoned): Credit 0, change 0 is nothing moved, not "unknown"
    left = tuple(r for r in ALL_READINGS if r.credit == "left")
    empty = cash("250", "0", "0", seen="0", cancel_requested=True)
    assert decide("cash", empty, left).outcome == "cancelled"
    # after a drop the same end may be an exact payment nobody saw: never a definite "completed"
    assert decide("cash", cash("250", "0", "0", seen="0", seen_all=False), left).outcome == "unknown"


def test_metrics_show_the_matching_readings_and_the_unexplained_endings() -> None:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.parser import text_string_to_metric_families
    from prometheus_client.registry import Collector

    from kiosk_ui.metrics import metric_value, reading_families

    learner = ReadingLearner()
    learner.observe(fitting_readings("cash", cash("35", "15", "15", seen="50", due_reported=D(0),
                                                  change_before=D(0))))  # fmt: skip
    learner.observe(())

    class Only(Collector):
        def collect(self):  # type: ignore[no-untyped-def]
            return reading_families("k1", learner)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Only())
    families = list(text_string_to_metric_families(generate_latest(registry).decode()))
    left = [r.name for r in learner.candidates()]
    assert all(name.startswith("left-") and "-zeroed-" in name for name in left)
    assert metric_value(families, "kiosk_engine_reading_match", reading=left[0]) == 1
    assert metric_value(families, "kiosk_engine_reading_match", reading=DEFAULT_READING.name) is None
    assert metric_value(families, "kiosk_engine_reading_unexplained_total", kiosk="k1") == 1
    assert metric_value(families, "kiosk_engine_reading_endings_total", kiosk="k1") == 2


def test_the_learner_keeps_readings_it_cannot_judge() -> None:
    # no change_before: the running-total readings cannot be judged, so this sale does not drop them
    fits = fitting_readings("cash", cash("35", "50", "15", seen="50"))
    assert {(r.credit, r.change) for r in fits} == {("inserted", "sale"), ("inserted", "running"), ("left", "running")}
    assert fitting_readings("cash", cash("35", None, None, unreadable=frozenset({"credit"}))) == ALL_READINGS


def test_a_pinned_running_total_without_the_total_before_is_unknown_and_says_why() -> None:
    decision = decide("cash", cash("35", "50", "15", seen="50"), [RUNNING])
    assert decision.outcome == "unknown" and "total before the sale" in decision.reason


def test_every_definite_cash_decision_adds_up_under_every_reading() -> None:
    from itertools import product

    amounts = (None, "0", "15", "20", "35", "50")
    checked = 0
    for seen, credit, out, before, seen_all in product(("0", "20", "35", "50"), amounts, amounts, (None, D(0), D(10)),
                                                       (True, False)):  # fmt: skip
        facts = cash("35", credit, out, seen=seen, change_before=before, seen_all=seen_all)
        for readings in (ALL_READINGS, *((r,) for r in ALL_READINGS[::3])):
            decision = decide("cash", facts, readings)
            if decision.outcome in ("completed", "cancelled"):
                checked += 1
                assert adds_up("cash", D(35), decision), (facts, readings, decision)
    assert checked > 500

"""The exhaustive explorer in CI (about 30 s on the 2-core machine): the payment machine against the engine model
in several readings, every interleaving of a bounded alphabet. ``benchmarks/explore.py`` goes deeper.

Every counterexample the explorer ever found has a named behaviour test in tests/unit/test_payment_explored_cases.py
(docs/explore.md lists them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kiosk_ui.payments import rules
from kiosk_ui.payments.readings import Reading

from .explorer import Bounds, explore

# the explorer uses no simulator and no socket: the CI run with the simulator's mixed dialect need not repeat it
pytestmark = pytest.mark.skipif(os.environ.get("KIOSK_SIM_DIALECT") == "mixed", reason="dialect-independent")

CLEAN = Bounds(sales=2, others=0, drops=0, stale=0, slow_engine=False)
FAULTS = Bounds(sales=1)
#: two sales of ours, one status built before a command and delivered after it: the echo and stale-frame cases
STALE = Bounds(sales=2, others=0, drops=0, stale=1)
#: nobody pays here; another client's two sales of the same Due, back to back: each must be adopted and journaled
ADOPT = Bounds(sales=0, others=2, drops=0, stale=1)


def _show(result: object) -> str:
    return "\n".join(f"{kind}:\n  " + "\n  ".join(trace) for kind, trace in result.counterexamples.items())  # type: ignore[attr-defined]


def test_the_explorer_catches_a_wrong_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not vacuous: rules that call every cash ending completed are caught with a short trace."""

    def always_completed(f: rules.Facts, credit: object, dispensed: object) -> list[rules.Decision]:
        return [rules.Decision("completed", credit=f.credit_seen)]

    monkeypatch.setattr(rules, "_inserted", always_completed)
    monkeypatch.setattr(rules, "_left", always_completed)
    bounds = Bounds(sales=1, methods=("cash",), others=0, drops=0, stale=0, slow_engine=False)
    result = explore(Reading(), bounds, depth=30)
    assert any("the engine's truth is cancelled" in kind for kind in result.counterexamples), _show(result)


def _clean_readings() -> Iterator[Reading]:
    for credit in ("inserted", "left"):
        yield Reading(credit=credit)  # type: ignore[arg-type]
    yield Reading(reference="sticky")


@pytest.mark.parametrize("reading", list(_clean_readings()), ids=lambda r: r.name)
def test_fault_free_sales_end_definite_and_true(reading: Reading) -> None:
    """Two sales of ours, cash or card, the engine answering in time: every ending definite and the ledger's."""
    result = explore(reading, CLEAN, depth=40, definite=True)
    assert result.complete and result.states > 1000
    assert not result.counterexamples, _show(result)


@pytest.mark.parametrize(
    "reading",
    [
        Reading(change="running"),
        Reading(due="zeroed"),
        Reading(reference="early"),
    ],
    ids=lambda r: r.name,
)
def test_fault_free_sales_end_definite_in_the_other_readings(reading: Reading) -> None:
    result = explore(reading, CLEAN, depth=40, definite=True, stop_after=1)
    assert not result.counterexamples, _show(result)
    assert result.complete


@pytest.mark.parametrize("reading", [Reading(), Reading(credit="left")], ids=lambda r: r.name)
def test_no_counterexample_with_drops_stale_statuses_and_another_client(reading: Reading) -> None:
    result = explore(reading, FAULTS, depth=14, stop_after=1)
    assert not result.counterexamples, _show(result)
    assert result.complete and result.states > 10_000


def test_no_counterexample_with_a_status_built_before_the_command() -> None:
    result = explore(Reading(), STALE, depth=22, stop_after=1)
    assert not result.counterexamples, _show(result)
    assert result.complete and result.states > 10_000


def test_back_to_back_sales_of_another_client_are_each_journaled() -> None:
    result = explore(Reading(), ADOPT, depth=24, stop_after=1)
    assert not result.counterexamples, _show(result)
    assert result.complete and result.states > 50

"""A randomized soak of the payment core against the simulator (a development tool, not used by the app).

Runs ``n`` payments through the real :class:`~kiosk_ui.kiosk.Kiosk`, engine client, journal and
simulator over a real socket, with random money, cancels, card answers and timings (late
acknowledgements, a cancel racing the last bill, odd field shapes), and checks after every
payment that the published outcome is the journaled one and agrees with what the simulated
engine really did with the money. Used by ``tests/test_payment_soak.py`` (fixed seed) and
``benchmarks/payment_soak.py`` (longer runs).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from kiosk_ui.engine import EngineClient
from kiosk_ui.journal import Journal
from kiosk_ui.kiosk import Kiosk, PaymentResult
from kiosk_ui.protocol import Codec
from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.core import BILLS, COINS
from kiosk_ui.simulator.server import SimServer

DUES = tuple(Decimal(v) for v in ("0.50", "7", "10", "12.50", "20", "35.50", "50", "99", "120"))


@dataclass
class SoakReport:
    payments: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    late_acks: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    #: why each ``unknown`` was unknown
    unknown_reasons: list[str] = field(default_factory=list)


async def _until(check: Callable[[], Any], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


async def run_soak(n: int, seed: int, data_dir: Path | None = None, ack_timeout: float = 0.1) -> SoakReport:
    rng = random.Random(seed)
    report = SoakReport()
    with tempfile.TemporaryDirectory() as tmp:
        directory = data_dir or Path(tmp)
        engine = SimEngine(status_interval=0, card_mode="manual", rng=random.Random(seed))
        server = SimServer(engine, "127.0.0.1", 0)
        await server.start()
        journal = Journal(directory / "journal.sqlite3")
        client = EngineClient(server.url, Codec())
        kiosk = Kiosk(client, journal, ack_timeout=ack_timeout, end_grace=0.5, abandon_grace=ack_timeout * 3)
        results: dict[str, PaymentResult] = {}
        kiosk.on_result(lambda r: results.__setitem__(r.id, r))
        started = time.monotonic()
        try:
            client.start()
            if not await _until(lambda: kiosk.state.online and kiosk.state.synced, 10):
                report.problems.append("never connected")
                return report
            for index in range(n):
                await _one_payment(index, rng, engine, server, kiosk, journal, results, report)
                if len(report.problems) > 10:
                    break
        finally:
            report.seconds = time.monotonic() - started
            await client.stop()
            await server.stop()
            journal.close()
    return report


async def _one_payment(index: int, rng: random.Random, engine: SimEngine, server: SimServer, kiosk: Kiosk,
                       journal: Journal, results: dict[str, PaymentResult], report: SoakReport) -> None:  # fmt: skip
    def problem(text: str) -> None:
        report.problems.append(f"payment {index}: {text}")

    faults = engine.faults
    faults.odd_shapes = rng.random() < 0.2
    faults.stale_sale_facts = rng.random() < 0.5
    faults.race_bill_on_cancel = 0.0
    late = rng.random() < 0.05
    faults.ack_delay = kiosk.machine.settings.ack_timeout * 1.5 if late else 0.0
    report.late_acks += late
    method = "card" if rng.random() < 0.3 else "cash"
    due = rng.choice(DUES)
    if not await _until(lambda: kiosk.can_pay() == "", 5):
        problem(f"cannot pay: {kiosk.can_pay()}")
        return
    rows_before = len(journal.payments())
    sales_before = len(engine.ledger)
    outcome = await kiosk.start_payment(method, due)  # type: ignore[arg-type]
    payment = kiosk.payment
    payment_id = outcome.id if outcome is not None else (payment.id if payment else "")
    if not payment_id:
        problem("no payment id")
        return
    if not await _until(lambda: engine.payment is not None or payment_id in results, 5):
        problem("the engine never took the payment up")
    credit = Decimal(0)
    if method == "card" and engine.payment is not None:
        await asyncio.sleep(rng.random() * 0.01)
        choice = rng.random()
        if choice < 0.6:
            engine.approve_card()
        elif choice < 0.8:
            engine.decline_card("Fondos insuficientes")
        else:
            await kiosk.cancel("1", payment_id)
        server.kick()
    elif engine.payment is not None:
        cancel_at = rng.random() < 0.3
        while engine.payment is not None and payment_id not in results:
            if cancel_at and credit > 0 and rng.random() < 0.4:
                if rng.random() < 0.3:
                    faults.race_bill_on_cancel = float(rng.choice([b for b in BILLS if b <= 200]))
                await kiosk.cancel("1", payment_id)
                break
            value = rng.choice([*COINS, *BILLS[:3]])
            kind = "coin" if value in COINS and (value not in BILLS or rng.random() < 0.5) else "bill"
            if engine.insert(value, kind):
                credit += value
            server.kick()
            await asyncio.sleep(rng.random() * 0.004)
    if not await _until(lambda: payment_id in results, 10):
        problem(f"no outcome published (machine {kiosk.machine.state})")
        return
    result = results[payment_id]
    report.payments += 1
    report.outcomes[result.outcome] = report.outcomes.get(result.outcome, 0) + 1
    if result.outcome == "unknown":
        report.unknown_reasons.append(f"{result.method} {result.due}: {result.reason}")
    row = journal.payment(payment_id)
    rows = journal.payments()
    if len(rows) != rows_before + 1:
        problem(f"{len(rows) - rows_before} journal rows for one payment")
    if row is None or row["outcome"] != result.outcome:
        problem(f"journaled {row and row['outcome']} but published {result.outcome}")
        return
    if result.outcome in ("completed", "cancelled") and row["credit"] != f"{result.credit:.2f}":
        problem(f"journal credit {row['credit']} != published {result.credit}")
    _check_money(result, engine, problem)
    sales = engine.ledger[sales_before:]
    if len(sales) > 1:
        problem(f"the engine ran {len(sales)} sales for one payment")
    elif sales:
        truth, _, engine_credit, engine_change = sales[0]
        seen = result.outcome
        if result.method == "card" and seen == "cancelled":
            seen = "declined"  # a card cancelled at the terminal is a decline to the engine
        if seen != truth or (result.method == "cash" and (result.credit, result.change_paid)
                                  != (engine_credit, engine_change)):  # fmt: skip
            problem(f"published {result.outcome} {result.credit}/{result.change_paid}; "
                    f"the engine {truth} {engine_credit}/{engine_change}")  # fmt: skip
    elif result.outcome not in ("failed", "unknown"):
        problem(f"published {result.outcome} but the engine ran no sale")


def _check_money(result: PaymentResult, engine: SimEngine, problem: Callable[[str], None]) -> None:
    """The published outcome adds up and agrees with what the simulated engine did."""
    r = result
    if r.shortfall < 0:
        problem(f"negative shortfall {r.shortfall}")
    if r.method == "cash" and r.outcome == "completed":
        if r.credit != r.due + r.change_paid + r.shortfall:
            problem(f"completed does not add up: {r}")
        if (r.credit, r.change_paid) != (engine.last_sale[1], engine.last_change):
            problem(f"completed {r.credit}/{r.change_paid} but the engine took {engine.last_sale[1]} "
                    f"and paid {engine.last_change}")  # fmt: skip
    elif r.method == "cash" and r.outcome == "cancelled":
        if r.credit != r.change_paid + r.shortfall:
            problem(f"cancelled does not add up: {r}")
        if r.change_paid != engine.last_change:
            problem(f"cancelled paid {r.change_paid} but the engine paid {engine.last_change}")
    elif r.outcome in ("failed", "declined") and r.credit != 0:
        problem(f"{r.outcome} with credit {r.credit}")
    if r.method == "card" and r.outcome == "completed" and r.reference != engine.last_reference:
        problem(f"card completed with reference {r.reference!r}, engine has {engine.last_reference!r}")

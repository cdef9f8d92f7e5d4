"""The journal side of crash recovery (issue 20 item 3): the progress column (schema v4), kept by the payment
service as a payment progresses (on the acknowledgement and when the credit rises, not per frame), read back at
start with the open rows; older journals migrate and stay readable."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui.journal import SCHEMA_VERSION, Journal, open_for_reading
from kiosk_ui.payments import machine as pm
from kiosk_ui.payments.service import PaymentService
from kiosk_ui.protocol import Message

D = Decimal


def make_v3(path: Path) -> None:
    """A journal as the app of schema v3 left it, with one payment open."""
    journal = Journal(path)
    journal.open_payment("old", "cash", "30.00", [])
    journal.close()
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE payments DROP COLUMN progress")
        db.execute("PRAGMA user_version=3")


def test_a_v3_journal_migrates_to_v4_and_its_open_rows_have_no_progress(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    make_v3(path)
    reader = open_for_reading(path)  # kiosk-ui journal reads a v3 file as it is, never writing it
    assert [p["id"] for p in reader.payments()] == ["old"]
    reader.close()
    journal = Journal(path)
    assert journal._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    (row,) = journal.open_payments()
    assert (row["id"], row["due"], row["progress"]) == ("old", "30.00", "")
    journal.close()


def test_progress_is_kept_on_an_open_row_only(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("p", "cash", "30.00", [])
    journal.record_progress("p", '{"acknowledged": true}')
    assert journal.open_payments()[0]["progress"] == '{"acknowledged": true}'
    journal.update_payment("p", outcome="completed", credit="30.00")
    journal.record_progress("p", '{"acknowledged": false}')  # late: an outcome is final
    assert journal._db.execute("SELECT progress FROM payments").fetchone()[0] == '{"acknowledged": true}'
    journal.close()


async def _service(journal: Journal) -> PaymentService:
    async def send(message: Message, payment_id: str) -> None:
        return None

    machine = pm.PaymentMachine(connected=True, synced=True)
    return PaymentService(machine, journal, send, lambda result: None, lambda error: None)


async def test_the_service_journals_progress_on_the_acknowledgement_and_each_credit_rise(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    service = await _service(journal)
    calls: list[str] = []
    record = journal.record_progress
    journal.record_progress = lambda pid, text: (calls.append(text), record(pid, text))[1]  # type: ignore[method-assign]
    try:
        service.dispatch(pm.EngineStatus(False, D(0), D(0), D(0), "R-1", "Disponible"))
        await service.dispatch(pm.StartRequested("p", "cash", D(30)))
        await service.idle()
        for event in (pm.EngineStatus(True, D(30), D(0), D(0), "R-1", "Inserte"), pm.CreditUpdate(D(30), D(20)),
                      pm.EngineSockets(True, D(30), D(20), "efectivo"),  # the same credit again: no write
                      pm.EngineStatus(True, D(30), D(20), D(0), "R-1", "Inserte")):  # fmt: skip
            service.dispatch(event)
        await service.idle()
        await asyncio.sleep(0.05)
        assert len(calls) == 2, calls
        (row,) = journal.open_payments()
        progress = json.loads(row["progress"])
        assert progress["acknowledged"] is True and progress["credit_seen"] == "20"
        assert (progress["method"], progress["reference_before"]) == ("cash", "R-1")
        await service.dispatch(pm.EngineStatus(False, D(30), D(40), D(10), "R-1", "Pago completado"))
        await service.idle()
        assert journal.payment("p")["outcome"] == "completed"  # type: ignore[index]
    finally:
        service.close()
        journal.close()


@pytest.mark.parametrize("with_progress", [True, False])
async def test_a_progress_write_does_not_hold_up_the_screen_or_the_outcome(
    tmp_path: Path, with_progress: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Figures for the report: the dispatch (the screen reads the machine right after it) and the time from the
    engine's end to the outcome on disk and published, with a progress write queued just before the end."""
    journal = Journal(tmp_path / "journal.sqlite3")
    service = await _service(journal)
    published: list[float] = []
    service._publish = lambda result: published.append(time.perf_counter())
    if not with_progress:
        service._record_progress = lambda effect: None  # type: ignore[method-assign]
    dispatch, to_outcome = [], []
    try:
        service.dispatch(pm.EngineStatus(False, D(0), D(0), D(0), "R-1", "Disponible"))
        for i in range(20):
            await service.dispatch(pm.StartRequested(f"p{i}", "cash", D(30)))
            await service.idle()
            service.dispatch(pm.EngineStatus(True, D(30), D(0), D(0), "R-1", "Inserte"))
            started = time.perf_counter()
            service.dispatch(pm.CreditUpdate(D(30), D(40)))
            dispatch.append(time.perf_counter() - started)
            ended = time.perf_counter()
            service.dispatch(pm.EngineStatus(False, D(30), D(40), D(10), "R-1", "Pago completado"))
            await service.idle()
            while len(published) <= i:
                await asyncio.sleep(0.001)
            to_outcome.append(published[i] - ended)
    finally:
        service.close()
        journal.close()
    dispatch.sort()
    to_outcome.sort()
    with capsys.disabled():
        print(
            f"\nprogress={with_progress}: dispatch median {dispatch[10] * 1e6:.0f} us; "
            f"end -> outcome published median {to_outcome[10] * 1e3:.1f} ms, max {to_outcome[-1] * 1e3:.1f} ms"
        )
    assert dispatch[10] < 0.005, "the machine moves (and the screen may read it) without waiting for the disk"

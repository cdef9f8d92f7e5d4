"""The app is killed with SIGKILL mid-payment and started again: the journal and the screen tell the truth."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from devtools import AppProcess, ThreadedSim

from ..helpers import begin_payment

pytestmark = pytest.mark.browser


def journal_rows(data_dir: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(data_dir / "journal.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM payments_text ORDER BY created_at")]


@pytest.fixture
def sim() -> Iterator[ThreadedSim]:
    engine = ThreadedSim(card_mode="manual")
    yield engine
    engine.close()


def pay_and_insert_20(browser: Browser, sim: ThreadedSim, app: AppProcess, amount: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(app.base + "/")
    begin_payment(page, sim, amount)
    sim.insert("20", "bill")
    expect(page.get_by_test_id("pay-credit")).to_have_text("$20.00")
    context.close()


def test_killed_mid_payment_resumes_the_same_payment(browser: Browser, sim: ThreadedSim, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = AppProcess(["run", "--engine", sim.url], data)
    first.wait_connected()
    pay_and_insert_20(browser, sim, first, "50")
    first.kill()  # SIGKILL: no shutdown hook runs
    (row,) = journal_rows(data)
    assert (row["outcome"], row["due"]) == ("open", "50.00")

    second = AppProcess(["run", "--engine", sim.url], data)
    try:
        second.wait_connected()
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(second.base + "/")
        expect(page.get_by_test_id("screen-payment")).to_be_visible(timeout=10_000)
        expect(page.get_by_test_id("pay-due")).to_have_text("$50.00")
        expect(page.get_by_test_id("pay-credit")).to_have_text("$20.00")
        sim.insert("50", "bill")
        expect(page.get_by_test_id("result-success")).to_be_visible(timeout=10_000)
        expect(page.get_by_test_id("result-change")).to_contain_text("$20.00")
        context.close()
    finally:
        second.stop()
    rows = journal_rows(data)
    assert len(rows) == 1, "never two records for one payment"
    assert (rows[0]["id"], rows[0]["outcome"], rows[0]["credit"], rows[0]["change_paid"]) == (
        row["id"], "completed", "70.00", "20.00",
    )  # fmt: skip


def test_payment_that_ended_while_the_app_was_down_is_flagged(browser: Browser, sim: ThreadedSim,
                                                                tmp_path: Path) -> None:  # fmt: skip
    data = tmp_path / "data"
    first = AppProcess(["run", "--engine", sim.url], data)
    first.wait_connected()
    pay_and_insert_20(browser, sim, first, "30")
    first.kill()
    sim.insert("20", "bill")  # the customer finishes paying while the app is dead
    sim.wait_for(lambda e: e.payment is None)
    second = AppProcess(["run", "--engine", sim.url], data)
    try:
        second.wait_connected()
        sim.wait_for(lambda e: True)
        import time

        deadline = time.monotonic() + 10
        while journal_rows(data)[0]["outcome"] == "open" and time.monotonic() < deadline:
            time.sleep(0.1)
        rows = journal_rows(data)
        assert len(rows) == 1 and rows[0]["outcome"] == "unknown"
        context = browser.new_context()
        page = context.new_page()
        page.goto(second.base + "/")
        expect(page.get_by_test_id("screen-idle")).to_be_visible(timeout=10_000)
        page.goto(second.base + "/admin")
        page.get_by_test_id("nip-input").fill("1234")
        page.get_by_test_id("nip-submit").click()
        expect(page.get_by_test_id("review-row")).to_have_count(1, timeout=10_000)
        context.close()
    finally:
        second.stop()

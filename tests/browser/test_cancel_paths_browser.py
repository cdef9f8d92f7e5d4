"""Cancel paths in real Chromium: ``kiosk-ui run`` against the scripted fake engine (not the simulator) that
acknowledges late, and several customer tabs pressing at the same moment."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from websockets.asyncio.server import ServerConnection

from devtools import AppProcess
from kiosk_ui.journal import Journal

from ..fake_engine import FakeEngine, Frame, Threaded
from ..helpers import start_sale

pytestmark = pytest.mark.browser


class ThreadedFakeEngine(Threaded):
    """A scripted engine in its own thread: acknowledges ``paycash`` after ``ack_delay`` s, answers
    ``getstatus`` with an idle status, ends a payment on ``cancel``; records every frame."""

    def __init__(self, ack_delay: float = 1.5) -> None:
        super().__init__(FakeEngine(greeting=None))  # it answers every getstatus itself
        self.ack_delay = ack_delay
        self.charging: str = ""
        #: the Due of the last payment: an idle engine keeps reporting it (as the manual's Due field reads)
        self.due = "0.00"
        self.engine.on("getstatus", lambda engine, connection, frame: self._status())
        self.engine.on("paycash", self._paycash)
        self.engine.on("cancel", self._cancel)
        self.url = self.start()

    async def _status(self) -> None:
        charging = bool(self.charging)
        await self.engine.push(
            "status", cobrando="True" if charging else "False", Due=self.due, Credit="0.00",
            changeDispensed="0.00", bvError="OK", caError="none", tarjeta="False",
            Status="Cobrando" if charging else "Disponible", conexiones=len(self.engine.connections),
        )  # fmt: skip

    async def _paycash(self, engine: FakeEngine, connection: ServerConnection, frame: Frame) -> None:
        await asyncio.sleep(self.ack_delay)
        self.charging = self.due = frame["due"]
        await self._status()

    async def _cancel(self, engine: FakeEngine, connection: ServerConnection, frame: Frame) -> None:
        if self.charging:
            self.charging = ""
            await self._status()

    def commands(self, name: str) -> list[dict[str, Any]]:
        return self.engine.commands(name)

    def close(self) -> None:
        self.stop()


def wait_until(check: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def customer_tab(browser: Browser, app: AppProcess) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-MX").new_page()
    page.set_default_timeout(20_000)
    page.goto(app.base + "/")
    expect(page.get_by_test_id("screen-idle")).to_be_visible()
    return page


def test_two_tabs_paying_and_cancelling_at_once_send_one_of_each(browser: Browser, tmp_path: Path) -> None:
    """Two customer tabs press pay at the same moment while the engine acknowledges 1.5 s late, then both
    confirm cancel: one ``paycash``, one journal row, and the cancel goes out once, only after the
    engine took the payment up (a cancel ahead of the acknowledgement reached an idle engine)."""
    engine = ThreadedFakeEngine(ack_delay=1.5)
    app = AppProcess(["run", "--engine", engine.url], tmp_path / "app")
    try:
        app.wait_connected()
        journal = Journal(tmp_path / "app" / "journal.sqlite3")
        tabs = [customer_tab(browser, app) for _ in range(2)]
        for tab in tabs:
            start_sale(tab, "20")
        buttons = [tab.get_by_test_id("pay-cash") for tab in tabs]
        for button in buttons:
            expect(button).to_be_enabled()
        for tab in tabs:  # both presses land while the first payment waits for its acknowledgement
            tab.evaluate("document.querySelector('[data-testid=pay-cash]').click()")
        wait_until(lambda: engine.commands("paycash"))
        payers = [t for t in tabs if t.get_by_test_id("cancel").is_visible()] or [tabs[0]]
        for tab in payers:
            expect(tab.get_by_test_id("cancel")).to_be_visible()
            tab.get_by_test_id("cancel").click()
            expect(tab.get_by_test_id("confirm-ok")).to_be_visible()
        for tab in payers:  # every screen showing the payment confirms at the same moment
            tab.evaluate("document.querySelector('[data-testid=confirm-ok]').click()")
        time.sleep(0.3)
        assert engine.commands("cancel") == [] or engine.charging == "", "no cancel ahead of the acknowledgement"
        wait_until(lambda: engine.commands("cancel"), timeout=30)
        wait_until(lambda: [r["outcome"] for r in journal.payments()] == ["cancelled"], timeout=30)
        assert len(engine.commands("paycash")) == 1
        assert [c["cancelvalue"] for c in engine.commands("cancel")] == ["1"]
        rows = journal.payments()
        assert [(r["outcome"], r["due"]) for r in rows] == [("cancelled", "20.00")], rows
    finally:
        app.stop()
        engine.close()

"""Outside review in real Chromium: ``kiosk-ui run`` against a hand-written fake engine (not the simulator)
that acknowledges late, and several customer tabs pressing at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from devtools import AppProcess
from kiosk_ui.journal import Journal

from ..helpers import CHROMIUM, CHROMIUM_ARGS, start_sale

pytestmark = pytest.mark.browser


class ThreadedFakeEngine:
    """A scripted engine in its own thread: acknowledges ``paycash`` after ``ack_delay`` s, answers
    ``getstatus`` with an idle status, ends a payment on ``cancel``; records every frame."""

    def __init__(self, ack_delay: float = 1.5) -> None:
        self.ack_delay = ack_delay
        self.received: list[dict[str, Any]] = []
        self.charging: str = ""
        #: the Due of the last payment: an idle engine keeps reporting it (as the manual's Due field reads)
        self.due = "0.00"
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._connections: set[ServerConnection] = set()
        self._thread = threading.Thread(target=self._main, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", 0)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/"

    async def _send(self, comando: str, **fields: Any) -> None:
        frame = json.dumps({"comando": comando, "fecha": "14/03/2026 12:22:05", **fields})
        for connection in list(self._connections):
            with contextlib.suppress(ConnectionClosed):
                await connection.send(frame)

    async def _status(self) -> None:
        charging = bool(self.charging)
        await self._send(
            "status", cobrando="True" if charging else "False", Due=self.due, Credit="0.00",
            changeDispensed="0.00", bvError="OK", caError="none", tarjeta="False",
            Status="Cobrando" if charging else "Disponible", conexiones=len(self._connections),
        )  # fmt: skip

    async def _handle(self, connection: ServerConnection) -> None:
        self._connections.add(connection)
        try:
            async for text in connection:
                frame = json.loads(text)
                with self._lock:
                    self.received.append(frame)
                command = frame.get("comando")
                if command == "getstatus":
                    await self._status()
                elif command == "paycash":
                    await asyncio.sleep(self.ack_delay)
                    self.charging = self.due = frame["due"]
                    await self._status()
                elif command == "cancel" and self.charging:
                    self.charging = ""
                    await self._status()
        except ConnectionClosed:
            pass
        finally:
            self._connections.discard(connection)

    def commands(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [f for f in self.received if f.get("comando") == name]

    def close(self) -> None:
        async def stop() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is not installed (scripts/test.sh installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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


def test_attack_two_tabs_paying_and_cancelling_at_once(browser: Browser, tmp_path: Path) -> None:
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

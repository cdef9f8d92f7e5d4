"""Helpers for end-to-end tests and benchmarks (NOT shipped in the wheel): a simulator on its own thread, the
app as a subprocess. Tests import it from the checkout; benchmarks put the checkout on sys.path.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import httpx

from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.server import SimServer

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThreadedSim:
    """The engine simulator serving from a background thread; :meth:`call` runs code on its loop."""

    def __init__(self, port: int | None = None, **engine_options: Any) -> None:
        self.engine = SimEngine(status_interval=2.0, restart_delay=2.0, **engine_options)
        self.port = port or free_port()
        self.loop = asyncio.new_event_loop()
        self.server: SimServer | None = None
        ready: Future[None] = Future()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.result(10)

    def _run(self, ready: Future[None]) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            self.server = SimServer(self.engine, "127.0.0.1", self.port)
            await self.server.start()

        self.loop.run_until_complete(start())
        ready.set_result(None)
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def call(self, fn: Callable[[], T]) -> T:
        async def run() -> T:
            result = fn()
            assert self.server is not None
            self.server.kick()
            return result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def insert(self, value: str, kind: str | None = None) -> None:
        from decimal import Decimal

        assert self.call(lambda: self.engine.insert(Decimal(value), kind)), f"engine refused {value}"

    def wait_for(self, check: Callable[[SimEngine], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.call(lambda: check(self.engine))
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("simulator condition not met")

    def close(self) -> None:
        async def stop() -> None:
            if self.server:
                await self.server.stop()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class AppProcess:
    """``kiosk-ui run`` (or ``demo``) as a subprocess, exactly as a person or CI starts it."""

    def __init__(self, args: list[str], data_dir: Path, port: int | None = None,
                 python: str | None = None, host: str = "127.0.0.1", cwd: Path | None = None) -> None:  # fmt: skip
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "app.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [python or sys.executable, "-m", "kiosk_ui.cli", *args, "--port", str(self.port), "--host", host,
             "--data-dir", str(data_dir)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=cwd,  # cwd: ``-m`` imports from it first
        )  # fmt: skip

    def health(self) -> dict[str, Any] | None:
        try:
            return httpx.get(self.base + "/health", timeout=1).json()  # type: ignore[no-any-return]
        except (httpx.HTTPError, ValueError):
            return None

    def wait_connected(self, timeout: float = 20) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise AssertionError("app exited: " + self.log_path.read_text(errors="replace")[-3000:])
            health = self.health()
            if health and health.get("engine") == "connected":
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError("app never connected: " + self.log_path.read_text(errors="replace")[-3000:])

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.log.close()


@contextlib.contextmanager
def app_on_simulator(data_dir: Path, *args: str, sim: ThreadedSim | None = None,
                     **process: Any) -> Iterator[tuple[ThreadedSim, AppProcess]]:  # fmt: skip
    """``kiosk-ui run`` against a simulator (card decided by hand unless ``sim`` is given), connected; both are
    stopped on the way out. ``args``: more command-line flags for the app; ``process``: :class:`AppProcess`'s
    options (host, python, cwd)."""
    sim = sim or ThreadedSim(card_mode="manual")
    app = AppProcess(["run", "--engine", sim.url, *args], data_dir, **process)
    try:
        app.wait_connected()
        yield sim, app
    finally:
        app.stop()
        sim.close()


def open_idle_screens(context: Any, base: str, count: int) -> list[Any]:
    """``count`` customer screens of the app at ``base`` in a Playwright browser context, each waited on
    until its idle screen shows (the benchmarks' standing load)."""
    pages = [context.new_page() for _ in range(count)]
    for page in pages:
        page.goto(base + "/")
        page.get_by_test_id("screen-idle").wait_for(state="visible")
    return pages

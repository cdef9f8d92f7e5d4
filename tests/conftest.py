"""Shared fixtures: an engine simulator on a free port and the app wired to it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from nicegui import core, ui
from nicegui.testing.general import nicegui_reset_globals, prepare_simulation
from nicegui.testing.user import User

from kiosk_ui.app import KioskApp, build
from kiosk_ui.config import Config
from kiosk_ui.engine import EngineClient
from kiosk_ui.protocol import messages as m
from kiosk_ui.simulator import Catalog, SimEngine
from kiosk_ui.simulator.dialect import Dialect
from kiosk_ui.simulator.server import SimServer


def sim_dialect() -> Dialect:
    """The simulator's dialect for this test run: KIOSK_SIM_DIALECT=js|csharp|mixed (default js).

    KIOSK_SIM_SEED picks the mixed dialect's seed, to replay a failing run.
    """
    return Dialect(os.environ.get("KIOSK_SIM_DIALECT", "js"), int(os.environ.get("KIOSK_SIM_SEED", "7")))


@pytest.fixture
async def sim() -> AsyncIterator[tuple[SimEngine, SimServer]]:
    engine = SimEngine(status_interval=0, restart_delay=1.0)
    server = SimServer(engine, "127.0.0.1", 0, sim_dialect())
    await server.start()
    yield engine, server
    await server.stop()


async def eventually(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Wait until ``check()`` is truthy (the app reacts asynchronously).

    Always yields to the event loop before the first look, so work already scheduled (a click's handler,
    a frame just received) runs first. Still, wait for what the app shows or does, never on ``lambda: True``.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await asyncio.sleep(0)
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


async def engine_caught_up(client: EngineClient) -> None:
    """Wait for an answer that only a request gets (``screensettings`` to ``getscreensettings``): the engine
    has then read every frame sent before it. Yields first, so handlers already scheduled run before."""
    await asyncio.sleep(0)
    await client.request(m.GetScreenSettings(), timeout=5.0)


@dataclass
class Env:
    """The app in NiceGUI's simulated-user mode, against a real simulator over a real socket."""

    engine: SimEngine
    server: SimServer
    kapp: KioskApp
    config: Config
    _http: list[httpx.AsyncClient] = field(default_factory=list)

    def new_user(self) -> User:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url="http://test")
        self._http.append(client)
        return User(client)

    def kick(self) -> None:
        self.server.kick()

    async def insert(self, *values: str, kind: str | None = None) -> None:
        from decimal import Decimal

        for value in values:
            assert self.engine.insert(Decimal(value), kind), f"engine refused {value}"
            self.kick()
            await asyncio.sleep(0.02)

    async def connected(self) -> None:
        await eventually(lambda: self.kapp.kiosk.state.online and self.kapp.kiosk.state.synced)

    async def caught_up(self) -> None:
        """Every frame the app sent before this call has reached the simulator: a round trip on the same
        socket (the engine answers in order), instead of sleeping before checking that nothing was sent."""
        await engine_caught_up(self.kapp.client)


def test_config(tmp_path: Path, **overrides: Any) -> Config:
    base = Config(engine_url="ws://127.0.0.1:9/", data_dir=tmp_path, ack_timeout=2.0, result_seconds=30)
    return replace(base, **overrides)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def env(tmp_path: Path, config_overrides: dict[str, Any]) -> AsyncIterator[Env]:
    engine = SimEngine(status_interval=0, restart_delay=1.0, catalog=Catalog())
    server = SimServer(engine, "127.0.0.1", 0, sim_dialect())
    await server.start()
    config = test_config(tmp_path, engine_url=server.url, **config_overrides)
    with nicegui_reset_globals():
        os.environ["NICEGUI_USER_SIMULATION"] = "true"
        try:
            kapp = build(config)
            prepare_simulation()
            ui.run(storage_secret="test secret")
            async with core.app.router.lifespan_context(core.app):
                environment = Env(engine, server, kapp, config)
                await environment.connected()
                try:
                    yield environment
                finally:
                    for client in environment._http:
                        await client.aclose()
        finally:
            os.environ.pop("NICEGUI_USER_SIMULATION", None)
            await server.stop()

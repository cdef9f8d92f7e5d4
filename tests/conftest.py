"""Shared fixtures: an engine simulator on a free port and the app wired to it (helpers live in helpers.py).

Marker ``dialect`` (set by the collection hook below): every test that starts the simulator in the run's
dialect (it uses a fixture of :data:`DIALECT_FIXTURES`, directly or through another fixture). The pass of
``scripts/test.sh`` with ``KIOSK_SIM_DIALECT=mixed`` runs only these: every other test sends and reads the
same bytes whatever the variable says. A test that reaches :func:`~tests.helpers.sim_dialect` without the
marker fails, so the selection cannot miss one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nicegui import core, ui
from nicegui.testing.general import nicegui_reset_globals, prepare_simulation

from kiosk_ui.app import build
from kiosk_ui.simulator import Catalog, SimEngine
from kiosk_ui.simulator.server import SimServer

from . import helpers
from .helpers import Env, ManualClock, sim_dialect, test_config

#: the fixtures that start the simulator in the dialect KIOSK_SIM_DIALECT names
DIALECT_FIXTURES = frozenset({"sim", "env"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DIALECT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.dialect)


@pytest.fixture(autouse=True)
def _dialect_guard(request: pytest.FixtureRequest) -> None:
    """Tell sim_dialect() whether the mixed-dialect pass selects this test (autouse runs before ``sim``/``env``)."""
    helpers.dialect_selected = request.node.get_closest_marker("dialect") is not None


@pytest.fixture
async def sim() -> AsyncIterator[tuple[SimEngine, SimServer]]:
    engine = SimEngine(status_interval=0, restart_delay=1.0)
    server = SimServer(engine, "127.0.0.1", 0, sim_dialect())
    await server.start()
    yield engine, server
    await server.stop()


@pytest.fixture
def manual_clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The customer screen's timers on a clock the test moves (request it before ``env``)."""
    from kiosk_ui.ui.pages.customer import timers

    clock = ManualClock()
    monkeypatch.setattr(timers, "CLOCK", clock)
    return clock


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
                    await environment.close()
        finally:
            os.environ.pop("NICEGUI_USER_SIMULATION", None)
            await server.stop()

"""Assembles one kiosk-ui process: engine client, journal, kiosk service, pages and routes."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from nicegui import app as nicegui_app

from . import __version__, product_images
from .access import AddressGate, loopback
from .config import Config
from .engine import EngineClient
from .journal import Journal
from .kiosk import Kiosk
from .operations import Operations
from .simulator import Catalog, SimEngine
from .simulator.server import SimServer
from .staff import StaffService
from .staff_rules import may_send
from .ui.theme import ASSETS_DIR, STATIC_DIR
from .upload_limit import UploadLimit

log = logging.getLogger(__name__)


@dataclass
class KioskApp:
    config: Config
    client: EngineClient
    journal: Journal
    kiosk: Kiosk
    staff: StaffService
    ops: Operations | None = None
    sim_engine: SimEngine | None = None
    sim_server: SimServer | None = None

    async def startup(self) -> None:
        if self.sim_engine is not None:
            self.sim_server = SimServer(self.sim_engine, "127.0.0.1", 0)
            await self.sim_server.start()
            self.client.url = self.sim_server.url
        await self.kiosk.recover()
        self.client.start()
        if self.ops is not None:
            await self.ops.start()

    async def shutdown(self) -> None:
        if self.ops is not None:
            await self.ops.stop()
        log.info("shutting down: engine client")
        await self.client.stop()
        if self.sim_server is not None:
            log.info("shutting down: simulator")
            await self.sim_server.stop()
        self.journal.close()
        log.info("shut down")

    def health(self) -> dict[str, Any]:
        state = self.kiosk.state
        return {
            "engine": self.client.status,
            "engine_url": self.client.url,
            "charging": state.charging,
            "payment_in_progress": self.kiosk.busy,
            "journal": "error" if self.kiosk.journal_error else "ok",
            "bad_frames": self.client.bad_frames,
            "demo": self.config.demo,
            "version": __version__,
            **(self.ops.health() if self.ops is not None else {}),
        }


def storage_secret(data_dir: Path) -> str:
    """A per-installation secret for NiceGUI's signed browser storage, kept in the data dir."""
    path = data_dir / "storage-secret"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        secret = secrets.token_urlsafe(32)
        path.write_text(secret, encoding="utf-8")
        return secret


def build(config: Config, *, simulator: SimEngine | None = None) -> KioskApp:
    """Create the services and register every page and route on NiceGUI's app."""
    from . import operations
    from .ui.pages import admin, customer, sim

    config.data_dir.mkdir(parents=True, exist_ok=True)
    if config.demo and simulator is None:
        simulator = SimEngine(
            catalog=Catalog(config.data_dir / "demo-catalog.sqlite3"), card_mode="approve", status_interval=5.0
        )
    client = EngineClient(config.engine_url, config.codec())
    journal = Journal(config.data_dir / "journal.sqlite3")
    kiosk = Kiosk(client, journal, ack_timeout=config.ack_timeout)
    client.guard = lambda message, override: may_send(message, kiosk.money_locked, override)  # the last line
    staff = StaffService(kiosk, client, journal, config.data_dir, nip_max_attempts=config.nip_max_attempts,
                         nip_lockout_seconds=config.nip_lockout_minutes * 60,
                         session_idle_seconds=config.session_idle_minutes * 60)  # fmt: skip
    kapp = KioskApp(config, client, journal, kiosk, staff, sim_engine=simulator)

    nicegui_app.add_static_files("/kiosk-static", STATIC_DIR)
    nicegui_app.add_static_files("/kiosk-assets", ASSETS_DIR)
    nicegui_app.on_startup(kapp.startup)
    nicegui_app.on_shutdown(kapp.shutdown)

    # the real TCP peer decides (request.client.host), see access.py
    nicegui_app.add_middleware(AddressGate, config=config)
    nicegui_app.add_middleware(UploadLimit, limit=product_images.MAX_IMAGE_BYTES + 64 * 1024)
    if config.demo:
        log.warning("demo mode: every address may use the customer screen and /sim (no real money)")

    @nicegui_app.get("/health")
    def health(request: Request) -> dict[str, Any]:
        figures = kapp.health()
        if not loopback(request.client.host if request.client else None):
            return {"engine": figures["engine"]}
        return figures

    kapp.ops = ops = operations.register(config, kiosk, client, journal, lockout=lambda: staff.lockout)
    # one list: a staff pin shows on every screen at once; a customer's call for help reaches the staff alerts
    customer.register(kiosk, config, staff.quick_picks, call_staff=ops.alerts.call_staff)
    admin.register(config=config, service=staff, alerts=kapp.ops.alerts)
    if simulator is not None:
        sim.register(simulator, config, kick=lambda: kapp.sim_server.kick() if kapp.sim_server else None)
    return kapp

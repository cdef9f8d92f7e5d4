"""Assembles one kiosk-ui process: engine client, journal, kiosk service, pages and routes."""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from nicegui import Client
from nicegui import app as nicegui_app
from nicegui.storage import Storage

from . import __version__, product_images
from .access import AddressGate, loopback
from .config import Config
from .engine import EngineClient, Keepalive
from .journal import Journal, open_journal, private_dir, private_file
from .kiosk import Kiosk
from .operations import Operations
from .payments.readings import ALL_READINGS, Reading
from .redact import safe_url
from .simulator import Catalog, SimEngine
from .simulator.server import SimServer
from .staff import StaffService
from .ui.theme import ASSETS_DIR, STATIC_DIR
from .upload_limit import UploadLimit
from .web_guard import WebGuard, machine_names

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
            "engine_url": safe_url(self.client.url),
            "charging": state.charging,
            "payment_in_progress": self.kiosk.busy,
            "journal": "error" if self.kiosk.journal_error else "ok",
            "bad_frames": self.client.bad_frames,
            # for staff: the engine said nothing for [engine] silent_alert s during a payment (not a failure)
            "engine_silent_in_payment": self.client.silent_in_payment,
            "demo": self.config.demo,
            "version": __version__,
            **(self.ops.health() if self.ops is not None else {}),
        }


#: a page built for a non-loopback browser that has not connected its socket after this many seconds is
#: dropped (NiceGUI keeps it 60 s: 1,000 gate loads from one address held 200 MB); loopback keeps the 60 s
UNCONNECTED_SECONDS = 15.0
UNCONNECTED_PRUNE_EVERY = 2.0


def prune_unconnected(age: float = UNCONNECTED_SECONDS, now: float | None = None) -> int:
    """Delete the pages of non-loopback browsers that never connected within ``age`` seconds."""
    now = time.time() if now is None else now
    stale = [client for client in Client.instances.values()
             if not client.has_socket_connection and not client._delete_tasks and client.created <= now - age
             and client._request is not None and not loopback(client.ip or None)]  # fmt: skip
    for client in stale:
        client.delete()
    return len(stale)


def browser_storage_dir(data_dir: Path) -> Path:
    """Keep NiceGUI's server-side user storage (it holds the staff session id) in the private data dir.

    NiceGUI's default is ``.nicegui`` in the working directory, wherever the kiosk's task happened to start:
    a session token there could be read by anyone who can read that folder, and a second install would share it.
    """
    Storage.path = private_dir(data_dir / "browser-storage")
    return Storage.path


def storage_secret(data_dir: Path) -> str:
    """A per-installation secret for NiceGUI's signed browser storage, kept in the data dir."""
    path = data_dir / "storage-secret"
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        secret = secrets.token_urlsafe(32)
        private_dir(data_dir)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, not even once
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secret)
    private_file(path)
    return secret


def build(config: Config, *, simulator: SimEngine | None = None) -> KioskApp:
    """Create the services and register every page and route on NiceGUI's app."""
    from . import operations
    from .ui.components import upload
    from .ui.pages import admin, customer, sim

    private_dir(config.data_dir)  # 0700: journal, secrets and lockout are the kiosk user's only
    if config.demo and simulator is None:
        simulator = SimEngine(
            catalog=Catalog(config.data_dir / "demo-catalog.sqlite3"), card_mode="approve", status_interval=5.0
        )
    link = config.link  # [engine] keepalive: never drops a silent engine while a payment charges
    keepalive = Keepalive(link.ping_interval, link.silence_timeout, link.silent_alert)
    client = EngineClient(config.engine_url, config.codec(), keepalive=keepalive)
    journal = open_journal(config.data_dir / "journal.sqlite3")  # damaged: kept aside, out of service
    pinned = config.engine_reading  # [protocol] engine_reading: outcomes decided under every reading, or one
    readings = ALL_READINGS if pinned == "auto" else (Reading.named(pinned),)
    kiosk = Kiosk(client, journal, ack_timeout=config.ack_timeout, readings=readings)
    # the engine client's last-line guard is the arbiter, installed by the Kiosk (payments/arbiter.py)
    client.charging = lambda: kiosk.payment is not None
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
    # outermost: Host allowlist, no framing, same-origin sockets, page builds per LAN address (web_guard.py)
    nicegui_app.add_middleware(WebGuard, public_url=config.public_url, names={*machine_names(), config.host})
    nicegui_app.on_startup(lambda: nicegui_app.timer(UNCONNECTED_PRUNE_EVERY, prune_unconnected))
    if config.demo:
        log.warning("demo mode: every address may use the customer screen and /sim (no real money)")

    @nicegui_app.get("/health")
    def health(request: Request) -> dict[str, Any]:
        figures = kapp.health()
        if not loopback(request.client.host if request.client else None):
            return {"engine": figures["engine"]}
        return figures

    upload.register(nicegui_app)  # one upload route for every page (no route, no page kept, per widget)
    kapp.ops = ops = operations.register(config, kiosk, client, journal, lockout=lambda: staff.lockout)
    # one list: a staff pin shows on every screen at once; a customer's call for help reaches the staff alerts
    customer.register(kiosk, config, staff.quick_picks, call_staff=ops.alerts.call_staff)
    admin.register(config=config, service=staff, alerts=kapp.ops.alerts)
    if simulator is not None:
        sim.register(simulator, config, kick=lambda: kapp.sim_server.kick() if kapp.sim_server else None)
    return kapp

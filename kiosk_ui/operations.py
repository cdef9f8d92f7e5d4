"""Operations wiring: the customer-screen watchdog, alerts and ``/metrics`` for one app."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from nicegui import Client
from nicegui import app as nicegui_app

from .access import trusted
from .alerts import AlertService, Snapshot
from .metrics import CONTENT_TYPE, KioskMetrics, Sources
from .state import KioskState
from .tasks import spawn
from .watchdog import ScreenWatch

if TYPE_CHECKING:
    from .config import Config
    from .engine import EngineClient
    from .journal import Journal
    from .kiosk import Kiosk


class Operations:
    def __init__(self, config: Config, kiosk: Kiosk, client: EngineClient, journal: Journal, *,
                 lockout: Callable[[], Any] = lambda: None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        """``lockout()``: the staff NIP lockout now (or None), for the metrics."""
        self.config = config
        self.kiosk = kiosk
        self.clock = clock
        self.watch = ScreenWatch(clock)
        self.engine_down_since: float | None = None if kiosk.state.online else clock()
        self.alerts = AlertService(config, journal, self.snapshot, clock=clock)
        self._checked: Snapshot | None = None  # the snapshot the last state change had the rules evaluate
        self.metrics = KioskMetrics(Sources(
            config.kiosk_id or "kiosk", kiosk, client, journal, watch=self.watch, alerts=self.alerts, lockout=lockout,
            readings=lambda: kiosk.learner,
        ))  # fmt: skip
        kiosk.on_change(self._on_state)
        kiosk.on_result(self._on_result)
        self.watch.on_change(self.alerts.check)

    def _on_result(self, _: object) -> None:
        spawn(self.alerts.refresh(), name="alerts-refresh")

    def _on_state(self, state: KioskState) -> None:
        if state.online:
            self.engine_down_since = None
        elif self.engine_down_since is None:
            self.engine_down_since = self.clock()
        # the rules read only the snapshot (and the time, which their own timer follows): a coin changes none of
        # it, and this runs before the screens are told of the coin
        snapshot = self.snapshot()
        if snapshot != self._checked:
            self._checked = snapshot
            self.alerts.check()

    def snapshot(self) -> Snapshot:
        state = self.kiosk.state
        return Snapshot(
            bv_error=state.bv_error, ca_error=state.ca_error, tubes=state.tubes,
            bill_cashbox_qty=state.bills_cashbox_qty, coin_cashbox_qty=state.coin_cashbox_qty,
            engine_down_since=self.engine_down_since, journal_error=self.kiosk.journal_error,
            screen_missing_since=self.watch.missing_since,
        )  # fmt: skip

    def health(self) -> dict[str, Any]:
        return {
            "customer_screen": "connected" if self.watch.connected else "missing",
            "customer_screen_missing_seconds": round(self.watch.missing_seconds(), 1),
            "alerts": sorted(self.alerts.holding()),
        }

    async def start(self) -> None:
        await self.alerts.start()

    async def stop(self) -> None:
        await self.alerts.stop()


def register(config: Config, kiosk: Kiosk, client: EngineClient, journal: Journal, *,
             lockout: Callable[[], Any] = lambda: None) -> Operations:  # fmt: skip
    """The watchdog, alerts and ``/metrics`` on NiceGUI's app; returns them for the assembly to start."""
    ops = Operations(config, kiosk, client, journal, lockout=lockout)

    def connected(client: Client) -> None:
        page = getattr(client, "page", None)
        ops.watch.connect(client.id, getattr(page, "path", ""), client.ip)

    nicegui_app.on_connect(connected)
    nicegui_app.on_disconnect(lambda client: ops.watch.disconnect(client.id))
    nicegui_app.on_delete(lambda client: ops.watch.disconnect(client.id))

    @nicegui_app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not trusted(request.client.host if request.client else None, config):
            return Response(status_code=404)
        return Response(await ops.metrics.render(), media_type=CONTENT_TYPE)

    return ops

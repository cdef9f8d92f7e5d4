"""Sales another engine client starts (the vendor's index.html on the LAN) are adopted and journaled once,
even on a slow disk; scans stay on the screen that asked.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from kiosk_ui.journal import Journal

from ..fake_engine import FakeEngine, close, fake_engine, make_rig
from ..helpers import (
    Env,
    eventually,
    scan,
)

__all__ = ["fake_engine"]  # the fixture, imported for this module's tests


async def test_a_slow_disk_while_frames_arrive_keeps_one_row_and_the_order(
    tmp_path: Path, fake_engine: FakeEngine
) -> None:
    """Every journal write takes 0.4 s (a slow disk). A payment another client starts is adopted, credited, and
    ends, all within the first write: the outcome is published only after it is on disk, on the one row the
    adoption opened, with the money of the final status."""
    from typing import Any

    class SlowJournal(Journal):
        async def _slow(self) -> None:
            await asyncio.sleep(0.4)

        def aopen_payment(self, *args: Any, **kwargs: Any) -> Any:
            inner = super().aopen_payment(*args, **kwargs)

            async def run() -> None:
                await self._slow()
                await inner

            return run()

        def aupdate_payment(self, *args: Any, **kwargs: Any) -> Any:
            inner = super().aupdate_payment(*args, **kwargs)

            async def run() -> None:
                await self._slow()
                await inner

            return run()

    journal = SlowJournal(tmp_path / "journal.sqlite")
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    seen_on_disk: list[object] = []
    rig.kiosk.on_result(lambda r: seen_on_disk.append((journal.payment(r.id) or {}).get("outcome")))
    try:
        await fake_engine.push("sockets", cobrando="True", Due="35.50", Credit="0", formaPago="efectivo")
        await fake_engine.push("updateCredit", Due="35.50", Credit="20.00")
        await fake_engine.push("updateCredit", Due="35.50", Credit="40.00")
        await fake_engine.push("status", cobrando="False", Due="35.50", Credit="40.00", changeDispensed="4.50",
                               Status="Pago completado")  # fmt: skip
        await eventually(lambda: rig.results, timeout=10)
        await rig.settle()
        assert seen_on_disk == ["completed"], "published before it was on disk"
        rows = journal.payments()
        assert [(r["outcome"], r["due"], r["credit"], r["change_paid"]) for r in rows] == [
            ("completed", "35.50", "40.00", "4.50")
        ], rows
    finally:
        await close(rig)


async def test_scans_stay_on_their_screen(env: Env) -> None:
    kiosk_screen = env.new_user()
    await kiosk_screen.open("/")
    tablet = env.new_user()
    await tablet.open("/")
    # the engine's own scanner: the kiosk's own screen only
    env.engine.push_product("7501055300075")
    env.kick()
    await kiosk_screen.should_see(marker="cart-item", retries=30)
    await asyncio.sleep(0.3)
    await tablet.should_see(marker="screen-idle")
    await tablet.should_not_see(marker="screen-sale")
    # a keyboard-wedge scan on the second screen stays there
    tablet.find(marker="start").click()
    scan(tablet, "7501055300075")
    await tablet.should_see("1 × Coca-Cola 600 ml", retries=30)
    await kiosk_screen.should_see("1 × Coca-Cola 600 ml")
    await kiosk_screen.should_not_see("2 × Coca-Cola 600 ml")

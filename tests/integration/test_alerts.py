"""Alerts: pure rules (fire once, repeat, resolve), and a real webhook receiver on a free port."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk_ui.alerts import AlertBook, AlertService, Snapshot, evaluate, render
from kiosk_ui.config import AlertConfig, Config, ConfigError, Webhook, load
from kiosk_ui.journal import Journal

from ..helpers import Env, eventually

CFG = AlertConfig(
    coin_tube_min=5, bill_cashbox_max=450, engine_down_seconds=60, change_owed_max=Decimal("0"), nip_lockouts=2
)


# ---------------------------------------------------------------------------- pure rules
@pytest.mark.parametrize(
    ("snap", "key"),
    [
        (Snapshot(bv_error="Atasco de billete"), "bill_jam"),
        (Snapshot(ca_error="Error del monedero"), "coin_error"),
        (Snapshot(tubes=(("1", 20), ("10", 3))), "coin_tube_low"),
        (Snapshot(bill_cashbox_qty=451), "cashbox_full"),
        (Snapshot(engine_down_since=0.0), "engine_down"),
        (Snapshot(to_review=1), "payment_unknown"),
        (Snapshot(change_owed=Decimal("5.50")), "change_owed"),
        (Snapshot(journal_error="disk full"), "journal"),
        (Snapshot(recent_lockouts=2), "nip_lockouts"),
        (Snapshot(screen_missing_since=0.0), "screen_missing"),
    ],
)
def test_each_condition_raises_its_alert(snap: Snapshot, key: str) -> None:
    active = evaluate(snap, CFG, now=100.0, screen_watchdog=30).active
    assert list(active) == [key]
    assert evaluate(Snapshot(), CFG, now=100.0, screen_watchdog=30).active == {}


def test_below_the_levels_nothing_holds() -> None:
    snap = Snapshot(
        tubes=(("10", 5),), bill_cashbox_qty=450, recent_lockouts=1, engine_down_since=50.0, screen_missing_since=80.0
    )
    evaluation = evaluate(snap, CFG, now=100.0, screen_watchdog=30)
    assert evaluation.active == {}
    assert evaluation.next_check == 110.0  # the screen watchdog falls due first (80 + 30)
    assert evaluate(replace(snap, screen_missing_since=None), CFG, 100.0, screen_watchdog=0).next_check == 110.0
    assert "screen_missing" not in evaluate(Snapshot(screen_missing_since=0.0), CFG, 100.0, screen_watchdog=0).active


def test_book_fires_once_repeats_on_schedule_and_resolves() -> None:
    book = AlertBook(repeat_seconds=600)
    first = book.step({"bill_jam": "Atasco"}, 0)
    assert [(d.key, d.status, d.repeat) for d in first] == [("bill_jam", "firing", False)]
    for now in (1, 100, 599.9):
        assert book.step({"bill_jam": "Atasco"}, now) == []
    assert book.next_due() == 600
    again = book.step({"bill_jam": "Atasco"}, 600)
    assert [(d.status, d.repeat) for d in again] == [("firing", True)]
    assert book.step({"bill_jam": "Atasco"}, 1100) == []
    done = book.step({}, 1101)
    assert [(d.key, d.status) for d in done] == [("bill_jam", "resolved")]
    assert book.step({}, 5000) == []
    assert book.next_due() is None
    assert [d.status for d in book.step({"bill_jam": "Atasco"}, 5001)] == ["firing"]


def test_template_is_filled_without_reparsing_values() -> None:
    template = {"text": "{text}", "blocks": [{"t": "{title} ({kiosk})"}], "n": 1}
    values = {"text": 'a "quoted" {title}', "title": "Jam", "kiosk": "k1"}
    assert render(template, values) == {"text": 'a "quoted" {title}', "blocks": [{"t": "Jam (k1)"}], "n": 1}


def test_alerts_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        """
[kiosk]
id = "tienda-7"
[server]
allowed_addresses = ["192.168.1.10", "10.0.0.0/8"]
[alerts]
repeat_minutes = 30
coin_tube_min = 8
change_owed_max = 100
[[alerts.webhook]]
url = "https://hooks.slack.com/services/T/B/X"
body = '{"text": "{text}"}'
[[alerts.webhook]]
url = "http://ntfy.local/kiosk"
""",
        encoding="utf-8",
    )
    config = load(path)
    assert config.kiosk_id == "tienda-7"
    assert config.allowed_addresses == ("192.168.1.10", "10.0.0.0/8")
    assert config.alerts.repeat_minutes == 30
    assert config.alerts.change_owed_max == Decimal("100")
    assert config.alerts.webhooks == (
        Webhook("https://hooks.slack.com/services/T/B/X", {"text": "{text}"}),
        Webhook("http://ntfy.local/kiosk"),
    )
    for bad in (
        '[[alerts.webhook]]\nurl = "ftp://x"',
        '[[alerts.webhook]]\nurl = "http://x"\nbody = \'{"t": "{nope}"}\'',
        "[alerts]\nrepeat_minutes = 0",
        "[alerts]\nsurprise = 1",
        '[server]\nallowed_addresses = ["nope"]',
    ):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError):
            load(path)


# ---------------------------------------------------------------------------- webhook receiver
@dataclass
class Receiver:
    """A tiny HTTP server on a free port that records JSON POSTs; ``down()`` closes it."""

    port: int = 0
    received: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    server: asyncio.Server | None = None

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
        body = await reader.readexactly(length)
        self.received.append((time.monotonic(), json.loads(body)))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    def of(self, alert: str) -> list[tuple[float, dict[str, Any]]]:
        return [(t, b) for t, b in self.received if b["alert"] == alert]


@pytest.fixture
async def receiver() -> Any:
    rec = Receiver()
    await rec.up()
    yield rec
    if rec.server is not None and rec.server.is_serving():
        await rec.down()


def alert_rows(journal: Journal) -> list[tuple[str, str]]:
    return [(a["result"], a["detail"]) for a in journal.staff_actions() if a["action"] == "alert"]


async def test_webhook_sees_fire_repeat_resolve_and_survives_being_down(tmp_path: Path, receiver: Receiver) -> None:
    repeat = 1.5
    template = {"alert": "{alert}", "status": "{status}", "text": "{text}", "kiosk": "{kiosk}"}
    config = Config(
        data_dir=tmp_path,
        kiosk_id="k1",
        alerts=AlertConfig(
            webhooks=(Webhook(receiver.url, template),), repeat_minutes=repeat / 60, retry_first=0.1, retry_cap=0.4
        ),
    )
    journal = Journal(tmp_path / "journal.sqlite3")
    holder = {"snap": Snapshot()}
    service = AlertService(config, journal, lambda: holder["snap"])
    await service.start()
    try:
        holder["snap"] = Snapshot(bv_error="Atasco de billete")
        for _ in range(5):  # however often it is told, it fires once
            service.check()
        await eventually(lambda: receiver.of("bill_jam"))
        first_at, first = receiver.of("bill_jam")[0]
        assert first["status"] == "firing" and first["kiosk"] == "k1"
        assert first["text"] == "[k1] Falla del lector de billetes: Atasco de billete"
        await asyncio.sleep(repeat / 3)
        service.check()
        assert len(receiver.of("bill_jam")) == 1
        # the reminder comes by itself (a timer), not before the interval
        await eventually(lambda: len(receiver.of("bill_jam")) == 2, timeout=repeat * 4)
        second_at, second = receiver.of("bill_jam")[1]
        assert second["status"] == "firing"
        assert second_at > first_at
        decided = [
            dt.datetime.fromisoformat(r.at.replace("Z", "+00:00")) for r in service.recent if r.key == "bill_jam"
        ]
        assert (decided[0] - decided[1]).total_seconds() >= repeat - 0.01  # the reminder was not early
        holder["snap"] = Snapshot()
        service.check()
        await eventually(lambda: len(receiver.of("bill_jam")) == 3)
        assert receiver.of("bill_jam")[2][1]["status"] == "resolved"
        assert receiver.of("bill_jam")[2][1]["text"].startswith("[k1] Resuelto: ")

        # the receiver goes away: the alert is journaled as failed, retried, delivered later
        await receiver.down()
        holder["snap"] = Snapshot(ca_error="Error del monedero")
        service.check()
        await eventually(lambda: any(r == "failed" and "coin_error firing" in d for r, d in alert_rows(journal)))
        await asyncio.sleep(0.8)  # several retries fail meanwhile
        assert not receiver.of("coin_error")
        assert service.recent[0].delivery == "retrying"
        await receiver.up()
        await eventually(lambda: receiver.of("coin_error"), timeout=10)
        assert len(receiver.of("coin_error")) == 1
        await eventually(lambda: any(r == "sent" and "coin_error firing" in d for r, d in alert_rows(journal)))
        assert service.recent[0].delivery == "sent" and service.recent[0].attempts > 1
        rows = alert_rows(journal)
        assert sum(1 for r, d in rows if r == "sent" and "bill_jam" in d) == 3
        assert all(receiver.url not in d and "/hook" not in d for _, d in rows)  # only the webhook's host

        await service.send_test()
        await eventually(lambda: receiver.of("test"))
    finally:
        await service.stop()
        journal.close()


# ---------------------------------------------------------------------------- through the app
@pytest.fixture
def config_overrides(receiver: Receiver) -> dict[str, Any]:
    return {
        "kiosk_id": "k9",
        "screen_watchdog": 1,
        "alerts": AlertConfig(webhooks=(Webhook(receiver.url),), engine_down_seconds=1, retry_first=0.1),
    }


async def test_engine_unreachable_and_screen_watchdog_through_the_app(env: Env, receiver: Receiver) -> None:
    # no kiosk screen yet: after 1 s it is reported on /health and as an alert
    await eventually(lambda: receiver.of("screen_missing"), timeout=10)
    assert env.kapp.health()["customer_screen"] == "missing"
    user = env.new_user()
    await user.open("/")
    await eventually(lambda: env.kapp.health()["customer_screen"] == "connected")
    await eventually(lambda: [b["status"] for _, b in receiver.of("screen_missing")] == ["firing", "resolved"])

    env.engine.power_off(4.0)
    env.kick()
    await eventually(lambda: not env.kapp.kiosk.state.online)
    await eventually(lambda: receiver.of("engine_down"), timeout=10)
    assert receiver.of("engine_down")[0][1]["status"] == "firing"
    assert "engine_down" in env.kapp.health()["alerts"]
    await eventually(lambda: len(receiver.of("engine_down")) == 2, timeout=20)
    assert receiver.of("engine_down")[1][1]["status"] == "resolved"
    assert env.kapp.kiosk.state.online


async def test_staff_see_alerts_and_send_a_test_alert(env: Env, receiver: Receiver) -> None:
    from ..helpers import logged_in

    staff = await logged_in(env)
    await staff.should_see(marker="alerts-list")
    await eventually(lambda: receiver.of("screen_missing"), timeout=10)  # no kiosk screen on this PC
    await staff.should_see("Pantalla del cliente desconectada", retries=50)
    staff.find(marker="alert-test").click()
    await eventually(lambda: receiver.of("test"), timeout=10)
    assert receiver.of("test")[0][1]["title"] == "Alerta de prueba"
    await staff.should_see("Alerta de prueba", retries=30)
    await staff.should_see("enviada", retries=30)
    actions = [(a["action"], a["result"]) for a in env.kapp.journal.staff_actions()]
    assert ("alert-test", "sent") in actions
    await eventually(
        lambda: ("alert", "sent") in [(a["action"], a["result"]) for a in env.kapp.journal.staff_actions()]
    )


def test_screen_watch_counts_only_loopback_customer_screens() -> None:
    from kiosk_ui.watchdog import ScreenWatch

    now = [100.0]
    watch = ScreenWatch(clock=lambda: now[0])
    changes: list[bool] = []
    watch.on_change(changes.append)
    now[0] = 130.0
    assert not watch.connected and watch.missing_seconds() == 30.0  # none since the start
    watch.connect("tablet", "/", "192.168.1.40")  # a tablet on the LAN is not the kiosk's screen
    watch.connect("staff", "/admin", "127.0.0.1")  # nor the staff area on the kiosk
    assert not watch.connected and changes == []
    watch.connect("a", "/", "127.0.0.1")
    watch.connect("b", "/", "::1")
    assert watch.connected and watch.missing_since is None and changes == [True]
    watch.disconnect("a")
    watch.disconnect("tablet")
    assert watch.connected
    now[0] = 140.0
    watch.disconnect("b")
    assert not watch.connected and watch.missing_since == 140.0 and changes == [True, False]
    watch.disconnect("b")  # twice (NiceGUI's disconnect then delete): no change
    assert changes == [True, False]

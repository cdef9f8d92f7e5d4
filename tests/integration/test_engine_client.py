"""The engine client against the simulator (and a few misbehaving servers) on free ports."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest
from websockets.asyncio.server import ServerConnection

from kiosk_ui.engine import Backoff, EngineClient, EngineTimeout, EngineUnavailable, Keepalive
from kiosk_ui.protocol import messages as m
from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.server import SimServer

from ..fake_engine import FakeEngine
from ..helpers import engine_caught_up, eventually


def fast_client(url: str, **kw: float) -> EngineClient:
    return EngineClient(url, backoff=Backoff(first=0.2, cap=1.0, stable_after=2.0), **kw)  # type: ignore[arg-type]


async def test_connects_loses_engine_and_reconnects(sim: tuple[SimEngine, SimServer]) -> None:
    engine, server = sim
    client = EngineClient(server.url)  # default backoff: first retry within ~0.5 s
    statuses: list[str] = []
    client.on_status(statuses.append)
    client.start()
    try:
        await eventually(lambda: client.connected)
        assert engine.clients
        engine.power_off(1.0)  # the engine restarts: drops us, refuses for 1 s
        server.kick()
        await eventually(lambda: client.status == "disconnected")
        lost_at = asyncio.get_running_loop().time()
        await eventually(lambda: client.connected, timeout=6)
        assert asyncio.get_running_loop().time() - lost_at < 4.0
        assert statuses[:3] == ["connected", "disconnected", "connected"]
    finally:
        await client.stop()


async def test_send_while_disconnected_fails_at_once_and_is_never_sent_later(sim: tuple[SimEngine, SimServer]) -> None:
    engine, server = sim
    client = fast_client(server.url)
    client.start()
    try:
        await eventually(lambda: client.connected)
        engine.power_off(2.0)
        server.kick()
        await eventually(lambda: not client.connected)
        started = asyncio.get_running_loop().time()
        with pytest.raises(EngineUnavailable):
            await client.send(m.PayCash(Decimal("35.50")))
        assert not client.connected, "refused while disconnected, not after waiting for the engine"
        assert asyncio.get_running_loop().time() - started < 1.5  # the engine is back only after 2 s
        await eventually(lambda: client.connected, timeout=8)
        await engine_caught_up(client)
        assert not any(isinstance(msg, m.PayCash) for _, msg in engine.received)
    finally:
        await client.stop()


async def test_request_reply_matching_and_timeout(sim: tuple[SimEngine, SimServer]) -> None:
    engine, server = sim
    client = fast_client(server.url)
    client.start()
    try:
        await eventually(lambda: client.connected)
        access, code = await asyncio.gather(
            client.request(m.CheckNip("1234"), timeout=2), client.request(m.GetNewProductCode(), timeout=2)
        )
        assert isinstance(access, m.Access) and access.valid_nip
        assert isinstance(code, m.NewProductCode) and code.code
        finished = await client.request(m.CashCollect("bill"), timeout=2)
        assert isinstance(finished, m.CashCollectFinish)
        arqueo = await client.request(m.Arqueo(), timeout=2)
        assert isinstance(arqueo, m.Status) and arqueo.inventory
        engine.set_fault("slow_replies", 5.0)
        with pytest.raises(EngineTimeout):
            await client.request(m.Report(), timeout=0.3)
    finally:
        await client.stop()


async def test_bad_frames_are_counted_and_never_fatal(sim: tuple[SimEngine, SimServer],
                                                      caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    engine, server = sim
    engine.set_fault("junk_frames", True)
    client = fast_client(server.url)
    seen: list[m.Message] = []
    client.on_message(seen.append)
    client.start()
    try:
        await eventually(lambda: client.connected)
        for _ in range(20):
            await client.send(m.GetStatus())
        await eventually(lambda: client.bad_frames >= 20 and sum(isinstance(x, m.Status) for x in seen) >= 20)
        assert client.connected and client.connects == 1
        warnings = [r for r in caplog.records if "bad engine frame" in r.getMessage() and r.levelno == logging.WARNING]
        assert 1 <= len(warnings) <= 6  # logged once per kind, then only counted
    finally:
        await client.stop()


async def test_engine_that_accepts_and_closes_is_not_hammered() -> None:
    engine = FakeEngine(greeting=None)
    engine.on_connect(lambda e, connection, _: connection.close())
    await engine.start()
    try:
        client = EngineClient(engine.url)  # default backoff 0.5 s doubling to 3 s
        client.start()
        await asyncio.sleep(3.0)
        await client.stop()
    finally:
        await engine.stop()
    assert 2 <= engine.connects <= 4  # ~0.5, 1, 2 s apart: a backoff, not a tight loop


async def test_silent_engine_is_noticed() -> None:
    done = asyncio.Event()

    async def mute(e: FakeEngine, connection: ServerConnection, _: object) -> None:
        connection.transport.pause_reading()  # never answers a ping again
        await done.wait()

    engine = FakeEngine(greeting=None, ping_interval=None, close_timeout=0.2)
    engine.on_connect(mute)
    await engine.start()
    client = EngineClient(engine.url, keepalive=Keepalive(0.5, 1.0, 0.5))
    client.start()
    try:
        await eventually(lambda: client.connected)
        connected_at = asyncio.get_running_loop().time()
        await eventually(lambda: client.status == "disconnected", timeout=5)
        # silence timeout + close timeout (1 s); outside a payment
        assert asyncio.get_running_loop().time() - connected_at < 3.5
    finally:
        await client.stop()
        done.set()
        await engine.stop()


async def test_engine_down_at_start_then_up() -> None:
    engine = SimEngine(status_interval=0)
    server = SimServer(engine, "127.0.0.1", 0)
    await server.start()
    port = server.port
    await server.stop()
    client = fast_client(f"ws://127.0.0.1:{port}/")
    client.start()
    try:
        await eventually(lambda: client.status == "disconnected")
        server = SimServer(engine, "127.0.0.1", port)
        await server.start()
        await eventually(lambda: client.connected, timeout=5)
        await server.stop()
    finally:
        await client.stop()


async def test_no_proxy_from_environment(sim: tuple[SimEngine, SimServer], monkeypatch: pytest.MonkeyPatch) -> None:
    _, server = sim
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("all_proxy", "socks5://127.0.0.1:9")
    client = fast_client(server.url)
    client.start()
    try:
        await eventually(lambda: client.connected)
    finally:
        await client.stop()


def test_backoff_never_waits_longer_than_index_html() -> None:
    """index.html retries every 3 s: the default backoff is capped there (issue 15 item 5)."""
    backoff = Backoff()
    delays = [backoff.next_delay() for _ in range(40)]
    assert max(delays) <= 3.0
    assert delays[0] <= 0.5 and max(delays) > 2.0  # still a backoff: it grows from ~0.5 s


async def test_request_typed_returns_the_reply_type_or_raises(sim: tuple[SimEngine, SimServer]) -> None:
    from kiosk_ui.errors import ProtocolError

    _, server = sim
    client = fast_client(server.url)
    client.start()
    try:
        await eventually(lambda: client.connected)
        reply = await client.request_typed(m.SearchProduct("leche"), m.SearchResults, timeout=5.0)
        assert isinstance(reply, m.SearchResults)
        with pytest.raises(ProtocolError, match="answered by searchresults"):
            await client.request_typed(m.SearchProduct("leche"), m.NewProductCode, timeout=5.0)
    finally:
        await client.stop()

"""The simulator: the manual's literal payloads over a real socket, and the core's money semantics."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.dialect import Dialect
from kiosk_ui.simulator.server import SimServer

# What JSON.stringify({fecha: new Date(), comando: c, ...}) produces for each example of "Paso 2".
FECHA = "2026-03-14T18:22:05.123Z"


@pytest.fixture
async def sim() -> Any:
    """These tests read the simulator's literal spelling: always the js dialect, whatever
    KIOSK_SIM_DIALECT says (tests/test_protocol_fidelity.py checks the other dialects decode the same)."""
    engine = SimEngine(status_interval=0, restart_delay=1.0)
    server = SimServer(engine, "127.0.0.1", 0, Dialect("js"))
    await server.start()
    yield engine, server
    await server.stop()


def js(**fields: str) -> str:
    return json.dumps({"fecha": FECHA, **fields}, separators=(",", ":"))


async def frames(ws: ClientConnection, wait: float = 0.15) -> list[dict[str, Any]]:
    out = []
    while True:
        try:
            out.append(json.loads(await asyncio.wait_for(ws.recv(), wait)))
        except TimeoutError:
            return out


def last(received: list[dict[str, Any]], command: str) -> dict[str, Any]:
    matching = [f for f in received if f["comando"] == command]
    assert matching, f"no {command} in {[f['comando'] for f in received]}"
    return matching[-1]


async def test_manual_payloads_get_the_protocol_reactions(sim: tuple[SimEngine, SimServer]) -> None:
    engine, server = sim
    async with connect(server.url) as ws:
        hello = await frames(ws)
        assert {f["comando"] for f in hello} >= {"status", "screensettings", "sockets"}

        await ws.send(js(comando="paycash", due="10.00"))
        status = last(await frames(ws), "status")
        assert status["cobrando"] is True and Decimal(status["Due"]) == 10

        engine.insert(Decimal(5), "coin")
        server.kick()
        credit = last(await frames(ws), "updateCredit")
        assert Decimal(credit["Credit"]) == 5

        await ws.send(js(comando="cancel", cancelvalue="1"))
        status = last(await frames(ws), "status")
        assert status["cobrando"] is False and Decimal(status["changeDispensed"]) == 5

        await ws.send(js(comando="paycreditcard", dueCC="10.00"))
        received = await frames(ws)
        assert last(received, "status")["cobrando"] is True
        assert last(received, "sockets")["formaPago"] == "tarjeta"
        engine.approve_card()
        server.kick()
        status = last(await frames(ws), "status")
        assert status["cobrando"] is False and status["referenceCC"]

        await ws.send(js(comando="opendoor"))
        assert last(await frames(ws), "status")["Status"] == "Puerta abierta"

        await ws.send(js(comando="cashrefill"))
        await frames(ws)
        engine.insert(Decimal(10), "coin")
        server.kick()
        assert Decimal(last(await frames(ws), "updateCredit")["Credit"]) == 10
        await ws.send(js(comando="cancel", cancelvalue="2"))
        status = last(await frames(ws), "status")
        assert status["cobrando"] is False and Decimal(status["changeDispensed"]) == 0

        engine.coin_cashbox[Decimal(20)] = 3
        await ws.send(js(comando="cashcollect", source="coin"))
        received = await frames(ws)
        assert last(received, "cashcollectfinish")
        assert Decimal(last(received, "status")["coinCashboxAmount"]) == 0

        engine.bill_cashbox[Decimal(500)] = 1
        await ws.send(js(comando="resetbalance"))
        status = last(await frames(ws), "status")
        assert Decimal(status["billsCashboxAmount"]) == 0

        await ws.send(js(comando="shutdown", param="r"))
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
    with pytest.raises(InvalidStatus):
        async with connect(server.url):
            pass
    deadline = asyncio.get_running_loop().time() + 10
    while True:  # the engine comes back after the fixture's restart_delay (1 s): wait for it, do not sleep
        try:
            ws = await connect(server.url)
            break
        except InvalidStatus:
            assert asyncio.get_running_loop().time() < deadline, "the engine did not come back"
            await asyncio.sleep(0.05)
    async with ws:
        assert last(await frames(ws), "status")["cobrando"] is False
    assert engine.bad_frames == 0


async def test_inferred_commands(sim: tuple[SimEngine, SimServer]) -> None:
    engine, server = sim
    async with connect(server.url) as ws:
        await frames(ws)
        await ws.send(js(comando="checknip", nip="0000"))
        denied = last(await frames(ws), "access")
        assert denied["validNIP"] is False and denied["token"] == ""
        await ws.send(js(comando="checknip", nip="1234"))
        granted = last(await frames(ws), "access")
        assert granted["validNIP"] is True and granted["token"]
        await ws.send(js(comando="getproduct", codigoproducto="7501055300075"))
        info = last(await frames(ws), "productinfo")
        assert info["descripcion"] == "Coca-Cola 600 ml" and info["precio"] == "18.50"
        await ws.send(js(comando="searchproduct", search="leche"))
        assert [p["descripcion"] for p in last(await frames(ws), "searchresults")["datos"]] == ["Leche Lala Entera 1 L"]
        await ws.send(js(comando="getnewproductcode"))
        code = last(await frames(ws), "newproductcode")["codigoproducto"]
        await ws.send(js(comando="saveproduct", codigoproducto=code, descripcion="Pan dulce", udm="PZA",
                         precio="12.00", imagen=""))  # fmt: skip
        assert last(await frames(ws), "newproductsaved")
        assert engine.catalog.get(code) is not None
        await ws.send(js(comando="deleteproduct", codigoproducto=code))
        assert last(await frames(ws), "productdeleted")
        assert engine.catalog.get(code) is None
        await ws.send(js(comando="savescreensettings", showcta="0", showeyes="1", showtime="1", ctamessage="Hola"))
        settings = last(await frames(ws), "screensettings")
        assert (settings["showcta"], settings["ctamessage"]) == ("0", "Hola")
        await ws.send(js(comando="getscreensettings"))
        assert last(await frames(ws), "screensettings")["ctamessage"] == "Hola"
        await ws.send(js(comando="arqueo"))
        assert last(await frames(ws), "status")["inventory"]
        await ws.send(js(comando="checkbr"))
        assert "maxqtybr" in last(await frames(ws), "checkbrresult")
        engine.set_fault("bill_jam", True)
        await ws.send(js(comando="bvreset"))
        assert last(await frames(ws), "bvresetfinish") and not engine.faults.bill_jam
        await ws.send(js(comando="report"))
        assert last(await frames(ws), "reportready")
        await ws.send(js(comando="getstatus"))
        assert last(await frames(ws), "status")


def test_change_is_paid_from_finite_tubes() -> None:
    engine = SimEngine(status_interval=0)
    engine.connect()
    engine.tubes = {d: 0 for d in engine.tubes}
    engine.recycler = {d: 0 for d in engine.recycler}
    engine.tubes[Decimal(2)] = 2
    engine.receive(1, js(comando="paycash", due="11.00"))
    assert engine.insert(Decimal(20), "bill")
    assert engine.last_change == Decimal(4)  # owed 9, only two 2-peso coins
    assert engine.tubes[Decimal(2)] == 0 and engine.payment is None


def test_faults_refuse_money_and_cards() -> None:
    engine = SimEngine(status_interval=0)
    engine.connect()
    engine.set_fault("bill_jam", True)
    engine.set_fault("coin_error", True)
    engine.receive(1, js(comando="paycash", due="5.00"))
    assert not engine.insert(Decimal(20), "bill")
    assert not engine.insert(Decimal(1), "coin")
    engine.receive(1, js(comando="cancel", cancelvalue="1"))
    engine.set_fault("card_unavailable", True)
    engine.receive(1, js(comando="paycreditcard", dueCC="5.00"))
    assert engine.payment is None
    assert not engine.insert(Decimal(20), "bill")  # validators are off outside a payment


def test_second_payment_is_refused_while_charging() -> None:
    engine = SimEngine(status_interval=0)
    engine.connect()
    engine.receive(1, js(comando="paycash", due="5.00"))
    engine.receive(1, js(comando="paycash", due="9.00"))
    assert engine.payment is not None and engine.payment.due == Decimal(5)


def test_junk_and_slow_faults_shape_the_outbox() -> None:
    engine = SimEngine(status_interval=0)
    engine.set_fault("junk_frames", True)
    engine.connect()
    texts = [text for _, text in engine.drain()]
    assert any(not text.startswith('{"fecha"') for text in texts)
    engine.set_fault("junk_frames", False)
    engine.set_fault("slow_replies", 2.0)
    engine.drain(engine.now + 2.0)
    engine.receive(1, js(comando="getstatus"))
    assert engine.drain(engine.now) == []
    assert engine.drain(engine.now + 2.0)
    engine.receive(1, "garbage")
    assert engine.bad_frames == 1


def test_card_auto_decision_after_delay() -> None:
    engine = SimEngine(status_interval=0, card_mode="decline", card_delay=3)
    engine.connect()
    engine.receive(1, js(comando="paycreditcard", dueCC="5.00"))
    engine.tick(2.9)
    assert engine.payment is not None
    engine.tick(3.0)
    assert engine.payment is None and engine.last_reference == ""

"""Issue 20 item 2: a link that suits a blocking engine. The engine below runs in its own thread and its
receive loop blocks (``time.sleep``: no frame, no pong) while the card terminal decides, as a C# engine that
waits on the terminal does. Values are scaled down 10x: a 1.5 s block stands for the 15 s of the probe."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path

from websockets.asyncio.server import ServerConnection

from kiosk_ui.engine import Backoff, EngineClient, Keepalive
from kiosk_ui.journal import Journal
from kiosk_ui.kiosk import Kiosk, PaymentResult
from kiosk_ui.protocol import messages as m

from ..fake_engine import ANY, FakeEngine, Frame, Threaded
from ..helpers import eventually

BLOCK = 1.5


class BlockingEngine(Threaded):
    """Answers ``paycreditcard`` with "charging", then blocks its loop for ``block`` s, then approves;
    answers ``getstatus`` with "idle", then blocks the same way (a silence outside any payment)."""

    def __init__(self, block: float = BLOCK) -> None:
        engine = FakeEngine(greeting=None, ping_interval=None, close_timeout=0.2)  # it says idle on connecting
        super().__init__(engine)
        self.block = block
        engine.on_connect(lambda e, connection, _: e.send(connection, "status", cobrando="False", Due="0",
                                                            Credit="0", tarjeta="True", referenceCC="R-6"))  # fmt: skip
        engine.on(ANY, self._answer)

    @property
    def connections(self) -> int:
        return self.engine.connects

    async def _answer(self, engine: FakeEngine, connection: ServerConnection, frame: Frame) -> None:
        charging = frame["comando"] == "paycreditcard"
        await engine.send(connection, "status", cobrando="True" if charging else "False",
                          Due="80.00" if charging else "0", tarjeta="True", referenceCC="R-6")  # fmt: skip
        time.sleep(self.block)  # the receive loop waits on the terminal: nothing read, no pong
        if charging:
            await engine.send(connection, "status", cobrando="False", Due="80.00", Credit="0", changeDispensed="0",
                              referenceCC="R-7", tarjeta="True", Status="Pago aprobado")  # fmt: skip


def _client(url: str) -> EngineClient:
    # 10x the defaults scaled down: a ping every 0.2 s (2 s), a drop after 0.6 s (6 s) of silence
    return EngineClient(url, keepalive=Keepalive(0.2, 0.6, 0.4), backoff=Backoff(first=0.1, cap=0.3))


async def test_a_card_payment_on_a_blocking_engine_keeps_its_connection_and_its_approval() -> None:
    """Before: the client dropped the connection 2 x 4 s into the terminal's wait and the approval went to a
    dead socket. Now the silence is shown to staff and the approval arrives on the same connection."""
    engine = BlockingEngine()
    client = _client(engine.start())
    statuses: list[m.Status] = []
    changes: list[str] = []
    client.on_status(changes.append)
    client.on_message(lambda message: statuses.append(message) if isinstance(message, m.Status) else None)
    client.start()
    try:
        await eventually(lambda: client.connected)
        await client.send(m.PayCreditCard(Decimal("80")))
        await eventually(lambda: client.engine_charging)
        await eventually(lambda: client.silent_in_payment, timeout=BLOCK)  # staff see it; the customer does not
        await eventually(lambda: any(s.reference_cc == "R-7" for s in statuses), timeout=BLOCK + 5)
        assert client.connects == 1 and engine.connections == 1 and "disconnected" not in changes
        assert not client.silent_in_payment and client.keepalive.silent_episodes == 1
    finally:
        await client.stop()
        engine.stop()


async def test_a_payment_the_app_knows_of_keeps_the_connection_before_the_engine_says_charging() -> None:
    """The app's own knowledge counts too (``EngineClient.charging``), before any ``cobrando`` arrived."""
    engine = BlockingEngine()
    client = _client(engine.start())
    client.charging = lambda: True
    changes: list[str] = []
    client.on_status(changes.append)
    client.start()
    try:
        await eventually(lambda: client.connected)
        await client.send(m.GetStatus())  # answered "idle", then a silence of BLOCK s
        await asyncio.sleep(BLOCK + 0.3)  # the scenario: the whole block, then a little
        assert client.connects == 1 and "disconnected" not in changes
    finally:
        await client.stop()
        engine.stop()


async def test_a_silent_engine_outside_a_payment_is_still_dropped() -> None:
    engine = BlockingEngine()
    client = _client(engine.start())
    client.start()
    try:
        await eventually(lambda: client.connected)
        await client.send(m.GetStatus())
        await eventually(lambda: client.connects >= 2, timeout=BLOCK + 5)  # dropped, then connected again
    finally:
        await client.stop()
        engine.stop()


async def test_the_kiosk_completes_a_card_sale_on_a_blocking_engine(tmp_path: Path) -> None:
    """End to end: the kiosk starts a card sale, the engine goes silent for the terminal's wait, the approval
    arrives on the same connection and the sale is journaled completed with its reference."""
    engine = BlockingEngine()
    client = _client(engine.start())
    journal = Journal(tmp_path / "journal.sqlite3")
    kiosk = Kiosk(client, journal, ack_timeout=3.0, end_grace=1.0)
    client.charging = lambda: kiosk.payment is not None
    results: list[PaymentResult] = []
    kiosk.on_result(results.append)
    await kiosk.recover()
    client.start()
    try:
        await eventually(lambda: client.connected and kiosk.state.card_available)
        await kiosk.start_payment("card", Decimal("80"))
        await eventually(lambda: results, timeout=BLOCK + 8)
        assert (results[0].outcome, client.connects) == ("completed", 1)
        assert journal.payments()[0]["reference"] == "R-7"
    finally:
        kiosk.service.close()
        await client.stop()
        journal.close()
        engine.stop()

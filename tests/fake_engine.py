"""The one fake engine of the tests: an engine the test scripts, not :mod:`kiosk_ui.simulator` (issue 19 item 7).

- :class:`FakeEngine`: a websockets server that records every frame it receives (:attr:`~FakeEngine.received`,
  :meth:`~FakeEngine.commands`), sends what the test tells it (:meth:`~FakeEngine.push`) and reacts to what the
  test scripts (:meth:`~FakeEngine.on`, :meth:`~FakeEngine.on_connect`). Like a real engine it answers the
  question the app asks on connecting (its first ``getstatus``) with :attr:`~FakeEngine.greeting`, idle by
  default: the app starts no payment before the engine has said where it stands. Only the first connection is
  answered so; after a drop the test scripts what the engine says on coming back.
- :class:`Threaded`: a fake engine in its own thread and event loop, for an app in another process (browser
  tests) or an engine whose receive loop blocks (``time.sleep``) as a C# engine waiting on its card terminal.
- The rig: a :class:`~kiosk_ui.kiosk.Kiosk` on a real :class:`~kiosk_ui.engine.EngineClient` against a fake
  engine (:func:`make_rig`, :func:`close`), and the scripted steps the payment tests share (:func:`start_cash`,
  :func:`to_ending`, :func:`engine_away`); the ``fake_engine`` fixture.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from kiosk_ui.engine import Backoff, EngineClient
from kiosk_ui.journal import Journal
from kiosk_ui.kiosk import Kiosk, PaymentResult
from kiosk_ui.protocol import messages as m

from .helpers import eventually

Frame = dict[str, Any]
#: ``reaction(engine, connection, frame)``: what the engine does when a frame arrives (or on connecting: ``{}``)
Reaction = Callable[["FakeEngine", ServerConnection, Frame], Awaitable[None]]
T = TypeVar("T")

FECHA = "14/03/2026 12:22:05"
#: what an idle engine says when asked (``getstatus``): nothing being charged, no money in
IDLE_STATUS: Frame = {"cobrando": "False", "Due": "0.00", "Credit": "0.00", "changeDispensed": "0.00",
                      "Status": "Disponible", "referenceCC": "", "conexiones": "1"}  # fmt: skip
#: any command (for :meth:`FakeEngine.on`)
ANY = "*"


class FakeEngine:
    """A websockets server that records what it receives and sends what the test tells it to."""

    def __init__(self, greeting: Frame | None = IDLE_STATUS, *, ping_interval: float | None = 20.0,
                 close_timeout: float = 10.0) -> None:  # fmt: skip
        self.received: list[Frame] = []
        self.connections: list[ServerConnection] = []
        #: connections accepted so far
        self.connects = 0
        self.url = ""
        #: the answer to the app's first ``getstatus`` on the first connection (None: the test scripts it)
        self.greeting = greeting
        self.ping_interval, self.close_timeout = ping_interval, close_timeout
        self._greeted = False
        self._reactions: dict[str, Reaction] = {}
        self._on_connect: Reaction | None = None
        self._lock = threading.Lock()  # a threaded engine's frames are read from the test's thread
        self._server: Server | None = None

    # ------------------------------------------------------------------ scripting
    def on(self, command: str, reaction: Reaction) -> None:
        """React to every ``command`` frame (:data:`ANY`: to every frame no other reaction takes)."""
        self._reactions[command] = reaction

    def on_connect(self, reaction: Reaction) -> None:
        self._on_connect = reaction

    async def push(self, comando: str, **fields: Any) -> None:
        """Send one frame to every connection."""
        for connection in list(self.connections):
            await self.send(connection, comando, **fields)

    @staticmethod
    async def send(connection: ServerConnection, comando: str, **fields: Any) -> None:
        """Send one frame to ``connection`` (a frame to a closed one is lost, as on a real engine)."""
        with contextlib.suppress(ConnectionClosed):
            await connection.send(json.dumps({"comando": comando, "fecha": FECHA, **fields}))

    def commands(self, name: str) -> list[Frame]:
        with self._lock:
            return [f for f in self.received if f.get("comando") == name]

    # ------------------------------------------------------------------ lifecycle
    async def start(self, port: int = 0) -> str:
        """Listen (again, on ``port``: an engine back from a restart keeps its address); returns the URL."""
        self._server = await serve(self._handle, "127.0.0.1", port, ping_interval=self.ping_interval,
                                   close_timeout=self.close_timeout)  # fmt: skip
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/"
        return self.url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        self.connects += 1
        try:
            if self._on_connect is not None:
                await self._on_connect(self, connection, {})
            async for text in connection:
                frame = json.loads(text)
                with self._lock:
                    self.received.append(frame)
                command = frame.get("comando")
                if command == "getstatus" and self.greeting is not None and not self._greeted:
                    self._greeted = True
                    await self.send(connection, "status", **self.greeting)
                    continue
                reaction = self._reactions.get(command, self._reactions.get(ANY))
                if reaction is not None:
                    await reaction(self, connection, frame)
        except ConnectionClosed:
            pass
        finally:
            self.connections.remove(connection)


class Threaded:
    """Runs a :class:`FakeEngine` in its own thread and event loop."""

    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return self.call(self.engine.start())

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        """Run ``coroutine`` on the engine's loop (e.g. ``push``) and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # a loop still blocked by the engine: stopped below all the same
            self.call(self.engine.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# --------------------------------------------------------------------------- the rig: a kiosk on a fake engine


class Rig:
    def __init__(self, engine: FakeEngine, kiosk: Kiosk, journal: Journal) -> None:
        self.engine = engine
        self.kiosk = kiosk
        self.journal = journal
        self.results: list[PaymentResult] = []
        kiosk.on_result(self.results.append)

    async def settle(self) -> None:
        """Let frames already sent reach the kiosk and its effects run (the engine says 'ping')."""
        before = len(self.engine.received)
        await self.kiosk.client.send(m.GetStatus())
        await eventually(lambda: len(self.engine.received) > before)
        await asyncio.sleep(0.05)
        await self.kiosk.service.idle()


async def make_rig(tmp_path: Path, engine: FakeEngine, *, journal: Journal | None = None) -> Rig:
    journal = journal or Journal(tmp_path / "journal.sqlite")
    client = EngineClient(engine.url, backoff=Backoff(first=0.1, cap=0.5, stable_after=2.0))
    kiosk = Kiosk(client, journal, ack_timeout=3.0, end_grace=1.5)
    await kiosk.recover()
    client.start()
    await eventually(lambda: client.connected and engine.connections)
    if engine.greeting is not None:
        await eventually(lambda: kiosk.state.synced)  # the engine said where it stands: payments may start
    return Rig(engine, kiosk, journal)


@pytest.fixture
async def fake_engine() -> AsyncIterator[FakeEngine]:
    engine = FakeEngine()
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


async def close(rig: Rig) -> None:
    rig.kiosk.service.close()
    await rig.kiosk.client.stop()
    rig.journal.close()


async def start_cash(rig: Rig, due: str) -> None:
    """Start a cash payment; the engine acknowledges with a C#-style status."""
    task = asyncio.create_task(rig.kiosk.start_payment("cash", Decimal(due)))
    await eventually(lambda: rig.engine.commands("paycash"))
    await rig.engine.push("status", cobrando="True", Due=due, Credit="0", changeDispensed="0",
                          Status="Cobrando", referenceCC="", conexiones="1")  # fmt: skip
    assert await asyncio.wait_for(task, 10) is None
    assert rig.kiosk.payment is not None and rig.kiosk.payment.phase == "charging"


async def to_ending(rig: Rig, fake: FakeEngine, credit: str) -> str:
    """A cash payment of 50 with ``credit`` inserted; a stale bare ``sockets`` (cobrando false) then puts it
    in ENDING and the kiosk asks the engine (``getstatus``). Returns the payment id."""
    await start_cash(rig, "50")
    payment = rig.kiosk.payment
    assert payment is not None
    await fake.push("updateCredit", Due="50.00", Credit=credit)
    await eventually(lambda: rig.kiosk.payment is not None and rig.kiosk.payment.credit == Decimal(credit))
    asked = len(fake.commands("getstatus"))
    await fake.push("sockets", cobrando="False", Due="50.00", Credit="0.00", formaPago="")  # stale broadcast
    await eventually(lambda: len(fake.commands("getstatus")) > asked)
    assert rig.kiosk.payment is not None and rig.kiosk.payment.phase == "ending"
    return payment.id


async def engine_away(fake: FakeEngine, rig: Rig, seconds: float) -> None:
    """The engine goes away (its server and connection close) for ``seconds``, then listens again on the
    same port; returns once the kiosk is connected again."""
    port = fake.port
    await fake.stop()
    await eventually(lambda: not rig.kiosk.client.connected)
    await asyncio.sleep(seconds)  # an engine restart takes seconds: longer than the grace being tested
    await fake.start(port)
    await eventually(lambda: rig.kiosk.client.connected and fake.connections, timeout=10)


async def paid_in_full(fake: FakeEngine, rig: Rig, due: str) -> None:
    """The customer pays exactly ``due`` (one ``updateCredit``), the engine ends the sale with no change; returns
    once the kiosk has published a completed result and its writes are done."""
    await fake.push("updateCredit", Due=due, Credit=due)
    await fake.push("status", cobrando="False", Due=due, Credit=due, changeDispensed="0.00", Status="Pago completado")
    await eventually(lambda: any(r.outcome == "completed" for r in rig.results), timeout=10)
    await rig.settle()

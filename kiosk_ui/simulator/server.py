"""A thin asyncio WebSocket server around :class:`SimEngine`. All semantics live in the core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from http import HTTPStatus

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .core import Refused, SimEngine
from .dialect import Dialect

log = logging.getLogger(__name__)


class SimServer:
    """Serves ``engine`` at ``ws://host:port/``; ``port=0`` picks a free port (see :attr:`port`)."""

    def __init__(
        self, engine: SimEngine, host: str = "127.0.0.1", port: int = 8080, dialect: Dialect | None = None
    ) -> None:
        self.engine = engine
        #: how every engine-to-app frame is spelled on the wire (see :mod:`.dialect`)
        self.dialect = dialect or Dialect("js")
        self.host = host
        self.port = port
        self._server: Server | None = None
        self._pump_task: asyncio.Task[None] | None = None
        self._kick = asyncio.Event()
        self._connections: dict[int, ServerConnection] = {}
        self._stopping = False
        engine.listeners.append(self._kick.set)

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.engine.tick(loop.time())
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._gate,
            max_size=4 * 1024 * 1024,
            ping_interval=None,
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        self._pump_task = asyncio.create_task(self._pump(), name="sim-pump")
        log.info("engine simulator listening on %s", self.url)

    async def stop(self) -> None:
        # A flag, not only cancel(): on Python 3.11 wait_for() swallows a cancel that races with
        # the kick event completing, and the pump would then run forever.
        self._stopping = True
        self._kick.set()
        if self._pump_task:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._pump_task, 2.0)
        if self._server:
            self._server.close()
            # under uvloop (uvicorn's loop) wait_closed() can outlive every connection: bound it
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def kick(self) -> None:
        """Run the engine's clock and flush its outbox now (after a control action)."""
        self._kick.set()

    def _gate(self, connection: ServerConnection, request: Request) -> Response | None:
        loop = asyncio.get_running_loop()
        self.engine.tick(loop.time())
        if self.engine.faults.refuse_connections or self.engine.is_off:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "engine unavailable\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        try:
            cid = self.engine.connect()
        except Refused:
            await connection.close(1013, "engine unavailable")
            return
        self._connections[cid] = connection
        self._kick.set()
        try:
            async for frame in connection:
                self.engine.tick(asyncio.get_running_loop().time())
                self.engine.receive(cid, frame)
                self._kick.set()
        except ConnectionClosed:
            pass
        finally:
            self._connections.pop(cid, None)
            self.engine.disconnect(cid)
            self._kick.set()

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self.engine.tick(loop.time())
            for target, canonical in self.engine.drain():
                text = self.dialect.apply(canonical)
                receivers = (
                    self._connections.items()
                    if target is None
                    else [(target, self._connections[target])]
                    if target in self._connections
                    else []
                )
                for _, connection in list(receivers):
                    with contextlib.suppress(ConnectionClosed):
                        await connection.send(text)
            # connections the engine dropped (shutdown) are closed here
            for cid, connection in list(self._connections.items()):
                if cid not in self.engine.clients:
                    self._connections.pop(cid, None)
                    await connection.close(1001, "engine going away")
            self._kick.clear()
            deadline = self.engine.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), timeout)


async def serve_forever(engine: SimEngine, host: str, port: int, dialect: Dialect | None = None) -> None:
    server = SimServer(engine, host, port, dialect)
    await server.start()
    try:
        await asyncio.Future()
    finally:
        await server.stop()

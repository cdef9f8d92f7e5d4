"""The one WebSocket connection to the engine, shared by every screen.

- reconnects by itself: first retry within ~0.5 s, doubling to a 3 s cap (the original
  ``index.html`` retries every 3 s: never wait longer than that); the backoff is
  only reset once a connection has lived a few seconds, so an engine that accepts and
  closes at once is never hammered in a tight loop;
- keepalive (:mod:`.keepalive`): pings every 20 s; 60 s of silence drops the connection, but never while a
  payment is charging (a blocking engine answers nothing while it waits on the card terminal): then staff
  are shown the silence instead;
- :meth:`send` fails at once while disconnected: nothing is ever queued for later, so a
  ``paycash`` cannot be replayed after a reconnect;
- :meth:`request` matches the engine's reply to the request that asked for it;
- a bad frame is logged (once per kind of fault), counted, and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from ..errors import CommandRefused, EngineTimeout, EngineUnavailable
from ..listeners import Listeners
from ..protocol import DEFAULT_CODEC, Codec, Message, ProtocolError
from ..protocol import messages as m
from .keepalive import Keepalive, KeepaliveWatch
from .status import ConnectionStatus

log = logging.getLogger(__name__)

#: seconds :meth:`EngineClient.request` waits for the engine's answer unless told otherwise
REQUEST_TIMEOUT = 10.0
ReplyT = TypeVar("ReplyT", bound=Message)
#: seconds to open a connection
OPEN_TIMEOUT = 4.0
#: the largest frame read from the engine (a catalog or a report can be big), and frames buffered
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_QUEUED_FRAMES = 4096
#: bad frames are counted per kind of fault: at most this many kinds (the rest count as "other"),
#: each named by at most KIND_CHARS characters; a logged bad frame shows at most LOGGED_CHARS
MAX_BAD_FRAME_KINDS = 30
KIND_CHARS = 60
LOGGED_CHARS = 500


#: ``guard(message, override) -> reason``: '' lets the frame go, anything else refuses it.
Guard = Callable[[Message, bool], str]


def _any(_: Message) -> bool:
    return True


#: Which incoming message answers which request (and how to tell it is ours).
REPLIES: dict[type[Message], tuple[type[Message], Callable[[Message], bool]]] = {
    m.CheckNip: (m.Access, _any),
    m.CashCollect: (m.CashCollectFinish, _any),
    m.BvReset: (m.BvResetFinish, _any),
    m.CheckBr: (m.CheckBrResult, _any),
    m.Report: (m.ReportReady, _any),
    m.GetScreenSettings: (m.ScreenSettings, _any),
    m.SaveScreenSettings: (m.ScreenSettings, _any),
    m.GetProduct: (m.ProductInfo, _any),
    m.SearchProduct: (m.SearchResults, _any),
    m.GetNewProductCode: (m.NewProductCode, _any),
    m.SaveProduct: (m.NewProductSaved, _any),
    m.DeleteProduct: (m.ProductDeleted, _any),
    m.GetStatus: (m.Status, _any),
    m.Arqueo: (m.Status, lambda s: bool(getattr(s, "inventory", None))),
    m.OpenDoor: (m.Status, _any),
    m.ResetBalance: (m.Status, _any),
    m.CashRefill: (m.Status, _any),
    m.Cancel: (m.Status, _any),
}


@dataclass
class _Pending:
    reply_type: type[Message]
    accept: Callable[[Message], bool]
    future: asyncio.Future[Message]


@dataclass
class Backoff:
    first: float = 0.5
    #: docs/protocol.md: back off, but never wait longer than 3 s between attempts to a local engine.
    cap: float = 3.0
    #: A connection that lived this long resets the backoff to ``first``.
    stable_after: float = 5.0
    attempt: int = field(default=0)

    def next_delay(self) -> float:
        delay = min(self.cap, self.first * (2**self.attempt))
        self.attempt += 1
        return delay * random.uniform(0.8, 1.0)


class EngineClient(KeepaliveWatch):
    def __init__(
        self,
        url: str,
        codec: Codec = DEFAULT_CODEC,
        *,
        keepalive: Keepalive | None = None,
        open_timeout: float = OPEN_TIMEOUT,
        backoff: Backoff | None = None,
    ) -> None:
        self.url = url
        self.codec = codec
        self.keepalive = keepalive or Keepalive()
        self.engine_charging = False
        self.charging = None
        self.open_timeout = open_timeout
        self.backoff = backoff or Backoff()
        self.status: ConnectionStatus = "connecting"
        self.bad_frames = 0
        self.connects = 0
        self._seen_faults: set[str] = set()
        #: bad frames by kind (the reason up to its first colon), for /metrics
        self.bad_frame_kinds: dict[str, int] = {}
        self._connection: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: deque[_Pending] = deque()
        self._message_listeners: Listeners[Message] = Listeners("engine message")
        self._status_listeners: Listeners[ConnectionStatus] = Listeners("engine status")
        self._sent_listeners: Listeners[Message] = Listeners("engine sent")
        #: Asked right before every frame leaves: the last line no screen can bypass.
        self.guard: Guard | None = None

    # ------------------------------------------------------------------ observers
    def on_message(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        return self._message_listeners.add(callback)

    def on_status(self, callback: Callable[[ConnectionStatus], None]) -> Callable[[], None]:
        return self._status_listeners.add(callback)

    def on_sent(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        """``callback(message)`` after a frame has left (whoever sent it: the kiosk, staff, a test)."""
        return self._sent_listeners.add(callback)

    def _set_status(self, status: ConnectionStatus) -> None:
        if status != self.status:
            self.status = status
            log.info("engine %s (%s)", status, self.url)
            self._status_listeners.emit(status)

    @property
    def connected(self) -> bool:
        return self.status == "connected" and self._connection is not None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="engine-client")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_pending(EngineUnavailable("client stopped"))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            opened_at = None
            try:
                async with connect(
                    self.url,
                    proxy=None,
                    open_timeout=self.open_timeout,
                    ping_interval=None,  # our own keepalive (_watch): it knows when a payment is charging
                    ping_timeout=None,
                    close_timeout=1,
                    # larger than the codec's limit, so an oversized frame is refused and counted
                    # by the codec instead of closing the connection
                    max_size=MAX_FRAME_BYTES,
                    max_queue=MAX_QUEUED_FRAMES,
                ) as connection:
                    opened_at = loop.time()
                    self._connection = connection
                    self.connects += 1
                    self.keepalive.reset()
                    self.engine_charging = False  # until this connection's engine says so (the app's own word holds)
                    self._set_status("connected")
                    watch = asyncio.create_task(self._watch(connection), name="engine-keepalive")
                    try:
                        async for frame in connection:
                            self._on_frame(frame)
                    finally:
                        watch.cancel()
            except asyncio.CancelledError:
                raise
            except InvalidURI:
                log.error("engine URL is not a WebSocket URL: %s", self.url)
                self._set_status("disconnected")
                return
            except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError) as exc:
                log.debug("engine connection ended: %r", exc)
            except Exception:
                log.exception("engine connection failed")
            finally:
                self._connection = None
            self._set_status("disconnected")
            self._fail_pending(EngineUnavailable("engine connection lost"))
            if opened_at is not None and loop.time() - opened_at >= self.backoff.stable_after:
                self.backoff.attempt = 0
            await asyncio.sleep(self.backoff.next_delay())

    # ------------------------------------------------------------------ keepalive (the rest: KeepaliveWatch)
    @property
    def silent_in_payment(self) -> bool:
        """For staff: the engine has said nothing for ``silent_alert`` s during a payment (not a customer failure)."""
        return self.keepalive.silent_in_payment and self.connected

    # ------------------------------------------------------------------ incoming
    def _on_frame(self, frame: str | bytes) -> None:
        self.keepalive.heard()  # any frame, even one we cannot read, says the engine is alive
        try:
            message = self.codec.decode(frame)
            if message.OUTGOING:
                raise ProtocolError(f"engine sent an app-to-engine command {message.COMMAND!r}")
        except ProtocolError as exc:
            self.bad_frames += 1
            kind = exc.reason.split(":")[0]
            short = kind[:KIND_CHARS]
            counted = (
                short if short in self.bad_frame_kinds or len(self.bad_frame_kinds) < MAX_BAD_FRAME_KINDS else "other"
            )
            self.bad_frame_kinds[counted] = self.bad_frame_kinds.get(counted, 0) + 1
            if kind not in self._seen_faults:  # log each kind once with the raw text, then count
                self._seen_faults.add(kind)
                log.warning("bad engine frame (%s): %r", exc.reason, exc.raw[:LOGGED_CHARS])
            else:
                log.debug("bad engine frame (%s)", exc.reason)
            return
        if isinstance(message, m.Status | m.Sockets) and message.cobrando is not None:
            self.engine_charging = message.cobrando
        self._resolve(message)
        self._message_listeners.emit(message)

    def _resolve(self, message: Message) -> None:
        for pending in list(self._pending):
            if isinstance(message, pending.reply_type) and pending.accept(message):
                self._pending.remove(pending)
                if not pending.future.done():
                    pending.future.set_result(message)
                return

    def _fail_pending(self, exc: Exception) -> None:
        while self._pending:
            pending = self._pending.popleft()
            if not pending.future.done():
                pending.future.set_exception(exc)

    # ------------------------------------------------------------------ outgoing
    async def send(self, message: Message, *, override: bool = False, token: str | None = None) -> None:
        """Send now or raise :class:`EngineUnavailable`. Never queued for a later reconnect.

        ``override``: the sender confirmed it acts on a payment in progress on purpose; the
        :attr:`guard` may still refuse (:class:`CommandRefused`), e.g. a ``cancel "2"``.
        ``token``: the staff session's token, sent only if the codec is configured to.
        """
        if self.guard is not None and (reason := self.guard(message, override)):
            log.warning("refused to send %s: %s", message.COMMAND, reason)
            raise CommandRefused(reason)
        connection = self._connection
        if connection is None or self.status != "connected":
            raise EngineUnavailable("the engine is not connected")
        text = self.codec.encode(message, token=token)
        try:
            await connection.send(text)
        except ConnectionClosed as exc:
            raise EngineUnavailable("the engine connection closed while sending") from exc
        log.debug("sent %s", message.COMMAND)
        self._sent_listeners.emit(message)

    async def request(
        self, message: Message, timeout: float = REQUEST_TIMEOUT, *, override: bool = False, token: str | None = None
    ) -> Message:
        """Send ``message`` and wait for the engine's answer to it (see :data:`REPLIES`,
        which the ``[protocol.replies]`` configuration may override)."""
        reply_type, accept = REPLIES[type(message)]
        configured = self.codec.replies.get(type(message))
        if configured is not None and configured is not reply_type:
            reply_type, accept = configured, _any
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        pending = _Pending(reply_type, accept, future)
        self._pending.append(pending)
        try:
            await self.send(message, override=override, token=token)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise EngineTimeout(f"no answer to {message.COMMAND} within {timeout:g} s") from None
        finally:
            with contextlib.suppress(ValueError):
                self._pending.remove(pending)

    async def request_typed(
        self,
        message: Message,
        reply_type: type[ReplyT],
        timeout: float = REQUEST_TIMEOUT,
        *,
        override: bool = False,
        token: str | None = None,
    ) -> ReplyT:
        """:meth:`request`, with the answer checked to be a ``reply_type`` (a :class:`ProtocolError` if the
        configured reply for ``message`` is something else), so callers need no ``assert isinstance``."""
        reply = await self.request(message, timeout, override=override, token=token)
        if not isinstance(reply, reply_type):
            raise ProtocolError(f"{message.COMMAND} was answered by {reply.COMMAND}, not {reply_type.COMMAND}")
        return reply

    async def reconnect(self, timeout: float = 10.0) -> bool:
        """Drop the current connection and wait (up to ``timeout`` s) for a new one to be open.

        Whatever was asked on the old connection can then never be answered on the new one: the
        NIP check uses this after a timeout so that a late ``access`` authorizes nobody.
        """
        loop = asyncio.get_running_loop()
        before = self.connects
        changed = asyncio.Event()
        undo = self.on_status(lambda _status: changed.set())
        try:
            connection = self._connection
            if connection is not None:
                log.info("dropping the engine connection on purpose (a request timed out)")
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), timeout)
            deadline = loop.time() + timeout
            while not (self.connected and self.connects > before):
                changed.clear()
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
            return True
        finally:
            undo()

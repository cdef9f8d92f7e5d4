"""The NIP check service: one ``checknip`` in flight for the whole kiosk, counted before it is sent.

After a timeout the engine connection is dropped and reopened before the next check, so a late
``access`` can only ever arrive on a connection no check is waiting on. The NIP is never stored or logged.

An ``access`` that arrives while no check of ours is in flight means the engine broadcasts its replies to
every client: from then on another client's right NIP could answer our check, so a ``validNIP: true`` is
only believed when a second check, sent after it, says so too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..engine import EngineClient, EngineTimeout, EngineUnavailable
from ..protocol import messages as m
from .lockout import Lockout

log = logging.getLogger(__name__)

NipOutcome = Literal["ok", "wrong", "locked", "no-answer", "offline", "busy"]


@dataclass(frozen=True)
class NipResult:
    outcome: NipOutcome
    token: str = ""
    #: for "locked": seconds left; for "wrong": attempts left from this address
    seconds_left: int = 0
    attempts_left: int = 0
    #: this attempt set a new lock (journal it)
    locked_now: bool = False


#: how long a NIP check waits for the engine's ``access`` before it counts as failed
NIP_TIMEOUT = 8.0
#: how long a second check waits for the one in flight before it is told "busy"
NIP_QUEUE_TIMEOUT = 20.0


class NipChecker:
    """One NIP check in flight for the whole kiosk, counted before it is sent."""

    def __init__(self, client: EngineClient, lockout: Lockout, timeout: float = NIP_TIMEOUT,
                 queue_timeout: float = NIP_QUEUE_TIMEOUT, busy: Callable[[], bool] = lambda: False,
                 on_locked: Callable[[str], object] = lambda _address: None) -> None:  # fmt: skip
        self.client = client
        #: an address was just locked out (its staff sessions end)
        self.on_locked = on_locked
        #: a customer payment is under way: the engine connection is not dropped under it
        self.busy = busy
        self.lockout = lockout
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._lock = asyncio.Lock()
        #: after a timeout, the number of the connection that must not carry another check
        self._tainted_connection: int | None = None
        #: checks sent, and the most ever waiting for an answer at once (figures for tests and the log)
        self.sent = 0
        self._in_flight = 0
        self.max_in_flight = 0
        #: the engine sent an ``access`` nobody here asked for: every "true" is confirmed by a second check
        self.broadcasting = False
        client.on_message(self._heard)

    def _heard(self, message: m.Message) -> None:
        if not isinstance(message, m.Access) or self._in_flight or self.broadcasting:
            return
        if self._tainted_connection is not None and self.client.connects <= self._tainted_connection:
            return  # maybe the late answer to our own timed-out check
        self.broadcasting = True
        log.warning("the engine sent an access reply no check of ours asked for (it broadcasts replies): "
                    "every accepted NIP is confirmed by a second check from now on")  # fmt: skip

    async def _ask(self, nip: str) -> m.Message:
        self.sent += 1
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            return await self.client.request(m.CheckNip(nip), timeout=self.timeout)
        finally:
            self._in_flight -= 1

    async def _ask_confirmed(self, nip: str) -> m.Message:
        """The engine's answer; on a broadcasting engine a "true" stands only if a second check agrees."""
        answer = await self._ask(nip)
        if self.broadcasting and isinstance(answer, m.Access) and answer.valid_nip is True:
            return await self._ask(nip)
        return answer

    async def check(self, nip: str, address: str, loopback: bool = False) -> NipResult:
        try:
            await asyncio.wait_for(self._lock.acquire(), self.queue_timeout)
        except TimeoutError:
            return NipResult("busy")
        try:
            left = self.lockout.seconds_left(address, loopback=loopback)
            if left:
                return NipResult("locked", seconds_left=left)
            if self._tainted_connection is not None and self.client.connects <= self._tainted_connection:
                # a late answer to the timed-out check may still come on this connection
                if self.busy():
                    return NipResult("busy")
                if not await self.client.reconnect(self.timeout):
                    return NipResult("offline")
            self._tainted_connection = None
            if not self.client.connected:
                return NipResult("offline")
            connection = self.client.connects
            at = self.lockout.attempt(address)
            try:
                answer = await self._ask_confirmed(nip)
            except EngineTimeout:
                self._tainted_connection = connection
                if not self.busy():
                    await self.client.reconnect(self.timeout)
                return self._failed(address, "no-answer")
            except EngineUnavailable:
                self._tainted_connection = connection
                return self._failed(address, "offline")
            if not isinstance(answer, m.Access) or answer.valid_nip is not True:
                return self._failed(address, "wrong")
            self.lockout.success(address, at)
            return NipResult("ok", token=answer.token or "")
        finally:
            self._lock.release()

    def _failed(self, address: str, outcome: NipOutcome) -> NipResult:
        left = self.lockout.seconds_left(address)
        if left:
            self.on_locked(address)
        return NipResult(outcome, seconds_left=left, attempts_left=self.lockout.attempts_left(address),
                         locked_now=bool(left))  # fmt: skip

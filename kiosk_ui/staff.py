"""Staff sessions, the NIP lockout and the one NIP check in flight. The NIP is never stored or logged.

Three layers:

- :class:`LockoutRules`: the pure rules (no I/O, the clock is an argument).
  An attempt counts as a failure **the moment it is sent** (a success takes it back), so
  simultaneous guesses cannot outrun the limit and a timeout is a failure.
  ``max_attempts`` failures from one address lock that address for ``lockout_seconds``;
  ``2 × max_attempts`` from anywhere lock the kiosk for the shorter ``kiosk_lockout_seconds``,
  which never applies to the kiosk's own screen (loopback).
- :class:`Lockout`: the rules kept in a small JSON file in the data dir (survives a restart,
  re-read when ``kiosk-ui unlock`` changes it under a running app).
- :class:`NipChecker`: the service: one ``checknip`` in flight for the whole kiosk; after a
  timeout the engine connection is dropped and reopened before the next check, so a late
  ``access`` can only ever arrive on a connection no check is waiting on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .engine import EngineClient

log = logging.getLogger(__name__)

KIOSK = "*"
#: the kiosk-wide lock lasts this fraction of the per-address lock (at least a minute)
KIOSK_LOCK_FRACTION = 0.2


@dataclass
class LockoutRules:
    """Pure NIP lockout rules: state in, state out, no clock and no files."""

    max_attempts: int = 5
    lockout_seconds: float = 900
    kiosk_lockout_seconds: float = 180
    failures: dict[str, list[float]] = field(default_factory=dict)
    locked_until: dict[str, float] = field(default_factory=dict)

    def seconds_left(self, address: str, now: float, loopback: bool = False) -> int:
        """0 when ``address`` may try a NIP now, else whole seconds until it may."""
        until = self.locked_until.get(address, 0.0)
        if not loopback:
            until = max(until, self.locked_until.get(KIOSK, 0.0))
        return max(0, int(until - now + 0.999))

    def attempt(self, address: str, now: float) -> bool:
        """Count an attempt about to be sent as a failure; True when it locked ``address`` or the kiosk."""
        locked = False
        for key, limit, period in ((address, self.max_attempts, self.lockout_seconds),
                                   (KIOSK, 2 * self.max_attempts, self.kiosk_lockout_seconds)):  # fmt: skip
            recent = [t for t in self.failures.get(key, []) if t > now - self.lockout_seconds]
            recent.append(now)
            self.failures[key] = recent
            if len(recent) >= limit:
                self.locked_until[key] = now + period
                self.failures[key] = []
                locked = True
        return locked

    def succeeded(self, address: str, at: float) -> None:
        """The attempt sent at ``at`` was the right NIP: forget the address's failures and that one."""
        self.failures.pop(address, None)
        kiosk = self.failures.get(KIOSK, [])
        if at in kiosk:
            kiosk.remove(at)
        # a lock set by this very attempt (it reached the limit) is taken back with it
        for key, period in ((address, self.lockout_seconds), (KIOSK, self.kiosk_lockout_seconds)):
            if self.locked_until.get(key) == at + period:
                del self.locked_until[key]

    def attempts_left(self, address: str, now: float) -> int:
        recent = [t for t in self.failures.get(address, []) if t > now - self.lockout_seconds]
        return max(0, self.max_attempts - len(recent))

    def forget(self, now: float) -> None:
        """Drop expired locks and failures (keeps the file small)."""
        self.locked_until = {k: v for k, v in self.locked_until.items() if v > now}
        self.failures = {k: kept for k, v in self.failures.items()
                         if (kept := [t for t in v if t > now - self.lockout_seconds])}  # fmt: skip


class Lockout:
    """:class:`LockoutRules` persisted in ``path``; a change of the file on disk is picked up."""

    def __init__(self, path: Path, max_attempts: int = 5, lockout_seconds: float = 900) -> None:
        self.path = path
        self.rules = LockoutRules(max(1, max_attempts), lockout_seconds,
                                  max(60.0, lockout_seconds * KIOSK_LOCK_FRACTION))  # fmt: skip
        self._stamp: tuple[int, int] | None = None
        self._load()

    @property
    def max_attempts(self) -> int:
        return self.rules.max_attempts

    @property
    def lockout_seconds(self) -> float:
        return self.rules.lockout_seconds

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self) -> None:
        self._stamp = self._file_stamp()
        self.rules.failures, self.rules.locked_until = {}, {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.rules.failures = {str(k): [float(x) for x in v] for k, v in data.get("failures", {}).items()}
            self.rules.locked_until = {str(k): float(v) for k, v in data.get("locked_until", {}).items()}
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # a damaged file must not open the gate: lock the kiosk for one period
            log.error("NIP lockout file unreadable (%s); locking NIP entry for safety", exc)
            self.rules.locked_until = {KIOSK: time.time() + self.rules.kiosk_lockout_seconds}

    def _refresh(self) -> None:
        if self._file_stamp() != self._stamp:
            self._load()

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        try:
            data = {"failures": self.rules.failures, "locked_until": self.rules.locked_until}
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
            self._stamp = self._file_stamp()
        except OSError as exc:
            log.error("cannot save the NIP lockout: %s", exc)

    def seconds_left(self, address: str, now: float | None = None, loopback: bool = False) -> int:
        self._refresh()
        return self.rules.seconds_left(address, time.time() if now is None else now, loopback)

    def attempt(self, address: str, now: float | None = None) -> float:
        """Count the attempt about to be sent; returns its time stamp (for :meth:`success`)."""
        self._refresh()
        now = time.time() if now is None else now
        self.rules.forget(now)
        self.rules.attempt(address, now)
        self._save()
        return now

    def fail(self, address: str, now: float | None = None) -> int:
        """Count a failed attempt; seconds ``address`` is now locked (0 if not)."""
        at = self.attempt(address, now)
        return self.rules.seconds_left(address, at)

    def attempts_left(self, address: str, now: float | None = None) -> int:
        self._refresh()
        return self.rules.attempts_left(address, time.time() if now is None else now)

    def success(self, address: str, at: float | None = None) -> None:
        self._refresh()
        self.rules.succeeded(address, at if at is not None else -1.0)
        self._save()

    def locked_now(self, now: float | None = None) -> int:
        """How many addresses (and the kiosk as a whole, ``*``) are locked out at this moment."""
        self._refresh()
        now = time.time() if now is None else now
        return sum(1 for until in self.rules.locked_until.values() if until > now)


def clear_lockout(path: Path) -> int:
    """``kiosk-ui unlock``: remove every NIP lock and failure; returns how many locks were active."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        active = sum(1 for v in dict(data.get("locked_until", {})).values() if float(v) > time.time())
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, TypeError, AttributeError):
        active = 1  # a damaged file locks the kiosk (see Lockout._load)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"failures": {}, "locked_until": {}}), encoding="utf-8")
    os.replace(tmp, path)
    return active


# ---------------------------------------------------------------------- the NIP check service
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


class NipChecker:
    """One NIP check in flight for the whole kiosk, counted before it is sent."""

    def __init__(self, client: EngineClient, lockout: Lockout, timeout: float = 8.0,
                 queue_timeout: float = 20.0, busy: Callable[[], bool] = lambda: False,
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

    async def check(self, nip: str, address: str, loopback: bool = False) -> NipResult:
        from .engine import EngineTimeout, EngineUnavailable
        from .protocol import messages as m

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
            self.sent += 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            try:
                answer = await self.client.request(m.CheckNip(nip), timeout=self.timeout)
            except EngineTimeout:
                self._tainted_connection = connection
                if not self.busy():
                    await self.client.reconnect(self.timeout)
                return self._failed(address, "no-answer")
            except EngineUnavailable:
                self._tainted_connection = connection
                return self._failed(address, "offline")
            finally:
                self._in_flight -= 1
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


# ---------------------------------------------------------------------- sessions
@dataclass
class Session:
    token: str
    address: str
    started: float
    last_seen: float
    ended: list[Callable[[], None]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class Sessions:
    """Logged-in staff sessions, kept in memory only.

    A session has its own random id made at login (never the browser id from before it) and is
    bound to the address that logged in: the id presented from any other address opens nothing.
    Every tab of a session registers with :meth:`on_end`; logout, idle expiry or a lockout of its
    address call them all at once.
    """

    def __init__(self, idle_seconds: float = 900) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}

    def login(self, token: str, address: str) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.time()
        self._sessions[sid] = Session(token, address, now, now)
        self._arm(sid)
        return sid

    def _arm(self, sid: str) -> None:
        session = self._sessions.get(sid)
        if session is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = max(0.05, session.last_seen + self.idle_seconds - time.time())
        session.timer = loop.call_later(delay, self._expire_check, sid)

    def _expire_check(self, sid: str) -> None:
        session = self._sessions.get(sid)
        if session is None:
            return
        if time.time() - session.last_seen > self.idle_seconds:
            log.info("staff session expired")
            self.end(sid)
        else:
            self._arm(sid)

    def valid(self, sid: str | None, address: str | None = None, touch: bool = True) -> bool:
        if not sid:
            return False
        session = self._sessions.get(sid)
        if session is None:
            return False
        if address is not None and address != session.address:
            return False
        now = time.time()
        if now - session.last_seen > self.idle_seconds:
            self.end(sid)
            return False
        if touch:
            session.last_seen = now
        return True

    def token(self, sid: str | None) -> str:
        session = self._sessions.get(sid or "")
        return session.token if session else ""

    def on_end(self, sid: str, callback: Callable[[], None]) -> Callable[[], None]:
        session = self._sessions.get(sid)
        if session is None:
            callback()
            return lambda: None
        session.ended.append(callback)

        def undo() -> None:
            if callback in session.ended:
                session.ended.remove(callback)

        return undo

    def end(self, sid: str | None) -> None:
        session = self._sessions.pop(sid or "", None)
        if session is None:
            return
        if session.timer is not None:
            session.timer.cancel()
        for callback in list(session.ended):
            try:
                callback()
            except Exception:
                log.exception("ending a staff tab failed")

    logout = end

    def end_address(self, address: str) -> int:
        """End every session bound to ``address`` (it was locked out)."""
        sids = [sid for sid, s in self._sessions.items() if s.address == address]
        for sid in sids:
            self.end(sid)
        return len(sids)

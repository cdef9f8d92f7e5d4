"""Logged-in staff sessions (memory only), bound to the address that logged in."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


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
    address call them all at once. Idle time is measured on a monotonic clock: a wall-clock step back
    never extends a session that can move cash.
    """

    def __init__(self, idle_seconds: float = 900, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._sessions: dict[str, Session] = {}

    def login(self, token: str, address: str) -> str:
        sid = secrets.token_urlsafe(32)
        now = self.clock()
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
        delay = max(0.05, session.last_seen + self.idle_seconds - self.clock())
        session.timer = loop.call_later(delay, self._expire_check, sid)

    def _expire_check(self, sid: str) -> None:
        session = self._sessions.get(sid)
        if session is None:
            return
        if self.clock() - session.last_seen > self.idle_seconds:
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
        now = self.clock()
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

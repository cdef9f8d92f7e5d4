"""Staff sessions and the NIP lockout. The NIP itself is never stored or logged here.

The lockout is kept in a small JSON file in the data dir so that it survives a restart:
after ``max_attempts`` failed NIPs from one address, that address is refused for
``lockout_seconds``; after ``2 × max_attempts`` failures from anywhere within that time,
the whole kiosk refuses NIPs for ``lockout_seconds``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

KIOSK = "*"


class Lockout:
    def __init__(self, path: Path, max_attempts: int = 5, lockout_seconds: float = 900) -> None:
        self.path = path
        self.max_attempts = max(1, max_attempts)
        self.lockout_seconds = lockout_seconds
        self.failures: dict[str, list[float]] = {}
        self.locked_until: dict[str, float] = {}
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.failures = {str(k): [float(x) for x in v] for k, v in data.get("failures", {}).items()}
            self.locked_until = {str(k): float(v) for k, v in data.get("locked_until", {}).items()}
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # a damaged file must not open the gate: lock the kiosk for one period
            log.error("NIP lockout file unreadable (%s); locking NIP entry for safety", exc)
            self.locked_until = {KIOSK: time.time() + self.lockout_seconds}

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps({"failures": self.failures, "locked_until": self.locked_until}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.error("cannot save the NIP lockout: %s", exc)

    def seconds_left(self, address: str, now: float | None = None) -> int:
        """0 when ``address`` may try a NIP now, else whole seconds until it may."""
        now = time.time() if now is None else now
        until = max(self.locked_until.get(address, 0.0), self.locked_until.get(KIOSK, 0.0))
        return max(0, int(until - now + 0.999))

    def fail(self, address: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        window = now - self.lockout_seconds
        for key in (address, KIOSK):
            recent = [t for t in self.failures.get(key, []) if t > window]
            recent.append(now)
            self.failures[key] = recent
        if len(self.failures[address]) >= self.max_attempts:
            self.locked_until[address] = now + self.lockout_seconds
            self.failures[address] = []
        if len(self.failures[KIOSK]) >= 2 * self.max_attempts:
            self.locked_until[KIOSK] = now + self.lockout_seconds
            self.failures[KIOSK] = []
        self._save()
        return self.seconds_left(address, now)

    def attempts_left(self, address: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        recent = [t for t in self.failures.get(address, []) if t > now - self.lockout_seconds]
        return max(0, self.max_attempts - len(recent))

    def success(self, address: str) -> None:
        self.failures.pop(address, None)
        self._save()


@dataclass
class Session:
    token: str
    address: str
    started: float
    last_seen: float


class Sessions:
    """Logged-in staff browsers, keyed by NiceGUI's per-browser id. Kept in memory only."""

    def __init__(self, idle_seconds: float = 900) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}

    def login(self, key: str, token: str, address: str) -> None:
        now = time.time()
        self._sessions[key] = Session(token, address, now, now)

    def valid(self, key: str | None, touch: bool = True) -> bool:
        if not key:
            return False
        session = self._sessions.get(key)
        now = time.time()
        if session is None:
            return False
        if now - session.last_seen > self.idle_seconds:
            del self._sessions[key]
            return False
        if touch:
            session.last_seen = now
        return True

    def logout(self, key: str | None) -> None:
        if key:
            self._sessions.pop(key, None)

    def token(self, key: str | None) -> str | None:
        """The engine's access token of ``key``'s session (sent back only if configured to)."""
        session = self._sessions.get(key) if key else None
        return session.token or None if session else None

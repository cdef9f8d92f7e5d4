"""The NIP lockout: pure rules, and the rules kept in a file. The NIP is never stored or logged.

- :class:`LockoutRules`: the pure rules (no I/O, the clock is an argument).
  An attempt counts as a failure **the moment it is sent** (a success takes it back), so
  simultaneous guesses cannot outrun the limit and a timeout is a failure.
  ``max_attempts`` failures from one address lock that address for ``lockout_seconds``;
  ``2 × max_attempts`` from anywhere lock the kiosk for the shorter ``kiosk_lockout_seconds``,
  which never applies to the kiosk's own screen (loopback).
- :class:`Lockout`: the rules kept in a small JSON file in the data dir (survives a restart,
  re-read when ``kiosk-ui unlock`` changes it under a running app).

Times in the file are Unix times, but the running app counts them on :class:`SteadyClock`: the wall clock
read once at start plus a monotonic clock's progress, so a clock step (forward or back) while the app runs
neither ends a lockout early nor extends one; a lock read from the file never lasts more than one period.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

KIOSK = "*"
#: the kiosk-wide lock lasts this fraction of the per-address lock (at least a minute)
KIOSK_LOCK_FRACTION = 0.2


class SteadyClock:
    """Unix time that only moves forward with a monotonic clock: the wall clock at creation + monotonic progress."""

    def __init__(self, wall: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._base_wall, self._base_mono = wall(), monotonic()

    def __call__(self) -> float:
        return self._base_wall + (self.monotonic() - self._base_mono)


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

    def __init__(self, path: Path, max_attempts: int = 5, lockout_seconds: float = 900,
                 clock: Callable[[], float] | None = None) -> None:  # fmt: skip
        self.path = path
        self.clock = clock or SteadyClock()
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
            # a lock stamped by a clock that was ahead (then stepped back) lasts at most one period from now
            latest = self.clock() + self.rules.lockout_seconds
            self.rules.locked_until = {str(k): min(float(v), latest) for k, v in data.get("locked_until", {}).items()}
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # a damaged file must not open the gate: lock the kiosk for one period
            log.error("NIP lockout file unreadable (%s); locking NIP entry for safety", exc)
            self.rules.locked_until = {KIOSK: self.clock() + self.rules.kiosk_lockout_seconds}

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
        return self.rules.seconds_left(address, self.clock() if now is None else now, loopback)

    def attempt(self, address: str, now: float | None = None) -> float:
        """Count the attempt about to be sent; returns its time stamp (for :meth:`success`)."""
        self._refresh()
        now = self.clock() if now is None else now
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
        return self.rules.attempts_left(address, self.clock() if now is None else now)

    def success(self, address: str, at: float | None = None) -> None:
        self._refresh()
        self.rules.succeeded(address, at if at is not None else -1.0)
        self._save()

    def locked_now(self, now: float | None = None) -> int:
        """How many addresses (and the kiosk as a whole, ``*``) are locked out at this moment."""
        self._refresh()
        now = self.clock() if now is None else now
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

"""Issue 20 item 5: durations on a monotonic clock. A wall-clock step back must not extend a staff session
(it can move cash), a step forward must not end a NIP lockout early."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk_ui.staff.lockout import Lockout, SteadyClock
from kiosk_ui.staff.sessions import Sessions


class Clocks:
    """A wall clock and a monotonic clock the test moves apart (a clock step moves only the wall)."""

    def __init__(self) -> None:
        self.wall_now = 1_800_000_000.0
        self.mono_now = 500.0

    def wall(self) -> float:
        return self.wall_now

    def mono(self) -> float:
        return self.mono_now

    def run(self, seconds: float) -> None:
        self.wall_now += seconds
        self.mono_now += seconds


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    c = Clocks()
    monkeypatch.setattr(time, "time", c.wall)
    monkeypatch.setattr(time, "monotonic", c.mono)
    return c


def test_a_clock_step_back_does_not_extend_a_staff_session(clocks: Clocks) -> None:
    sessions = Sessions(idle_seconds=60, clock=time.monotonic)
    sid = sessions.login("t", "10.0.0.5")
    clocks.run(30)
    clocks.wall_now -= 3600  # the clock is stepped back an hour
    clocks.run(31)
    assert not sessions.valid(sid, "10.0.0.5")


def test_a_clock_step_forward_does_not_end_a_lockout_early(clocks: Clocks, tmp_path: Path) -> None:
    lockout = Lockout(tmp_path / "l.json", 2, 900, clock=SteadyClock(time.time, time.monotonic))
    lockout.fail("10.0.0.1")
    assert lockout.fail("10.0.0.1") > 0
    clocks.wall_now += 3600  # stepped forward an hour
    assert lockout.seconds_left("10.0.0.1") > 800
    clocks.run(901)
    assert lockout.seconds_left("10.0.0.1") == 0


def test_a_lock_read_from_the_file_lasts_at_most_one_period(clocks: Clocks, tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    lockout = Lockout(path, 2, 900, clock=SteadyClock(time.time, time.monotonic))
    lockout.fail("10.0.0.1")
    lockout.fail("10.0.0.1")
    clocks.wall_now -= 86_400  # the app restarts after the clock was stepped back a day
    again = Lockout(path, 2, 900, clock=SteadyClock(time.time, time.monotonic))
    assert 0 < again.seconds_left("10.0.0.1") <= 900

"""Issue 20 item 2: the keepalive's decisions on an injected monotonic clock, and its [engine] settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk_ui.config import ConfigError, load
from kiosk_ui.engine import Keepalive


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_defaults_no_browser_era_engine_can_trip() -> None:
    keepalive = Keepalive()
    assert (keepalive.ping_interval, keepalive.silence_timeout) == (20.0, 60.0)


def test_silence_during_a_payment_is_shown_to_staff_and_never_drops() -> None:
    clock = Clock()
    keepalive = Keepalive(20, 60, 30, clock=clock)
    clock.now += 29
    assert keepalive.check(charging=True) == "ping" and not keepalive.silent_in_payment
    clock.now += 1
    keepalive.check(charging=True)
    assert keepalive.silent_in_payment and keepalive.silent_episodes == 1
    clock.now += 3600
    assert keepalive.check(charging=True) != "drop"
    keepalive.heard()
    assert not keepalive.silent_in_payment


def test_silence_outside_a_payment_drops_after_the_timeout_only() -> None:
    clock = Clock()
    keepalive = Keepalive(20, 60, 30, clock=clock)
    clock.now += 59.9
    assert keepalive.check(charging=False) != "drop"
    keepalive.heard()
    clock.now += 59.9
    assert keepalive.check(charging=False) != "drop"
    clock.now += 0.1
    assert keepalive.check(charging=False) == "drop"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_engine_keepalive_settings(tmp_path: Path) -> None:
    config = load(_config(tmp_path, "[engine]\nping_interval = 10\nsilence_timeout = 45\nsilent_alert = 20\n"))
    assert (config.link.ping_interval, config.link.silence_timeout, config.link.silent_alert) == (10, 45, 20)
    for bad in ("ping_interval = 0", "silence_timeout = 30\nping_interval = 20", "silent_alert = nan",
                'ping_interval = "20"'):  # fmt: skip
        with pytest.raises(ConfigError):
            load(_config(tmp_path, f"[engine]\n{bad}\n"))

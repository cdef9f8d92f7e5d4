"""The range of every numeric setting, and the one-line error outside it (docs/operations.md, "Settings").

A number outside its range is refused when the configuration loads, with one line that names the
setting, its range and the value: never a traceback later (``max_amount = nan`` used to crash every
command with ``decimal.InvalidOperation``). NaN, sNaN and the infinities are outside every range.
The security settings have ranges that cannot switch their protection off: a NIP lockout of at least
1 minute, at most 10 wrong NIPs before it, a staff session idle for at most 60 minutes.

A new numeric setting gets its row here (``tests/unit/test_config_bounds.py`` checks that every
numeric field of :class:`~kiosk_ui.config.Config` and :class:`~kiosk_ui.config.AlertConfig` has one,
and that docs/operations.md lists it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Bound:
    low: Decimal
    high: Decimal
    #: the unit as the docs and the error spell it ("s", "min", "pesos", ...)
    unit: str = ""
    #: why the range is what it is, where that is not obvious
    why: str = ""

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.low}–{self.high}{unit}"


def _b(low: str | int, high: str | int, unit: str = "", why: str = "") -> Bound:
    return Bound(Decimal(low), Decimal(high), unit, why)


#: TOML key as written (``[table] key``) → Config field and its range
SETTINGS: dict[str, tuple[str, Bound]] = {
    "[server] port": ("port", _b(1, 65535)),
    "[kiosk] max_amount": ("max_amount", _b("0.01", 99999, "pesos")),
    "[kiosk] sale_timeout": ("sale_timeout", _b(1, 3600, "s")),
    "[kiosk] timeout_answer": ("timeout_answer", _b(20, 600, "s", "WCAG 2.2.1: at least 20 s to answer")),
    "[kiosk] result_seconds": ("result_seconds", _b(1, 600, "s")),
    "[kiosk] ack_timeout": ("ack_timeout", _b("0.5", 60, "s")),
    "[kiosk] screen_watchdog": ("screen_watchdog", _b(0, 86400, "s", "0 = off")),
    "[staff] nip_max_attempts": ("nip_max_attempts", _b(1, 10, "", "security: more would let a NIP be guessed")),
    "[staff] nip_lockout_minutes": ("nip_lockout_minutes", _b(1, 1440, "min", "security: 0 would switch it off")),
    "[staff] session_idle_minutes": ("session_idle_minutes", _b(1, 60, "min", "security: a forgotten tablet")),
}

#: ``[alerts]`` keys (AlertConfig fields) and their ranges
ALERTS: dict[str, Bound] = {
    "repeat_minutes": _b("0.01", 10080, "min"),
    "coin_tube_min": _b(0, 10000, "coins"),
    "bill_cashbox_max": _b(0, 100000, "bills", "0 = not checked"),
    "coin_cashbox_max": _b(0, 100000, "coins", "0 = not checked"),
    "engine_down_seconds": _b(1, 86400, "s"),
    "change_owed_max": _b(0, 99999, "pesos"),
    "nip_lockouts": _b(1, 1000),
    "nip_lockout_window_minutes": _b(1, 10080, "min"),
    "retry_first": _b("0.1", 3600, "s"),
    "retry_cap": _b("0.1", 86400, "s"),
    "give_up_hours": _b("0.1", 720, "h"),
}

#: ``[engine]`` keepalive keys (LinkSettings fields, read by config_link.py) and their ranges
ENGINE: dict[str, Bound] = {
    "ping_interval": _b(1, 300, "s"),
    "silence_timeout": _b(5, 3600, "s", "at least twice ping_interval; never drops a payment in progress"),
    "silent_alert": _b(1, 3600, "s"),
}


def check(where: str, value: Any, bound: Bound) -> None:
    """``value`` is a finite number within ``bound``, or ConfigError naming ``where`` (the setting)."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        inside = number.is_finite() and bound.low <= number <= bound.high
    except (InvalidOperation, ValueError, TypeError):
        inside = False
    if isinstance(value, bool) or not inside:
        raise ConfigError(f"{where} must be a number from {bound.text()}, got {value!r}")


def check_settings(config: Any) -> None:
    """Every bounded setting of a loaded Config (file and command-line flags together)."""
    for where, (name, bound) in SETTINGS.items():
        check(where, getattr(config, name), bound)
    check_alerts(config.alerts)


def check_alerts(alerts: Any) -> None:
    for name, bound in ALERTS.items():
        check(f"[alerts] {name}", getattr(alerts, name), bound)
    if alerts.retry_cap < alerts.retry_first:
        raise ConfigError(
            f"[alerts] retry_cap ({alerts.retry_cap}) must be at least retry_first ({alerts.retry_first})"
        )


def bounds_table(settings: Mapping[str, tuple[str, Bound]] = SETTINGS, alerts: Mapping[str, Bound] = ALERTS) -> str:
    """The Markdown table of docs/operations.md "Settings and their ranges"."""
    rows = ["| setting | range | note |", "|---|---|---|"]
    rows += [f"| `{where}` | {bound.text()} | {bound.why} |" for where, (_, bound) in settings.items()]
    rows += [f"| `[alerts] {name}` | {bound.text()} | {bound.why} |" for name, bound in alerts.items()]
    rows += [f"| `[engine] {name}` | {bound.text()} | {bound.why} |" for name, bound in ENGINE.items()]
    return "\n".join(rows)

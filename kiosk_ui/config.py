"""Configuration: a TOML file, with command-line flags overriding it."""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .protocol import Codec


class ConfigError(ValueError):
    """A bad setting, said in one line."""


def default_data_dir() -> Path:
    """A per-user folder: %LOCALAPPDATA%\\kiosk-ui on Windows, XDG data home elsewhere."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kiosk-ui"


@dataclass(frozen=True)
class Config:
    engine_url: str = "ws://127.0.0.1:8080/"
    host: str = "0.0.0.0"
    port: int = 8081
    data_dir: Path = field(default_factory=default_data_dir)
    #: default command name → wire name, for an engine whose index.html spells them otherwise
    commands: dict[str, str] = field(default_factory=dict)
    language: str = "es"
    currency: str = "MXN"
    #: largest amount a customer may key in
    max_amount: Decimal = Decimal("10000")
    keypad: bool = True
    cart: bool = True
    sounds: bool = True
    voice: bool = True
    #: seconds of no touch on a sale before the warning; then ``timeout_answer`` s to answer
    sale_timeout: int = 60
    timeout_answer: int = 30
    #: seconds the result screen stays before going back to idle
    result_seconds: int = 12
    #: seconds to wait for the engine to acknowledge paycash/paycreditcard
    ack_timeout: float = 5.0
    nip_max_attempts: int = 5
    nip_lockout_minutes: int = 15
    session_idle_minutes: int = 15
    wifi_ssid: str = ""
    wifi_password: str = ""
    #: the address the tablet QR points at; empty = guess the LAN address
    public_url: str = ""
    #: addresses (or networks) besides loopback allowed on / and /sim in run mode (a second customer display)
    allowed_addresses: tuple[str, ...] = ()
    demo: bool = False

    def codec(self) -> Codec:
        try:
            return Codec(self.commands)
        except ValueError as exc:
            raise ConfigError(f"[commands]: {exc}") from None


#: TOML table.key → Config field
_TOML_KEYS = {
    ("engine", "url"): "engine_url",
    ("server", "host"): "host",
    ("server", "port"): "port",
    ("server", "data_dir"): "data_dir",
    ("server", "public_url"): "public_url",
    ("server", "allowed_addresses"): "allowed_addresses",
    ("kiosk", "language"): "language",
    ("kiosk", "currency"): "currency",
    ("kiosk", "max_amount"): "max_amount",
    ("kiosk", "keypad"): "keypad",
    ("kiosk", "cart"): "cart",
    ("kiosk", "sounds"): "sounds",
    ("kiosk", "voice"): "voice",
    ("kiosk", "sale_timeout"): "sale_timeout",
    ("kiosk", "timeout_answer"): "timeout_answer",
    ("kiosk", "result_seconds"): "result_seconds",
    ("kiosk", "ack_timeout"): "ack_timeout",
    ("staff", "nip_max_attempts"): "nip_max_attempts",
    ("staff", "nip_lockout_minutes"): "nip_lockout_minutes",
    ("staff", "session_idle_minutes"): "session_idle_minutes",
    ("wifi", "ssid"): "wifi_ssid",
    ("wifi", "password"): "wifi_password",
}


def check_engine_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("ws", "wss") or not parsed.hostname:
        raise ConfigError(f"engine URL must look like ws://HOST:PORT/, got {url!r}")
    try:
        parsed.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ConfigError(f"engine URL has a bad port: {url!r}") from None
    return url


def _coerce(name: str, value: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Config)}
    kind = str(kinds[name])
    try:
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            return value
        if kind == "float":
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                raise TypeError
            return value
        if kind == "Decimal":
            return Decimal(str(value))
        if kind == "Path":
            return Path(str(value)).expanduser()
        if kind == "tuple[str, ...]":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError
            for entry in value:
                ipaddress.ip_network(entry.strip(), strict=False)
            return tuple(v.strip() for v in value)
        if not isinstance(value, str):
            raise TypeError
        return value
    except (TypeError, ValueError, InvalidOperation):
        raise ConfigError(f"setting {name!r} has a bad value {value!r}") from None


def load(path: str | Path | None, **overrides: Any) -> Config:
    """Read ``path`` (if given), then apply the non-None ``overrides`` (command-line flags)."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        for table, entries in data.items():
            if table == "commands":
                if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
                    raise ConfigError("[commands] maps command names to strings")
                values["commands"] = dict(entries)
                continue
            if not isinstance(entries, dict):
                raise ConfigError(f"config file {path}: {table!r} must be a table")
            for key, value in entries.items():
                name = _TOML_KEYS.get((table, key))
                if name is None:
                    raise ConfigError(f"config file {path}: unknown setting [{table}] {key}")
                values[name] = _coerce(name, value)
    values.update({k: v for k, v in overrides.items() if v is not None})
    config = replace(Config(), **values)
    check_engine_url(config.engine_url)
    if not 0 < config.port < 65536:
        raise ConfigError(f"port must be 1-65535, got {config.port}")
    if config.timeout_answer < 20:
        raise ConfigError(f"timeout_answer must be at least 20 s (WCAG 2.2.1), got {config.timeout_answer}")
    if config.sale_timeout < 1 or config.result_seconds < 1:
        raise ConfigError("sale_timeout and result_seconds must be at least 1 s")
    if config.max_amount <= 0 or config.max_amount > Decimal("99999"):
        raise ConfigError(f"max_amount must be between 0 and 99999, got {config.max_amount}")
    if not 0.5 <= config.ack_timeout <= 60:
        raise ConfigError(f"ack_timeout must be 0.5-60 s, got {config.ack_timeout}")
    if config.language not in ("es", "en"):
        raise ConfigError(f"language must be 'es' or 'en', got {config.language!r}")
    config.codec()
    return config

"""Configuration: a TOML file, with command-line flags overriding it."""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import tomllib
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .brand_config import BrandConfig, parse_brand
from .config_bounds import check_alerts, check_settings
from .config_link import LINK_TABLES, LinkSettings, _protocol_tables, _string_table, take_link_keys
from .errors import ConfigError
from .payments.readings import parse_engine_reading
from .protocol import Codec


def default_data_dir() -> Path:
    """A per-user folder: %LOCALAPPDATA%\\kiosk-ui on Windows, XDG data home elsewhere."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kiosk-ui"


@dataclass(frozen=True)
class Webhook:
    url: str
    #: JSON body with ``{placeholders}`` in its strings (None = the default body), see ALERT_FIELDS
    body: Any = None


#: what an alert webhook body template may name in its strings
ALERT_FIELDS = ("alert", "status", "title", "text", "kiosk", "at", "value")


@dataclass(frozen=True)
class AlertConfig:
    webhooks: tuple[Webhook, ...] = ()
    #: while an alert holds, send it again at most this often
    repeat_minutes: float = 60.0
    #: a coin tube with fewer coins than this
    coin_tube_min: int = 5
    #: a cashbox with more bills / coins than this (0 = not checked)
    bill_cashbox_max: int = 450
    coin_cashbox_max: int = 0
    #: seconds the engine may be unreachable before an alert
    engine_down_seconds: int = 60
    #: change owed to customers above this amount
    change_owed_max: Decimal = Decimal("0")
    #: this many NIP lockouts within ``nip_lockout_window_minutes``
    nip_lockouts: int = 2
    nip_lockout_window_minutes: int = 60
    #: retries of a webhook that is down: first wait, doubling to the cap, giving up after ``give_up_hours``
    retry_first: float = 2.0
    retry_cap: float = 300.0
    give_up_hours: float = 24.0


@dataclass(frozen=True)
class Config:
    engine_url: str = "ws://127.0.0.1:8080/"
    host: str = "0.0.0.0"
    port: int = 8081
    data_dir: Path = field(default_factory=default_data_dir)
    commands: dict[str, str] = field(default_factory=dict)  # command → wire name, as the engine's index.html spells it
    #: [protocol] (docs/protocol-config.md): renames, request → reply pairs, cancel values, token; engine_reading
    protocol_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    protocol_replies: dict[str, str] = field(default_factory=dict)
    cancel_payment: str = "1"
    cancel_refill_end: str = "2"
    send_token: bool = False
    token_field: str = "token"
    engine_reading: str = "auto"  # or a reading's name, pinned (payments/readings.py); checked in codec()
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
    #: addresses (or networks) besides loopback allowed on /, /sim and /metrics in run mode
    allowed_addresses: tuple[str, ...] = ()
    demo: bool = False
    #: this kiosk's name in metrics and alerts (a chain tells its kiosks apart by it)
    kiosk_id: str = ""
    #: seconds without the kiosk's own customer screen (a loopback browser on /) before it is reported; 0 = off
    screen_watchdog: int = 60
    alerts: AlertConfig = field(default_factory=lambda: AlertConfig())
    brand: BrandConfig = field(default_factory=lambda: BrandConfig())
    #: how engine values are read, keepalive (kiosk_ui/config_link.py)
    link: LinkSettings = field(default_factory=LinkSettings)

    def codec(self) -> Codec:
        try:
            parse_engine_reading(self.engine_reading)
            return Codec(
                self.commands,
                fields=self.protocol_fields,
                replies=self.protocol_replies,
                cancel_values={"payment": self.cancel_payment, "refill_end": self.cancel_refill_end},
                token_field=self.token_field if self.send_token else None,
                rules=self.link.rules(),
            )
        except ValueError as exc:
            raise ConfigError(f"[protocol]: {exc}") from None


#: TOML table.key → Config field
_TOML_KEYS = {
    ("engine", "url"): "engine_url",
    ("server", "host"): "host",
    ("server", "port"): "port",
    ("server", "data_dir"): "data_dir",
    ("server", "public_url"): "public_url",
    ("server", "allowed_addresses"): "allowed_addresses",
    ("kiosk", "id"): "kiosk_id",
    ("kiosk", "screen_watchdog"): "screen_watchdog",
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
    ("protocol", "cancel_payment"): "cancel_payment",
    ("protocol", "cancel_refill_end"): "cancel_refill_end",
    ("protocol", "send_token"): "send_token",
    ("protocol", "token_field"): "token_field",
    ("protocol", "engine_reading"): "engine_reading",
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


def _coerce(name: str, value: Any, kinds: dict[str, Any] | None = None) -> Any:
    kinds = kinds or {f.name: f.type for f in fields(Config)}
    kind = str(kinds[name])
    try:
        if kind == "tuple[str, ...]":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise TypeError
            return tuple(v.strip() for v in value)
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
        if not isinstance(value, str):
            raise TypeError
        return value
    except (TypeError, ValueError, InvalidOperation):
        raise ConfigError(f"setting {name!r} has a bad value {value!r}") from None


def _alerts(entries: Any) -> AlertConfig:
    """``[alerts]`` thresholds plus ``[[alerts.webhook]]`` tables (url, optional body template)."""
    if not isinstance(entries, dict):
        raise ConfigError("[alerts] must be a table")
    kinds = {f.name: f.type for f in fields(AlertConfig)}
    values: dict[str, Any] = {}
    for key, value in entries.items():
        if key == "webhook":
            values["webhooks"] = tuple(_webhook(w) for w in (value if isinstance(value, list) else [value]))
        elif key in kinds and key != "webhooks":
            values[key] = _coerce(key, value, kinds)
        else:
            raise ConfigError(f"unknown setting [alerts] {key}")
    alerts = replace(AlertConfig(), **values)
    check_alerts(alerts)
    return alerts


def _webhook(entry: Any) -> Webhook:
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str) or set(entry) - {"url", "body"}:
        raise ConfigError('[[alerts.webhook]] takes url = "http(s)://..." and an optional body')
    parsed = urlparse(entry["url"])
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"[[alerts.webhook]] url must be http(s)://..., got {entry['url']!r}")
    body = entry.get("body")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise ConfigError(f"[[alerts.webhook]] body is not JSON: {exc}") from None
    if body is not None:
        _check_template(body)
    return Webhook(entry["url"], body)


def _check_template(node: Any) -> None:
    """Every placeholder in a body template must be one of ALERT_FIELDS."""
    if isinstance(node, dict):
        for value in node.values():
            _check_template(value)
    elif isinstance(node, list):
        for value in node:
            _check_template(value)
    elif isinstance(node, str):
        try:
            node.format_map(dict.fromkeys(ALERT_FIELDS, ""))
        except (KeyError, ValueError, IndexError) as exc:
            raise ConfigError(
                f"[[alerts.webhook]] body: bad placeholder {exc} (use {{text}}, {{title}}, ...)"
            ) from None


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
            if table == "alerts":
                values["alerts"] = _alerts(entries)
                continue
            if table == "brand":
                values["brand"] = parse_brand(entries, Path(path).resolve().parent)
                continue
            if table == "commands":
                values["commands"] = {**_string_table("[commands]", entries), **values.get("commands", {})}
                continue
            if not isinstance(entries, dict):
                raise ConfigError(f"config file {path}: {table!r} must be a table")
            if table in LINK_TABLES:  # the link's keys first
                entries, values["link"] = take_link_keys(table, entries, values.get("link", LinkSettings()))
            if table == "protocol":
                entries = _protocol_tables(entries, values)
            for key, value in entries.items():
                name = _TOML_KEYS.get((table, key))
                if name is None:
                    raise ConfigError(f"config file {path}: unknown setting [{table}] {key}")
                values[name] = _coerce(name, value)
    values.update({k: v for k, v in overrides.items() if v is not None})
    config = replace(Config(), **values)
    check_engine_url(config.engine_url)
    check_settings(config)  # every number within its documented range, NaN and infinities refused
    if config.language not in ("es", "en"):
        raise ConfigError(f"language must be 'es' or 'en', got {config.language!r}")
    for allowed in config.allowed_addresses:
        try:
            ipaddress.ip_network(allowed, strict=False)
        except ValueError:
            raise ConfigError(f"[server] allowed_addresses: {allowed!r} is not an address or network") from None
    config.codec()
    return config

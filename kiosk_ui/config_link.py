"""The link's settings (their own block of the configuration): how amounts and texts from the engine
are read (``[protocol]`` decimal_separator, no_error_texts, cash_names, card_names) and how the keepalive
treats a busy engine (``[engine]`` ping_interval, silence_timeout, silent_alert)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .config_bounds import ENGINE, check
from .errors import ConfigError
from .protocol.values import ValueRules

#: the tables whose keys below are read here; config.load hands them over before its own keys
LINK_TABLES = ("protocol", "engine")
_LIST_KEYS = ("no_error_texts", "cash_names", "card_names")


@dataclass(frozen=True)
class LinkSettings:
    decimal_separator: str = "auto"
    no_error_texts: tuple[str, ...] = ()
    cash_names: tuple[str, ...] = ()
    card_names: tuple[str, ...] = ()
    #: seconds between keepalive pings (index.html never pinged: no engine was ever tested with them)
    ping_interval: float = 20.0
    #: seconds without any frame or pong before the connection is dropped, outside a payment only
    silence_timeout: float = 60.0
    #: seconds of engine silence during a payment before staff are shown it (never the customer)
    silent_alert: float = 30.0

    def rules(self) -> ValueRules:
        return ValueRules.make(self.decimal_separator, self.no_error_texts, self.cash_names, self.card_names)


def _string_table(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{where} maps names to strings")
    return dict(value)


def _protocol_tables(entries: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Take the sub-tables of [protocol] out of ``entries`` into ``values``; return the plain keys."""
    rest = dict(entries)
    if "commands" in rest:
        values["commands"] = {
            **values.get("commands", {}),
            **_string_table("[protocol.commands]", rest.pop("commands")),
        }
    if "replies" in rest:
        values["protocol_replies"] = _string_table("[protocol.replies]", rest.pop("replies"))
    if "fields" in rest:
        tables = rest.pop("fields")
        if not isinstance(tables, dict):
            raise ConfigError("[protocol.fields] holds one table per command")
        values["protocol_fields"] = {
            command: _string_table(f"[protocol.fields.{command}]", renames) for command, renames in tables.items()
        }
    return rest


def take_link_keys(table: str, entries: dict[str, Any], current: LinkSettings) -> tuple[dict[str, Any], LinkSettings]:
    """Read this module's keys out of ``[table]``; return the other keys and the updated settings.
    A bad value is a :class:`ConfigError` of one line."""
    rest = dict(entries)
    values: dict[str, Any] = {}
    if table == "protocol":
        if "decimal_separator" in rest:
            values["decimal_separator"] = rest.pop("decimal_separator")
        for key in _LIST_KEYS:
            if key in rest:
                names = rest.pop(key)
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    raise ConfigError(f"[protocol] {key} must be a list of texts")
                values[key] = tuple(names)
    elif table == "engine":
        for key, bound in ENGINE.items():
            if key in rest:
                value = rest.pop(key)
                if not isinstance(value, int | float):  # a quoted "20" is a text, as everywhere in the file
                    raise ConfigError(f"[engine] {key} must be a number from {bound.text()}, got {value!r}")
                check(f"[engine] {key}", value, bound)
                values[key] = float(value)
    settings = replace(current, **values)
    if settings.silence_timeout < 2 * settings.ping_interval:
        raise ConfigError("[engine] silence_timeout must be at least twice ping_interval")
    try:
        settings.rules()
    except ValueError as exc:
        raise ConfigError(f"[protocol] {exc}") from None
    return rest, settings

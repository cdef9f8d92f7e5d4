"""``decode``/``encode`` between wire text and typed messages. No I/O here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import ProtocolError
from .messages import INCOMING_TYPES, OUTGOING_TYPES, Message
from .values import js_date

#: Frames larger than this are refused before parsing (product images as data URIs fit).
MAX_FRAME_CHARS = 4 * 1024 * 1024


#: Incoming fields where JSON null is a value ("no error", "no inventory"), not "not sent".
_NULL_IS_VALUE = frozenset({"inventory", "bvError", "caError"})


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"non-standard JSON constant {name}")


class Codec:
    """Turns wire text into messages and back.

    ``names`` overrides the wire name of any command (``{"paycash": "pagarefectivo"}``),
    keyed by the default name, for an engine whose ``index.html`` spells them otherwise.
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names: dict[str, str] = {t.COMMAND: t.COMMAND for t in (*OUTGOING_TYPES, *INCOMING_TYPES)}
        for default, wire in (names or {}).items():
            if default not in self.names:
                raise ValueError(f"unknown command to rename: {default!r}")
            if not isinstance(wire, str) or not wire:
                raise ValueError(f"wire name for {default!r} must be a non-empty string")
            self.names[default] = wire
        by_wire: dict[str, type[Message]] = {}
        for message_type in (*OUTGOING_TYPES, *INCOMING_TYPES):
            wire = self.names[message_type.COMMAND]
            if wire in by_wire:
                raise ValueError(f"two commands share the wire name {wire!r}")
            by_wire[wire] = message_type
        self._by_wire = by_wire

    def wire_name(self, message_type: type[Message]) -> str:
        return self.names[message_type.COMMAND]

    def decode(self, text: str | bytes) -> Message:
        """Parse one frame. Raises :class:`ProtocolError` and nothing else."""
        if isinstance(text, bytes | bytearray | memoryview):
            raise ProtocolError("binary frame", repr(bytes(text[:200])))
        if not isinstance(text, str):
            raise ProtocolError(f"frame of type {type(text).__name__}")
        if len(text) > MAX_FRAME_CHARS:
            raise ProtocolError(f"oversized frame ({len(text)} characters)", text[:200])
        try:
            obj = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except ProtocolError as exc:
            raise ProtocolError(exc.reason, text) from None
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"not JSON: {exc}", text) from None
        if not isinstance(obj, dict):
            raise ProtocolError("frame is not a JSON object", text)
        command = obj.get("comando")
        if not isinstance(command, str):
            raise ProtocolError("frame has no 'comando' string", text)
        message_type = self._by_wire.get(command)
        if message_type is None:
            raise ProtocolError(f"unknown comando {command[:60]!r}", text)
        values: dict[str, Any] = {}
        for attr, key, parse, _ in message_type.SPEC:
            if key not in obj or (not message_type.OUTGOING and obj[key] is None and key not in _NULL_IS_VALUE):
                if message_type.OUTGOING:
                    raise ProtocolError(f"{command}: missing field {key!r}", text)
                continue
            try:
                values[attr] = parse(obj[key])
            except ProtocolError as exc:
                raise ProtocolError(f"{command}: {exc.reason}", text) from None
            except (ValueError, TypeError, ArithmeticError) as exc:
                raise ProtocolError(f"{command}: {key}: {exc}", text) from None
        return message_type(**values)

    def to_dict(self, message: Message, fecha: str | None = None) -> dict[str, Any]:
        """The JSON object for ``message``, keys in the order JavaScript would write them."""
        obj: dict[str, Any] = {"fecha": fecha or js_date(), "comando": self.names[message.COMMAND]}
        for attr, key, _, fmt in message.SPEC:
            value = getattr(message, attr)
            if value is None and not message.OUTGOING:
                continue
            obj[key] = fmt(value)
        return obj

    def encode(self, message: Message, fecha: str | None = None) -> str:
        try:
            return json.dumps(self.to_dict(message, fecha), ensure_ascii=False, separators=(",", ":"))
        except (ValueError, TypeError) as exc:
            raise ProtocolError(f"cannot encode {type(message).__name__}: {exc}") from None


DEFAULT_CODEC = Codec()


def decode(text: str | bytes) -> Message:
    return DEFAULT_CODEC.decode(text)


def encode(message: Message, fecha: str | None = None) -> str:
    return DEFAULT_CODEC.encode(message, fecha)

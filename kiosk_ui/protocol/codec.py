"""``decode``/``encode`` between wire text and typed messages. No I/O here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import ProtocolError
from .messages import (
    DOCUMENTED_OUTGOING,
    INCOMING_TYPES,
    OUTGOING_TYPES,
    Cancel,
    Message,
    note_case_variant,
    note_dropped,
)
from .values import RULES, ValueRules, js_date

#: Frames larger than this are refused before parsing (product images as data URIs fit).
MAX_FRAME_CHARS = 4 * 1024 * 1024

#: characters of a refused frame kept for the log
LOGGED_PREFIX = 200


#: Incoming fields where JSON null is a value ("no error", "no inventory"), not "not sent".
_NULL_IS_VALUE = frozenset({"inventory", "bvError", "caError"})


def check_payment_cancel_value(value: str) -> None:
    """The payment's ``cancelvalue`` must be a plain integer that is not 2: a C# ``int.Parse`` reads "02",
    " 2" or "2.0" as 2, which keeps the customer's money."""
    try:
        number = Decimal(value.strip().replace(",", "."))
    except ArithmeticError:
        number = None
    if number is not None and number.is_finite() and number == 2:
        raise ValueError(f'cancel value {value!r} reads as 2, which keeps the customer\'s money: it cannot cancel'
                         " a payment")  # fmt: skip
    if not value.isascii() or not value.lstrip("-").isdigit() or value != str(int(value)):
        raise ValueError(f'cancel value for payment must be a plain integer such as "1", got {value!r}')


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"non-standard JSON constant {name}")


class Codec:
    """Turns wire text into messages and back.

    ``names`` overrides the wire name of any command (``{"paycash": "pagarefectivo"}``),
    keyed by the default name, for an engine whose ``index.html`` spells them otherwise.
    The rest is the ``[protocol]`` section (docs/protocol-config.md), every part keyed by
    the default names of docs/protocol.md:

    - ``fields``: per inferred (I) outgoing command, default field name → wire field name
      (``{"checknip": {"nip": "pin"}}``); keys are renamed on encode and back on decode;
    - ``replies``: request command → the command that answers it (``{"report": "status"}``);
    - ``cancel_values``: the ``cancelvalue`` sent for each operation, ``{"payment": "1",
      "refill_end": "2"}``; messages keep the logical values "1" (return the money) and
      "2" (keep it), the codec maps them;
    - ``token_field``: when set, staff commands sent with a session token carry it in this field;
    - ``rules``: :class:`ValueRules` (decimal separator, no-error texts, formaPago names).
    """

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        *,
        fields: Mapping[str, Mapping[str, str]] | None = None,
        replies: Mapping[str, str] | None = None,
        cancel_values: Mapping[str, str] | None = None,
        token_field: str | None = None,
        rules: ValueRules | None = None,
    ) -> None:
        #: how locale-dependent values are read (decimal separator, no-error texts, formaPago names)
        self.rules = rules or ValueRules()
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
        self._setup_fields(fields or {})
        self._setup_replies(replies or {})
        self._setup_cancel(cancel_values or {})
        if token_field is not None and (not isinstance(token_field, str) or not token_field):
            raise ValueError("token_field must be a non-empty string")
        self.token_field = token_field

    def _setup_fields(self, fields: Mapping[str, Mapping[str, str]]) -> None:
        #: default command → {default field: wire field}, and the reverse for decoding
        self._field_out: dict[str, dict[str, str]] = {}
        self._field_in: dict[str, dict[str, str]] = {}
        by_command = {t.COMMAND: t for t in OUTGOING_TYPES}
        for command, renames in fields.items():
            message_type = by_command.get(command)
            if message_type is None or message_type in DOCUMENTED_OUTGOING:
                raise ValueError(f"fields: {command!r} is not an inferred outgoing command (its fields are fixed)")
            if not isinstance(renames, Mapping):
                raise ValueError(f'fields.{command}: expected a table of field = "wire name"')
            keys = {key for _, key, _, _ in message_type.SPEC}
            out: dict[str, str] = {}
            for key, wire in renames.items():
                if key not in keys:
                    raise ValueError(f"fields.{command}: unknown field {key!r} (known: {', '.join(sorted(keys))})")
                if not isinstance(wire, str) or not wire or wire in ("comando", "fecha"):
                    raise ValueError(f"fields.{command}.{key}: bad wire name {wire!r}")
                out[key] = wire
            final = [out.get(k, k) for k in keys]
            if len(set(final)) != len(final):
                raise ValueError(f"fields.{command}: two fields share a wire name")
            self._field_out[command] = out
            self._field_in[command] = {wire: key for key, wire in out.items()}

    def _setup_replies(self, replies: Mapping[str, str]) -> None:
        outgoing = {t.COMMAND: t for t in OUTGOING_TYPES}
        incoming = {t.COMMAND: t for t in INCOMING_TYPES}
        #: request type → reply type, where the configuration says otherwise than the default
        self.replies: dict[type[Message], type[Message]] = {}
        for request, reply in replies.items():
            if request not in outgoing:
                raise ValueError(f"replies: unknown request command {request!r}")
            if not isinstance(reply, str) or reply not in incoming:
                raise ValueError(f"replies.{request}: {reply!r} is not an engine-to-app command")
            self.replies[outgoing[request]] = incoming[reply]

    def _setup_cancel(self, values: Mapping[str, str]) -> None:
        unknown = set(values) - {"payment", "refill_end"}
        if unknown:
            raise ValueError(f"cancel values: unknown operation {sorted(unknown)[0]!r} (payment, refill_end)")
        payment, refill_end = values.get("payment", "1"), values.get("refill_end", "2")
        for name, value in (("payment", payment), ("refill_end", refill_end)):
            if not isinstance(value, str) or not value.strip() or len(value) > 16:
                raise ValueError(f"cancel value for {name} must be a short non-empty string, got {value!r}")
        if payment == refill_end:
            raise ValueError("the payment cancel value and the refill-end value must differ")
        check_payment_cancel_value(payment)
        #: logical value (messages) → wire value, and back
        self._cancel_out = {"1": payment, "2": refill_end}
        self._cancel_in = {payment: "1", refill_end: "2"}

    def cancel_wire_value(self, value: str) -> str:
        """The ``cancelvalue`` that goes out for a logical :class:`Cancel` value."""
        return self._cancel_out.get(value, value)

    def decode(self, text: str | bytes) -> Message:
        """Parse one frame. Raises :class:`ProtocolError` and nothing else."""
        if isinstance(text, bytes | bytearray | memoryview):
            raise ProtocolError("binary frame", repr(bytes(text[:LOGGED_PREFIX])))
        if not isinstance(text, str):
            raise ProtocolError(f"frame of type {type(text).__name__}")
        if len(text) > MAX_FRAME_CHARS:
            raise ProtocolError(f"oversized frame ({len(text)} characters)", text[:LOGGED_PREFIX])
        try:
            # a .NET writer may put a UTF-8 byte order mark before the JSON: it is not part of it
            obj = json.loads(text.removeprefix("\ufeff"), parse_float=Decimal, parse_constant=_reject_constant)
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
        renamed = self._field_in.get(message_type.COMMAND)
        if renamed:
            obj = {renamed.get(k, k): v for k, v in obj.items()}
        if message_type is Cancel and isinstance(obj.get("cancelvalue"), str):
            obj["cancelvalue"] = self._cancel_in.get(obj["cancelvalue"], "?")
        if message_type.OUTGOING:
            return message_type(**self._read_outgoing(message_type, obj, command, text))
        reset = RULES.set(self.rules)
        try:
            return self._read_incoming(message_type, obj)
        finally:
            RULES.reset(reset)

    @staticmethod
    def _read_outgoing(message_type: type[Message], obj: dict[str, Any], command: str, text: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for attr, key, parse, _ in message_type.SPEC:
            if key not in obj:
                raise ProtocolError(f"{command}: missing field {key!r}", text)
            try:
                values[attr] = parse(obj[key])
            except ProtocolError as exc:
                raise ProtocolError(f"{command}: {exc.reason}", text) from None
            except (ValueError, TypeError, ArithmeticError) as exc:
                raise ProtocolError(f"{command}: {key}: {exc}", text) from None
        return values

    @staticmethod
    def _read_incoming(message_type: type[Message], obj: dict[str, Any]) -> Message:
        """Every field is missing, unreadable (sent, but not readable: named in ``unreadable`` where the
        message has one, counted and logged once) or a value. A key in another letter case is read."""
        command = message_type.COMMAND
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        folded: dict[str, str] | None = None
        for attr, key, parse, _ in message_type.SPEC:
            wire_key = key
            if key not in obj:
                if folded is None:
                    folded = {k.casefold(): k for k in obj if isinstance(k, str)}
                if key.casefold() not in folded:
                    continue
                wire_key = folded[key.casefold()]
                note_case_variant(command, wire_key, key)
            raw = obj[wire_key]
            if raw is None and key not in _NULL_IS_VALUE:
                continue
            try:
                values[attr] = parse(raw)
            except (ProtocolError, ValueError, TypeError, ArithmeticError) as exc:
                note_dropped(command, key, exc)
                unreadable.add(attr)
        if unreadable and "unreadable" in getattr(message_type, "__dataclass_fields__", {}):
            values["unreadable"] = frozenset(unreadable)
        return message_type(**values)

    def to_dict(self, message: Message, fecha: str | None = None, token: str | None = None) -> dict[str, Any]:
        """The JSON object for ``message``, keys in the order JavaScript would write them.

        ``token``: the staff session's access token; it goes out only when the configuration
        names a ``token_field`` (docs/protocol.md leaves open whether the engine wants it back).
        """
        obj: dict[str, Any] = {"fecha": fecha or js_date(), "comando": self.names[message.COMMAND]}
        renamed = self._field_out.get(message.COMMAND, {})
        for attr, key, _, fmt in message.SPEC:
            value = getattr(message, attr)
            if value is None and not message.OUTGOING:
                continue
            obj[renamed.get(key, key)] = fmt(value)
        if isinstance(message, Cancel):
            obj["cancelvalue"] = self.cancel_wire_value(obj["cancelvalue"])
        if token and self.token_field and message.OUTGOING and self.token_field not in obj:
            obj[self.token_field] = token
        return obj

    def encode(self, message: Message, fecha: str | None = None, token: str | None = None) -> str:
        try:
            return json.dumps(self.to_dict(message, fecha, token), ensure_ascii=False, separators=(",", ":"))
        except (ValueError, TypeError) as exc:
            raise ProtocolError(f"cannot encode {type(message).__name__}: {exc}") from None


DEFAULT_CODEC = Codec()


def decode(text: str | bytes) -> Message:
    return DEFAULT_CODEC.decode(text)


def encode(message: Message, fecha: str | None = None) -> str:
    return DEFAULT_CODEC.encode(message, fecha)

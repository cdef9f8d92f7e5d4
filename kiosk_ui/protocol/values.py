"""Value coercion rules of PROTOCOL.md ("Value rules"), both directions.

Every function takes a value as it came out of ``json.loads(..., parse_float=Decimal)``
and returns a typed Python value, or raises :class:`ProtocolError`.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .errors import ProtocolError

#: Largest amount we accept from anywhere. The kiosk takes at most a few thousand pesos;
#: anything past this is a corrupt frame, not money.
MAX_AMOUNT = Decimal("99999999.99")
CENT = Decimal("0.01")

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """An incoming amount: JSON number or numeric string → non-negative ``Decimal``."""
    if isinstance(value, bool) or value is None:
        raise ProtocolError(f"{field}: expected an amount, got {value!r}")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):  # only when a caller did not use parse_float=Decimal
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = _unambiguous_number(value.strip())
        if not text or len(text) > 32:
            raise ProtocolError(f"{field}: expected an amount, got {value!r}")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ProtocolError(f"{field}: expected an amount, got {value!r}") from None
    else:
        raise ProtocolError(f"{field}: expected an amount, got {type(value).__name__}")
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise ProtocolError(f"{field}: amount out of range: {value!r}")
    return number


#: "$1,250.00", "1,250.5", "$ 35.50": a currency sign and thousands groups of exactly three digits
_GROUPED = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")


def _unambiguous_number(text: str) -> str:
    """PROTOCOL.md: read the number out of ``"$1,250.00"`` when unambiguous. ``"35,50"`` (a decimal comma or a
    thousands group?) is not, and stays as it is (then refused)."""
    match = _GROUPED.fullmatch(text)
    if match is None or not (text.startswith("$") or "," in text):
        return text
    return match.group(1).replace(",", "")


def format_amount(amount: Decimal) -> str:
    """Outgoing amount: exactly two decimals, '.' separator, no sign or grouping."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ProtocolError(f"cannot send amount {amount!r}")
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return str(cents.copy_abs() if cents.is_zero() else cents)  # never "-0.00"


def parse_bool(value: Any, field: str = "flag") -> bool:
    """true/false, "true"/"false", "True"/"False", "1"/"0", 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ProtocolError(f"{field}: expected a boolean, got {value!r}")


def format_flag(value: bool) -> str:
    """Outgoing show* flags are sent as "1"/"0", as the engine sends them."""
    return "1" if value else "0"


def parse_int(value: Any, field: str = "count") -> int:
    if isinstance(value, bool):
        raise ProtocolError(f"{field}: expected a count, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
        number = int(value.strip())
    else:
        raise ProtocolError(f"{field}: expected a count, got {value!r}")
    if number < 0 or number > 10**9:
        raise ProtocolError(f"{field}: count out of range: {value!r}")
    return number


def parse_text(value: Any, field: str = "text", limit: int = 10_000) -> str:
    """A string field. Numbers are accepted and turned into text (the engine is loose)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        text = str(value)
    else:
        raise ProtocolError(f"{field}: expected text, got {type(value).__name__}")
    if len(text) > limit:
        raise ProtocolError(f"{field}: text too long ({len(text)} characters)")
    return text


#: bvError/caError spellings that mean "no error" (compared stripped and case-folded).
NO_ERROR_TEXTS = frozenset({"", "0", "false", "ok", "none", "null"})


def parse_device_error(value: Any, field: str = "error") -> str:
    """bvError/caError: "", null, 0, "0", false/"False", "OK", "none" mean no error → "".

    Anything else is an error text or code, shown as text.
    """
    if value is None or value is False:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and value == 0:
        return ""
    if isinstance(value, str) and value.strip().casefold() in NO_ERROR_TEXTS:
        return ""
    if isinstance(value, str | int | Decimal | bool):
        return str(value).strip()
    raise ProtocolError(f"{field}: expected an error text or code, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class ChangeLevel:
    """changeBar: a percentage where the engine gives a number, else free text."""

    percent: Decimal | None
    text: str

    @property
    def is_low(self) -> bool:
        return self.percent is not None and self.percent < 25


def parse_change_level(value: Any) -> ChangeLevel:
    number: Decimal | None = None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        has_point = isinstance(value, Decimal) and "." in str(value)
    elif isinstance(value, str):
        digits = value.strip()
        percent_sign = digits.endswith("%")
        digits = digits.removesuffix("%").strip()
        try:
            number = Decimal(digits)
            # "75%" and "0.5%" are percentages as written, never fractions
            has_point = "." in digits and not percent_sign
        except InvalidOperation:
            number = None
            has_point = False
    else:
        has_point = False
    if number is not None and number.is_finite():
        if has_point and 0 < number <= 1:
            return ChangeLevel(number * 100, value if isinstance(value, str) else str(value))
        if 0 <= number <= 100:
            return ChangeLevel(number, str(value))
    if value is None:
        return ChangeLevel(None, "")
    if isinstance(value, list | dict):
        raise ProtocolError(f"changeBar: unexpected {type(value).__name__}")
    return ChangeLevel(None, parse_text(value, "changeBar", 200))


#: Coin tube / recycler levels as (denomination label, count) pairs, in engine order.
Levels = tuple[tuple[str, int], ...]


#: The label of a single count given for all positions at once (tubesSW as one number).
TOTAL_LABEL = "total"


def parse_levels(value: Any, field: str = "levels") -> Levels:
    """tubesSW / maxqtybr: a list of counts, an object {denomination: count}, or one number.

    A single number (the manual: "the quantity of coins in the tubes") is one ``total`` row.
    """
    if value is None or value == "":
        return ()
    if isinstance(value, int | Decimal | str) and not isinstance(value, bool):
        return ((TOTAL_LABEL, parse_int(value, field)),)
    if isinstance(value, list):
        if len(value) > 64:
            raise ProtocolError(f"{field}: too many entries")
        return tuple((f"#{i + 1}", parse_int(v, field)) for i, v in enumerate(value))
    if isinstance(value, dict):
        if len(value) > 64:
            raise ProtocolError(f"{field}: too many entries")
        return tuple((str(k)[:32], parse_int(v, field)) for k, v in value.items())
    raise ProtocolError(f"{field}: expected a list or an object, got {value!r}")


def parse_inventory(value: Any) -> Levels:
    """inventory: empty outside an arqueo; rows {denominacion, cantidad} or {denom: count}."""
    if value is None or value == "" or value == [] or value == {}:
        return ()
    rows: list[Any]
    if isinstance(value, dict) and not {"denominacion", "cantidad"} <= value.keys():
        if all(not isinstance(v, dict) for v in value.values()):
            return parse_levels(value, "inventory")
        rows = list(value.values())
    elif isinstance(value, dict):
        rows = [value]
    elif isinstance(value, list):
        rows = value
    else:
        raise ProtocolError(f"inventory: unexpected {value!r}")
    if len(rows) > 64:
        raise ProtocolError("inventory: too many rows")
    result = []
    for row in rows:
        if not isinstance(row, dict) or "denominacion" not in row or "cantidad" not in row:
            raise ProtocolError(f"inventory: bad row {row!r}")
        result.append((parse_text(row["denominacion"], "denominacion", 32), parse_int(row["cantidad"], "cantidad")))
    return tuple(result)


def js_date(moment: _dt.datetime | None = None) -> str:
    """What ``JSON.stringify(new Date())`` gives: ISO-8601 UTC, milliseconds, 'Z'."""
    moment = moment or _dt.datetime.now(_dt.UTC)
    moment = moment.astimezone(_dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

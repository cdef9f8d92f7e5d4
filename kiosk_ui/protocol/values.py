"""Value coercion rules of docs/protocol.md ("Value rules"), both directions.

Every function takes a value as it came out of ``json.loads(..., parse_float=Decimal)``
and returns a typed Python value, or raises :class:`ProtocolError`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from contextvars import ContextVar
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

#: bvError/caError spellings that mean "no error" (compared stripped and case-folded), and numbers that do
NO_ERROR_TEXTS = frozenset({"", "0", "-1", "false", "ok", "none", "null", "sin error", "ninguno", "correcto"})
NO_ERROR_NUMBERS = frozenset({0, -1})
#: formaPago spellings (case-folded) of each method, and the one spelling the app then uses
CASH_NAMES = frozenset({"efectivo", "cash"})
CARD_NAMES = frozenset({"tarjeta", "card"})
CASH, CARD = "efectivo", "tarjeta"
DECIMAL_SEPARATORS = ("auto", ".", ",")


@dataclass(frozen=True, slots=True)
class ValueRules:
    """How a codec reads locale- and engine-dependent values (``[protocol]``: decimal_separator,
    no_error_texts, cash_names, card_names; the lists add to the defaults above)."""

    decimal_separator: str = "auto"
    no_error_texts: frozenset[str] = NO_ERROR_TEXTS
    cash_names: frozenset[str] = CASH_NAMES
    card_names: frozenset[str] = CARD_NAMES

    @classmethod
    def make(cls, decimal_separator: str = "auto", no_error_texts: Iterable[str] = (),
             cash_names: Iterable[str] = (), card_names: Iterable[str] = ()) -> ValueRules:  # fmt: skip
        """The defaults plus extra spellings; a ``ValueError`` on a bad separator or a name in both lists."""
        if decimal_separator not in DECIMAL_SEPARATORS:
            raise ValueError(f'decimal_separator must be "auto", "." or ",", got {decimal_separator!r}')
        fold = lambda names: frozenset(str(n).strip().casefold() for n in names)  # noqa: E731
        cash, card = CASH_NAMES | fold(cash_names), CARD_NAMES | fold(card_names)
        if cash & card or "" in cash | card:
            raise ValueError(f"cash_names and card_names must be distinct non-empty names: {sorted(cash & card)}")
        return cls(decimal_separator, NO_ERROR_TEXTS | fold(no_error_texts), cash, card)


#: the rules of the codec decoding right now (set by :meth:`kiosk_ui.protocol.Codec.decode`)
RULES: ContextVar[ValueRules] = ContextVar("value_rules", default=ValueRules())  # noqa: B039 (frozen)


def parse_amount(value: Any, field: str = "amount", separator: str | None = None) -> Decimal:
    """An incoming amount: JSON number or numeric string → non-negative ``Decimal``.

    ``separator``: the decimal separator of amount texts ("auto", "." or ","); ``None`` takes the
    decoding codec's (:data:`RULES`)."""
    if isinstance(value, bool) or value is None:
        raise ProtocolError(f"{field}: expected an amount, got {value!r}")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):  # only when a caller did not use parse_float=Decimal
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 32:
            raise ProtocolError(f"{field}: expected an amount, got {value!r}")
        digits = amount_digits(text, separator or RULES.get().decimal_separator)
        if digits is None:
            raise ProtocolError(f"{field}: unreadable amount {value!r}")
        number = Decimal(digits)
    else:
        raise ProtocolError(f"{field}: expected an amount, got {type(value).__name__}")
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise ProtocolError(f"{field}: amount out of range: {value!r}")
    return number


#: an amount text: an optional currency sign, then digits with '.' and ',' (no sign, no exponent)
_AMOUNT_TEXT = re.compile(r"\$?\s*(\d[\d.,]*)", re.ASCII)
#: thousands groups: one to three digits, then groups of exactly three
_GROUPS = {mark: re.compile(r"\d{1,3}(?:" + re.escape(mark) + r"\d{3})+", re.ASCII) for mark in ".,"}


def amount_digits(text: str, separator: str = "auto") -> str | None:
    """The plain number (``"1250.50"``) an amount text means, or ``None`` when it is not one or could mean
    two things. ``separator`` "." or "," pins the decimal separator (the other one groups thousands).

    In "auto": with both marks the last one is the decimal separator (``"1.250,50"``, ``"$1,250.00"``); a mark
    repeated only groups (``"1,250,000"``); a lone "." is the documented decimal point (``"18.505"``); a lone
    "," is a decimal comma (``"40,00"``, ``"35,5"``) unless exactly three digits follow it: ``"1,250"``,
    ``"0,500"``, ``"40,000"`` could be thousands or a decimal comma, and are never guessed."""
    match = _AMOUNT_TEXT.fullmatch(text)
    if match is None:
        return None
    body = match.group(1)
    decimal: str | None
    if separator in (".", ","):
        decimal = separator
    elif "." in body and "," in body:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
    elif body.count(".") + body.count(",") == 0:
        return body
    else:
        mark = "." if "." in body else ","
        if body.count(mark) > 1:
            decimal = None  # only thousands groups
        elif mark == "," and len(body.rpartition(",")[2]) == 3:
            return None  # "1,250": one thousand two hundred fifty, or one and a quarter?
        else:
            decimal = mark
    whole, _, fraction = body.rpartition(decimal) if decimal and decimal in body else (body, "", "")
    if decimal and decimal in body and (not fraction.isdigit() or not whole):
        return None
    group = "," if decimal == "." else "." if decimal == "," else ("." if "." in whole else ",")
    if group in whole:
        if _GROUPS[group].fullmatch(whole) is None:
            return None
        whole = whole.replace(group, "")
    if not whole.isdigit():
        return None
    return f"{whole}.{fraction}" if fraction else whole


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


def parse_device_error(value: Any, field: str = "error") -> str:
    """bvError/caError: "", null, 0, -1, "0", "-1", false/"False", "OK", "none", "Sin error", "Ninguno",
    "Correcto" (any case, plus the configured texts) mean no error → "".

    Anything else is an error text or code, shown as text.
    """
    if value is None or value is False:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and value in NO_ERROR_NUMBERS:
        return ""
    if isinstance(value, str) and value.strip().casefold() in RULES.get().no_error_texts:
        return ""
    if isinstance(value, str | int | Decimal | bool):
        return str(value).strip()
    raise ProtocolError(f"{field}: expected an error text or code, got {type(value).__name__}")


def parse_payment_method(value: Any) -> str:
    """formaPago in any letter case → exactly "efectivo", "tarjeta" or "" (none named); any other value is
    unreadable (a method is never guessed)."""
    if value is None:
        return ""
    text = parse_text(value, "formaPago", 64).strip().casefold()
    rules = RULES.get()
    if not text:
        return ""
    if text in rules.cash_names:
        return CASH
    if text in rules.card_names:
        return CARD
    raise ProtocolError(f"formaPago: unknown payment method {str(value)[:32]!r}")


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
        if "," in digits:  # "75,5%": a decimal comma, read like an amount (an ambiguous one stays text)
            digits = amount_digits(digits) or "?"
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

"""The simulator's accents: every spelling the app claims to accept (docs/protocol.md, "Value rules").

The engine is C#; the manual's examples are JavaScript. A :class:`Dialect` rewrites each
engine-to-app frame the simulator sends, field by field:

- ``js``: what the simulator always spoke: JSON booleans, amounts as strings with two
  decimals, ISO ``fecha``, ``tubesSW`` as an object.
- ``csharp``: ``"True"``/``"False"``, amounts as JSON numbers, ``dd/MM/yyyy HH:mm:ss`` ``fecha``,
  ``changeBar`` as ``"75%"``, device errors ``"False"`` for none, ``tubesSW`` as a list.
- ``mixed``: for every field of every message, one of all the accepted spellings at random
  (seeded, so a failing run can be replayed with the same seed).

Frames that are not JSON objects (the junk-frames fault) pass through untouched.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

DIALECTS = ("js", "csharp", "mixed")

_BOOLEANS = frozenset({"cobrando", "tarjeta", "validNIP", "brempty"})
_FLAGS = frozenset({"showcta", "showeyes", "showtime"})
_AMOUNTS = frozenset({"Credit", "Due", "changeDispensed", "coinCashboxAmount", "billsCashboxAmount", "precio"})
_COUNTS = frozenset({"conexiones", "coinCashboxQty", "billsCashboxQty"})
_ERRORS = frozenset({"bvError", "caError"})

#: A JSON number written as-is: json.dumps cannot write a Decimal, so it is marked and unquoted after.
_NUMBER = "\x00NUM:"
_NUMBER_RE = re.compile(r'"\\u0000NUM:([-0-9.eE+]+)"')


def _number(value: Decimal | int) -> str:
    return f"{_NUMBER}{value}"


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class Dialect:
    def __init__(self, name: str = "js", seed: int = 7) -> None:
        if name not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, got {name!r}")
        self.name = name
        self.seed = seed
        self.rng = random.Random(seed)

    def _pick(self, js: Any, csharp: Any, *others: Any) -> Any:
        if self.name == "js":
            return js
        if self.name == "csharp":
            return csharp
        return self.rng.choice((js, csharp, *others))

    # ------------------------------------------------------------------ per field kind
    def boolean(self, value: Any) -> Any:
        if not isinstance(value, bool):
            return value
        return self._pick(value, "True" if value else "False", "true" if value else "false",
                          "1" if value else "0", _number(int(value)))  # fmt: skip

    def flag(self, value: Any) -> Any:
        if value not in ("0", "1"):
            return value
        on = value == "1"
        return self._pick(value, "True" if on else "False", on, _number(int(on)))

    def amount(self, value: Any) -> Any:
        number = _decimal(value)
        if number is None:
            return value
        normal = number.normalize()
        exact = normal.to_integral_value() == normal
        plain = _number(int(normal)) if exact else _number(normal)
        return self._pick(value, plain, _number(number), f"{normal:f}")

    def count(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return value
        return self._pick(value, value, str(value))

    def device_error(self, value: Any) -> Any:
        if value not in ("", None):
            return value  # a real error text stays as it is
        return self._pick(value, "False", None, _number(0), "0", False, "OK", "none", "")

    def change_bar(self, value: Any) -> Any:
        number = _decimal(value)
        if number is None or not 0 <= number <= 100:
            return value
        whole = number.to_integral_value() == number
        percent = f"{number.normalize():f}%"
        fraction = _number((number / 100).quantize(Decimal("0.0001")).normalize()) if whole else None
        others = (_number(int(number)) if whole else _number(number), str(value))
        return self._pick(value, percent, *others, *((fraction,) if fraction and "." in fraction else ()))

    def tubes(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        counts = list(value.values())
        as_list = [self.count(c) for c in counts]
        if self.name == "mixed":
            total = sum(int(c) for c in counts)
            return self.rng.choice((value, as_list, _number(total), str(total)))
        return self._pick(value, as_list)

    def inventory(self, value: Any) -> Any:
        if isinstance(value, dict) and not value:
            return self._pick(value, None, "", [])
        if not isinstance(value, dict):
            return value
        rows = [{"denominacion": k, "cantidad": self.count(v)} for k, v in value.items()]
        return self._pick(value, rows)

    def capacities(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [self.count(v) for v in value]

    def fecha(self, value: Any) -> Any:
        now = _dt.datetime.now()
        return self._pick(value, now.strftime("%d/%m/%Y %H:%M:%S"), now.strftime("%d/%m/%Y %I:%M:%S %p"))

    def product_rows(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [{**row, "precio": self.amount(row["precio"])} if isinstance(row, dict) and "precio" in row else row
                for row in value]  # fmt: skip

    # ------------------------------------------------------------------ frames
    def field(self, key: str, value: Any) -> Any:
        kinds: dict[str, Callable[[Any], Any]] = {
            "fecha": self.fecha, "changeBar": self.change_bar, "tubesSW": self.tubes,
            "inventory": self.inventory, "maxqtybr": self.capacities, "datos": self.product_rows,
        }  # fmt: skip
        if key in kinds:
            return kinds[key](value)
        if key in _BOOLEANS:
            return self.boolean(value)
        if key in _FLAGS:
            return self.flag(value)
        if key in _AMOUNTS:
            return self.amount(value)
        if key in _COUNTS:
            return self.count(value)
        if key in _ERRORS:
            return self.device_error(value)
        return value

    def apply(self, text: str) -> str:
        """The same frame in this dialect (the js dialect returns it unchanged)."""
        if self.name == "js":
            return text
        try:
            obj = json.loads(text, parse_float=Decimal)
        except ValueError:
            return text
        if not isinstance(obj, dict) or "comando" not in obj:
            return text
        spoken = {key: self.field(key, value) for key, value in obj.items()}
        out = json.dumps(spoken, ensure_ascii=False, separators=(",", ":"), default=_number)
        return _NUMBER_RE.sub(r"\1", out)

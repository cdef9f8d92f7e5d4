"""The building blocks of message classes: the :class:`Message` base, field specs, and the small
parse/format helpers the message tables use."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from .values import (
    CENT,
    ChangeLevel,
    Levels,
    format_amount,
    parse_amount,
    parse_bool,
    parse_int,
    parse_text,
)

log = logging.getLogger(__name__)


def _same(value: Any) -> Any:
    return value


def _text(limit: int = 10_000) -> Callable[[Any], str]:
    return lambda v: parse_text(v, limit=limit)


def _fixed(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = parse_text(value, limit=16)
        if text not in allowed:
            raise ValueError(f"expected one of {allowed}, got {text!r}")
        return text

    return parse


FieldSpec = tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]]


@dataclass(frozen=True, slots=True)
class Message:
    """Base of every message. ``COMMAND`` is the default wire name of ``comando``."""

    COMMAND: ClassVar[str] = ""
    SPEC: ClassVar[tuple[FieldSpec, ...]] = ()
    OUTGOING: ClassVar[bool] = False


def _A(name: str) -> Callable[[Any], Decimal]:
    """An incoming money field, rounded half-up to cents here, where it enters, once ("49.995" → 50.00)."""
    return lambda v: parse_amount(v, name).quantize(CENT, rounding=ROUND_HALF_UP)


def _price(value: Any) -> Decimal:
    """A product price: rounded half-up to cents here, where it enters, once (18.505 → 18.51)."""
    return parse_amount(value, "precio").quantize(CENT, rounding=ROUND_HALF_UP)


def _price_out(value: Decimal) -> Any:
    return str(value)  # as the engine's catalog holds it (the simulator may hold 18.505)


_B = lambda name: lambda v: parse_bool(v, name)  # noqa: E731
_I = lambda name: lambda v: parse_int(v, name)  # noqa: E731


def _amount_out(value: Decimal) -> Any:
    return format_amount(value)


def _levels_out(value: Levels) -> Any:
    return {k: v for k, v in value}


def _change_out(value: ChangeLevel) -> Any:
    return value.text if value.percent is None else value.text or str(value.percent)


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog row as the engine sends it in ``searchresults`` and ``productinfo``."""

    code: str
    description: str = ""
    price: Decimal | None = None
    udm: str = ""
    image: str = ""


def _parse_product_rows(value: Any) -> tuple[Product, ...]:
    if value is None or value == "":
        return ()
    if not isinstance(value, list) or len(value) > 5000:
        raise ValueError("datos: expected a list of products")
    rows = []
    for row in value:
        if not isinstance(row, dict) or "codigoproducto" not in row:
            raise ValueError(f"datos: bad product row {str(row)[:100]}")
        rows.append(
            Product(
                code=parse_text(row["codigoproducto"], "codigoproducto", 64),
                description=parse_text(row.get("descripcion") or "", "descripcion", 500),
                price=None if row.get("precio") in (None, "") else _price(row["precio"]),
                udm=parse_text(row.get("udm") or "", "udm", 32),
                image=parse_text(row.get("imagen") or "", "imagen", 2_000_000),
            )
        )
    return tuple(rows)


def _product_rows_out(rows: tuple[Product, ...]) -> Any:
    return [
        {
            "codigoproducto": p.code,
            "descripcion": p.description,
            "udm": p.udm,
            "precio": None if p.price is None else format_amount(p.price),
            "imagen": p.image,
        }
        for p in rows
    ]

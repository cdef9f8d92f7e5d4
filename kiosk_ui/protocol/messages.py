"""One typed message class per row of PROTOCOL.md, both directions.

Each class declares its default wire command and a field spec: (attribute, wire key,
parse, format). Incoming (engine → app) fields are optional: ``None`` means the engine
did not send it, and the reducer keeps what it knew. Outgoing fields are required.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from .errors import ProtocolError
from .values import (
    CENT,
    ChangeLevel,
    Levels,
    format_amount,
    format_flag,
    parse_amount,
    parse_bool,
    parse_change_level,
    parse_device_error,
    parse_int,
    parse_inventory,
    parse_levels,
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


# --------------------------------------------------------------------------- outgoing


@dataclass(frozen=True, slots=True)
class PayCash(Message):
    due: Decimal
    COMMAND = "paycash"
    OUTGOING = True
    SPEC = (("due", "due", parse_amount, format_amount),)


@dataclass(frozen=True, slots=True)
class PayCreditCard(Message):
    due: Decimal
    COMMAND = "paycreditcard"
    OUTGOING = True
    SPEC = (("due", "dueCC", parse_amount, format_amount),)


@dataclass(frozen=True, slots=True)
class Cancel(Message):
    #: "1" returns the money inserted; "2" keeps it (ends a refill).
    value: str
    COMMAND = "cancel"
    OUTGOING = True
    SPEC = (("value", "cancelvalue", _fixed("1", "2"), _fixed("1", "2")),)


@dataclass(frozen=True, slots=True)
class OpenDoor(Message):
    COMMAND = "opendoor"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class CashRefill(Message):
    COMMAND = "cashrefill"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class CashCollect(Message):
    source: str
    COMMAND = "cashcollect"
    OUTGOING = True
    SPEC = (("source", "source", _fixed("coin", "bill"), _fixed("coin", "bill")),)


@dataclass(frozen=True, slots=True)
class ResetBalance(Message):
    COMMAND = "resetbalance"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class Shutdown(Message):
    #: "r" restart, "s" power off.
    param: str
    COMMAND = "shutdown"
    OUTGOING = True
    SPEC = (("param", "param", _fixed("r", "s"), _fixed("r", "s")),)


@dataclass(frozen=True, slots=True)
class CheckNip(Message):
    nip: str
    COMMAND = "checknip"
    OUTGOING = True
    SPEC = (("nip", "nip", _text(32), _text(32)),)

    def __repr__(self) -> str:  # the NIP never reaches a log through a repr
        return "CheckNip(nip=***)"


@dataclass(frozen=True, slots=True)
class GetStatus(Message):
    COMMAND = "getstatus"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class Arqueo(Message):
    COMMAND = "arqueo"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class BvReset(Message):
    COMMAND = "bvreset"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class CheckBr(Message):
    COMMAND = "checkbr"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class Report(Message):
    COMMAND = "report"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class GetScreenSettings(Message):
    COMMAND = "getscreensettings"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class SaveScreenSettings(Message):
    show_cta: bool
    show_eyes: bool
    show_time: bool
    cta_message: str
    COMMAND = "savescreensettings"
    OUTGOING = True
    SPEC = (
        ("show_cta", "showcta", parse_bool, format_flag),
        ("show_eyes", "showeyes", parse_bool, format_flag),
        ("show_time", "showtime", parse_bool, format_flag),
        ("cta_message", "ctamessage", _text(500), _text(500)),
    )


@dataclass(frozen=True, slots=True)
class GetProduct(Message):
    code: str
    COMMAND = "getproduct"
    OUTGOING = True
    SPEC = (("code", "codigoproducto", _text(64), _text(64)),)


@dataclass(frozen=True, slots=True)
class SearchProduct(Message):
    search: str
    COMMAND = "searchproduct"
    OUTGOING = True
    SPEC = (("search", "search", _text(200), _text(200)),)


@dataclass(frozen=True, slots=True)
class GetNewProductCode(Message):
    COMMAND = "getnewproductcode"
    OUTGOING = True


@dataclass(frozen=True, slots=True)
class SaveProduct(Message):
    code: str
    description: str
    udm: str
    price: Decimal
    image: str
    COMMAND = "saveproduct"
    OUTGOING = True
    SPEC = (
        ("code", "codigoproducto", _text(64), _text(64)),
        ("description", "descripcion", _text(200), _text(200)),
        ("udm", "udm", _text(16), _text(16)),
        ("price", "precio", parse_amount, format_amount),
        ("image", "imagen", _text(2_000_000), _text(2_000_000)),
    )


@dataclass(frozen=True, slots=True)
class DeleteProduct(Message):
    code: str
    COMMAND = "deleteproduct"
    OUTGOING = True
    SPEC = (("code", "codigoproducto", _text(64), _text(64)),)


# --------------------------------------------------------------------------- incoming


@dataclass(frozen=True, slots=True)
class Access(Message):
    valid_nip: bool | None = None
    token: str | None = None
    COMMAND = "access"
    SPEC = (("valid_nip", "validNIP", parse_bool, _same), ("token", "token", _text(1000), _same))


_A = lambda name: lambda v: parse_amount(v, name)  # noqa: E731


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
class Status(Message):
    conexiones: int | None = None
    cobrando: bool | None = None
    bv_error: str | None = None
    ca_error: str | None = None
    tarjeta: bool | None = None
    status_text: str | None = None
    reference_cc: str | None = None
    credit: Decimal | None = None
    due: Decimal | None = None
    change_dispensed: Decimal | None = None
    tubes: Levels | None = None
    coin_cashbox_amount: Decimal | None = None
    coin_cashbox_qty: int | None = None
    bills_cashbox_amount: Decimal | None = None
    bills_cashbox_qty: int | None = None
    change_bar: ChangeLevel | None = None
    inventory: Levels | None = None
    COMMAND = "status"
    SPEC = (
        ("conexiones", "conexiones", _I("conexiones"), _same),
        ("cobrando", "cobrando", _B("cobrando"), _same),
        ("bv_error", "bvError", lambda v: parse_device_error(v, "bvError"), _same),
        ("ca_error", "caError", lambda v: parse_device_error(v, "caError"), _same),
        ("tarjeta", "tarjeta", _B("tarjeta"), _same),
        ("status_text", "Status", _text(500), _same),
        ("reference_cc", "referenceCC", _text(200), _same),
        ("credit", "Credit", _A("Credit"), _amount_out),
        ("due", "Due", _A("Due"), _amount_out),
        ("change_dispensed", "changeDispensed", _A("changeDispensed"), _amount_out),
        ("tubes", "tubesSW", lambda v: parse_levels(v, "tubesSW"), _levels_out),
        ("coin_cashbox_amount", "coinCashboxAmount", _A("coinCashboxAmount"), _amount_out),
        ("coin_cashbox_qty", "coinCashboxQty", _I("coinCashboxQty"), _same),
        ("bills_cashbox_amount", "billsCashboxAmount", _A("billsCashboxAmount"), _amount_out),
        ("bills_cashbox_qty", "billsCashboxQty", _I("billsCashboxQty"), _same),
        ("change_bar", "changeBar", parse_change_level, _change_out),
        ("inventory", "inventory", parse_inventory, _levels_out),
    )


@dataclass(frozen=True, slots=True)
class Sockets(Message):
    conexiones: int | None = None
    cobrando: bool | None = None
    due: Decimal | None = None
    credit: Decimal | None = None
    change_bar: ChangeLevel | None = None
    tarjeta: bool | None = None
    forma_pago: str | None = None
    COMMAND = "sockets"
    SPEC = (
        ("conexiones", "conexiones", _I("conexiones"), _same),
        ("cobrando", "cobrando", _B("cobrando"), _same),
        ("due", "Due", _A("Due"), _amount_out),
        ("credit", "Credit", _A("Credit"), _amount_out),
        ("change_bar", "changeBar", parse_change_level, _change_out),
        ("tarjeta", "tarjeta", _B("tarjeta"), _same),
        ("forma_pago", "formaPago", _text(32), _same),
    )


@dataclass(frozen=True, slots=True)
class UpdateCredit(Message):
    due: Decimal | None = None
    credit: Decimal | None = None
    status_text: str | None = None
    change_bar: ChangeLevel | None = None
    COMMAND = "updateCredit"
    SPEC = (
        ("due", "Due", _A("Due"), _amount_out),
        ("credit", "Credit", _A("Credit"), _amount_out),
        ("status_text", "Status", _text(500), _same),
        ("change_bar", "changeBar", parse_change_level, _change_out),
    )


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


@dataclass(frozen=True, slots=True)
class ProductInfo(Message):
    code: str | None = None
    description: str | None = None
    price: Decimal | None = None
    udm: str | None = None
    COMMAND = "productinfo"
    SPEC = (
        ("code", "codigoproducto", _text(64), _same),
        ("description", "descripcion", _text(500), _same),
        ("price", "precio", _price, _price_out),
        ("udm", "udm", _text(32), _same),
    )


@dataclass(frozen=True, slots=True)
class SearchResults(Message):
    items: tuple[Product, ...] | None = None
    COMMAND = "searchresults"
    SPEC = (("items", "datos", _parse_product_rows, _product_rows_out),)


@dataclass(frozen=True, slots=True)
class NewProductCode(Message):
    code: str | None = None
    COMMAND = "newproductcode"
    SPEC = (("code", "codigoproducto", _text(64), _same),)


@dataclass(frozen=True, slots=True)
class NewProductSaved(Message):
    COMMAND = "newproductsaved"


@dataclass(frozen=True, slots=True)
class ProductDeleted(Message):
    COMMAND = "productdeleted"


@dataclass(frozen=True, slots=True)
class BvResetFinish(Message):
    COMMAND = "bvresetfinish"


@dataclass(frozen=True, slots=True)
class CashCollectFinish(Message):
    COMMAND = "cashcollectfinish"


@dataclass(frozen=True, slots=True)
class ReportReady(Message):
    COMMAND = "reportready"


@dataclass(frozen=True, slots=True)
class CheckBrResult(Message):
    br_empty: bool | None = None
    max_qty: Levels | None = None
    COMMAND = "checkbrresult"
    SPEC = (
        ("br_empty", "brempty", _B("brempty"), _same),
        # capacities, one per recycler position: "an array", as the manual shows
        ("max_qty", "maxqtybr", lambda v: parse_levels(v, "maxqtybr"), lambda v: [n for _, n in v]),
    )


@dataclass(frozen=True, slots=True)
class ScreenSettings(Message):
    show_cta: bool | None = None
    show_eyes: bool | None = None
    show_time: bool | None = None
    cta_message: str | None = None
    COMMAND = "screensettings"
    SPEC = (
        ("show_cta", "showcta", _B("showcta"), format_flag),
        ("show_eyes", "showeyes", _B("showeyes"), format_flag),
        ("show_time", "showtime", _B("showtime"), format_flag),
        ("cta_message", "ctamessage", _text(500), _same),
    )


OUTGOING_TYPES: tuple[type[Message], ...] = (
    PayCash, PayCreditCard, Cancel, OpenDoor, CashRefill, CashCollect, ResetBalance, Shutdown,
    CheckNip, GetStatus, Arqueo, BvReset, CheckBr, Report, GetScreenSettings, SaveScreenSettings,
    GetProduct, SearchProduct, GetNewProductCode, SaveProduct, DeleteProduct,
)  # fmt: skip
INCOMING_TYPES: tuple[type[Message], ...] = (
    Access, Status, Sockets, UpdateCredit, ProductInfo, SearchResults, NewProductCode, NewProductSaved,
    ProductDeleted, BvResetFinish, CashCollectFinish, ReportReady, CheckBrResult, ScreenSettings,
)  # fmt: skip

#: Outgoing commands whose exact fields the vendor manual documents (Paso 2).
DOCUMENTED_OUTGOING: tuple[type[Message], ...] = (
    PayCash, PayCreditCard, Cancel, OpenDoor, CashRefill, CashCollect, ResetBalance, Shutdown,
)  # fmt: skip


# --------------------------------------------------------------------------- tolerant decoding
#: Incoming fields dropped because their shape was unexpected, by "comando.key" (the rest of each
#: frame was used). A frame is only dropped whole when it is not JSON or has no ``comando``.
DROPPED_FIELDS: Counter[str] = Counter()
_dropped_lock = threading.Lock()


def _tolerant(command: str, key: str, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap an incoming field's parser: an unreadable value becomes ``None`` ("not sent"),
    counted, and logged the first time for that field."""
    name = f"{command}.{key}"

    def parse_or_drop(value: Any) -> Any:
        try:
            return parse(value)
        except (ProtocolError, ValueError, TypeError, ArithmeticError) as exc:
            with _dropped_lock:
                DROPPED_FIELDS[name] += 1
                first = DROPPED_FIELDS[name] == 1
            if first:
                log.warning("dropped field %s with an unexpected shape (%s); the rest of the frame is used",
                            name, exc)  # fmt: skip
            return None

    parse_or_drop.__wrapped__ = parse  # type: ignore[attr-defined]
    return parse_or_drop


def dropped_fields() -> dict[str, int]:
    with _dropped_lock:
        return dict(DROPPED_FIELDS)


for _type in INCOMING_TYPES:
    _type.SPEC = tuple((attr, key, _tolerant(_type.COMMAND, key, parse), fmt) for attr, key, parse, fmt in _type.SPEC)

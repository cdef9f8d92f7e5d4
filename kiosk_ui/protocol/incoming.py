"""Engine-to-app messages. Every field is optional: ``None`` means the engine did not send it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .fields import (
    _A,
    _B,
    _I,
    ChangeLevel,
    Levels,
    Message,
    Product,
    _amount_out,
    _change_out,
    _levels_out,
    _parse_product_rows,
    _price,
    _price_out,
    _product_rows_out,
    _same,
    _text,
    parse_bool,
)
from .values import (
    format_flag,
    parse_change_level,
    parse_device_error,
    parse_inventory,
    parse_levels,
    parse_payment_method,
)

# --------------------------------------------------------------------------- incoming


@dataclass(frozen=True, slots=True)
class Access(Message):
    valid_nip: bool | None = None
    token: str | None = None
    COMMAND = "access"
    SPEC = (("valid_nip", "validNIP", parse_bool, _same), ("token", "token", _text(1000), _same))


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
    #: attributes the engine sent but that could not be read (never the same as "not sent"; not encoded)
    unreadable: frozenset[str] = frozenset()
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
    unreadable: frozenset[str] = frozenset()
    COMMAND = "sockets"
    SPEC = (
        ("conexiones", "conexiones", _I("conexiones"), _same),
        ("cobrando", "cobrando", _B("cobrando"), _same),
        ("due", "Due", _A("Due"), _amount_out),
        ("credit", "Credit", _A("Credit"), _amount_out),
        ("change_bar", "changeBar", parse_change_level, _change_out),
        ("tarjeta", "tarjeta", _B("tarjeta"), _same),
        ("forma_pago", "formaPago", parse_payment_method, _same),
    )


@dataclass(frozen=True, slots=True)
class UpdateCredit(Message):
    due: Decimal | None = None
    credit: Decimal | None = None
    status_text: str | None = None
    change_bar: ChangeLevel | None = None
    unreadable: frozenset[str] = frozenset()
    COMMAND = "updateCredit"
    SPEC = (
        ("due", "Due", _A("Due"), _amount_out),
        ("credit", "Credit", _A("Credit"), _amount_out),
        ("status_text", "Status", _text(500), _same),
        ("change_bar", "changeBar", parse_change_level, _change_out),
    )


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

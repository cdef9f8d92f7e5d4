"""App-to-engine commands, one class per row of the protocol (docs/protocol.md). Every field is required."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .fields import (
    Message,
    _fixed,
    _text,
    format_amount,
    parse_amount,
    parse_bool,
)
from .values import format_flag

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

"""Receipt text and its QR code (SVG, no image library needed)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg

from ...kiosk import PaymentResult
from ...protocol.values import format_amount
from ..i18n import STRINGS, t

#: the receipt's field names: (es-MX, English); a Spanish receipt has no English word on it
FIELDS = {
    "folio": ("FOLIO", "RECEIPT"), "date": ("FECHA", "DATE"), "outcome": ("RESULTADO", "RESULT"),
    "method": ("FORMA", "METHOD"), "due": ("MONTO", "AMOUNT"), "currency": ("MONEDA", "CURRENCY"),
    "credit": ("RECIBIDO", "RECEIVED"), "change": ("CAMBIO", "CHANGE"),
    "owed": ("CAMBIO_PENDIENTE", "CHANGE_OWED"), "reference": ("REF", "REF"),
}  # fmt: skip
METHODS = {"card": ("TARJETA", "CARD"), "cash": ("EFECTIVO", "CASH")}


def folio(result: PaymentResult) -> str:
    """The payment's folio as the customer and staff read it (the receipt, the result screen, the journal)."""
    return result.id[:12].upper()


def receipt_text(result: PaymentResult, currency: str = "MXN", merchant: str = "", lang: str = "es") -> str:
    """What the receipt QR holds, in the customer's language (``lang``): plain lines a phone shows as text,
    amounts in wire format; headed by the shop's name (``[brand] name``) when it has one. The change owed
    (``CAMBIO_PENDIENTE``) is the customer's claim: its folio and amount are on the same code."""
    en = lang == "en"

    def line(field: str, value: str) -> str:
        return f"{FIELDS[field][en]}:{value}"

    outcome_key = f"receipt_outcome_{result.outcome}"
    lines = [
        merchant.upper() if merchant else "QUICKPAYMINI",
        line("folio", folio(result)),
        line("date", result.at),
        line("outcome", t(outcome_key, lang) if outcome_key in STRINGS else result.outcome.upper()),
        line("method", METHODS["card" if result.method == "card" else "cash"][en]),
        line("due", format_amount(result.due)),
        line("currency", currency),
    ]
    if result.method == "cash":
        lines.append(line("credit", format_amount(result.credit)))
        lines.append(line("change", format_amount(result.change_paid)))
    if result.shortfall > 0:
        lines.append(line("owed", format_amount(result.shortfall)))
    if result.reference:
        lines.append(line("reference", result.reference))
    return "\n".join(lines)


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]

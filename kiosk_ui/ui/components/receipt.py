"""Receipt text and its QR code (SVG, no image library needed)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg

from ...kiosk import PaymentResult
from ...protocol.values import format_amount


def receipt_text(result: PaymentResult, currency: str = "MXN", merchant: str = "") -> str:
    """What the receipt QR holds: plain lines a phone shows as text, amounts in wire format; headed by the
    shop's name (``[brand] name``) when it has one."""
    lines = [
        merchant.upper() if merchant else "QUICKPAYMINI",
        f"FOLIO:{result.id[:12].upper()}",
        f"FECHA:{result.at}",
        f"RESULTADO:{result.outcome}",
        f"FORMA:{'TARJETA' if result.method == 'card' else 'EFECTIVO'}",
        f"MONTO:{format_amount(result.due)}",
        f"MONEDA:{currency}",
    ]
    if result.method == "cash":
        lines.append(f"RECIBIDO:{format_amount(result.credit)}")
        lines.append(f"CAMBIO:{format_amount(result.change_paid)}")
    if result.shortfall > 0:
        lines.append(f"CAMBIO_PENDIENTE:{format_amount(result.shortfall)}")
    if result.reference:
        lines.append(f"REF:{result.reference}")
    return "\n".join(lines)


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]

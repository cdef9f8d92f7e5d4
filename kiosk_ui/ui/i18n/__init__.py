"""User-visible text, es-MX first and English second, and es-MX money formatting.

One function translates everything: :func:`t`. It takes either

- a customer string's **key** (``t("pay_cash", lang)``), looked up in :data:`STRINGS`, or
- a staff string's **es-MX text** (``t("Abrir puerta", lang)``), shown as written in Spanish and by its
  English twin from :data:`STAFF_EN` in English.

Keys are ``snake_case`` identifiers and never es-MX texts (a test checks), so the two cannot be confused.
An unknown key or text comes back as it was given.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .customer import STRINGS
from .staff import STAFF_EN
from .status import STATUS_EN, status_text

__all__ = ["STAFF_EN", "STATUS_EN", "STRINGS", "money", "outcome_text", "spoken_money", "status_text", "t"]

_CENT = Decimal("0.01")


def t(text: str, lang: str = "es", **values: object) -> str:
    """``text`` (a customer key or a staff es-MX text) in ``lang`` ("es" or "en"), formatted with ``values``."""
    pair = STRINGS.get(text)
    if pair is not None:
        template = pair[1] if lang == "en" else pair[0]
    else:
        template = STAFF_EN.get(text, text) if lang == "en" else text
    return template.format(**values) if values else template


def outcome_text(outcome: str, lang: str = "es") -> str:
    """A journal outcome word ("cancelled") as staff read it in ``lang`` ("cancelado")."""
    key = f"outcome_{outcome}"
    return t(key, lang) if key in STRINGS else outcome


def money(amount: Decimal | None) -> str:
    """es-MX money text: ``$1,234.50``."""
    if amount is None:
        return "—"
    value = Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def spoken_money(amount: Decimal, lang: str = "es") -> str:
    """An amount as speech synthesis reads it best: "14 pesos con 50 centavos"."""
    value = Decimal(amount).quantize(_CENT)
    pesos, cents = int(value), int((value - int(value)) * 100)
    if lang == "en":
        return f"{pesos} pesos" + (f" and {cents} cents" if cents else "")
    return f"{pesos} pesos" + (f" con {cents} centavos" if cents else "")

"""The engine's ``Status`` texts (Spanish, for people) that we know, with their English twin.

docs/protocol.md: show them, translate the known ones on the English screen, decide nothing from them.
"""

STATUS_EN: dict[str, str] = {
    "En espera": "Idle",
    "Cobrando en efectivo": "Charging cash",
    "Cobrando con tarjeta": "Charging by card",
    "Siga las instrucciones de la terminal": "Follow the instructions on the card terminal",
    "Operación cancelada": "Operation cancelled",
    "Dotación de efectivo": "Loading change",
    "Dotación terminada": "Change loading finished",
    "Puerta abierta": "Door open",
    "Corte de caja realizado": "End-of-day close done",
    "Pago completado": "Payment complete",
    "Cambio incompleto": "Change not fully paid",
    "Pago con tarjeta aprobado": "Card payment approved",
    "Tarjeta declinada": "Card declined",
    "Fondos insuficientes": "Insufficient funds",
    "Transacción cancelada": "Transaction cancelled",
    "Transacción aprobada": "Transaction approved",
    "Transacción declinada": "Transaction declined",
    "Error de comunicación con la terminal": "Communication error with the card terminal",
    "Tiempo de espera agotado": "Timed out",
}
_STATUS_EN_FOLDED = {key.strip().casefold(): value for key, value in STATUS_EN.items()}


def status_text(text: str, lang: str = "es") -> str:
    """The engine's ``Status`` text for ``lang``: a known text in English, an unknown one as it came."""
    if lang != "en":
        return text
    return _STATUS_EN_FOLDED.get(text.strip().casefold(), text)

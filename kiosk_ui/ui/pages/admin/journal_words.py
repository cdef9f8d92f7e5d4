"""The staff journal's rows in the staff's words (es-MX, or English on the English screen).

The journal stores stable English keys ("login", "refused: payment in progress", "alert", "no webhook")
that the CLI export (``kiosk-ui journal``) prints as they are, for scripts and spreadsheets; this module
renders them for people. A key it does not know (an older or newer row) is shown as it was stored, so
every row stays readable.
"""

from __future__ import annotations

import re

from ....alerts import title as alert_title
from ....staff.actions import ACTIONS
from .base import StaffText

#: stored action key → es-MX name (the staff actions are named by their button's title)
ACTION_NAMES: dict[str, str] = {
    "login": "Inicio de sesión",
    "logout": "Cierre de sesión",
    "lockout": "Bloqueo por NIP",
    "screensettings": "Pantalla de espera",
    "owed-settled": "Cambio pendiente entregado",
    "journal-export": "Exportación de la bitácora",
    "quick-pick": "Acceso rápido",
    "product-save": "Guardar producto",
    "product-delete": "Eliminar producto",
    "alert-test": "Alerta de prueba",
    "alert": "Alerta",
}
#: stored result key → es-MX words
RESULT_WORDS: dict[str, str] = {
    "ok": "correcto",
    "failed": "fallido",
    "failed: no answer (counted)": "fallido: sin respuesta (cuenta como intento)",
    "refused: locked out": "rechazado: bloqueado",
    "locked": "bloqueado",
    "saved": "guardado",
    "started": "iniciada",
    "interrupted": "interrumpida",
    "pinned": "fijado",
    "unpinned": "quitado",
    "deleted": "eliminado",
    "sent": "enviada",
    "no webhook": "sin webhook configurado",
    "done": "hecho",
    "sent, not confirmed": "enviado, sin confirmación del equipo",
    "refused: payment in progress": "rechazado: cobro en curso",
    "refused: payment in progress (never sent during a payment)":
        "rechazado: cobro en curso (nunca se envía durante un cobro)",
    "override confirmed during a payment": "confirmado durante un cobro (de todos modos)",
    "not sent: engine unavailable": "no enviado: el equipo no está conectado",
    "timeout": "sin respuesta a tiempo",
}  # fmt: skip
_ALERT = re.compile(r"^(?P<key>\w+) (?P<status>firing|resolved)(?P<repeat> \(repeat\))?: (?P<rest>.*)$", re.S)
_WHERE = (
    (re.compile(r"^(?P<host>.*) \(attempt (?P<n>\d+)\)$"), "{host} (intento {n})"),
    (re.compile(r"^(?P<host>.*) \(retrying\): (?P<reason>.*)$", re.S), "{host} (reintentando): {reason}"),
    (re.compile(r"^(?P<host>.*): gave up after (?P<n>\d+) attempts: (?P<reason>.*)$", re.S),
     "{host}: se dejó de intentar tras {n} intentos: {reason}"),
)  # fmt: skip
_ROWS = re.compile(r"^(\d+) rows$")


def action_name(action: str, say: StaffText) -> str:
    for known in ACTIONS:
        if known.test_id == action:
            return say(known.title)
    return say(ACTION_NAMES[action]) if action in ACTION_NAMES else action


def result_words(result: str, say: StaffText) -> str:
    return say(RESULT_WORDS[result]) if result in RESULT_WORDS else result


def _where(text: str, say: StaffText) -> str:
    for pattern, template in _WHERE:
        found = pattern.match(text)
        if found:
            return say(template, **found.groupdict())
    return text


def detail_words(action: str, detail: str, say: StaffText) -> str:
    """A row's detail: an alert's key and status in words; an export's row count; others as stored."""
    if action == "alert":
        found = _ALERT.match(detail)
        if found is None:
            return detail
        rest, _, where = found["rest"].partition(" → ")
        status = say("Resuelta") if found["status"] == "resolved" else say("Activa")
        if found["repeat"]:
            status += " " + say("(recordatorio)")
        text = f"{alert_title(found['key'], say.lang)} · {status}" + (f": {rest}" if rest else "")
        return text + (f" → {_where(where, say)}" if where else "")
    rows = _ROWS.match(detail)
    if action == "journal-export" and rows:
        return say.plural(int(rows[1]), "{count} fila", "{count} filas")
    return detail

"""Dates as people in Mexico read them ("5 dic 2026", "05/12/2026"), with the English twin ("5 Dec 2026").

Day-first everywhere: the staff's date fields read and take dd/mm/aaaa whatever the browser's own locale
(a native date input would follow the tablet's language and may read mm/dd). ISO text (2026-12-05) is
still accepted, so a pasted or scripted date works too.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
#: Quasar's QDate locale (month and day names) for the date pickers, per language
PICKER_LOCALE: dict[str, dict[str, object]] = {
    "es": {
        "days": ["Domingo", "Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado"],
        "daysShort": ["Dom", "Lun", "Mar", "Mié", "Jue", "Vie", "Sáb"],
        "months": ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
                   "Octubre", "Noviembre", "Diciembre"],
        "monthsShort": ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"],
        "firstDayOfWeek": 1,
        "format24h": True,
        "pluralDay": "días",
    },
    "en": {  # the app's Quasar language is Spanish: the English screen names its own
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "daysShort": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"],
        "monthsShort": list(MONTHS["en"]),
        "firstDayOfWeek": 1,
        "format24h": True,
        "pluralDay": "days",
    },
}  # fmt: skip
PICKER_MASK = "DD/MM/YYYY"
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def day_text(day: dt.date, lang: str = "es", year: bool = True) -> str:
    """ "5 dic 2026" (or "5 dic" without the year)."""
    text = f"{day.day} {MONTHS.get(lang, MONTHS['es'])[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def moment_text(moment: dt.datetime, lang: str = "es") -> str:
    """ "5 dic 2026 14:03:22"."""
    return f"{day_text(moment.date(), lang)} {moment:%H:%M:%S}"


def field_text(day: dt.date) -> str:
    """A date as a staff date field shows it: "05/12/2026"."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def parse_day(text: str) -> dt.date:
    """The date in a staff date field: dd/mm/aaaa (also d/m/aaaa), or ISO aaaa-mm-dd. ValueError if neither."""
    found = _DAY_FIRST.match(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text.strip())

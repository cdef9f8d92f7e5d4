"""A staff date field that reads and takes dd/mm/aaaa, with a calendar to pick from (day first, Monday first).

A native ``type=date`` input follows the browser's language (an English tablet shows mm/dd/yyyy); this one
always shows day first, in the staff's language.
"""

from __future__ import annotations

from nicegui import ui

from ...i18n.dates import PICKER_LOCALE, PICKER_MASK, day_text, field_text, moment_text, parse_day
from ...theme import tid
from .base import StaffText

#: the day-first date texts the staff views use, with the field (one import for them)
__all__ = ["date_field", "day_text", "field_text", "moment_text", "parse_day"]


def date_field(say: StaffText, label: str, test_id: str, value: str = "", clearable: bool = False) -> ui.input:
    field = tid(ui.input(label, value=value).props("outlined dense"), test_id)
    field.props.update({"placeholder": say("dd/mm/aaaa"), "inputmode": "numeric", "hint": say("dd/mm/aaaa")})
    if clearable:
        field.props.update({"clearable": True})
    with field.add_slot("append"), ui.button(icon="event").props("flat round") as opener:
        opener.props.update({"aria-label": say("Elegir fecha: {field}", field=label)})
        with ui.menu() as menu:
            picker = ui.date(mask=PICKER_MASK).bind_value(field)
            if say.lang in PICKER_LOCALE:
                picker.props.update({"locale": PICKER_LOCALE[say.lang]})
            picker.on_value_change(menu.close)
    return field

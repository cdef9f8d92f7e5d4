"""The one-line health of the kiosk at the top of the staff status: green, amber or red, and why.

Pure: a state, the journal's error and the alerts that hold in; a level and its reasons (es-MX staff
texts, translated by the caller) out. Red: the kiosk cannot take a payment safely (engine away, a
device fault, the journal not writable). Amber: it can, but staff should look (change low, card
terminal away, alerts holding). Green: nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ....state import KioskState

Level = Literal["ok", "warn", "bad"]
#: the alerts already said by a state reason (not repeated as an alert title)
SAID_BY_STATE = frozenset({"bill_jam", "coin_error", "engine_down", "journal"})


@dataclass(frozen=True)
class Reason:
    """One reason, as an es-MX staff template and its values (the caller translates it)."""

    text: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Health:
    level: Level
    reasons: tuple[Reason, ...]


def health(state: KioskState, journal_error: str, alerts: Iterable[str] = ()) -> Health:
    """The kiosk's health; ``alerts``: the titles (already in the staff's language) of the alerts that hold."""
    bad: list[Reason] = []
    warn: list[Reason] = []
    if not state.online:
        bad.append(Reason("sin conexión con el motor"))
    else:
        if state.bv_error:
            bad.append(Reason("lector de billetes con error: {error}", (("error", state.bv_error),)))
        if state.ca_error:
            bad.append(Reason("monedero con error: {error}", (("error", state.ca_error),)))
        level = state.change_level
        if level is not None and level.is_low:
            warn.append(Reason("cambio bajo ({percent} %)", (("percent", f"{level.percent:.0f}"),)))
        if not state.card_available:
            warn.append(Reason("terminal de tarjeta no disponible"))
    if journal_error:
        bad.append(Reason("la bitácora no se puede escribir"))
    warn += [Reason("{alert}", (("alert", name),)) for name in alerts]
    if bad:
        return Health("bad", tuple(bad + warn))
    if warn:
        return Health("warn", tuple(warn))
    return Health("ok", ())

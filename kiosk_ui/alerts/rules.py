"""Alert rules, pure: a snapshot of the kiosk in, the alerts that hold out; then, with the time
injected, which of them to send now (fire once, repeat at most every M s, resolve when clear).

No asyncio, no I/O, no clock: every function takes ``now`` (monotonic seconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..config import AlertConfig
from ..protocol.values import Levels, format_amount

Status = Literal["firing", "resolved"]

#: alert key → (es-MX title, English title)
TITLES: dict[str, tuple[str, str]] = {
    "bill_jam": ("Falla del lector de billetes", "Bill validator fault"),
    "coin_error": ("Falla del monedero", "Coin mechanism fault"),
    "coin_tube_low": ("Tubo de monedas bajo", "Coin tube low"),
    "cashbox_full": ("Caja de efectivo casi llena", "Cashbox nearly full"),
    "engine_down": ("Sin conexión con el motor", "Engine unreachable"),
    "payment_unknown": ("Pago por revisar", "Payment to review"),
    "change_owed": ("Cambio pendiente a clientes", "Change owed to customers"),
    "journal": ("La bitácora no se puede escribir", "Journal not writable"),
    "nip_lockouts": ("Bloqueos repetidos por NIP", "Repeated NIP lockouts"),
    "screen_missing": ("Pantalla del cliente desconectada", "Customer screen not connected"),
    "test": ("Alerta de prueba", "Test alert"),
    # raised by the customer screen, one event each (not conditions the rules evaluate)
    "help_call": ("Un cliente pide ayuda", "A customer asks for help"),
    "payment_stalled": ("Pago detenido con dinero ingresado", "Payment stalled with money inserted"),
}
#: one-off events, sent as they happen (never held, never resolved)
EVENT_KEYS = ("test", "help_call", "payment_stalled")
ALERT_KEYS = tuple(k for k in TITLES if k not in EVENT_KEYS)

#: detail templates: key → (es-MX, English)
_DETAILS: dict[str, tuple[str, str]] = {
    "tubes": ("tubos bajo {min}: {tubes}", "tubes below {min}: {tubes}"),
    "bills": ("billetes en caja: {qty} (límite {max})", "bills in the cashbox: {qty} (limit {max})"),
    "coins": ("monedas en caja: {qty} (límite {max})", "coins in the cashbox: {qty} (limit {max})"),
    "down": ("más de {seconds} s sin respuesta", "no answer for more than {seconds} s"),
    "review": ("{count} pagos con resultado desconocido", "{count} payments with an unknown outcome"),
    "review_one": ("1 pago con resultado desconocido", "1 payment with an unknown outcome"),
    "owed": ("se deben ${owed} (límite ${max})", "${owed} owed (limit ${max})"),
    "lockouts": ("{count} bloqueos en {minutes} min", "{count} lockouts in {minutes} min"),
    "screen": ("más de {seconds} s sin la pantalla del equipo", "the kiosk's own screen gone for over {seconds} s"),
}


def title(key: str, lang: str = "es") -> str:
    es, en = TITLES.get(key, (key, key))
    return en if lang == "en" else es


def _detail(name: str, lang: str, **values: object) -> str:
    es, en = _DETAILS[name]
    return (en if lang == "en" else es).format(**values)


@dataclass(frozen=True)
class Snapshot:
    """What the rules look at. Times are monotonic seconds; None = not the case."""

    bv_error: str = ""
    ca_error: str = ""
    tubes: Levels = ()
    bill_cashbox_qty: int | None = None
    coin_cashbox_qty: int | None = None
    engine_down_since: float | None = None
    to_review: int = 0
    change_owed: Decimal = Decimal(0)
    journal_error: str = ""
    recent_lockouts: int = 0
    screen_missing_since: float | None = None


@dataclass(frozen=True)
class Evaluation:
    #: alert key → detail, for every alert that holds now
    active: dict[str, str]
    #: the earliest time a timed condition (engine down, screen missing) may start to hold
    next_check: float | None = None


def evaluate(snap: Snapshot, cfg: AlertConfig, now: float, *, screen_watchdog: float = 0,
             lang: str = "es") -> Evaluation:  # fmt: skip
    active: dict[str, str] = {}
    pending: list[float] = []
    if snap.bv_error:
        active["bill_jam"] = snap.bv_error
    if snap.ca_error:
        active["coin_error"] = snap.ca_error
    low = [(denomination, count) for denomination, count in snap.tubes if count < cfg.coin_tube_min]
    if low:
        tubes = ", ".join(f"${d}: {c}" for d, c in low)
        active["coin_tube_low"] = _detail("tubes", lang, min=cfg.coin_tube_min, tubes=tubes)
    full = []
    if cfg.bill_cashbox_max and snap.bill_cashbox_qty is not None and snap.bill_cashbox_qty > cfg.bill_cashbox_max:
        full.append(_detail("bills", lang, qty=snap.bill_cashbox_qty, max=cfg.bill_cashbox_max))
    if cfg.coin_cashbox_max and snap.coin_cashbox_qty is not None and snap.coin_cashbox_qty > cfg.coin_cashbox_max:
        full.append(_detail("coins", lang, qty=snap.coin_cashbox_qty, max=cfg.coin_cashbox_max))
    if full:
        active["cashbox_full"] = "; ".join(full)
    for key, since, limit, name in (
        ("engine_down", snap.engine_down_since, cfg.engine_down_seconds, "down"),
        ("screen_missing", snap.screen_missing_since, screen_watchdog, "screen"),
    ):
        if since is None or (key == "screen_missing" and not limit):
            continue
        if now - since >= limit:
            active[key] = _detail(name, lang, seconds=int(limit))
        else:
            pending.append(since + limit)
    if snap.to_review > 0:
        active["payment_unknown"] = _detail("review_one" if snap.to_review == 1 else "review", lang,
                                            count=snap.to_review)  # fmt: skip
    if snap.change_owed > cfg.change_owed_max:
        active["change_owed"] = _detail("owed", lang, owed=format_amount(snap.change_owed),
                                        max=format_amount(cfg.change_owed_max))  # fmt: skip
    if snap.journal_error:
        active["journal"] = snap.journal_error
    if cfg.nip_lockouts and snap.recent_lockouts >= cfg.nip_lockouts:
        active["nip_lockouts"] = _detail("lockouts", lang, count=snap.recent_lockouts,
                                         minutes=cfg.nip_lockout_window_minutes)  # fmt: skip
    return Evaluation(active, min(pending, default=None))


@dataclass(frozen=True)
class Decision:
    key: str
    status: Status
    detail: str
    #: monotonic time of the decision
    at: float
    #: a reminder of an alert already sent
    repeat: bool = False


@dataclass
class _Track:
    since: float
    last_sent: float
    detail: str


@dataclass
class AlertBook:
    """Which alerts hold and when each was last sent. ``step`` is the only thing that changes it."""

    repeat_seconds: float
    tracks: dict[str, _Track] = field(default_factory=dict)

    def step(self, active: Mapping[str, str], now: float) -> list[Decision]:
        decisions: list[Decision] = []
        for key, detail in active.items():
            track = self.tracks.get(key)
            if track is None:
                self.tracks[key] = _Track(now, now, detail)
                decisions.append(Decision(key, "firing", detail, now))
            elif now - track.last_sent >= self.repeat_seconds:
                track.last_sent = now
                track.detail = detail
                decisions.append(Decision(key, "firing", detail, now, repeat=True))
            else:
                track.detail = detail
        for key in [k for k in self.tracks if k not in active]:
            track = self.tracks.pop(key)
            decisions.append(Decision(key, "resolved", track.detail, now))
        return decisions

    def next_due(self) -> float | None:
        """When the next reminder falls due (None: nothing holds)."""
        return min((t.last_sent + self.repeat_seconds for t in self.tracks.values()), default=None)

    def holding(self) -> dict[str, str]:
        return {key: track.detail for key, track in self.tracks.items()}

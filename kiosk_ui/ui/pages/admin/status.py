"""Live machine status: connection, payment, cashboxes, errors, and the cash levels as charts."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from ....protocol.values import TOTAL_LABEL
from ....staff.actions import capacity_name
from ....state import KioskState
from ...theme import attrs, tid
from .base import StaffText, figure, heading
from .health import health

#: a coin tube holds about this many coins (the tube chart's full scale)
TUBE_FULL = 80
CONNECTION_NAMES = {"connected": "Conectado", "connecting": "Conectando…", "disconnected": "Desconectado"}
OK_CLASS, BAD_CLASS = "admin-value text-green-800", "admin-value text-red-700"
#: the health line's headline per level
HEALTH_HEADS = {"ok": "Todo en orden", "warn": "Atención", "bad": "Fuera de servicio"}


def level_name(name: str, say: StaffText) -> str:
    return say("Total") if name == TOTAL_LABEL else f"${name}" if name[:1].isdigit() else name


def bar_options(names: list[str], counts: list[int], full: int | None, title: str) -> dict[str, Any]:
    """A horizontal bar chart of counts per denomination, readable by screen readers (ECharts aria)."""
    return {
        "aria": {"enabled": True, "label": {"description": title}},
        "animation": False,
        "grid": {"left": 8, "right": 40, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": full, "axisLabel": {"color": "#334155"}},
        "yAxis": {"type": "category", "data": names, "inverse": True,
                  "axisLabel": {"color": "#0f172a", "fontSize": 14}},
        "series": [{"type": "bar", "data": counts, "barMaxWidth": 22,
                    "itemStyle": {"color": "#0b4fd6", "borderRadius": 4},
                    "label": {"show": True, "position": "right", "color": "#0f172a"}}],
    }  # fmt: skip


class LevelChart:
    """One cash-level chart with an accessible name that says every figure."""

    def __init__(self, say: StaffText, title: str, test_id: str, full: int | None) -> None:
        self._ = say
        self.title = title
        self.full = full
        self._shown: Any = None
        heading(title, 3)
        self.box = tid(ui.column().classes("w-full gap-1"), test_id)
        with self.box:
            self.empty = ui.label(say("Sin datos")).classes("admin-muted")
            self.chart = ui.echart(bar_options([], [], full, title)).classes("w-full admin-chart")
            attrs(self.chart, {"role": "img", "aria-label": f"{title}: {say('Sin datos')}"})
            self.chart.set_visibility(False)

    def show(self, levels: tuple[tuple[str, int], ...]) -> None:
        if levels == self._shown:
            return
        self._shown = levels
        names = [level_name(name, self._) for name, _ in levels]
        counts = [count for _, count in levels]
        self.empty.set_visibility(not levels)
        self.chart.set_visibility(bool(levels))
        full = self.full if self.full is not None else max(counts, default=1) or 1
        self.chart.options.clear()
        self.chart.options.update(bar_options(names, counts, full, self.title))
        described = ", ".join(f"{n}: {c}" for n, c in zip(names, counts, strict=True))
        attrs(self.chart, {"aria-label": f"{self.title}: {described or self._('Sin datos')}"})
        self.chart.style(f"height: {max(96, 34 * len(levels) + 24)}px")
        self.chart.update()


class StatusView:
    def __init__(self, say: StaffText) -> None:
        self._ = say

    def build(self) -> None:
        _ = self._
        self.health = tid(ui.label(_("Sin datos")).classes("admin-health").props('role="status"'), "staff-health")
        with ui.grid().classes("admin-figures w-full gap-3"):
            self.engine = figure(_("Conexión con el motor"), "st-engine")
            self.connections = figure(_("Conexiones al motor"), "st-connections")
            self.cobrando = figure(_("Cobrando"), "st-cobrando")
            self.card = figure(_("Terminal de tarjeta"), "st-card")
            self.due = figure(_("Total del cobro"), "st-due")
            self.credit = figure(_("Ingresado"), "st-credit")
            self.change_level = figure(_("Nivel de cambio"), "st-change-level")
            self.status_text = figure(_("Estado del motor"), "st-status-text")
            self.coin_amount = figure(_("Caja de monedas"), "st-coin-cashbox-amount")
            self.coin_qty = figure(_("Monedas en caja"), "st-coin-cashbox-qty")
            self.bill_amount = figure(_("Caja de billetes"), "st-bill-cashbox-amount")
            self.bill_qty = figure(_("Billetes en caja"), "st-bill-cashbox-qty")
            self.bv_error = figure(_("Lector de billetes"), "st-bv-error")
            self.ca_error = figure(_("Monedero"), "st-ca-error")
            self.journal = figure(_("Bitácora"), "st-journal")
        with ui.grid().classes("admin-charts w-full gap-4"):
            with ui.column().classes("admin-panel gap-1"):
                self.tubes = LevelChart(_, _("Tubos de monedas"), "st-tubes", TUBE_FULL)
            with ui.column().classes("admin-panel gap-1"):
                self.levels = LevelChart(_, _("Arqueo"), "st-levels", None)
        with ui.column().classes("admin-panel w-full gap-1"):
            heading(_("Capacidad del reciclador (máximo de billetes por posición)"), 3)
            self.capacity_box = tid(ui.column().classes("w-full gap-1"), "st-recycler-capacity")
        self._shown_capacity: Any = None

    def render(self, state: KioskState, busy: bool, journal_error: str, alerts: tuple[str, ...] = ()) -> None:
        _ = self._
        self.render_health(state, journal_error, alerts)
        self.engine.set_text(_(CONNECTION_NAMES[state.connection]))
        self.connections.set_text("—" if state.connections is None else str(state.connections))
        self.cobrando.set_text(_("Sí, cobro en curso" if busy else "No"))
        self.card.set_text(_("Disponible" if state.card_available else "No disponible"))
        self.due.set_text(_.money(state.due))
        self.credit.set_text(_.money(state.credit))
        level = state.change_level
        self.change_level.set_text(
            "—" if level is None else f"{level.percent:.0f} %" if level.percent is not None else level.text
        )
        self.status_text.set_text(_.status(state.status_text) or "—")
        self.coin_amount.set_text(_.money(state.coin_cashbox_amount))
        self.coin_qty.set_text("—" if state.coin_cashbox_qty is None else str(state.coin_cashbox_qty))
        self.bill_amount.set_text(_.money(state.bills_cashbox_amount))
        self.bill_qty.set_text("—" if state.bills_cashbox_qty is None else str(state.bills_cashbox_qty))
        for label, error in ((self.bv_error, state.bv_error), (self.ca_error, state.ca_error)):
            label.set_text(_("Error: {error}", error=error) if error else _("Sin error"))
            label.classes(replace=BAD_CLASS if error else OK_CLASS)
        self.journal.set_text(_("Error: {error}", error=journal_error) if journal_error else _("Correcta"))
        self.tubes.show(state.tubes)
        self.levels.show(state.inventory)
        if (state.recycler_levels, state.recycler_empty) != self._shown_capacity:
            self._shown_capacity = (state.recycler_levels, state.recycler_empty)
            self._capacities(state.recycler_levels, state.recycler_empty)

    def render_health(self, state: KioskState, journal_error: str, alerts: tuple[str, ...]) -> None:
        """The line at the top: the level's headline and every reason, coloured by ``data-level``."""
        _ = self._
        found = health(state, journal_error, alerts)
        reasons = "; ".join(_(r.text, **dict(r.values)) for r in found.reasons)
        head = _(HEALTH_HEADS[found.level])
        self.health.set_text(f"{head}: {reasons}" if reasons else head)
        self.health.props.update({"data-level": found.level})
        self.health.update()

    def _capacities(self, capacities: tuple[tuple[str, int], ...], empty: bool | None) -> None:
        """maxqtybr: capacities (the most bills each position holds), not current counts: no bars."""
        _ = self._
        self.capacity_box.clear()
        with self.capacity_box:
            if not capacities and empty is None:
                ui.label(_("Sin datos: use «Revisar reciclador»")).classes("admin-muted")
            if empty is not None:
                ui.label(_("Reciclador vacío" if empty else "Reciclador con billetes")).classes("font-semibold")
            for name, capacity in capacities:
                with tid(ui.row().classes("w-full items-center gap-2 no-wrap"), "recycler-capacity-row"):
                    ui.label(capacity_name(name, _)).classes("w-32")
                    ui.label(_.plural(capacity, "capacidad: {count} billete", "capacidad: {count} billetes"))

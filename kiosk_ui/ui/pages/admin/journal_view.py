"""Sales and journal: the sales report with its chart per day and method, and the filtered journal pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from nicegui import ui

from ....journal import Filter, JournalError, PageCursor, day_start_iso, to_cents
from ....staff import StaffService
from ...theme import attrs, tid
from .base import Access, StaffText, heading, staff_only
from .date_field import date_field, day_text, field_text, moment_text, parse_day
from .journal_words import action_name, detail_words, result_words

JOURNAL_PAGE = 50
REPORT_DAYS = 30
MAX_REPORT_DAYS = 366
SEARCH_CHARS = 64
EXPORT_ROUTE = "/admin/journal-export"
METHODS = (("cash", "Efectivo", "#0b4fd6"), ("card", "Tarjeta", "#b45309"))
OUTCOME_WORDS = {"open": "abierto", "completed": "completado", "cancelled": "cancelado", "declined": "declinado",
                 "failed": "fallido", "unknown": "desconocido"}  # fmt: skip


def local_time(at: str, lang: str = "es") -> str:
    """A journal time (UTC) as the kiosk's local date and time: "5 dic 2026 14:03:22"."""
    try:
        moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return at[:19]
    return moment_text(moment, lang)


def report_day(day: str, lang: str) -> str:
    """A report's day (ISO, as the journal groups them) as people read it: "5 dic 2026"."""
    try:
        return day_text(dt.date.fromisoformat(day), lang)
    except ValueError:
        return day


def chart_options(days: list[str], series: list[dict[str, Any]], title: str) -> dict[str, Any]:
    return {
        "aria": {"enabled": True, "label": {"description": title}},
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "textStyle": {"color": "#0f172a"}},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": days, "axisLabel": {"color": "#334155"}},
        "yAxis": {"type": "value", "axisLabel": {"color": "#334155"}},
        "series": series,
    }


class SalesView:
    def __init__(self, access: Access, service: StaffService, say: StaffText) -> None:
        self.access = access
        self.service = service
        self._ = say

    def build(self) -> None:
        _ = self._
        today = dt.date.today()
        with ui.row().classes("items-end gap-2"):
            since = field_text(today - dt.timedelta(days=REPORT_DAYS))
            self.first = date_field(_, _("Desde"), "report-from", since)
            self.last = date_field(_, _("Hasta"), "report-to", field_text(today))
            tid(ui.button(_("Ver reporte"), icon="query_stats", on_click=self.render), "report-refresh")
        self.error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad").props('role="alert"'), "report-error")
        self.error.set_visibility(False)
        self.summary = tid(ui.element("div").classes("admin-figures w-full"), "report-summary")
        title = _("Ventas por día y forma de pago")
        heading(title, 3)
        self.chart = tid(ui.echart(chart_options([], [], title)).classes("w-full admin-sales-chart"), "sales-chart")
        attrs(self.chart, {"role": "img", "aria-label": title})
        with ui.column().classes("w-full admin-panel gap-1"):
            heading(_("Detalle por día"), 3)
            self.rows = tid(ui.column().classes("w-full gap-1"), "sales-report")

    def _range(self) -> tuple[dt.date, dt.date] | None:
        try:
            first = parse_day(self.first.value or "")
            last = parse_day(self.last.value or "")
        except ValueError:
            return None
        if first > last or (last - first).days > MAX_REPORT_DAYS:
            return None
        return first, last

    async def render(self) -> None:
        if not self.access.service.valid(self.access.caller, touch=False):
            return
        _ = self._
        span = self._range()
        if span is None:
            self.error.set_text(_("Rango no válido: hasta un año, el inicio antes del fin."))
            self.error.set_visibility(True)
            return
        first, last = span
        try:
            report = await self.service.report(first, last)
        except JournalError as exc:
            self.error.set_text(_("No se pudo leer la bitácora: {error}", error=exc))
            self.error.set_visibility(True)
            return
        self.error.set_visibility(False)
        self.summary.clear()
        with self.summary:
            for caption, value, test_id in (("Ventas", _.money(report.total), "report-total"),
                                            ("Cambio adeudado", _.money(report.change_owed), "report-owed"),
                                            ("Cambio entregado después", _.money(report.change_settled),
                                             "report-settled")):  # fmt: skip
                with ui.column().classes("admin-figure gap-0"):
                    ui.label(_(caption)).classes("admin-caption")
                    tid(ui.label(value).classes("admin-value"), test_id)
            with ui.column().classes("admin-figure gap-0"):
                ui.label(_("Pagos por resultado")).classes("admin-caption")
                counts = ", ".join(f"{_(OUTCOME_WORDS[o])}: {report.outcomes[o]}" for o in OUTCOME_WORDS
                                   if o in report.outcomes)  # fmt: skip
                tid(ui.label(counts or "—").classes("admin-value-sm"), "report-outcomes")
        self.rows.clear()
        with self.rows:
            if not report.sales:
                ui.label(_("Sin ventas registradas")).classes("admin-muted")
            for (day, method), (count, total) in sorted(report.sales.items(), reverse=True):
                with tid(ui.row().classes("admin-row w-full gap-4"), "report-row"):
                    ui.label(report_day(day, _.lang)).classes("w-32")
                    ui.label(_("Efectivo" if method == "cash" else "Tarjeta")).classes("w-24")
                    ui.label(_.plural(count, "{count} venta", "{count} ventas")).classes("w-24")
                    ui.label(_.money(total)).classes("font-semibold")
        iso_days = [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
        days = [report_day(day, _.lang) for day in iso_days]  # the axis reads "5 dic 2026"
        series = [{"name": _(name), "type": "bar", "stack": "sales", "itemStyle": {"color": color},
                   "data": [str(report.sales.get((day, method), (0, Decimal(0)))[1]) for day in iso_days]}
                  for method, name, color in METHODS]  # fmt: skip
        title = _("Ventas por día y forma de pago")
        self.chart.options.update(chart_options(days, series, title))
        attrs(self.chart, {"aria-label": f"{title}: {_('Ventas')} {_.money(report.total)} ({first} – {last})"})
        self.chart.update()


class JournalView:
    """The journal, newest first, filtered, a page at a time (keyset pages: older, newer)."""

    def __init__(self, access: Access, service: StaffService, say: StaffText) -> None:
        self.access = access
        self.service = service
        self._ = say
        self.filter = Filter()
        self.pages: list[PageCursor | None] = [None]
        self.next: PageCursor | None = None

    def build(self) -> None:
        _ = self._
        with ui.row().classes("w-full gap-2 justify-end"):
            tid(ui.button(_("Actualizar"), icon="refresh", on_click=self.render), "journal-refresh")
            tid(ui.button(_("Exportar CSV"), icon="download", on_click=self.export), "journal-export")
        with ui.element("div").classes("admin-filters w-full"):
            self.since = date_field(_, _("Desde"), "journal-from", clearable=True)
            self.until = date_field(_, _("Hasta"), "journal-to", clearable=True)
            kinds = {"": _("Todo"), "payment": _("Pagos"), "staff": _("Personal")}
            self.kind = tid(ui.select(kinds, value="", label=_("Tipo")).props("outlined dense"), "journal-kind")
            outcomes = {"": _("Todos"), **{o: _(OUTCOME_WORDS[o]) for o in OUTCOME_WORDS}}
            self.outcome = tid(ui.select(outcomes, value="", label=_("Resultado")).props("outlined dense"),
                               "journal-outcome")  # fmt: skip
            methods = {"": _("Todos"), "cash": _("Efectivo"), "card": _("Tarjeta")}
            self.method = tid(ui.select(methods, value="", label=_("Forma de pago")).props("outlined dense"),
                              "journal-method")  # fmt: skip
            self.low = tid(ui.input(_("Monto mínimo")).props("outlined dense inputmode=decimal"), "journal-amount-min")
            self.high = tid(ui.input(_("Monto máximo")).props("outlined dense inputmode=decimal"), "journal-amount-max")
            self.search = tid(ui.input(_("Folio o referencia")).props("outlined dense clearable"), "journal-search")
            self.search.on("keydown.enter", self.render)
            tid(ui.button(_("Buscar"), icon="search", on_click=self.render), "journal-apply")
        self.error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad").props('role="alert"'), "journal-error")
        self.error.set_visibility(False)
        self.box = attrs(
            ui.column().classes("admin-journal w-full gap-0"), {"role": "list", "aria-label": _("Bitácora")}
        )
        with ui.row().classes("w-full items-center justify-center gap-4"):
            self.newer = tid(ui.button(_("Más recientes"), icon="chevron_left", on_click=lambda: self.turn(-1)),
                             "journal-newer")  # fmt: skip
            self.page_label = tid(ui.label(""), "journal-page")
            self.older = tid(ui.button(_("Más antiguos"), icon="chevron_right", on_click=lambda: self.turn(1)),
                             "journal-older")  # fmt: skip

    def _problem(self, text: str) -> None:
        self.error.set_text(text)
        self.error.set_visibility(True)

    def typed_filter(self) -> Filter | None:
        """The filter the staff typed, or None (and a message) when some field is not valid."""
        _ = self._
        try:
            since = parse_day(self.since.value) if self.since.value else None
            until = parse_day(self.until.value) if self.until.value else None
        except ValueError:
            self._problem(_("Fecha no válida: use dd/mm/aaaa."))
            return None
        amounts: list[int | None] = []
        for field in (self.low, self.high):
            text = str(field.value or "").replace("$", "").replace(",", "").strip()
            try:
                amounts.append(to_cents(text) if text else None)
            except ValueError:
                self._problem(_("Monto no válido: use un monto como 18.50."))
                return None
        try:
            return Filter(since=day_start_iso(since) if since else None,
                          until=day_start_iso(until + dt.timedelta(days=1)) if until else None,
                          kind=self.kind.value or None, outcome=self.outcome.value or None,
                          method=self.method.value or None, min_cents=amounts[0], max_cents=amounts[1],
                          search=str(self.search.value or "").strip()[:SEARCH_CHARS])  # fmt: skip
        except ValueError:
            self._problem(_("Rango no válido: el inicio va antes del fin."))
            return None

    async def render(self) -> None:
        """Apply the filters and show the newest page (the refresh button, search, start)."""
        flt = self.typed_filter()
        if flt is None:
            return
        self.filter = flt
        self.pages = [None]
        await self.show_page()

    @property
    def on_newest_page(self) -> bool:
        return len(self.pages) == 1

    async def turn(self, step: int) -> None:
        if step > 0 and self.next is not None:
            self.pages.append(self.next)
        elif step < 0 and len(self.pages) > 1:
            self.pages.pop()
        else:
            return
        await self.show_page()

    async def show_page(self) -> None:
        if not self.service.valid(self.access.caller, touch=False):
            return
        _ = self._
        try:
            page = await self.service.page(self.filter, self.pages[-1], JOURNAL_PAGE)
        except JournalError as exc:
            self._problem(_("No se pudo leer la bitácora: {error}", error=exc))
            return
        self.error.set_visibility(False)
        self.next = page.older
        self.newer.set_enabled(len(self.pages) > 1)
        self.older.set_enabled(page.older is not None)
        self.page_label.set_text(_("Página {page}", page=len(self.pages)))
        self.box.clear()
        with self.box:
            if not page.entries:
                tid(ui.label(_("Nada en la bitácora con estos filtros")).classes("admin-muted"), "journal-empty")
            for entry in page.entries:
                data = entry.data
                with tid(ui.element("div").classes("admin-journal-row").props('role="listitem"'), "journal-row"):
                    ui.label(local_time(entry.at, _.lang)).classes("tabular-nums")
                    if entry.kind == "payment":
                        ui.label(_("Efectivo" if data["method"] == "cash" else "Tarjeta"))
                        ui.label(_.money(Decimal(data["due"]))).classes("text-right font-semibold")
                        ui.label(_(OUTCOME_WORDS.get(data["outcome"], data["outcome"])))
                        ui.label(data["id"][:8]).classes("font-mono admin-muted")
                        ui.label(f"{data['reference']} {data['detail'][:80]}".strip()).classes("admin-muted")
                    else:
                        ui.label(_("Personal"))
                        ui.label(action_name(data["action"], _))
                        ui.label(result_words(data["result"], _))
                        ui.label("")
                        detail = detail_words(data["action"], data["detail"], _)
                        ui.label(f"{data['client']} {detail[:120]}").classes("admin-muted")

    @staff_only
    async def export(self) -> None:
        """A streamed CSV of what the filters select (everything by default), via a one-use link."""
        flt = self.typed_filter()
        if flt is None:
            return
        token = await self.service.start_export(self.access.caller, flt)
        ui.download.from_url(f"{EXPORT_ROUTE}/{token}")

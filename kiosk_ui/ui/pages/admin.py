"""The staff area at ``/admin``: a NIP gate, then status, actions, catalog, settings, journal.

Nothing of the staff area is built for a browser that has not passed the NIP (a hidden
NiceGUI element would still have live handlers), and every handler checks the session
on the server again before it acts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from nicegui import Client, app, ui

from ... import product_images
from ...access import loopback
from ...engine import CommandRefused, EngineTimeout, EngineUnavailable
from ...journal import OUTCOMES, Filter, JournalError, PageCursor, csv_chunks, day_start_iso, to_cents
from ...protocol import Message, Product, ProtocolError, parse_amount
from ...protocol import messages as m
from ...protocol.values import TOTAL_LABEL
from ...staff import Lockout, NipChecker, NipResult, Sessions
from ...staff_rules import REFUSED_KEEPS_MONEY, may_send
from ...state import KioskState
from ...tasks import spawn
from ..components.receipt import qr_svg
from ..i18n import money, status_text, tr
from ..theme import demo_mark, head, offline_banner, tid

if TYPE_CHECKING:
    from ...app import KioskApp

log = logging.getLogger(__name__)

#: The kiosk Wi-Fi's factory password, as the vendor manual gives it.
DEFAULT_WIFI_PASSWORD = "abcdefgh"
UDM_CHOICES = ("PZA", "KG", "GR", "LT", "ML", "M", "CAJA", "PAQ", "SERV")
CTA_LIMIT = 120


@dataclass(frozen=True)
class Action:
    test_id: str
    title: str
    confirm: str
    make: Callable[[], Message]
    cash_moving: bool
    timeout: float = 30.0
    #: shutdown: the answer is the engine going away
    goes_away: bool = False
    #: PROTOCOL.md defines no answer: a status within ``timeout`` is shown, else "sent"
    soft: bool = False


ACTIONS: tuple[Action, ...] = (
    Action("action-opendoor", "Abrir puerta", "Se abrirá la puerta del gabinete.", m.OpenDoor, True, 5.0, soft=True),
    Action("action-cashrefill", "Iniciar dotación", "El equipo aceptará dinero para cambio hasta terminar la dotación.",
           m.CashRefill, True, 5.0, soft=True),
    Action("action-cashrefill-end", "Terminar dotación", "Se terminará la dotación de efectivo.",
           lambda: m.Cancel("2"), True, 5.0, soft=True),
    Action("action-cashcollect-coin", "Recolectar monedas", "Se vaciará la caja de monedas.",
           lambda: m.CashCollect("coin"), True, 120.0),
    Action("action-cashcollect-bill", "Recolectar billetes", "Se vaciará la caja de billetes.",
           lambda: m.CashCollect("bill"), True, 120.0),
    Action("action-resetbalance", "Corte de caja", "Los contadores de efectivo volverán a cero (corte del día).",
           m.ResetBalance, True, 5.0, soft=True),
    Action("action-restart", "Reiniciar equipo", "El equipo se reiniciará; la pantalla volverá sola.",
           lambda: m.Shutdown("r"), True, 15.0, True),
    Action("action-poweroff", "Apagar equipo", "El equipo se apagará; habrá que encenderlo a mano.",
           lambda: m.Shutdown("s"), True, 15.0, True),
    Action("action-bvreset", "Reiniciar lector de billetes", "Se reiniciará el validador de billetes.", m.BvReset,
           False, 60.0),
    Action("action-checkbr", "Revisar reciclador", "Se consultarán los niveles del reciclador de billetes.",
           m.CheckBr, False),
    Action("action-report", "Reporte del equipo", "El equipo generará su reporte.", m.Report, False, 60.0),
    Action("action-arqueo", "Arqueo", "Se contará el efectivo de cada denominación.", m.Arqueo, False, 60.0),
)  # fmt: skip


@dataclass
class StaffServices:
    lockout: Lockout
    sessions: Sessions
    nip: NipChecker


def lan_address() -> str:
    """The kiosk's LAN address as other devices see it (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def wifi_qr_text(ssid: str, password: str) -> str:
    def esc(text: str) -> str:
        return "".join("\\" + c if c in '\\;,:"' else c for c in text)

    return f"WIFI:T:WPA;S:{esc(ssid)};P:{esc(password)};;"


class AdminArea:
    def __init__(self, kapp: KioskApp, services: StaffServices, client: Client) -> None:
        self.kapp = kapp
        self.kiosk = kapp.kiosk
        self.services = services
        self.client = client
        #: the staff session id made at login (bound to this address), not the browser id
        self.sid: str = str(app.storage.user.get("staff_sid", ""))
        self.lang: str = str(app.storage.user.get("staff_lang", kapp.config.language))
        self.address = client.ip or "?"
        self._session_undo: list[Callable[[], None]] = []
        self.editing: Product | None = None
        self._search_timer: asyncio.TimerHandle | None = None
        self.pending_image = ""
        self._undo: list[Callable[[], None]] = []
        client.on_delete(self._cleanup)

    def _(self, text: str, **values: object) -> str:
        return tr(text, self.lang, **values)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "es" else "es"
        app.storage.user["staff_lang"] = self.lang
        if self.session_valid():
            self.build_home()
        else:
            self.build_gate()

    def _language_button(self) -> None:
        tid(ui.button(self._("English"), on_click=self.toggle_language, color="grey-8"), "staff-lang")

    # ------------------------------------------------------------------ session
    @property
    def token(self) -> str | None:
        """This session's engine access token, for staff commands (sent only if configured)."""
        return self.services.sessions.token(self.sid)

    @property
    def session_tag(self) -> str:
        return hashlib.sha256(self.sid.encode()).hexdigest()[:10] if self.sid else "-"

    def session_valid(self, touch: bool = True) -> bool:
        return self.services.sessions.valid(self.sid, self.address, touch=touch)

    def _session_ended(self) -> None:
        """Logout, expiry or lockout of this session, from any of its tabs: back to the gate, no more data."""
        self._drop_staff_listeners()
        self.sid = ""
        if self.client.id in Client.instances:
            self.build_gate()

    def authorized(self) -> bool:
        """Server-side check before anything of the staff area is built or done."""
        if self.session_valid():
            return True
        ui.navigate.to("/admin")
        return False

    async def audit(self, action: str, result: str, detail: str = "") -> None:
        try:
            await self.kiosk.journal.arecord_action(action, result, client=self.address, session=self.session_tag,
                                                    detail=detail)  # fmt: skip
        except JournalError as exc:
            log.error("staff action %s not journaled: %s", action, exc)

    def _drop_staff_listeners(self) -> None:
        for undo in self._undo + self._session_undo:
            undo()
        self._undo.clear()
        self._session_undo.clear()

    def _cleanup(self) -> None:
        self._drop_staff_listeners()
        if self._search_timer is not None:
            self._search_timer.cancel()

    # ------------------------------------------------------------------ page
    def build(self) -> None:
        head()
        demo_mark(self.kapp.config.demo)
        self.root = ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4")
        if self.session_valid():
            self.build_home()
        else:
            self.build_gate()

    # ------------------------------------------------------------------ NIP gate
    def build_gate(self) -> None:
        self.root.clear()
        with self.root, ui.card().classes("self-center p-8 gap-4 w-full max-w-md items-stretch"):
            with ui.row().classes("w-full justify-end"):
                self._language_button()
            ui.label(self._("Acceso de personal")).classes("text-3xl font-bold text-center")
            ui.label(self._("Ingrese su NIP")).classes("kiosk-caption text-center")
            self.nip = tid(ui.input(password=True).props('inputmode=numeric autocomplete=off maxlength=12 outlined '
                                                         'input-class="text-3xl text-center tracking-widest"'),
                           "nip-input")  # fmt: skip
            self.nip.on("keydown.enter", self.submit_nip)
            with ui.grid(columns=3).classes("gap-2"):
                for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"):
                    if key == "ok":
                        tid(
                            ui.button(self._("Entrar"), on_click=self.submit_nip, color="primary"), "nip-submit"
                        ).classes("kiosk-key text-lg")
                    elif key == "del":
                        tid(
                            ui.button(
                                "⌫", on_click=lambda: self.nip.set_value((self.nip.value or "")[:-1]), color="grey-7"
                            ),
                            "nip-key-del",
                        ).classes("kiosk-key").props('aria-label="Borrar"')
                    else:
                        tid(
                            ui.button(
                                key,
                                on_click=lambda k=key: self.nip.set_value((self.nip.value or "") + k),
                                color="white",
                            ),
                            f"nip-key-{key}",
                        ).classes("kiosk-key text-slate-900").props("outline")
            self.nip_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "nip-error")
            self.nip_locked = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "nip-locked")
            self.nip_error.set_visibility(False)
            self.nip_locked.set_visibility(False)
            ui.link(self._("← Pantalla del cliente"), "/").classes("text-center")
        self._show_lock_if_any()

    def _show_lock_if_any(self) -> bool:
        left = self.services.lockout.seconds_left(self.address, loopback=loopback(self.address))
        if left:
            minutes, seconds = divmod(left, 60)
            self.nip_locked.set_text(
                self._(
                    "Demasiados intentos. Intente de nuevo en {minutes} min {seconds} s.",
                    minutes=minutes,
                    seconds=f"{seconds:02d}",
                )
            )
            self.nip_locked.set_visibility(True)
            self.nip_error.set_visibility(False)
        return bool(left)

    async def submit_nip(self) -> None:
        nip = (self.nip.value or "").strip()
        self.nip.set_value("")
        own_screen = loopback(self.address)
        if self._show_lock_if_any():
            await self.audit("login", "refused: locked out")
            return
        if not nip.isdigit() or not 4 <= len(nip) <= 12:
            self.nip_error.set_text(self._("El NIP son de 4 a 12 dígitos."))
            self.nip_error.set_visibility(True)
            return
        result = await self.services.nip.check(nip, self.address, loopback=own_screen)
        await self._nip_result(result)

    async def _nip_result(self, result: NipResult) -> None:
        if result.outcome == "ok":
            sid = self.services.sessions.login(result.token, self.address)
            app.storage.user["staff_sid"] = sid
            self.sid = sid
            await self.audit("login", "ok")
            self.build_home()
            return
        if result.outcome == "locked":
            self._show_lock_if_any()
            await self.audit("login", "refused: locked out")
            return
        if result.outcome in ("busy", "offline"):
            text = ("Hay otra verificación de NIP o un cobro en curso. Intente en un momento."
                    if result.outcome == "busy" else "El equipo no está conectado; no se envió el NIP.")  # fmt: skip
            self.nip_error.set_text(self._(text))
            self.nip_error.set_visibility(True)
            return
        await self.audit("login", "failed" if result.outcome == "wrong" else "failed: no answer (counted)")
        if result.locked_now:
            await self.audit("lockout", "locked", f"{result.seconds_left} s")  # the address's sessions ended
        if self._show_lock_if_any():
            return
        if result.outcome == "no-answer":
            self.nip_error.set_text(self._("No hay respuesta del equipo; no se pudo validar el NIP. Intente de nuevo."))
        else:
            self.nip_error.set_text(
                self._("NIP incorrecto. Intentos restantes: {attempts}.", attempts=result.attempts_left)
            )
        self.nip_error.set_visibility(True)

    async def logout(self) -> None:
        await self.audit("logout", "ok")
        app.storage.user.pop("staff_sid", None)
        self.services.sessions.end(self.sid)  # every tab of this session goes back to the gate
        ui.navigate.to("/admin")

    # ------------------------------------------------------------------ home
    def build_home(self) -> None:
        if not self.session_valid():
            self.build_gate()
            return
        self._drop_staff_listeners()
        self.root.clear()
        with self.root:
            self.banner = offline_banner(lambda: "es")
            with tid(ui.row().classes("w-full items-center justify-between"), "admin-home"):
                ui.label(self._("Administración del cajero")).classes("text-3xl font-bold")
                with ui.row().classes("gap-2"):
                    ui.link(self._("Pantalla del cliente"), "/").classes("self-center")
                    self._language_button()
                    tid(ui.button(self._("Salir"), icon="logout", on_click=self.logout, color="grey-8"), "admin-logout")
            self._build_wifi_warning()
            self._build_status()
            self._build_actions()
            self._build_owed()
            self._build_settings()
            self._build_products()
            self._build_reports()
            self._build_tablet()
            self._build_alerts()
        self._undo.append(self.kiosk.on_change(self._render_status))
        self._session_undo.append(self.services.sessions.on_end(self.sid, self._session_ended))
        self._render_status(self.kiosk.state)

    def _build_wifi_warning(self) -> None:
        """The manual's default Wi-Fi password lets anyone nearby reach the engine's open port."""
        if self.kapp.config.wifi_password == DEFAULT_WIFI_PASSWORD:
            tid(
                ui.label(
                    self._(
                        "Aviso de seguridad: la red Wi-Fi del equipo usa la contraseña de fábrica «abcdefgh». "
                        "Cualquiera cerca puede entrar a la red y enviar instrucciones al motor (puerto 8080). "
                        "Cámbiela en el router y en la configuración ([wifi] password)."
                    )
                ).classes("w-full kiosk-alert kiosk-alert-bad"),
                "wifi-default-warning",
            )

    # ---- live status
    def _build_status(self) -> None:
        with ui.card().classes("w-full p-4 gap-2"):
            ui.label(self._("Estado del equipo")).classes("text-xl font-bold")
            with ui.grid(columns=4).classes("w-full gap-3"):

                def cell(caption: str, test_id: str) -> ui.label:
                    with ui.column().classes("gap-0"):
                        ui.label(self._(caption)).classes("text-sm text-slate-600")
                        return tid(ui.label("—").classes("text-xl font-semibold"), test_id)

                self.st_engine = cell("Conexión con el motor", "st-engine")
                self.st_connections = cell("Conexiones al motor", "st-connections")
                self.st_cobrando = cell("Cobrando", "st-cobrando")
                self.st_card = cell("Terminal de tarjeta", "st-card")
                self.st_due = cell("Total del cobro", "st-due")
                self.st_credit = cell("Ingresado", "st-credit")
                self.st_change_level = cell("Nivel de cambio", "st-change-level")
                self.st_status_text = cell("Estado del motor", "st-status-text")
                self.st_coin_cashbox_amount = cell("Caja de monedas", "st-coin-cashbox-amount")
                self.st_coin_cashbox_qty = cell("Monedas en caja", "st-coin-cashbox-qty")
                self.st_bill_cashbox_amount = cell("Caja de billetes", "st-bill-cashbox-amount")
                self.st_bill_cashbox_qty = cell("Billetes en caja", "st-bill-cashbox-qty")
                self.st_bv_error = cell("Lector de billetes", "st-bv-error")
                self.st_ca_error = cell("Monedero", "st-ca-error")
                self.st_journal = cell("Bitácora", "st-journal")
            ui.label(self._("Tubos de monedas")).classes("text-lg font-bold mt-2")
            self.tubes_box = tid(ui.column().classes("w-full gap-1"), "st-tubes")
            ui.label(self._("Arqueo")).classes("text-lg font-bold mt-2")
            self.levels_box = tid(ui.column().classes("w-full gap-1"), "st-levels")
            ui.label(self._("Capacidad del reciclador (máximo de billetes por posición)")).classes(
                "text-lg font-bold mt-2"
            )
            self.capacity_box = tid(ui.column().classes("w-full gap-1"), "st-recycler-capacity")
        self._shown_tubes: Any = None
        self._shown_levels: Any = None
        self._shown_capacity: Any = None

    def _render_status(self, state: KioskState) -> None:
        self.banner.set_visibility(not state.online)
        names = {"connected": "Conectado", "connecting": "Conectando…", "disconnected": "Desconectado"}
        self.st_engine.set_text(self._(names[state.connection]))
        self.st_connections.set_text("—" if state.connections is None else str(state.connections))
        self.st_cobrando.set_text(self._("Sí, cobro en curso" if self.kiosk.busy else "No"))
        self.st_card.set_text(self._("Disponible" if state.card_available else "No disponible"))
        self.st_due.set_text(money(state.due))
        self.st_credit.set_text(money(state.credit))
        level = state.change_level
        self.st_change_level.set_text(
            "—" if level is None else f"{level.percent:.0f} %" if level.percent is not None else level.text
        )
        self.st_status_text.set_text(status_text(state.status_text, self.lang) or "—")
        self.st_coin_cashbox_amount.set_text(money(state.coin_cashbox_amount))
        self.st_coin_cashbox_qty.set_text("—" if state.coin_cashbox_qty is None else str(state.coin_cashbox_qty))
        self.st_bill_cashbox_amount.set_text(money(state.bills_cashbox_amount))
        self.st_bill_cashbox_qty.set_text("—" if state.bills_cashbox_qty is None else str(state.bills_cashbox_qty))
        for label, error in ((self.st_bv_error, state.bv_error), (self.st_ca_error, state.ca_error)):
            label.set_text(self._("Error: {error}", error=error) if error else self._("Sin error"))
        journal_error = self.kiosk.journal_error
        self.st_journal.set_text(self._("Error: {error}", error=journal_error) if journal_error else self._("Correcta"))
        for error_label, error in ((self.st_bv_error, state.bv_error), (self.st_ca_error, state.ca_error)):
            error_label.classes(replace="text-xl font-semibold " + ("text-red-700" if error else "text-green-700"))
        if state.tubes != self._shown_tubes:
            self._shown_tubes = state.tubes
            self._bars(self.tubes_box, state.tubes, 80)
        levels = state.inventory
        if levels != self._shown_levels:
            self._shown_levels = levels
            self._bars(self.levels_box, levels, max((n for _, n in levels), default=1) or 1)
        if (state.recycler_levels, state.recycler_empty) != self._shown_capacity:
            self._shown_capacity = (state.recycler_levels, state.recycler_empty)
            self._capacities(state.recycler_levels, state.recycler_empty)

    def _capacity_name(self, name: str) -> str:
        """A recycler position: '#2' (array index) → 'Posición 2'; a denomination → '$20'."""
        if name.startswith("#") and name[1:].isdigit():
            return self._("Posición {n}", n=name[1:])
        return f"${name}" if name[:1].isdigit() else name

    def _capacities(self, capacities: tuple[tuple[str, int], ...], empty: bool | None) -> None:
        """maxqtybr: capacities (the most bills each position holds), not current counts: no bars."""
        box = self.capacity_box
        box.clear()
        with box:
            if not capacities and empty is None:
                ui.label(self._("Sin datos: use «Revisar reciclador»")).classes("text-slate-600")
            if empty is not None:
                ui.label(self._("Reciclador vacío" if empty else "Reciclador con billetes")).classes("font-semibold")
            for name, capacity in capacities:
                with tid(ui.row().classes("w-full items-center gap-2 no-wrap"), "recycler-capacity-row"):
                    ui.label(self._capacity_name(name)).classes("w-32")
                    ui.label(self._("capacidad: {count} billetes", count=capacity))

    def _bars(self, box: ui.column, levels: tuple[tuple[str, int], ...], full: int) -> None:
        box.clear()
        with box:
            if not levels:
                ui.label(self._("Sin datos")).classes("text-slate-600")
            for name, count in levels:
                with ui.row().classes("w-full items-center gap-2 no-wrap"):
                    shown = self._("Total") if name == TOTAL_LABEL else f"${name}" if name[:1].isdigit() else name
                    ui.label(shown).classes("w-24")
                    ui.linear_progress(value=min(1.0, count / full), show_value=False).classes("grow").props(
                        "size=14px rounded"
                    )
                    ui.label(f"{count}").classes("w-16 text-right")

    # ---- actions
    def _build_actions(self) -> None:
        with ui.card().classes("w-full p-4 gap-3"):
            ui.label(self._("Acciones")).classes("text-xl font-bold")
            with ui.row().classes("gap-2"):
                for action in ACTIONS:
                    color = "negative" if action.goes_away else "primary"
                    tid(
                        ui.button(self._(action.title), on_click=lambda a=action: self.ask(a), color=color),
                        action.test_id,
                    ).classes("min-h-[52px]")
            self.action_progress = tid(ui.label("").classes("kiosk-alert"), "action-progress")
            self.action_done = tid(
                ui.label("").classes("kiosk-alert border-green-700 bg-green-50 text-green-900"), "action-done"
            )
            self.action_failed = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "action-failed")
            self.action_sent = tid(ui.label("").classes("kiosk-alert"), "action-sent")
            for label in (self.action_progress, self.action_done, self.action_failed, self.action_sent):
                label.set_visibility(False)
        with ui.dialog() as self.confirm_dialog, ui.card().classes("p-6 gap-4 max-w-lg"):
            self.confirm_title = ui.label("").classes("text-2xl font-bold")
            self.confirm_text = ui.label("").classes("text-lg")
            with ui.row().classes("w-full justify-end gap-2"):
                tid(ui.button(self._("Cancelar"), on_click=self.confirm_dialog.close, color="grey-7"), "confirm-cancel")
                tid(ui.button(self._("Confirmar"), on_click=self._confirmed, color="primary"), "confirm-ok")
        with ui.dialog() as self.busy_dialog, ui.card().classes("p-6 gap-4 max-w-lg"):
            tid(
                ui.label(
                    self._("Hay un cobro en curso: esta acción mueve efectivo y podría afectar al cliente.")
                ).classes("text-lg kiosk-alert kiosk-alert-bad"),
                "action-busy",
            )
            with ui.row().classes("w-full justify-end gap-2"):
                tid(
                    ui.button(self._("No hacer nada"), on_click=self.busy_dialog.close, color="grey-7"),
                    "action-busy-close",
                )
                tid(
                    ui.button(self._("Hacerlo de todos modos"), on_click=self._override, color="negative"),
                    "action-override",
                )
        self.pending_action: Action | None = None

    def ask(self, action: Action) -> None:
        if not self.authorized():
            return
        self.pending_action = action
        self.confirm_title.set_text(self._("¿{title}?", title=self._(action.title)))
        self.confirm_text.set_text(self._(action.confirm))
        self.confirm_dialog.open()

    async def _confirmed(self) -> None:
        if not self.authorized():
            return
        self.confirm_dialog.close()
        action = self.pending_action
        if action is None:
            return
        reason = may_send(action.make(), self.kiosk.busy, override=False)
        if reason == REFUSED_KEEPS_MONEY:  # no override offered: it would keep the customer's money
            self.pending_action = None
            await self.audit(action.test_id, "refused: payment in progress (never sent during a payment)")
            self._action_failed(action, self._(reason))
            return
        if reason or (action.cash_moving and self.kiosk.busy):
            await self.audit(action.test_id, "refused: payment in progress")
            self.busy_dialog.open()
            return
        await self.run_action(action)

    async def _override(self) -> None:
        if not self.authorized():
            return
        self.busy_dialog.close()
        action = self.pending_action
        if action is None:
            return
        reason = may_send(action.make(), self.kiosk.busy, override=True)
        if reason:
            self.pending_action = None
            await self.audit(action.test_id, "refused: payment in progress (never sent during a payment)")
            self._action_failed(action, self._(reason))
            return
        await self.audit(action.test_id, "override confirmed during a payment")
        await self.run_action(action, override=True)

    async def run_action(self, action: Action, override: bool = False) -> None:
        if not self.authorized():
            return
        self.pending_action = None
        self.action_done.set_visibility(False)
        self.action_failed.set_visibility(False)
        self.action_sent.set_visibility(False)
        self.action_progress.set_text(self._("{title}: esperando respuesta del equipo…", title=self._(action.title)))
        self.action_progress.set_visibility(True)
        message = action.make()
        before = self.kiosk.state
        try:
            if action.goes_away:
                answer = await self._send_and_wait_gone(message, action.timeout, override)
            elif action.soft:
                await self.kiosk.client.send(message, override=override, token=self.token)
                await self._action_sent(action)
                return
            else:
                reply = await self.kiosk.client.request(message, timeout=action.timeout, override=override,
                                                        token=self.token)  # fmt: skip
                answer = self._describe(reply)
        except CommandRefused as exc:  # a payment started between the question and the send
            self._action_failed(action, self._(exc.reason))
            await self.audit(action.test_id, "refused: payment in progress")
            return
        except EngineUnavailable:
            self._action_failed(action, self._("El equipo no está conectado; no se envió nada."))
            await self.audit(action.test_id, "not sent: engine unavailable")
            return
        except EngineTimeout:
            self._action_failed(
                action, self._("El equipo no respondió en {seconds} s.", seconds=f"{action.timeout:.0f}")
            )
            await self.audit(action.test_id, "timeout")
            return
        self.action_progress.set_visibility(False)
        self.action_done.set_text(self._("{title}: {answer}", title=self._(action.title), answer=answer))
        self.action_done.set_visibility(True)
        if isinstance(message, m.CashCollect):  # what was in the cashbox when staff emptied it
            box = before.coin_cashbox_amount if message.source == "coin" else before.bills_cashbox_amount
            qty = before.coin_cashbox_qty if message.source == "coin" else before.bills_cashbox_qty
            collected = self._("recolectado {amount} ({pieces} piezas)", amount=money(box),
                               pieces=qty if qty is not None else "?")  # fmt: skip
            answer = f"{answer}; {collected}"
        await self.audit(action.test_id, "done", answer)

    async def _action_sent(self, action: Action) -> None:
        """A command with no documented answer: never "done" (an unrelated status proves nothing)."""
        self.action_progress.set_visibility(False)
        self.action_sent.set_text(self._("{title}: enviado, sin confirmación del equipo.", title=self._(action.title)))
        self.action_sent.set_visibility(True)
        await self.audit(action.test_id, "sent, not confirmed")

    async def _send_and_wait_gone(self, message: Message, timeout: float, override: bool = False) -> str:
        gone = asyncio.Event()
        undo = self.kiosk.on_change(lambda s: gone.set() if not s.online else None)
        try:
            await self.kiosk.client.send(message, override=override, token=self.token)
            await asyncio.wait_for(gone.wait(), timeout)
        except TimeoutError:
            raise EngineTimeout("engine did not go away") from None
        finally:
            undo()
        return self._("el equipo se está reiniciando/apagando; esta pantalla se reconectará sola.")

    def _action_failed(self, action: Action, text: str) -> None:
        self.action_progress.set_visibility(False)
        self.action_failed.set_text(self._("{title}: {answer}", title=self._(action.title), answer=text))
        self.action_failed.set_visibility(True)

    def _describe(self, reply: Message) -> str:
        if isinstance(reply, m.CheckBrResult):
            levels = ", ".join(
                f"{self._capacity_name(k)}: {self._('capacidad: {count} billetes', count=v)}"
                for k, v in (reply.max_qty or ())
            )
            return self._("reciclador vacío" if reply.br_empty else "reciclador con billetes") + (
                f" ({levels})" if levels else ""
            )
        if isinstance(reply, m.Status):
            if reply.inventory:
                return self._("arqueo") + ": " + ", ".join(f"${k} × {v}" for k, v in reply.inventory)
            return f"{self._('listo')} ({status_text(reply.status_text or '', self.lang) or self._('estado recibido')})"
        return self._("listo")

    # ---- change owed
    def _build_owed(self) -> None:
        with ui.card().classes("w-full p-4 gap-2"):
            ui.label(self._("Cambio pendiente a clientes")).classes("text-xl font-bold")
            self.owed_box = tid(ui.column().classes("w-full gap-1"), "owed-list")
            ui.label(self._("Pagos por revisar (resultado desconocido)")).classes("text-xl font-bold mt-2")
            self.review_box = tid(ui.column().classes("w-full gap-1"), "review-list")
        self._undo.append(self.kiosk.on_result(lambda _: self._spawn_owed()))
        spawn(self._render_owed())

    def _spawn_owed(self) -> None:
        spawn(self._render_owed())

    async def _render_owed(self) -> None:
        try:
            rows = await asyncio.to_thread(self.kiosk.journal.owed)
            review = await asyncio.to_thread(self.kiosk.journal.to_review)
        except JournalError as exc:
            ui.notify(self._("No se pudo leer la bitácora: {error}", error=exc), type="negative")
            return
        self.review_box.clear()
        with self.review_box:
            if not review:
                ui.label(self._("Nada por revisar")).classes("text-slate-600")
            for row in review:
                with tid(ui.row().classes("w-full items-center justify-between"), "review-row"):
                    method = self._("Tarjeta" if row["method"] == "card" else "Efectivo")
                    ui.label(f"{self._payment_heading(row)} · {method} {money(Decimal(row['due']))}")
                    ui.label(row["detail"][:80]).classes("text-slate-600")
                    tid(
                        ui.button(self._("Revisado"), on_click=lambda pid=row["id"]: self._settle(pid)), "review-settle"
                    )
        self.owed_box.clear()
        with self.owed_box:
            if not rows:
                ui.label(self._("Nada pendiente")).classes("text-slate-600")
            for row in rows:
                with tid(ui.row().classes("w-full items-center justify-between"), "owed-row"):
                    ui.label(self._payment_heading(row))
                    ui.label(money(Decimal(row["shortfall"]))).classes("font-bold text-red-700")
                    tid(
                        ui.button(self._("Marcar pagado"), on_click=lambda pid=row["id"]: self._settle(pid)),
                        "owed-settle",
                    )

    def _payment_heading(self, row: dict[str, Any]) -> str:
        """When and which payment, as staff and the customer's receipt QR name it (folio)."""
        return f"{row['created_at'][:16].replace('T', ' ')} · {self._('folio')} {row['id'][:12].upper()}"

    async def _settle(self, payment_id: str) -> None:
        if not self.authorized():
            return
        await asyncio.to_thread(self.kiosk.journal.settle_owed, payment_id)
        await self.audit("owed-settled", "ok", payment_id)
        await self._render_owed()

    # ---- screen settings
    def _build_settings(self) -> None:
        screen = self.kiosk.state.screen
        with ui.card().classes("w-full p-4 gap-2"):
            ui.label(self._("Pantalla de espera")).classes("text-xl font-bold")
            with ui.row().classes("w-full gap-6 items-start"):
                with ui.column().classes("gap-2 grow"):
                    self.set_showcta = tid(ui.switch(self._("Mostrar mensaje"), value=screen.show_cta), "set-showcta")
                    self.set_showeyes = tid(ui.switch(self._("Mostrar ojos"), value=screen.show_eyes), "set-showeyes")
                    self.set_showtime = tid(ui.switch(self._("Mostrar reloj"), value=screen.show_time), "set-showtime")
                    self.set_ctamessage = tid(
                        ui.input(
                            "Mensaje",
                            value=screen.cta_message,
                            validation={
                                self._("Máximo {limit} caracteres", limit=CTA_LIMIT): lambda v: (
                                    len(v or "") <= CTA_LIMIT
                                )
                            },
                        )
                        .props(f"counter maxlength={CTA_LIMIT} outlined")
                        .classes("w-full"),
                        "set-ctamessage",
                    )
                    tid(ui.button(self._("Guardar"), icon="save", on_click=self.save_settings), "set-save")
                with tid(ui.column().classes("kiosk-card p-4 items-center gap-1 w-80"), "set-preview"):
                    ui.label(self._("Vista previa")).classes("text-sm text-slate-600")
                    preview_cta = ui.label().classes("text-lg font-bold text-blue-700 text-center")
                    preview_cta.bind_text_from(self.set_ctamessage, "value")
                    preview_cta.bind_visibility_from(self.set_showcta, "value")
                    ui.label("👀").classes("text-4xl").bind_visibility_from(self.set_showeyes, "value")
                    ui.label("12:00").classes("text-3xl font-light").bind_visibility_from(self.set_showtime, "value")

    async def save_settings(self) -> None:
        if not self.authorized():
            return
        text = (self.set_ctamessage.value or "").strip()
        if len(text) > CTA_LIMIT or any(ord(c) < 32 for c in text):
            ui.notify(
                self._("El mensaje debe tener como máximo {limit} caracteres, sin saltos de línea.", limit=CTA_LIMIT),
                type="negative",
            )
            return
        message = m.SaveScreenSettings(bool(self.set_showcta.value), bool(self.set_showeyes.value),
                                       bool(self.set_showtime.value), text)  # fmt: skip
        try:
            await self.kiosk.client.request(message, timeout=10, token=self.token)
        except (EngineUnavailable, EngineTimeout) as exc:
            ui.notify(
                self._(
                    "No se guardó: sin conexión"
                    if isinstance(exc, EngineUnavailable)
                    else "No se guardó: sin respuesta"
                ),
                type="negative",
            )
            await self.audit("screensettings", "failed")
            return
        ui.notify(self._("Pantalla guardada"), type="positive")
        await self.audit(
            "screensettings",
            "saved",
            f"cta={message.show_cta} eyes={message.show_eyes} time={message.show_time} msg={text!r}",
        )

    # ---- products
    def _build_products(self) -> None:
        with ui.card().classes("w-full p-4 gap-2"):
            ui.label(self._("Catálogo de productos")).classes("text-xl font-bold")
            with ui.row().classes("w-full gap-2 items-center"):
                self.product_search = tid(
                    ui.input(self._("Buscar por código o descripción")).props("outlined clearable").classes("grow"),
                    "product-search",
                )
                self.product_search.on("keydown.enter", self.search_products)
                self.product_search.on_value_change(self._search_soon)
                tid(ui.button(self._("Buscar"), icon="search", on_click=self.search_products), "product-search-go")
                tid(
                    ui.button(self._("Nuevo producto"), icon="add", on_click=self.new_product, color="positive"),
                    "product-new",
                )
            self.product_list = tid(ui.column().classes("w-full gap-1"), "product-list")
            self.product_form = tid(ui.card().classes("w-full p-4 gap-2 bg-slate-50"), "product-form")
            with self.product_form:
                self.product_code = tid(ui.input(self._("Código")).props("outlined readonly"), "product-code")
                self.product_desc = tid(ui.input(self._("Descripción")).props("outlined maxlength=120"), "product-desc")
                self.product_udm = tid(
                    ui.select(list(UDM_CHOICES), value="PZA", label=self._("Unidad de medida")).props("outlined"),
                    "product-udm",
                )
                self.product_price = tid(
                    ui.input(self._("Precio")).props('outlined inputmode=decimal prefix="$"'), "product-price"
                )
                with ui.row().classes("items-center gap-2"):
                    tid(
                        ui.upload(
                            label=self._("Imagen (PNG, JPG o WebP, máx. 1 MB)"),
                            auto_upload=True,
                            max_files=1,
                            max_file_size=product_images.MAX_IMAGE_BYTES,
                            on_upload=self._image_uploaded,
                            on_rejected=lambda: self._form_error(self._("La imagen pesa más de 1 MB.")),
                        ).props('accept="image/png,image/jpeg,image/webp"'),
                        "product-image",
                    )
                    self.image_name = ui.label("").classes("text-sm text-slate-600")
                self.product_form_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "product-error")
                with ui.row().classes("gap-2"):
                    tid(
                        ui.button(self._("Guardar"), icon="save", on_click=self.save_product, color="positive"),
                        "product-save",
                    )
                    self.product_delete = tid(
                        ui.button(self._("Eliminar"), icon="delete", on_click=self.ask_delete, color="negative"),
                        "product-delete",
                    )
                    ui.button(
                        self._("Cerrar"), on_click=lambda: self.product_form.set_visibility(False), color="grey-7"
                    )
            self.product_form.set_visibility(False)
        with ui.dialog() as self.delete_dialog, ui.card().classes("p-6 gap-4"):
            self.delete_text = ui.label("").classes("text-lg")
            with ui.row().classes("w-full justify-end gap-2"):
                # the contract's confirmation ids; a browser only renders the open dialog
                tid(
                    ui.button(self._("Cancelar"), on_click=self.delete_dialog.close, color="grey-7"),
                    "confirm-cancel",
                    "delete-cancel",
                )
                tid(
                    ui.button(self._("Eliminar"), on_click=self.delete_product, color="negative"),
                    "confirm-ok",
                    "delete-ok",
                )

    def _search_soon(self) -> None:
        """Search as staff type, once they pause (one engine query per pause, not per key)."""
        if self._search_timer is not None:
            self._search_timer.cancel()
        self._search_timer = asyncio.get_running_loop().call_later(0.35, lambda: spawn(self._search_in_page()))

    async def _search_in_page(self) -> None:
        """A timer runs outside NiceGUI's page context: enter the page's (if it is still open)."""
        self._search_timer = None
        if self.client.is_deleted or self.root.is_deleted:
            return
        with self.root:
            await self.search_products()

    async def search_products(self) -> None:
        if not self.authorized():
            return
        try:
            reply = await self.kiosk.client.request(m.SearchProduct((self.product_search.value or "").strip()),
                                                    timeout=10, token=self.token)  # fmt: skip
        except (EngineUnavailable, EngineTimeout):
            ui.notify(self._("No se pudo buscar: el equipo no responde"), type="negative")
            return
        assert isinstance(reply, m.SearchResults)
        self.product_list.clear()
        with self.product_list:
            if not reply.items:
                ui.label(self._("Sin resultados")).classes("text-slate-600")
            for product in reply.items or ():
                with tid(ui.row().classes("w-full items-center gap-3 no-wrap border-b py-1"), "product-result"):
                    src = self._image_src(product.image)
                    if src:
                        ui.image(src).classes("w-12 h-12 rounded")
                    else:
                        ui.icon("inventory_2").classes("text-4xl text-slate-400")
                    ui.label(product.code).classes("w-40 font-mono text-sm")
                    ui.label(product.description).classes("grow")
                    ui.label(product.udm).classes("w-12")
                    ui.label(money(product.price)).classes("w-24 text-right font-semibold")
                    tid(
                        ui.button(icon="edit", on_click=lambda p=product: self.edit_product(p)).props(
                            f'flat round aria-label="{self._("Editar")}"'
                        ),
                        "product-edit",
                    )

    def _image_src(self, image: str) -> str:
        return product_images.url(self.kapp.config.data_dir, image)

    async def new_product(self) -> None:
        if not self.authorized():
            return
        try:
            reply = await self.kiosk.client.request(m.GetNewProductCode(), timeout=10, token=self.token)
        except (EngineUnavailable, EngineTimeout):
            ui.notify(self._("El equipo no dio un código nuevo"), type="negative")
            return
        assert isinstance(reply, m.NewProductCode)
        self._open_form(Product(reply.code or "", "", None, "PZA", ""), new=True)

    def edit_product(self, product: Product) -> None:
        if not self.authorized():
            return
        self._open_form(product, new=False)

    def _open_form(self, product: Product, new: bool) -> None:
        self.editing = product
        self.pending_image = product.image
        self.product_code.set_value(product.code)
        self.product_desc.set_value(product.description)
        self.product_udm.set_value(product.udm if product.udm in UDM_CHOICES else "PZA")
        self.product_price.set_value("" if product.price is None else f"{product.price:.2f}")
        self.image_name.set_text(product.image[:60])
        self.product_form_error.set_visibility(False)
        self.product_delete.set_visibility(not new)
        self.product_form.set_visibility(True)

    async def _image_uploaded(self, event: Any) -> None:
        if not self.authorized() or self.editing is None:
            return
        file = event.file
        if file.size() > product_images.MAX_IMAGE_BYTES:  # checked before reading it into memory
            self._form_error(self._("La imagen pesa más de 1 MB."))
            return
        data = await file.read()
        ext = product_images.check(data, file.content_type)
        if not ext:
            self._form_error(self._("La imagen debe ser PNG, JPG o WebP."))
            return
        name = f"{product_images.stem(self.editing.code)}{ext}"
        base = product_images.folder(self.kapp.config.data_dir)
        await asyncio.to_thread(base.mkdir, parents=True, exist_ok=True)
        for other in product_images.IMAGE_TYPES.values():  # one image per product, whatever its type
            await asyncio.to_thread((base / f"{product_images.stem(self.editing.code)}{other}").unlink, missing_ok=True)
        await asyncio.to_thread((base / name).write_bytes, data)
        self.pending_image = name
        self.image_name.set_text(name)

    def _form_error(self, text: str) -> None:
        self.product_form_error.set_text(text)
        self.product_form_error.set_visibility(True)

    async def save_product(self) -> None:
        if not self.authorized() or self.editing is None:
            return
        description = (self.product_desc.value or "").strip()
        if not description:
            self._form_error(self._("La descripción es obligatoria."))
            return
        if len(description) > 120:
            self._form_error(self._("La descripción es demasiado larga (máximo 120)."))
            return
        try:
            price = parse_amount((self.product_price.value or "").replace("$", "").replace(",", ""), "precio")
        except ProtocolError:
            price = Decimal(-1)
        if price <= 0 or price != price.quantize(Decimal("0.01")) or price > Decimal("999999"):
            self._form_error(self._("Precio no válido: use un monto como 18.50."))
            return
        udm = self.product_udm.value if self.product_udm.value in UDM_CHOICES else "PZA"
        product = Product(self.editing.code, description, price, udm, self.pending_image)
        try:
            await self.kiosk.client.request(
                m.SaveProduct(product.code, description, udm, price, product.image), timeout=10, token=self.token
            )
        except (EngineUnavailable, EngineTimeout):
            self._form_error(self._("El equipo no confirmó el guardado. Intente de nuevo."))
            await self.audit("product-save", "failed", product.code)
            return
        await self.audit("product-save", "saved", f"{product.code} {description} {price}")
        ui.notify(self._("Producto guardado"), type="positive")
        self.product_form.set_visibility(False)
        self.product_search.set_value(product.code)
        await self.search_products()

    def ask_delete(self) -> None:
        if not self.authorized() or self.editing is None:
            return
        self.delete_text.set_text(self._("¿Eliminar «{name}» ({code})?", name=self.editing.description,
                                         code=self.editing.code))  # fmt: skip
        self.delete_dialog.open()

    async def delete_product(self) -> None:
        if not self.authorized() or self.editing is None:
            return
        self.delete_dialog.close()
        code = self.editing.code
        try:
            await self.kiosk.client.request(m.DeleteProduct(code), timeout=10, token=self.token)
        except (EngineUnavailable, EngineTimeout):
            self._form_error(self._("El equipo no confirmó la eliminación."))
            return
        await self.audit("product-delete", "deleted", code)
        ui.notify(self._("Producto eliminado"), type="positive")
        self.product_form.set_visibility(False)
        await self.search_products()

    # ---- reports and journal
    def _build_reports(self) -> None:
        today = dt.date.today()
        with ui.card().classes("w-full p-4 gap-2"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(self._("Ventas y bitácora")).classes("text-xl font-bold")
            with ui.row().classes("items-end gap-2"):
                self.report_from = tid(
                    ui.input(self._("Desde"), value=(today - dt.timedelta(days=30)).isoformat()).props(
                        "type=date outlined dense"
                    ),
                    "report-from",
                )
                self.report_to = tid(
                    ui.input(self._("Hasta"), value=today.isoformat()).props("type=date outlined dense"), "report-to"
                )
                tid(
                    ui.button(self._("Ver reporte"), icon="query_stats", on_click=self._render_report), "report-refresh"
                )
            self.report_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "report-error")
            self.report_error.set_visibility(False)
            self.report_summary = tid(ui.row().classes("w-full gap-6"), "report-summary")
            self.report_box = tid(ui.column().classes("w-full gap-1"), "sales-report")
            self.sales_chart = tid(
                ui.echart(
                    {
                        "tooltip": {},
                        "legend": {},
                        "xAxis": {"type": "category", "data": []},
                        "yAxis": {"type": "value"},
                        "series": [],
                    }
                ).classes("w-full h-64"),
                "sales-chart",
            )
        with ui.card().classes("w-full p-4 gap-2"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(self._("Bitácora")).classes("text-xl font-bold")
                with ui.row().classes("gap-2"):
                    tid(
                        ui.button(self._("Actualizar"), icon="refresh", on_click=self._render_journal),
                        "journal-refresh",
                    )
                    tid(
                        ui.button(self._("Exportar CSV"), icon="download", on_click=self.export_journal),
                        "journal-export",
                    )
            with ui.row().classes("items-end gap-2"):
                self.j_from = tid(ui.input(self._("Desde")).props("type=date outlined dense clearable"), "journal-from")
                self.j_to = tid(ui.input(self._("Hasta")).props("type=date outlined dense clearable"), "journal-to")
                self.j_kind = tid(
                    ui.select(
                        {"": self._("Todo"), "payment": self._("Pagos"), "staff": self._("Personal")},
                        value="",
                        label=self._("Tipo"),
                    )
                    .props("outlined dense")
                    .classes("min-w-[9rem]"),
                    "journal-kind",
                )
                self.j_outcome = tid(
                    ui.select({"": self._("Todos"), **{o: o for o in OUTCOMES}}, value="", label=self._("Resultado"))
                    .props("outlined dense")
                    .classes("min-w-[9rem]"),
                    "journal-outcome",
                )
                self.j_method = tid(
                    ui.select(
                        {"": self._("Todos"), "cash": self._("Efectivo"), "card": self._("Tarjeta")},
                        value="",
                        label=self._("Forma de pago"),
                    )
                    .props("outlined dense")
                    .classes("min-w-[9rem]"),
                    "journal-method",
                )
                self.j_min = tid(
                    ui.input(self._("Monto mínimo")).props("outlined dense inputmode=decimal").classes("w-28"),
                    "journal-amount-min",
                )
                self.j_max = tid(
                    ui.input(self._("Monto máximo")).props("outlined dense inputmode=decimal").classes("w-28"),
                    "journal-amount-max",
                )
                self.j_search = tid(
                    ui.input(self._("Folio o referencia")).props("outlined dense clearable"), "journal-search"
                )
                self.j_search.on("keydown.enter", self._render_journal)
                tid(ui.button(self._("Buscar"), icon="search", on_click=self._render_journal), "journal-apply")
            self.journal_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "journal-error")
            self.journal_error.set_visibility(False)
            self.journal_box = ui.column().classes("w-full gap-0 max-h-[480px] overflow-auto")
            with ui.row().classes("w-full items-center justify-center gap-4"):
                self.j_newer = tid(
                    ui.button(self._("Más recientes"), icon="chevron_left", on_click=lambda: self._turn_page(-1)),
                    "journal-newer",
                )
                self.j_page_label = tid(ui.label(""), "journal-page")
                self.j_older = tid(
                    ui.button(self._("Más antiguos"), icon="chevron_right", on_click=lambda: self._turn_page(1)),
                    "journal-older",
                )
        self._j_filter = Filter()
        self._j_pages: list[PageCursor | None] = [None]
        self._j_next: PageCursor | None = None
        spawn(self._render_report())
        spawn(self._render_journal())
        self._undo.append(self.kiosk.on_result(self._journal_changed))

    def _journal_changed(self, _result: Any) -> None:
        """A payment ended (the journal already holds it): refresh the newest page and the report."""
        if self.client.is_deleted or self.root.is_deleted or len(self._j_pages) > 1:
            return
        spawn(self._refresh_in_page())

    async def _refresh_in_page(self) -> None:
        with self.root:
            await self._show_page()
            await self._render_report()

    def _journal_filter(self) -> Filter | None:
        """The filter the staff typed, or None (and a message) when some field is not valid."""
        try:
            since = dt.date.fromisoformat(self.j_from.value) if self.j_from.value else None
            until = dt.date.fromisoformat(self.j_to.value) if self.j_to.value else None
        except ValueError:
            self._journal_problem(self._("Fecha no válida: use AAAA-MM-DD."))
            return None
        amounts: list[int | None] = []
        for field in (self.j_min, self.j_max):
            text = str(field.value or "").replace("$", "").replace(",", "").strip()
            try:
                amounts.append(to_cents(text) if text else None)
            except ValueError:
                self._journal_problem(self._("Monto no válido: use un monto como 18.50."))
                return None
        try:
            return Filter(
                since=day_start_iso(since) if since else None,
                until=day_start_iso(until + dt.timedelta(days=1)) if until else None,
                kind=self.j_kind.value or None,
                outcome=self.j_outcome.value or None,
                method=self.j_method.value or None,
                min_cents=amounts[0],
                max_cents=amounts[1],
                search=str(self.j_search.value or "").strip()[:64],
            )
        except ValueError:
            self._journal_problem(self._("Rango no válido: el inicio va antes del fin."))
            return None

    def _journal_problem(self, text: str) -> None:
        self.journal_error.set_text(text)
        self.journal_error.set_visibility(True)
        return None

    async def _render_journal(self) -> None:
        """Apply the filters and show the newest page (the refresh button, search, start)."""
        flt = self._journal_filter()
        if flt is None:
            return
        self._j_filter = flt
        self._j_pages = [None]
        await self._show_page()

    async def _turn_page(self, step: int) -> None:
        if step > 0 and self._j_next is not None:
            self._j_pages.append(self._j_next)
        elif step < 0 and len(self._j_pages) > 1:
            self._j_pages.pop()
        else:
            return
        await self._show_page()

    async def _show_page(self) -> None:
        if not self.session_valid(touch=False):
            return
        try:
            page = await asyncio.to_thread(self.kiosk.journal.page, self._j_filter, self._j_pages[-1], JOURNAL_PAGE)
        except JournalError as exc:
            self._journal_problem(self._("No se pudo leer la bitácora: {error}", error=exc))
            return
        self.journal_error.set_visibility(False)
        self._j_next = page.older
        self.j_newer.set_enabled(len(self._j_pages) > 1)
        self.j_older.set_enabled(page.older is not None)
        self.j_page_label.set_text(self._("Página {page}", page=len(self._j_pages)))
        self.journal_box.clear()
        with self.journal_box:
            if not page.entries:
                tid(
                    ui.label(self._("Nada en la bitácora con estos filtros")).classes("text-slate-600"), "journal-empty"
                )
            for entry in page.entries:
                data = entry.data
                with tid(ui.row().classes("w-full gap-3 border-b py-1 text-sm no-wrap"), "journal-row"):
                    ui.label(_local_time(entry.at)).classes("w-40 font-mono")
                    if entry.kind == "payment":
                        ui.label(self._("Efectivo" if data["method"] == "cash" else "Tarjeta")).classes("w-20")
                        ui.label(money(Decimal(data["due"]))).classes("w-24 text-right")
                        ui.label(data["outcome"]).classes("w-24")
                        ui.label(data["id"][:8]).classes("w-20 font-mono text-slate-600")
                        ui.label(f"{data['reference']} {data['detail'][:80]}".strip()).classes("grow text-slate-600")
                    else:
                        ui.label(self._("Personal")).classes("w-20")
                        ui.label(data["action"]).classes("w-48")
                        ui.label(data["result"]).classes("w-40")
                        ui.label(f"{data['client']} {data['detail'][:60]}").classes("grow text-slate-600")

    async def _render_report(self) -> None:
        if not self.session_valid(touch=False):
            return
        try:
            first = dt.date.fromisoformat(self.report_from.value or "")
            last = dt.date.fromisoformat(self.report_to.value or "")
            if first > last or (last - first).days > 366:
                raise ValueError
        except ValueError:
            self.report_error.set_text(self._("Rango no válido: hasta un año, el inicio antes del fin."))
            self.report_error.set_visibility(True)
            return
        try:
            report = await asyncio.to_thread(self.kiosk.journal.report, first, last)
        except JournalError as exc:
            self.report_error.set_text(self._("No se pudo leer la bitácora: {error}", error=exc))
            self.report_error.set_visibility(True)
            return
        self.report_error.set_visibility(False)
        self.report_summary.clear()
        with self.report_summary:
            for caption, value, test_id in (
                ("Ventas", money(report.total), "report-total"),
                ("Cambio adeudado", money(report.change_owed), "report-owed"),
                ("Cambio entregado después", money(report.change_settled), "report-settled"),
            ):
                with ui.column().classes("gap-0"):
                    ui.label(self._(caption)).classes("text-sm text-slate-600")
                    tid(ui.label(value).classes("text-xl font-semibold"), test_id)
            with ui.column().classes("gap-0"):
                ui.label(self._("Pagos por resultado")).classes("text-sm text-slate-600")
                tid(
                    ui.label(", ".join(f"{o}: {report.outcomes[o]}" for o in OUTCOMES if o in report.outcomes) or "—"),
                    "report-outcomes",
                )
        self.report_box.clear()
        with self.report_box:
            if not report.sales:
                ui.label(self._("Sin ventas registradas")).classes("text-slate-600")
            for (day, method), (count, total) in sorted(report.sales.items(), reverse=True):
                with tid(ui.row().classes("w-full gap-4"), "report-row"):
                    ui.label(day).classes("w-32 font-mono")
                    ui.label(self._("Efectivo" if method == "cash" else "Tarjeta")).classes("w-24")
                    ui.label(self._("{count} ventas", count=count)).classes("w-24")
                    ui.label(money(total)).classes("font-semibold")
        days = [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
        self.sales_chart.options["xAxis"]["data"] = days
        self.sales_chart.options["series"] = [
            {
                "name": self._(name),
                "type": "bar",
                "stack": "sales",
                "data": [str(report.sales.get((day, method), (0, Decimal(0)))[1]) for day in days],
            }
            for method, name in (("cash", "Efectivo"), ("card", "Tarjeta"))
        ]
        self.sales_chart.update()

    async def export_journal(self) -> None:
        """A streamed CSV of what the filters select (everything by default), via a one-use link."""
        if not self.authorized():
            return
        flt = self._journal_filter()
        if flt is None:
            return
        token = export_tickets(self.kapp).issue(flt, self.client.ip)
        await self.audit("journal-export", "started")
        ui.download.from_url(f"{EXPORT_ROUTE}/{token}")

    # ---- tablet pairing
    def _build_tablet(self) -> None:
        config = self.kapp.config
        url = config.public_url or f"http://{lan_address()}:{config.port}/admin"
        with ui.card().classes("w-full p-4 gap-2"):
            ui.label(self._("Conectar una tableta")).classes("text-xl font-bold")
            with tid(ui.row().classes("gap-8"), "tablet-qr"):
                if config.wifi_ssid:
                    with ui.column().classes("items-center"):
                        ui.html(qr_svg(wifi_qr_text(config.wifi_ssid, config.wifi_password)), sanitize=False).classes(
                            "kiosk-qr"
                        )
                        ui.label(self._("1. Unirse a la red «{ssid}»", ssid=config.wifi_ssid))
                with ui.column().classes("items-center"):
                    ui.html(qr_svg(url), sanitize=False).classes("kiosk-qr")
                    ui.label(self._("{step}. Abrir {url}", step=2 if config.wifi_ssid else 1, url=url))

    # ---- alerts (webhooks for the shop owner; issue 14)
    def _build_alerts(self) -> None:
        ops = self.kapp.extras.get("ops")
        if ops is None:
            return
        with ui.card().classes("w-full p-4 gap-2"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(self._("Alertas recientes")).classes("text-xl font-bold")
                tid(ui.button(self._("Enviar alerta de prueba"), icon="notifications", on_click=self.send_test_alert),
                    "alert-test")  # fmt: skip
            self.alerts_box = tid(ui.column().classes("w-full gap-1"), "alerts-list")
        self._undo.append(ops.alerts.on_record(lambda _: self._render_alerts()))
        self._render_alerts()

    def _render_alerts(self) -> None:
        from ...alerts import title

        ops = self.kapp.extras["ops"]
        deliveries = {"pending": "pendiente", "sent": "enviada", "retrying": "reintentando", "failed": "falló",
                      "no webhook": "sin webhook configurado"}  # fmt: skip
        self.alerts_box.clear()
        with self.alerts_box:
            holding = ops.alerts.holding()
            if holding:
                names = ", ".join(title(key, self.lang) for key in holding)
                ui.label(self._("Activas: {alerts}", alerts=names)).classes("kiosk-alert kiosk-alert-bad")
            if not ops.alerts.recent:
                ui.label(self._("Sin alertas")).classes("text-slate-600")
            for record in list(ops.alerts.recent)[:20]:
                with tid(ui.row().classes("w-full gap-3 border-b py-1 text-sm no-wrap"), "alert-row"):
                    ui.label(record.at[:19].replace("T", " ")).classes("w-40 font-mono")
                    status = self._("Resuelta") if record.status == "resolved" else self._("Activa")
                    if record.repeat:
                        status += " " + self._("(recordatorio)")
                    ui.label(status).classes("w-32")
                    ui.label(title(record.key, self.lang)).classes("w-64 font-semibold")
                    ui.label(record.detail[:80]).classes("grow text-slate-600")
                    ui.label(self._(deliveries.get(record.delivery, record.delivery))).classes("w-40")

    async def send_test_alert(self) -> None:
        if not self.authorized():
            return
        ops = self.kapp.extras["ops"]
        await ops.alerts.send_test()
        ui.notify(self._("Alerta de prueba enviada"), type="positive")
        await self.audit("alert-test", "sent")


JOURNAL_PAGE = 50
EXPORT_ROUTE = "/admin/journal-export"


def _local_time(at: str) -> str:
    """A journal time (UTC) as the kiosk's local date and time."""
    try:
        moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return at[:19]
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class ExportTickets:
    """One-use, short-lived links for the streamed CSV: issued to an authorized staff page, redeemed once."""

    TTL = 120.0

    def __init__(self) -> None:
        self._open: dict[str, tuple[float, str | None, Filter]] = {}

    def issue(self, flt: Filter, address: str | None) -> str:
        now = time.monotonic()
        self._open = {k: v for k, v in self._open.items() if v[0] > now}
        token = secrets.token_urlsafe(24)
        self._open[token] = (now + self.TTL, address, flt)
        return token

    def redeem(self, token: str, address: str | None) -> Filter | None:
        entry = self._open.pop(token, None)
        if entry is None or entry[0] < time.monotonic():
            return None
        if entry[1] and address and entry[1] != address:
            return None
        return entry[2]


def export_tickets(kapp: KioskApp) -> ExportTickets:
    tickets = kapp.extras.setdefault("journal_exports", ExportTickets())
    assert isinstance(tickets, ExportTickets)
    return tickets


def _export_stream(kapp: KioskApp, flt: Filter, address: str) -> Iterator[bytes]:
    """The CSV in chunks (run by the server's thread pool), journaled when it ends or is cut short."""
    count = 0

    def counted() -> Iterator[list[str]]:
        nonlocal count
        for batch in kapp.journal.csv_lines(flt, 500):
            count += len(batch)
            yield batch

    result = "failed"
    try:
        yield from csv_chunks(counted(), bom=True)
        result = "ok"
    except GeneratorExit:
        result = "interrupted"
        raise
    finally:
        try:
            kapp.journal.record_action("journal-export", result, client=address, detail=f"{count} rows")
        except JournalError as exc:
            log.error("journal export not journaled: %s", exc)


def _register_export_route(kapp: KioskApp) -> None:
    @app.get(EXPORT_ROUTE + "/{token}", include_in_schema=False)
    def journal_export(token: str, request: Request) -> Response:
        address = request.client.host if request.client else ""
        flt = export_tickets(kapp).redeem(token, address)
        if flt is None:
            return PlainTextResponse("Enlace vencido o ya usado / link expired or used", status_code=404)
        name = f"bitacora-kiosk-{dt.date.today().isoformat()}.csv"
        return StreamingResponse(
            _export_stream(kapp, flt, address),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )


def register(kapp: KioskApp) -> None:
    config = kapp.config
    lockout = Lockout(config.data_dir / "nip-lockout.json", config.nip_max_attempts, config.nip_lockout_minutes * 60)
    sessions = Sessions(config.session_idle_minutes * 60)
    checker = NipChecker(kapp.client, lockout, busy=lambda: kapp.kiosk.busy, on_locked=sessions.end_address)
    services = StaffServices(lockout, sessions, checker)
    kapp.extras["staff"] = services
    images = product_images.folder(config.data_dir)
    images.mkdir(parents=True, exist_ok=True)
    app.add_static_files(product_images.URL_PREFIX, images)
    _register_export_route(kapp)

    @ui.page("/admin", title="Administración · Quickpaymini")
    def admin_page(client: Client) -> None:
        AdminArea(kapp, services, client).build()

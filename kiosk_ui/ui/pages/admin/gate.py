"""The NIP gate: the only thing a browser without a staff session gets (no staff element, no handler)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from ....access import loopback
from ....staff import Caller, NipResult, StaffService
from ...theme import attrs, tid
from .base import StaffText

NIP_MIN, NIP_MAX = 4, 12


class Gate:
    def __init__(self, service: StaffService, caller: Caller, say: StaffText,
                 logged_in: Callable[[str], Awaitable[None]]) -> None:  # fmt: skip
        self.service = service
        self.caller = caller
        self._ = say
        #: called with the new session id once the NIP was right
        self.logged_in = logged_in

    def build(self) -> None:
        _ = self._
        with ui.card().classes("admin-gate self-center p-8 gap-4 w-full max-w-md items-stretch"):
            ui.html(_("Acceso de personal"), tag="h1").classes("admin-h1 text-center")
            self.nip = tid(attrs(ui.input(_("Ingrese su NIP"), password=True).props(
                'inputmode=numeric autocomplete=off outlined input-class="text-3xl text-center tracking-widest"'),
                {"maxlength": str(NIP_MAX)}), "nip-input")  # fmt: skip
            self.nip.on("keydown.enter", self.submit)
            with attrs(ui.grid(columns=3).classes("gap-2"), {"role": "group", "aria-label": _("Teclado del NIP")}):
                for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"):
                    if key == "ok":
                        button = ui.button(_("Entrar"), on_click=self.submit, color="primary")
                        tid(button, "nip-submit").classes("kiosk-key text-lg")
                    elif key == "del":
                        button = ui.button("⌫", on_click=lambda: self.nip.set_value((self.nip.value or "")[:-1]),
                                           color="grey-8")  # fmt: skip
                        attrs(tid(button, "nip-key-del").classes("kiosk-key"), {"aria-label": _("Borrar")})
                    else:
                        button = ui.button(key, on_click=lambda k=key: self.nip.set_value((self.nip.value or "") + k),
                                           color="white")  # fmt: skip
                        tid(button, f"nip-key-{key}").classes("kiosk-key text-slate-900").props("outline")
            self.error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad").props('role="alert"'), "nip-error")
            self.locked = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad").props('role="alert"'), "nip-locked")
            self.error.set_visibility(False)
            self.locked.set_visibility(False)
            ui.link(_("← Pantalla del cliente"), "/").classes("text-center admin-link")
        self.show_lock_if_any()

    def show_lock_if_any(self) -> bool:
        left = self.service.lockout.seconds_left(self.caller.address, loopback=loopback(self.caller.address))
        if left:
            minutes, seconds = divmod(left, 60)
            self.locked.set_text(self._("Demasiados intentos. Intente de nuevo en {minutes} min {seconds} s.",
                                        minutes=minutes, seconds=f"{seconds:02d}"))  # fmt: skip
            self.locked.set_visibility(True)
            self.error.set_visibility(False)
        return bool(left)

    def _show_error(self, text: str) -> None:
        self.error.set_text(text)
        self.error.set_visibility(True)

    async def submit(self) -> None:
        nip = (self.nip.value or "").strip()
        self.nip.set_value("")
        if self.show_lock_if_any():
            await self.service.audit(self.caller, "login", "refused: locked out")
            return
        if not nip.isdigit() or not NIP_MIN <= len(nip) <= NIP_MAX:
            self._show_error(self._("El NIP son de 4 a 12 dígitos."))
            return
        result = await self.service.nip.check(nip, self.caller.address, loopback=loopback(self.caller.address))
        await self.result(result)

    async def result(self, result: NipResult) -> None:
        service, caller = self.service, self.caller
        if result.outcome == "ok":
            sid = service.sessions.login(result.token, caller.address)
            await service.audit(Caller(sid, caller.address), "login", "ok")
            await self.logged_in(sid)
            return
        if result.outcome == "locked":
            self.show_lock_if_any()
            await service.audit(caller, "login", "refused: locked out")
            return
        if result.outcome in ("busy", "offline"):
            text = ("Hay otra verificación de NIP o un cobro en curso. Intente en un momento."
                    if result.outcome == "busy" else "El equipo no está conectado; no se envió el NIP.")  # fmt: skip
            self._show_error(self._(text))
            return
        await service.audit(caller, "login", "failed" if result.outcome == "wrong" else "failed: no answer (counted)")
        if result.locked_now:
            await service.audit(caller, "lockout", "locked", f"{result.seconds_left} s")  # its sessions ended
        if self.show_lock_if_any():
            return
        if result.outcome == "no-answer":
            self._show_error(self._("No hay respuesta del equipo; no se pudo validar el NIP. Intente de nuevo."))
        else:
            self._show_error(self._("NIP incorrecto. Intentos restantes: {attempts}.", attempts=result.attempts_left))

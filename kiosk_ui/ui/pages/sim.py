"""``/sim`` (demo mode only): put money in, decide card payments, switch faults."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from nicegui import Client, app, ui

from ...config import Config
from ...simulator import BILLS, COINS, SimEngine
from ..i18n import money, t
from ..theme import demo_mark, head, tid

FAULTS = (
    ("bill_jam", "Atasco de billete (bvError)"),
    ("coin_error", "Error del monedero (caError)"),
    ("card_unavailable", "Terminal de tarjeta no disponible"),
    ("junk_frames", "Mensajes basura"),
    ("refuse_connections", "Rechazar conexiones"),
)


def register(engine: SimEngine, config: Config, kick: Callable[[], None]) -> None:
    """``/sim`` for ``engine``; ``kick()`` makes its server send what the engine queued at once."""

    @ui.page("/sim", title="Simulador Quickpaymini")
    def sim_page(client: Client) -> None:
        head()
        demo_mark(True)
        lang = str(app.storage.user.get("staff_lang", config.language))

        def _(text: str, **values: object) -> str:
            return t(text, lang, **values)

        def toggle_language() -> None:
            app.storage.user["staff_lang"] = "en" if lang == "es" else "es"
            ui.navigate.reload()

        def act(_: object = None) -> None:
            """After a control action: flush the engine's answers to its clients now."""
            kick()

        def fault(name: str, value: bool | float) -> None:
            engine.set_fault(name, value)
            act()

        def restart() -> None:
            engine.power_off(engine.restart_delay)
            act()

        def insert(value: Decimal, kind: str) -> None:
            if not engine.insert(value, kind):
                ui.notify(_("El equipo no aceptó el dinero (no hay cobro en efectivo o hay una falla)"), type="warning")
            act(None)

        with ui.column().classes("p-6 gap-4 max-w-5xl mx-auto"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(_("Simulador del motor Quickpaymini")).classes("text-3xl font-bold")
                tid(ui.button(_("English"), on_click=toggle_language, color="grey-8"), "staff-lang")
            status = tid(ui.label(""), "sim-status").classes("text-xl")
            ui.label(_("Monedas")).classes("text-xl font-bold")
            with ui.row().classes("gap-2"):
                for coin in COINS:
                    tid(
                        ui.button(money(coin), on_click=lambda c=coin: insert(c, "coin"), color="amber-8"),
                        f"sim-coin-{coin:g}",
                    ).classes("min-h-[56px] text-lg")
            ui.label(_("Billetes")).classes("text-xl font-bold")
            with ui.row().classes("gap-2"):
                for bill in BILLS:
                    tid(
                        ui.button(money(bill), on_click=lambda b=bill: insert(b, "bill"), color="green-8"),
                        f"sim-bill-{bill:g}",
                    ).classes("min-h-[56px] text-lg")
            ui.label(_("Tarjeta")).classes("text-xl font-bold")
            with ui.row().classes("gap-2 items-center"):
                tid(
                    ui.button(_("Aprobar"), on_click=lambda: act(engine.approve_card()), color="positive"),
                    "sim-card-approve",
                )
                tid(
                    ui.button(
                        _("Declinar"),
                        on_click=lambda: act(engine.decline_card("Fondos insuficientes")),
                        color="negative",
                    ),
                    "sim-card-decline",
                )
                mode = tid(
                    ui.select(
                        {"manual": _("Decidir aquí"), "approve": _("Aprobar solo"), "decline": _("Declinar solo")},
                        value=engine.card_mode,
                        label=_("Modo"),
                    ),
                    "sim-card-mode",
                )
                mode.on_value_change(lambda e: setattr(engine, "card_mode", e.value))
            ui.label(_("Fallas")).classes("text-xl font-bold")
            with ui.row().classes("gap-4"):
                for name, label in FAULTS:
                    switch = tid(ui.switch(_(label), value=getattr(engine.faults, name)), f"sim-fault-{name}")
                    switch.on_value_change(lambda e, n=name: fault(n, e.value))
                slow = tid(
                    ui.number(_("Respuestas lentas (s)"), value=engine.faults.slow_replies, min=0, max=30).classes(
                        "w-44"
                    ),
                    "sim-fault-slow",
                )
                slow.on_value_change(lambda e: fault("slow_replies", float(e.value or 0)))
            with ui.row().classes("gap-2"):
                code = tid(ui.input(_("Código de producto (escáner del equipo)")).classes("w-96"), "sim-scan-code")
                tid(ui.button(_("Escanear"), on_click=lambda: act(engine.push_product(code.value or ""))), "sim-scan")
                tid(
                    ui.button(_("Reiniciar motor"), on_click=restart, color="grey-8"),
                    "sim-restart",
                )

        def refresh() -> None:
            snap = engine.snapshot()
            payment = engine.payment
            if snap["off"]:
                state = _("APAGADO")
            elif payment:
                state = _("Cobrando {method}: {due} / ingresado {credit}", method=payment.method,
                          due=money(payment.due), credit=money(payment.credit))  # fmt: skip
            else:
                state = _("En espera")
            tubes = ", ".join(f"{money(v)}×{n}" for v, n in engine.tubes.items())
            status.set_text(_("Clientes: {clients} · {state} · Tubos: {tubes}", clients=snap["clients"], state=state,
                              tubes=tubes))  # fmt: skip

        refresh()
        engine.listeners.append(refresh)
        client.on_delete(lambda: engine.listeners.remove(refresh) if refresh in engine.listeners else None)

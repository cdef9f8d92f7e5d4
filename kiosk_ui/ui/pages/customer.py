"""The customer screen at ``/``: idle → sale → payment → result.

One :class:`CustomerScreen` per browser tab. The payment and its outcome come from the
shared :class:`~kiosk_ui.kiosk.Kiosk` (so a reload or a second screen mid-payment shows the
payment live); the sale being keyed in belongs to the tab. Engine events are pushed to the
tab through the kiosk's listeners; nothing polls.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from nicegui import Client, ui

from ... import product_images
from ...amount_entry import AmountEntry
from ...config import Config
from ...engine import EngineUnavailable
from ...kiosk import Kiosk, PaymentRefused, PaymentResult
from ...protocol import Message
from ...protocol import messages as m
from ...state import KioskState
from ...tasks import spawn
from ..components.eyes import eyes
from ..components.live import LiveLabel, push_live
from ..components.receipt import qr_svg, receipt_text
from ..i18n import money, spoken_money, status_text, t
from ..theme import demo_mark, head, offline_banner, tid

log = logging.getLogger(__name__)

Phase = Literal["idle", "sale", "payment", "result"]


@dataclass
class CartItem:
    code: str
    description: str
    price: Decimal
    udm: str
    quantity: int = 1
    #: a picture uploaded for this code in the staff catalog, as a URL ('' when none)
    image: str = ""

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity


class ScanRouter:
    """Where a ``productinfo`` goes. A reply to a screen's own scan (keyboard wedge) goes back to
    that screen only; one nobody asked for (the engine's own scanner) goes to the kiosk's own
    screen only: the first connected screen open on the kiosk PC, else the first connected one."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.screens: list[CustomerScreen] = []
        kiosk.on_message(self._on_message)

    def add(self, screen: CustomerScreen) -> Callable[[], None]:
        self.screens.append(screen)
        return lambda: self.screens.remove(screen) if screen in self.screens else None

    def target(self, code: str) -> CustomerScreen | None:
        asked = [screen for screen in self.screens if code in screen.pending_scans]
        if asked:
            return asked[0]
        # a closed tab lingers until NiceGUI deletes its client: prefer screens still connected
        live = [screen for screen in self.screens if screen.connected] or self.screens
        local = [screen for screen in live if screen.is_local]
        candidates = local or live
        return candidates[0] if candidates else None

    def _on_message(self, message: Message) -> None:
        if isinstance(message, m.ProductInfo) and message.code:
            screen = self.target(message.code)
            if screen is not None:
                screen._on_product(message)


class CustomerScreen:
    def __init__(self, kiosk: Kiosk, config: Config, client: Client, scans: ScanRouter | None = None) -> None:
        self.kiosk = kiosk
        self.scans = scans or ScanRouter(kiosk)
        self.config = config
        self.client = client
        self.lang = config.language
        self.voice = config.voice
        self.phase: Phase = "idle"
        self.entry = AmountEntry(config.max_amount)
        self.cart: list[CartItem] = []
        self.result: PaymentResult | None = None
        self.shown_credit = Decimal(0)
        self.pending_scans: dict[str, asyncio.TimerHandle] = {}
        self._texts: list[tuple[ui.label | ui.button, str]] = []
        self._sale_timer: asyncio.TimerHandle | None = None
        self._expire_timer: asyncio.TimerHandle | None = None
        self._result_timer: asyncio.TimerHandle | None = None
        self._starting = False
        #: the payment the open cancel question is about (None: no question open)
        self._cancel_for: str | None = None

    # ------------------------------------------------------------------ building
    def _label(self, key: str, classes: str = "") -> ui.label:
        label = ui.label(t(key, self.lang)).classes(classes)
        self._texts.append((label, key))
        return label

    def _button(self, key: str, test_id: str, on_click: Any, classes: str = "kiosk-big-btn",
                color: str = "primary") -> ui.button:  # fmt: skip
        button = tid(ui.button(t(key, self.lang), on_click=on_click, color=color).classes(classes), test_id)
        self._texts.append((button, key))
        return button

    def build(self) -> None:
        head()
        options = {"sounds": self.config.sounds, "voice": self.voice, "lang": self.lang}
        ui.run_javascript(f"window.kioskConfigure({json.dumps(options)})")
        demo_mark(self.config.demo)
        self.banner = offline_banner(lambda: self.lang)
        self._texts.append((self.banner, "engine_offline"))
        with ui.column().classes("kiosk-root items-center justify-center gap-6 p-6"):
            self._build_idle()
            self._build_sale()
            self._build_payment()
            self._build_result()
        with ui.row().classes("fixed top-3 right-3 gap-2").style("z-index: 5000"):
            self.voice_button = tid(
                ui.button(icon="record_voice_over", on_click=self.toggle_voice)
                .props("round size=lg")
                .classes("min-w-[56px] min-h-[56px]"),
                "voice-toggle",
            )
            self.lang_button = self._button("switch_language", "lang-toggle", self.toggle_language,
                                            classes="min-h-[56px]", color="grey-8")  # fmt: skip
        self._build_dialogs()
        ui.on("kiosk_scan", lambda e: self.scan(str(e.args)))
        self._update_voice_button()
        unsubscribe = [
            self.kiosk.on_change(self.on_state),
            self.kiosk.on_result(self.on_result),
            self.scans.add(self),
        ]

        def cleanup() -> None:
            for undo in unsubscribe:
                undo()
            self._cancel_timers()

        self.client.on_delete(cleanup)
        self.phase = "payment" if self.kiosk.busy else "idle"
        self.render()

    def _build_idle(self) -> None:
        self.idle = tid(ui.column().classes("w-full items-center gap-8 cursor-pointer"), "screen-idle")
        self.idle.on("click", self.start_sale)
        with self.idle:
            self.eyes = tid(eyes(), "eyes")
            self.cta = tid(ui.label("").classes("kiosk-cta"), "cta-message")
            self.clock_box = tid(ui.column().classes("items-center gap-1"), "clock")
            with self.clock_box:
                ui.label("").classes("kiosk-clock").props("data-kiosk-clock")
                ui.label("").classes("kiosk-date").props("data-kiosk-date")
            self._button("touch_to_start", "start", self.start_sale, classes="kiosk-big-btn text-2xl")

    def _build_sale(self) -> None:
        self.sale = tid(ui.column().classes("w-full max-w-6xl items-stretch gap-3"), "screen-sale")
        with self.sale:
            self.sale_title = ui.label("").classes("text-3xl font-bold text-center pr-40")
            with ui.row().classes("kiosk-sale-grid w-full gap-6 items-stretch justify-center no-wrap"):
                self.keypad_card = ui.column().classes("kiosk-card p-5 items-center gap-2")
                with self.keypad_card:
                    self._label("amount", "kiosk-caption")
                    self.amount_display = tid(ui.label(money(Decimal(0))).classes("kiosk-amount"), "amount-display")
                    with ui.grid(columns=3).classes("gap-3"):
                        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "0", "del"):
                            test_id = {"del": "key-del", ".": "key-dot"}.get(key, f"key-{key}")
                            text = "⌫" if key == "del" else key
                            button = ui.button(text, on_click=lambda k=key: self.press(k), color="white")
                            button.classes("kiosk-key text-slate-900").props("unelevated outline")
                            if key == "del":
                                button.props('aria-label="Borrar"')
                            tid(button, test_id)
                with ui.column().classes("grow gap-3 min-w-[320px]"):
                    self.cart_card = ui.column().classes("kiosk-card p-5 gap-2 w-full grow")
                    with self.cart_card:
                        self._label("cart", "kiosk-caption")
                        self.cart_list = ui.column().classes("w-full gap-1 max-h-[34vh] overflow-auto")
                        with ui.row().classes("w-full justify-between items-center"):
                            self._label("cart_total", "kiosk-caption")
                            total = ui.label(money(Decimal(0))).classes("text-2xl font-bold")
                            self.cart_total = tid(total, "cart-total")
                    self.hint = tid(ui.label("").classes("kiosk-hint"), "sale-hint")
                    self.hint.props('aria-live="polite"')
                    self.low_change = tid(ui.label("").classes("kiosk-alert"), "low-change")
                    self._texts.append((self.low_change, "low_change"))
                    self.sale_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "sale-error")
                    with ui.row().classes("w-full justify-between items-center kiosk-card px-5 py-3"):
                        self._label("total_to_pay", "kiosk-caption text-2xl")
                        self.sale_total = tid(ui.label(money(Decimal(0))).classes("kiosk-figure"), "sale-total")
                    with ui.row().classes("w-full gap-3 no-wrap"):
                        self.pay_cash = self._button(
                            "pay_cash",
                            "pay-cash",
                            lambda: self.pay("cash"),
                            classes="kiosk-big-btn grow",
                            color="positive",
                        )
                        self.pay_card = self._button(
                            "pay_card",
                            "pay-card",
                            lambda: self.pay("card"),
                            classes="kiosk-big-btn grow",
                            color="indigo-9",
                        )
                    self._button("back", "sale-back", self.back_to_idle, classes="kiosk-big-btn", color="grey-8")

    def _build_payment(self) -> None:
        self.payment = tid(ui.column().classes("w-full max-w-4xl items-center gap-6"), "screen-payment")
        with self.payment:
            self.pay_title = ui.label("").classes("kiosk-title")
            self.pay_note = ui.label("").classes("kiosk-caption")
            with ui.row().classes("w-full justify-center gap-6"):
                self.pay_due = self._figure("due", "pay-due", "")
                self.pay_credit = self._figure("inserted", "pay-credit", "kiosk-ok")
                self.pay_remaining = self._figure("remaining", "pay-remaining", "")
            self.accepted = self._label("accepted", "kiosk-caption text-center")
            self.pay_low_change = tid(ui.label("").classes("kiosk-alert"), "pay-low-change")
            self._texts.append((self.pay_low_change, "low_change"))
            self.device_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "device-error")
            self.cancel_button = self._button("cancel", "cancel", self.ask_cancel, color="negative")

    def _figure(self, caption: str, test_id: str, classes: str) -> LiveLabel:
        with ui.column().classes("kiosk-card p-6 items-center min-w-[240px]"):
            self._label(caption, "kiosk-caption")
            return tid(LiveLabel(money(Decimal(0))).classes(f"kiosk-figure {classes}"), test_id)

    def _build_result(self) -> None:
        self.result_box = tid(ui.column().classes("w-full max-w-4xl items-center gap-4"), "screen-result")
        with self.result_box:
            self.result_icon = ui.icon("check_circle").classes("text-8xl")
            self.result_success = tid(ui.label("").classes("kiosk-title kiosk-ok"), "result-success")
            self.result_cancelled = tid(ui.label("").classes("kiosk-title"), "result-cancelled")
            self.result_declined = tid(ui.label("").classes("kiosk-title kiosk-bad"), "result-declined")
            self.result_error = tid(ui.label("").classes("kiosk-title kiosk-bad"), "result-error")
            self.result_reason = tid(ui.label("").classes("kiosk-caption text-center"), "result-reason")
            self.result_change = tid(ui.label("").classes("kiosk-figure"), "result-change")
            self.result_shortfall = tid(ui.label("").classes("kiosk-figure kiosk-bad"), "result-shortfall")
            self.shortfall_help = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad max-w-2xl"), "shortfall-help")
            self.result_reference = tid(ui.label("").classes("kiosk-caption"), "result-reference")
            with ui.column().classes("items-center gap-1"):
                self.receipt_qr = tid(
                    ui.html("", sanitize=False).classes("kiosk-qr bg-white p-2 rounded-xl"), "receipt-qr"
                )
                self.receipt_hint = self._label("receipt_hint", "kiosk-caption")
            self._button("done", "result-done", self.back_to_idle)

    def _build_dialogs(self) -> None:
        with (
            ui.dialog().props("persistent") as self.cancel_dialog,
            tid(ui.card().classes("p-6 gap-4"), "cancel-dialog"),
        ):
            self._label("cancel_confirm_title", "kiosk-title")
            self.cancel_text = ui.label("").classes("text-xl")
            with ui.row().classes("gap-4 justify-end w-full"):
                self._button("cancel_no", "confirm-cancel", self._close_cancel_dialog, color="grey-7")
                self._button("cancel_yes", "confirm-ok", self.confirm_cancel, color="negative")
        with (
            ui.dialog().props("persistent") as self.timeout_dialog,
            tid(ui.card().classes("p-6 gap-4"), "timeout-warning"),
        ):
            self._label("timeout_title", "kiosk-title")
            self.timeout_text = ui.label("").classes("text-xl")
            self._button("timeout_continue", "timeout-continue", self.keep_sale)

    # ------------------------------------------------------------------ rendering
    def render(self) -> None:
        """Make every element say what the state and the phase say. Cheap: unchanged values send nothing."""
        state = self.kiosk.state
        lang = self.lang
        self.banner.set_visibility(not state.online)
        for phase, box in (("idle", self.idle), ("sale", self.sale), ("payment", self.payment),
                           ("result", self.result_box)):  # fmt: skip
            box.set_visibility(self.phase == phase)
        screen = state.screen
        self.cta.set_text(screen.cta_message or t("default_cta", lang))
        self.cta.set_visibility(screen.show_cta)
        self.eyes.set_visibility(screen.show_eyes)
        self.clock_box.set_visibility(screen.show_time)
        if self.phase == "sale":
            self._render_sale(state)
        elif self.phase == "payment":
            self._render_payment(state)

    def _sale_total(self) -> Decimal:
        return self.entry.value + sum((item.total for item in self.cart), Decimal(0))

    def _render_sale(self, state: KioskState) -> None:
        lang = self.lang
        self.keypad_card.set_visibility(self.config.keypad)
        self.cart_card.set_visibility(self.config.cart)
        self.sale_title.set_text(t("sale_title_cart" if self.config.cart else "sale_title", lang))
        self.amount_display.set_text(money(self.entry.value))
        self.cart_total.set_text(money(sum((i.total for i in self.cart), Decimal(0))))
        total = self._sale_total()
        self.sale_total.set_text(money(total))
        reason = self.kiosk.can_pay()
        can_pay = not reason and total > 0 and not self._starting
        cash_off = bool(state.bv_error and state.ca_error)  # neither bills nor coins can be taken
        self.pay_cash.set_enabled(can_pay and not cash_off)
        reason = reason or ("err_cash_unavailable" if cash_off else "")
        card_ok = can_pay and state.card_available
        self.pay_card.set_enabled(card_ok)
        self.pay_card.set_visibility(state.card_available or not state.online)
        level = state.change_level
        self.low_change.set_visibility(level is not None and level.is_low)
        self.sale_error.set_text(t(reason, lang) if reason and reason != "err_offline" else "")
        self.sale_error.set_visibility(bool(reason) and reason != "err_offline")

    def _render_payment(self, state: KioskState) -> None:
        lang = self.lang
        payment = self.kiosk.payment
        if payment is None and not state.charging:
            # ended: the outcome is on its way from the journal; keep the last figures
            self.pay_note.set_text(t("ending_payment", lang))
            self.cancel_button.set_enabled(False)
            return
        method = payment.method if payment else ("card" if state.payment_method == "tarjeta" else "cash")
        due = payment.due if payment else state.due
        # the payment's own credit: an idle engine may still report the previous sale's Credit
        credit = payment.credit if payment else state.credit
        if method == "card":
            credit = Decimal(0)
        self.pay_title.set_text(t("pay_title_card" if method == "card" else "pay_title_cash", lang))
        starting = payment is not None and payment.phase == "starting"
        abandoning = payment is not None and payment.phase == "abandoning"
        note = "no_ack_cancelling" if abandoning else "starting_payment" if starting else ""
        self.pay_note.set_text(t(note, lang) if note else "")
        push_live(self.client, [
            ("pay-due", self.pay_due, money(due)),
            ("pay-credit", self.pay_credit, money(credit)),
            ("pay-remaining", self.pay_remaining, money(max(due - credit, Decimal(0)))),
        ])  # fmt: skip
        self.accepted.set_visibility(method == "cash")
        level = state.change_level
        self.pay_low_change.set_visibility(method == "cash" and level is not None and level.is_low)
        errors = [t("bv_error", lang)] if state.bv_error else []
        errors += [t("ca_error", lang)] if state.ca_error else []
        self.device_error.set_text(" ".join(errors))
        self.device_error.set_visibility(bool(errors) and method == "cash")
        self.cancel_button.set_enabled(state.online)  # ask_cancel refuses once nothing can be cancelled
        if credit > self.shown_credit:
            self.sound("coin")
        self.shown_credit = credit

    def _render_result(self) -> None:
        result = self.result
        if result is None:
            return
        lang = self.lang
        outcome = result.outcome
        kinds = {"completed": "success", "cancelled": "cancelled", "declined": "declined"}
        kind = kinds.get(outcome, "error")
        for name in ("success", "cancelled", "declined", "error"):
            getattr(self, f"result_{name}").set_visibility(name == kind)
        self.result_success.set_text(t("result_success", lang))
        self.result_cancelled.set_text(t("result_cancelled", lang))
        self.result_declined.set_text(t("result_declined", lang))
        error_key = {"unknown": "result_unknown", "failed": "result_error"}.get(outcome, "result_error")
        self.result_error.set_text(t(error_key, lang))
        icon, color = {
            "success": ("check_circle", "text-green-700"),
            "cancelled": ("undo", "text-slate-600"),
            "declined": ("credit_card_off", "text-red-700"),
        }.get(kind, ("error", "text-red-700"))
        self.result_icon.props(f'name="{icon}"').classes(replace=f"text-8xl {color}")
        reason = ""
        if outcome == "declined":
            reason = status_text(result.reason, lang)
        elif outcome == "failed":
            reason = t("err_no_ack" if "acknowledg" in result.reason else "err_failed", lang)
        self.result_reason.set_text(reason)
        self.result_reason.set_visibility(bool(reason))
        show_change = result.method == "cash" and outcome in ("completed", "cancelled") and result.change_owed > 0
        change_key = "returned" if outcome == "cancelled" else "change_paid"
        self.result_change.set_text(t(change_key, lang, amount=money(result.change_paid)))
        self.result_change.set_visibility(show_change)
        self.result_shortfall.set_text(t("shortfall", lang, amount=money(result.shortfall)))
        self.result_shortfall.set_visibility(result.shortfall > 0)
        self.shortfall_help.set_text(t("shortfall_help", lang))
        self.shortfall_help.set_visibility(result.shortfall > 0)
        self.result_reference.set_text(t("card_reference", lang, ref=result.reference) if result.reference else "")
        self.result_reference.set_visibility(bool(result.reference))
        has_receipt = outcome in ("completed", "cancelled", "unknown") or result.shortfall > 0
        self.receipt_qr.set_content(qr_svg(receipt_text(result, self.config.currency)) if has_receipt else "")
        self.receipt_qr.set_visibility(has_receipt)
        self.receipt_hint.set_visibility(has_receipt)

    def _apply_language(self) -> None:
        for element, key in self._texts:
            element.set_text(t(key, self.lang))
        ui.run_javascript(f"window.kioskConfigure({{lang: {json.dumps(self.lang)}}}); window.kioskTickClock()")
        self.render()
        self._render_result()

    # ------------------------------------------------------------------ engine events
    def on_state(self, state: KioskState) -> None:
        payment = self.kiosk.payment
        if self._cancel_for is not None and (payment is None or payment.id != self._cancel_for):
            self._close_cancel_dialog()  # the payment it asked about has ended
        if self.kiosk.busy and self.phase != "payment":
            self._go("payment")
            return
        self.render()

    def on_result(self, result: PaymentResult) -> None:
        if self._cancel_for == result.id:
            self._close_cancel_dialog()
        # a payment this screen started may end before the coalesced state notice switched it over
        if self.phase != "payment" and not (self._starting and self.phase == "sale"):
            return
        self.result = result
        self._go("result")
        self._announce(result)

    @property
    def connected(self) -> bool:
        return self.client.has_socket_connection

    @property
    def is_local(self) -> bool:
        """This screen runs on the kiosk PC itself (its own Chrome), not on another device."""
        try:
            return self.client.ip in ("127.0.0.1", "::1", "localhost", "testclient")
        except RuntimeError:
            return False

    # ------------------------------------------------------------------ phases
    def _go(self, phase: Phase) -> None:
        previous, self.phase = self.phase, phase
        self._cancel_timers()
        if phase == "sale":
            self._arm_sale_timer()
        if phase == "payment" and previous != "payment":
            self.shown_credit = Decimal(0)
            payment = self.kiosk.payment
            if payment is not None:
                self.say(t("say_card" if payment.method == "card" else "say_insert", self.lang))
        if phase == "result":
            self._render_result()
            loop = asyncio.get_running_loop()
            self._result_timer = loop.call_later(self.config.result_seconds, self._result_expired)
        if phase in ("idle", "result"):
            self.entry.clear()
            self.cart.clear()
            self._render_cart()
            self.hint.set_text("")
        self.render()

    def start_sale(self) -> None:
        if self.phase == "idle" and not self.kiosk.busy:
            self.sound("touch")
            self._go("sale")
            spawn(self.kiosk.probe_journal())

    def back_to_idle(self) -> None:
        if self.phase in ("sale", "result"):
            self.sound("touch")
            self.result = None
            self._go("idle")

    def _result_expired(self) -> None:
        if self.phase == "result":
            self.result = None
            self._go("idle")

    # ------------------------------------------------------------------ sale
    def press(self, key: str) -> None:
        if self.phase != "sale":
            return
        self.sound("touch")
        self._arm_sale_timer()
        hint = self.entry.press(key)
        self.hint.set_text("" if hint is None else t(hint, self.lang, max=money(self.config.max_amount)))
        self.render()

    def scan(self, code: str) -> None:
        """A keyboard-wedge scanner typed ``code`` then Enter."""
        code = code.strip()[:64]
        if not code or self.phase not in ("idle", "sale") or not self.config.cart:
            return
        spawn(self._lookup(code))

    async def _lookup(self, code: str) -> None:
        try:
            await self.kiosk.send(m.GetProduct(code))
        except EngineUnavailable:
            self._hint("err_offline")
            return
        loop = asyncio.get_running_loop()
        if code in self.pending_scans:
            self.pending_scans[code].cancel()
        self.pending_scans[code] = loop.call_later(4.0, lambda: self._scan_unanswered(code))

    def _scan_unanswered(self, code: str) -> None:
        if self.pending_scans.pop(code, None) is not None:
            self._hint("product_not_found", code=code)

    def _on_product(self, info: m.ProductInfo) -> None:
        code = info.code or ""
        timer = self.pending_scans.pop(code, None)
        if timer:
            timer.cancel()
        if self.phase not in ("idle", "sale") or not self.config.cart:
            return
        if not info.description or info.price is None or info.price <= 0:
            self._hint("product_not_found", code=code)
            return
        if self.phase == "idle":
            self._go("sale")
        for item in self.cart:
            if item.code == code:
                item.quantity += 1
                break
        else:
            image = product_images.find(self.config.data_dir, code)
            src = product_images.url(self.config.data_dir, image) if image else ""
            self.cart.append(CartItem(code, info.description, info.price, info.udm or "PZA", image=src))
        if self._sale_total() > self.config.max_amount:
            self._remove(code)
            self._hint("hint_max_amount", max=money(self.config.max_amount))
            return
        self.sound("touch")
        self._hint("product_added", name=info.description)
        self._arm_sale_timer()
        self._render_cart()
        self.render()

    def _remove(self, code: str) -> None:
        for item in self.cart:
            if item.code == code:
                item.quantity -= 1
                if item.quantity <= 0:
                    self.cart.remove(item)
                break
        self._render_cart()
        self.render()

    def _render_cart(self) -> None:
        self.cart_list.clear()
        with self.cart_list:
            if not self.cart:
                ui.label(t("cart_empty", self.lang)).classes("kiosk-caption")
            for item in self.cart:
                with tid(ui.row().classes("kiosk-cart-row w-full items-center justify-between no-wrap"), "cart-item"):
                    if item.image:
                        tid(ui.image(item.image).classes("w-12 h-12 rounded").props('alt=""'), "cart-image")
                    ui.label(f"{item.quantity} × {item.description}").classes("grow")
                    ui.label(money(item.total)).classes("font-bold")
                    tid(
                        ui.button(
                            icon="remove_circle", on_click=lambda c=item.code: self._remove(c), color="negative"
                        ).props(f'flat round size=lg aria-label="{t("remove", self.lang)}"'),
                        "cart-remove",
                    )

    def _hint(self, key: str, **values: object) -> None:
        self.hint.set_text(t(key, self.lang, **values))

    async def pay(self, method: Literal["cash", "card"]) -> None:
        if self.phase != "sale" or self._starting:
            return
        total = self._sale_total()
        if total <= 0:
            self._hint("hint_enter_amount")
            return
        self.sound("touch")
        items = [{"code": i.code, "description": i.description, "price": str(i.price), "qty": i.quantity}
                 for i in self.cart]  # fmt: skip
        if self.entry.value > 0:
            items.append({"code": "", "description": "monto", "price": str(self.entry.value), "qty": 1})
        self._starting = True
        self.render()
        try:
            result = await self.kiosk.start_payment(method, total, items)
        except PaymentRefused as exc:
            self._starting = False
            self._hint(exc.reason)
            self.sound("error")
            self.render()
            return
        self._starting = False
        if result is not None and self.phase != "result":  # never acknowledged
            self.result = result
            self._go("result")
            self.sound("error")
        elif result is None and self.phase == "sale" and self.kiosk.payment is not None:
            self._go("payment")  # the state notice may still be on its way (coalesced to a frame)

    # ------------------------------------------------------------------ cancel
    def ask_cancel(self) -> None:
        payment = self.kiosk.payment
        if payment is None or payment.phase not in ("starting", "charging"):
            return  # nothing this screen can cancel
        self._cancel_for = payment.id
        self.cancel_text.set_text(t("cancel_confirm_text", self.lang, amount=money(payment.credit)))
        self.cancel_dialog.open()

    def _close_cancel_dialog(self) -> None:
        self._cancel_for = None
        self.cancel_dialog.close()

    async def confirm_cancel(self) -> None:
        payment_id = self._cancel_for
        self._close_cancel_dialog()
        if payment_id is None:
            return
        try:
            # the intent names its payment: a cancel is never sent for another one, or for none
            await self.kiosk.cancel("1", payment_id=payment_id)
        except EngineUnavailable:
            ui.notify(t("err_offline", self.lang), type="negative")

    # ------------------------------------------------------------------ timeouts (WCAG 2.2.1)
    def _arm_sale_timer(self) -> None:
        for timer in (self._sale_timer, self._expire_timer):
            if timer:
                timer.cancel()
        loop = asyncio.get_running_loop()
        self._sale_timer = loop.call_later(self.config.sale_timeout, self._warn_timeout)

    def _warn_timeout(self) -> None:
        if self.phase != "sale" or self.kiosk.busy:
            return
        self.timeout_text.set_text(t("timeout_text", self.lang, seconds=self.config.timeout_answer))
        self.timeout_dialog.open()
        loop = asyncio.get_running_loop()
        self._expire_timer = loop.call_later(self.config.timeout_answer, self._timeout_expired)

    def keep_sale(self) -> None:
        self.timeout_dialog.close()
        if self.phase == "sale":
            self._arm_sale_timer()

    def _timeout_expired(self) -> None:
        self.timeout_dialog.close()
        if self.phase == "sale" and not self.kiosk.busy:
            self._go("idle")

    def _cancel_timers(self) -> None:
        for timer in (self._sale_timer, self._expire_timer, self._result_timer):
            if timer:
                timer.cancel()
        self._sale_timer = self._expire_timer = self._result_timer = None
        if hasattr(self, "timeout_dialog"):
            self.timeout_dialog.close()

    # ------------------------------------------------------------------ sound, voice, language
    def sound(self, name: str) -> None:
        if self.config.sounds:
            self.client.run_javascript(f"window.kioskSound && window.kioskSound({json.dumps(name)})")

    def say(self, text: str) -> None:
        if self.voice:
            self.client.run_javascript(f"window.kioskSay && window.kioskSay({json.dumps(text)})")

    def _announce(self, result: PaymentResult) -> None:
        lang = self.lang
        if result.outcome == "completed":
            self.sound("success")
            if result.change_paid > 0:
                self.say(t("say_change", lang, amount=spoken_money(result.change_paid, lang)))
            else:
                self.say(t("say_thanks", lang))
        elif result.outcome == "cancelled":
            self.sound("cancel")
            self.say(t("say_cancelled", lang))
        else:
            self.sound("error")
            if result.outcome == "declined":
                self.say(t("say_declined", lang))

    def toggle_voice(self) -> None:
        self.voice = not self.voice
        self.client.run_javascript(f"window.kioskConfigure({{voice: {json.dumps(self.voice)}}})")
        self._update_voice_button()

    def _update_voice_button(self) -> None:
        self.voice_button.props(
            f"icon={'record_voice_over' if self.voice else 'voice_over_off'} "
            f'aria-label="{t("voice_on" if self.voice else "voice_off", self.lang)}"'
        )
        self.voice_button.props(f"aria-pressed={'true' if self.voice else 'false'}")

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "es" else "es"
        self._apply_language()
        self._render_cart()
        self._update_voice_button()


def register(kiosk: Kiosk, config: Config) -> None:
    scans = ScanRouter(kiosk)

    @ui.page("/", title="Quickpaymini")
    def customer_page(client: Client) -> None:
        CustomerScreen(kiosk, config, client, scans).build()

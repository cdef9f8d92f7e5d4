"""The customer screen at ``/``: idle → sale → payment → result, built inside the shared page frame.

One :class:`CustomerScreen` per browser tab. The payment and its outcome come from the shared
:class:`~kiosk_ui.kiosk.Kiosk` (so a reload or a second screen mid-payment shows the payment live);
the sale being keyed in belongs to the tab. Engine events are pushed to the tab through the kiosk's
listeners; nothing polls. The screens themselves (idle, sale, payment, result, dialogs) are views in
their own modules: they get what they need as arguments and turn touches into calls back here; only
this shell talks to the kiosk service.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Literal

from nicegui import Client, ui

from ....config import Config
from ....engine import EngineUnavailable
from ....kiosk import Kiosk, PaymentRefused, PaymentResult
from ....protocol import messages as m
from ....quick_picks import QuickPicks
from ....state import KioskState
from ....tasks import spawn
from ...components.scripts import Scripts
from ...components.steps import Progress
from ...frame import frame
from .chrome import Toggles, brand_colours
from .dialogs import CancelDialog, TimeoutGuard
from .guidance import Guidance, announce
from .idle import IdleView
from .payment import PaymentView
from .result import ResultView
from .scan import ScanRouter
from .selling import Selling
from .texts import Texts

Phase = Literal["idle", "sale", "payment", "result"]
STEP = {"sale": 1, "payment": 2, "result": 3}


class CustomerScreen:
    def __init__(self, kiosk: Kiosk, config: Config, client: Client, scans: ScanRouter | None = None,
                 picks: QuickPicks | None = None, logo_url: str = "") -> None:  # fmt: skip
        self.kiosk, self.config, self.client = kiosk, config, client
        self.scans = scans or ScanRouter(kiosk)
        self.picks, self.logo_url = picks, logo_url
        self.phase: Phase = "idle"
        self.result: PaymentResult | None = None
        self.shown_credit = Decimal(0)
        self._result_timer: asyncio.TimerHandle | None = None
        self._starting = False

    @property
    def pending_scans(self) -> dict[str, asyncio.TimerHandle]:
        return self.selling.lookups.pending

    def on_product(self, info: m.ProductInfo) -> None:
        self.selling.on_product(info)

    # ------------------------------------------------------------------ building
    def build(self) -> None:
        config = self.config
        self.texts = texts = Texts(config.language)
        self.scripts = Scripts(self.client)
        self.guide = Guidance(self.scripts, sounds=config.sounds, voice=config.voice, lang=texts.lang)
        self.selling = Selling(self.kiosk, config, texts, self.picks, phase=lambda: self.phase,
                               start=lambda: self._go("sale"), touched=self._touched, changed=self.render)  # fmt: skip
        brand = config.brand
        with frame(title="Quickpaymini", demo=config.demo, lang=lambda: self.texts.lang,
                   main_classes="kiosk-root") as parts:  # fmt: skip
            assert parts.banner is not None
            self.banner = texts.track(parts.banner, "engine_offline")
            brand_colours(brand.accent)
            self.toggles = Toggles(texts, self.guide, on_language=self._apply_language,
                                   logo_url=self.logo_url, brand_name=brand.name)  # fmt: skip
            with self.toggles.progress_slot:
                self.progress = Progress()
            self.idle = IdleView(texts, logo_url=self.logo_url, brand_name=brand.name, cart=config.cart,
                                 on_start=self.start_sale)  # fmt: skip
            self.sale_view = self.selling.build(on_pay=self.pay, on_back=self.back_to_idle)
            self.payment = PaymentView(texts, self.scripts, on_cancel=self.ask_cancel)
            self.result_view = ResultView(texts, logo_url=self.logo_url, brand_name=brand.name,
                                          currency=config.currency, on_done=self.back_to_idle)  # fmt: skip
        self.cancel_dialog = CancelDialog(texts, on_confirm=self.confirm_cancel)
        self.timeout = TimeoutGuard(texts, idle_seconds=config.sale_timeout, answer_seconds=config.timeout_answer,
                                    still_selling=lambda: self.phase == "sale" and not self.kiosk.busy,
                                    on_warn=lambda: self.guide.say(texts("say_timeout")),
                                    on_expire=lambda: self._go("idle"))  # fmt: skip
        ui.on("kiosk_scan", lambda e: self.selling.scan(str(e.args)))
        undo = [self.kiosk.on_change(self.on_state), self.kiosk.on_result(self.on_result), self.scans.add(self)]
        if self.picks is not None:
            undo.append(self.picks.on_change(lambda _items: self.selling.render_picks()))

        def cleanup() -> None:
            for step in undo:
                step()
            self._cancel_timers()
            self.selling.lookups.close()

        self.client.on_delete(cleanup)
        self.phase = "payment" if self.kiosk.busy else "idle"
        self.render()

    # ------------------------------------------------------------------ rendering
    def render(self) -> None:
        """Make every element say what the state and the phase say. Cheap: unchanged values send nothing,
        and the browser calls it makes (live figures, a coin sound) leave as one message."""
        with self.scripts.batched():
            self._render()

    def _render(self) -> None:
        state = self.kiosk.state
        self.banner.set_visibility(not state.online)
        for phase, view in (("idle", self.idle), ("sale", self.sale_view), ("payment", self.payment),
                            ("result", self.result_view)):  # fmt: skip
            view.root.set_visibility(self.phase == phase)
        self.idle.render(state.screen)
        step = STEP.get(self.phase, 0)
        self.progress.root.set_visibility(step > 0)
        self.toggles.mini_brand.set_visibility(step > 0)
        if step:
            self.progress.show(step, self.texts.lang, cart=self.config.cart)
        if self.phase == "sale":
            self.selling.render(state, starting=self._starting)
        elif self.phase == "payment":
            credit = self.payment.render(state, self.kiosk.payment)
            if credit is not None:
                if credit > self.shown_credit:
                    self.guide.sound("coin")
                self.shown_credit = credit

    def _apply_language(self, lang: str) -> None:
        self.texts.switch(lang)
        self.guide.configure(lang=lang)
        self.client.run_javascript("window.kioskTickClock && window.kioskTickClock()")
        self.selling.view.render_cart(self.selling.sale.items)
        self.selling.render_picks()
        self.render()
        if self.phase == "result" and self.result is not None:
            self.result_view.render(self.result)

    # ------------------------------------------------------------------ engine events
    def on_state(self, state: KioskState) -> None:
        payment = self.kiosk.payment
        asked = self.cancel_dialog.payment_id
        if asked is not None and (payment is None or payment.id != asked):
            self.cancel_dialog.close()  # the payment it asked about has ended
        if self.kiosk.busy and self.phase != "payment":
            self._go("payment")
            return
        self.render()

    def on_result(self, result: PaymentResult) -> None:
        if self.cancel_dialog.payment_id == result.id:
            self.cancel_dialog.close()
        # a payment this screen started may end before the coalesced state notice switched it over
        if self.phase != "payment" and not (self._starting and self.phase == "sale"):
            return
        self.result = result
        self._go("result")
        announce(self.guide, self.texts, result)

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
            self.timeout.arm()
            if previous == "idle":
                self.guide.say(self.texts("say_sale" if self.config.cart else "say_sale_amount"))
        if phase == "payment" and previous != "payment":
            self.shown_credit = Decimal(0)
            payment = self.kiosk.payment
            if payment is not None:
                self.guide.say(self.texts("say_card" if payment.method == "card" else "say_insert"))
        if phase == "result":
            if self.result is not None:
                self.result_view.render(self.result)
            self._result_timer = asyncio.get_running_loop().call_later(self.config.result_seconds, self._result_expired)
        if phase in ("idle", "result"):
            self.selling.clear()
        if phase == "idle":
            self.guide.hush()
            self.toggles.reset_a11y()
        self.render()

    def start_sale(self) -> None:
        if self.phase == "idle" and not self.kiosk.busy:
            self.guide.sound("touch")
            self._go("sale")
            spawn(self.kiosk.probe_journal())

    def back_to_idle(self) -> None:
        if self.phase in ("sale", "result"):
            self.guide.sound("touch")
            self.result = None
            self._go("idle")

    def _result_expired(self) -> None:
        if self.phase == "result":
            self.result = None
            self._go("idle")

    def _cancel_timers(self) -> None:
        if self._result_timer:
            self._result_timer.cancel()
        self._result_timer = None
        if hasattr(self, "timeout"):
            self.timeout.stop()

    def _touched(self) -> None:
        self.guide.sound("touch")
        self.timeout.arm()

    async def pay(self, method: Literal["cash", "card"]) -> None:
        if self.phase != "sale" or self._starting:
            return
        total = self.selling.sale.total
        if total <= 0:
            self.selling.hint("hint_enter_amount")
            return
        self.guide.sound("touch")
        self._starting = True
        self.render()
        try:
            result = await self.kiosk.start_payment(method, total, self.selling.sale.lines())
        except PaymentRefused as exc:
            self._starting = False
            self.selling.hint(exc.reason)
            self.guide.sound("error")
            self.render()
            return
        self._starting = False
        if result is not None and self.phase != "result":  # never acknowledged
            self.result = result
            self._go("result")
            self.guide.sound("error")
        elif result is None and self.phase == "sale" and self.kiosk.payment is not None:
            self._go("payment")  # the state notice may still be on its way (coalesced to a frame)

    # ------------------------------------------------------------------ cancel
    def ask_cancel(self) -> None:
        payment = self.kiosk.payment
        if payment is None or payment.phase not in ("starting", "charging"):
            return  # nothing this screen can cancel
        self.cancel_dialog.ask(payment.id, payment.credit)
        self.guide.say(self.texts("say_cancel_question"))

    async def confirm_cancel(self, payment_id: str) -> None:
        try:
            # the intent names its payment: a cancel is never sent for another one, or for none
            await self.kiosk.cancel("1", payment_id=payment_id)
        except EngineUnavailable:
            ui.notify(self.texts("err_offline"), type="negative")

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
from pathlib import Path

from nicegui import Client, ui

from ....config import Config
from ....kiosk import Kiosk, PaymentResult
from ....last_result import LastResult
from ....protocol import messages as m
from ....quick_picks import QuickPicks
from ....state import KioskState
from ....tasks import spawn
from ...components.scripts import Scripts
from ...components.steps import Progress
from ...frame import frame
from . import timers
from .availability import card_works, cash_works, in_service
from .chrome import Toggles, brand_colours
from .dialogs import CancelDialog, TimeoutGuard
from .figures import LiveFigures
from .guidance import Guidance, announce
from .hooks import Phase
from .idle import IdleView
from .intents import Intents
from .payment import PaymentView
from .result import ResultView
from .scan import ScanRouter
from .selling import Selling
from .stale import StaleCharging
from .texts import Texts
from .timers import Clock, Handle
from .unanswered import CallStaff, Unanswered

STEP = {"sale": 1, "payment": 2, "result": 3}
#: the customer screen's own styles, after kiosk.css: reach, text sizes, the states off the happy path
CSS = Path(__file__).with_name("customer.css")
#: seconds between journal re-checks while the idle screen is out of service for want of a journal
JOURNAL_RECHECK = 10.0


class CustomerScreen(Intents, Unanswered, StaleCharging, LiveFigures):
    def __init__(self, kiosk: Kiosk, config: Config, client: Client, scans: ScanRouter | None = None,
                 picks: QuickPicks | None = None, logo_url: str = "", *, clock: Clock | None = None,
                 last: LastResult | None = None, call_staff: CallStaff | None = None,
                 slot_photos: dict[str, str] | None = None) -> None:  # fmt: skip
        """``last``: the process's last result (kept by :func:`register`, so a reload shows it); ``call_staff``
        raises a staff alert; ``clock``: the timers' clock (default :data:`timers.CLOCK`)."""
        self.kiosk, self.config, self.client = kiosk, config, client
        self.scans = scans or ScanRouter(kiosk)
        self.picks, self.logo_url = picks, logo_url
        self.clock = clock or timers.CLOCK
        self.last = last or LastResult(config.result_seconds)
        self.call_staff = call_staff
        self.slot_photos = slot_photos or {}
        self.phase: Phase = "idle"
        self.result: PaymentResult | None = None
        self.shown_credit = Decimal(0)
        self._result_timer: Handle | None = None
        self._probe_timer: Handle | None = None
        self._starting = False
        #: the sale last sent to payment (amount, lines): a retry pays the same lines when the amount matches
        self._last_sale: tuple[Decimal, list[dict[str, object]]] = (Decimal(0), [])
        #: the payment this screen cancelled for want of an answer (its cancelled result goes straight to idle)
        self._abandoned: str | None = None
        #: the payment staff were alerted about as stalled with money in it (once per payment)
        self._stall_alerted: str | None = None

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
            ui.add_css(CSS)
            self.toggles = Toggles(texts, self.guide, on_language=self._apply_language,
                                   logo_url=self.logo_url, brand_name=brand.name)  # fmt: skip
            with self.toggles.progress_slot:
                self.progress = Progress()
            self.idle = IdleView(texts, logo_url=self.logo_url, brand_name=brand.name, cart=config.cart,
                                 on_start=self.start_sale)  # fmt: skip
            self.sale_view = self.selling.build(on_pay=self.pay, on_back=self.back_to_idle)
            self.payment = PaymentView(texts, self.scripts, on_cancel=self.ask_cancel, photos=self.slot_photos)
            self.result_view = ResultView(texts, logo_url=self.logo_url, brand_name=brand.name,
                                          currency=config.currency, on_done=self.back_to_idle,
                                          on_retry=self.retry, on_help=self.call_help)  # fmt: skip
        self.cancel_dialog = CancelDialog(texts, on_confirm=self.confirm_cancel)
        self.timeout = TimeoutGuard(texts, self.clock, idle_seconds=config.sale_timeout,
                                    answer_seconds=config.timeout_answer, on_quiet=self._quiet,
                                    on_keep=self._keep, still=self._question_applies, on_end=self._end)  # fmt: skip
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
        shown = None if self.kiosk.busy else self.last.current(self.clock.now())
        if shown is not None:  # a reload on the result screen: the same result, for the time it has left
            self.result = shown.result
            self._go("result")
            return
        self.phase = "payment" if self.kiosk.busy else "idle"
        if self.phase == "payment":
            self.timeout.arm()
        self.render()

    # ------------------------------------------------------------------ rendering
    def render(self) -> None:
        """Make every element say what the state and the phase say. Cheap: unchanged values send nothing,
        and the browser calls it makes (live figures, a coin sound) leave as one message."""
        with self.scripts.batched():
            self._render()
        self._drew_in_full()

    def _render(self) -> None:
        state = self.kiosk.state
        self.banner.set_visibility(not state.online)
        for phase, view in (("idle", self.idle), ("sale", self.sale_view), ("payment", self.payment),
                            ("result", self.result_view)):  # fmt: skip
            view.root.set_visibility(self.phase == phase)
        serving = in_service(self.kiosk)
        self.idle.render(state.screen, in_service=serving)
        if self.phase == "idle" and not serving:
            self._recheck_journal()
        step = STEP.get(self.phase, 0)
        if self.phase == "result" and self.result is not None and self.result.outcome != "completed":
            step = 2  # a decline, an error, a cancel: the payment step is not done
        self.progress.root.set_visibility(step > 0)
        self.toggles.mini_brand.set_visibility(step > 0)
        if step:
            self.progress.show(step, self.texts.lang, cart=self.config.cart)
        if self.phase == "sale":
            self.selling.render(state, starting=self._starting)
        elif self.phase == "payment":
            credit = self.payment.render(state, self.kiosk.payment)
            if credit is not None:
                self._took_credit(credit)
        elif self.phase == "result" and self.result is not None:
            self.result_view.render_ways(self.result, cash_works=cash_works(state), card_works=card_works(state))

    def _apply_language(self, lang: str) -> None:
        self.texts.switch(lang)
        self.guide.configure(lang=lang)
        self.client.run_javascript("window.kioskTickClock && window.kioskTickClock()")
        self.selling.view.render_cart(self.selling.sale.items)
        self.selling.render_picks()
        self.render()
        if self.phase == "result" and self.result is not None:
            self._render_result(self.result)

    def _render_result(self, result: PaymentResult) -> None:
        state = self.kiosk.state
        self.result_view.render(result, cash_works=cash_works(state), card_works=card_works(state))

    # ------------------------------------------------------------------ engine events
    def on_state(self, state: KioskState) -> None:
        payment = self.kiosk.payment
        asked = self.cancel_dialog.payment_id
        if asked is not None and (payment is None or payment.id != asked):
            self.cancel_dialog.close()  # the payment it asked about has ended
        if self.kiosk.busy and self.phase != "payment" and (payment is not None or self.phase != "result"):
            self._go("payment")  # (a "charging" with no payment behind it leaves a result on screen: stale.py)
            return
        self.watch_empty_payment()
        if not self._figures_only():  # a coin: only the live figures move (figures.py)
            self.render()

    def on_result(self, result: PaymentResult) -> None:
        if self.cancel_dialog.payment_id == result.id:
            self.cancel_dialog.close()
        # a payment this screen started may end before the coalesced state notice switched it over
        if self.phase != "payment" and not (self._starting and self.phase in ("sale", "result")):
            return
        if result.id == self._abandoned and result.outcome == "cancelled" and result.credit <= 0:
            self._abandoned = None  # nobody was there: nothing to show, the next customer finds idle
            self.last.dismiss(result.id)
            self.result = None
            self._go("idle")
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
        if phase == "payment":
            self.timeout.arm()
            self.payment.stall(None)
            if previous != "payment":
                self.shown_credit = Decimal(0)
                payment = self.kiosk.payment
                if payment is not None:
                    self.guide.say(self.texts("say_card" if payment.method == "card" else "say_insert"))
        if phase == "result" and self.result is not None:
            now = self.clock.now()
            shown = self.last.current(now)
            if shown is None or shown.result.id != self.result.id:
                shown = self.last.keep(self.result, now)
            self.result_view.clear_help()
            self._render_result(self.result)
            self._result_timer = self.clock.call_later(shown.left(now), self._result_expired)
        if phase in ("idle", "result"):
            self.selling.clear()
        if phase == "idle":
            self.guide.hush()
            self._fresh_session()
        self.render()

    def _fresh_session(self) -> None:
        """The next customer starts with the configured language, voice and contrast, not the last one's."""
        if self.texts.lang != self.config.language:
            self._apply_language(self.config.language)
        self.toggles.reset(voice=self.config.voice)

    def start_sale(self) -> None:
        if self.phase == "idle" and not self.kiosk.busy and in_service(self.kiosk):
            self.guide.sound("touch")
            self._go("sale")
            spawn(self.kiosk.probe_journal())

    def back_to_idle(self) -> None:
        if self.phase in ("sale", "result"):
            self.guide.sound("touch")
            if self.result is not None:
                self.last.dismiss(self.result.id)
            self.result = None
            self._go("idle")

    def _result_expired(self) -> None:
        self._result_timer = None
        if self.phase == "result":
            self.result = None
            self._go("idle")

    def _cancel_timers(self) -> None:
        for timer in filter(None, (self._result_timer, self._probe_timer, self._empty_timer)):
            timer.cancel()
        self._result_timer = self._probe_timer = self._empty_timer = None
        if hasattr(self, "timeout"):
            self.timeout.stop()

    def _recheck_journal(self) -> None:
        """Out of service for want of a journal: look again now and then (a freed disk brings the kiosk back)."""
        if self._probe_timer is None and self.kiosk.journal_error:

            def probe() -> None:
                self._probe_timer = None
                spawn(self.kiosk.probe_journal())

            self._probe_timer = self.clock.call_later(JOURNAL_RECHECK, probe)

"""The payment screen: what to do (the method's pictograms: bill and coin slots pulsing when money starts
to be awaited, or the card terminal), the big live figures (due, inserted, remaining) and the cancel button.

It follows the devices: with the bill reader down the headline asks for coins only and the bill slot is
greyed out and labelled "No disponible" (the same for coins); with little change it says "Pague con
importe exacto" under the headline. A payment left with money in it says to call staff (``stalled``).

The figures change with every coin: they are :class:`LiveLabel` s pushed with one small message
(``push_live``); everything else here changes only when the payment's phase or a device changes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from nicegui import ui

from ....kiosk import ActivePayment
from ....state import KioskState
from ...components.live import LiveLabel, push_live
from ...components.pictogram import pictogram
from ...components.scripts import Scripts
from ...i18n import money
from ...theme import tid
from .texts import Texts

PICTOGRAM_SIZE = 200


class PaymentView:
    def __init__(self, texts: Texts, scripts: Scripts, *, on_cancel: Callable[[], None],
                 photos: dict[str, str] | None = None) -> None:  # fmt: skip
        """``photos``: pictogram name -> URL of a photo of this cabinet's real slot (``[brand]``)."""
        self.texts = texts
        self.photos = photos or {}
        self.scripts = scripts
        self.root = tid(ui.column().classes("kiosk-screen kiosk-payment w-full items-center no-wrap"), "screen-payment")
        with self.root:
            self.title = ui.label("").classes("kiosk-title").props('role="heading" aria-level="1"')
            self.exact = tid(texts.label("exact_amount", "kiosk-exact text-center"), "pay-low-change")
            self.note = ui.label("").classes("kiosk-caption text-center").props('aria-live="polite"')
            self.stalled = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad text-center"), "pay-stalled")
            self.stalled.props.update({"role": "alert"})
            self.stalled.set_visibility(False)
            with ui.row().classes("kiosk-where no-wrap justify-center items-end"):
                self.cash_pics = ui.row().classes("no-wrap items-end gap-8")
                with self.cash_pics:
                    self.bill, self.bill_caption = self._slot("bill-slot", "slot_bills")
                    self.coin, self.coin_caption = self._slot("coin-slot", "slot_coins")
                self.card_pics = ui.row().classes("no-wrap items-end gap-8")
                with self.card_pics:
                    self.card_insert = self._pictogram("card-insert")
                    self.card_tap = self._pictogram("card-tap")
            self.where = ui.label("").classes("kiosk-where-text text-center")
            with ui.element("div").classes("kiosk-figures w-full"):
                self.due = self._figure("due", "pay-due", "")
                self.credit = self._figure("inserted", "pay-credit", "kiosk-ok")
                self.remaining = self._figure("remaining", "pay-remaining", "kiosk-remaining")
            self.accepted = texts.label("accepted", "kiosk-caption text-center")
            self.device_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "device-error")
            self.cancel = texts.button("cancel", "cancel", on_cancel, classes="kiosk-big-btn kiosk-cancel",
                                       color="negative")  # fmt: skip
        self._pulsing: tuple[bool, bool] | None = None

    def _pictogram(self, name: str) -> ui.element:
        with ui.column().classes("items-center gap-1"):
            return pictogram(name, size=PICTOGRAM_SIZE, lang=self.texts.lang)

    def _slot(self, name: str, caption: str) -> tuple[ui.element, ui.label]:
        """A cash slot's pictogram with its name under it (greyed, "No disponible", while its device is down)."""
        with ui.column().classes("kiosk-slot items-center gap-1"):
            picture = pictogram(name, size=PICTOGRAM_SIZE, lang=self.texts.lang, photo=self.photos.get(name, ""))
            label = self.texts.label(caption, "kiosk-slot-name")
        return picture, label

    def stall(self, amount: Decimal | None) -> None:
        """Money is in and nothing happens: say to call staff (``None``: hide it)."""
        if amount is None and not self.stalled.visible:
            return  # every coin hides it: nothing to set while it is hidden
        self.stalled.set_text(self.texts("stalled", amount=money(amount)) if amount is not None else "")
        self.stalled.set_visibility(amount is not None)

    def _figure(self, caption: str, test_id: str, classes: str) -> LiveLabel:
        with ui.column().classes("kiosk-card kiosk-figure-card items-center no-wrap"):
            self.texts.label(caption, "kiosk-caption")
            return tid(LiveLabel(money(Decimal(0)), key=test_id).classes(f"kiosk-figure {classes}"), test_id)

    def render(self, state: KioskState, payment: ActivePayment | None) -> Decimal | None:
        """Show the payment; return the credit shown (None when the payment has ended)."""
        texts = self.texts
        if payment is None and not state.charging:
            # ended: the outcome is on its way from the journal; keep the last figures
            self.note.set_text(texts("ending_payment"))
            self.cancel.set_enabled(False)
            self._pulse(False, False)
            return None
        card = method_of(state, payment) == "card"
        bills_down, coins_down = bool(state.bv_error), bool(state.ca_error)
        self.title.set_text(texts("pay_title_card" if card else cash_title(bills_down, coins_down)))
        starting = payment is not None and payment.phase in ("opening", "starting")
        abandoning = payment is not None and payment.phase == "abandoning"
        note = "no_ack_cancelling" if abandoning else "starting_payment" if starting else ""
        self.note.set_text(texts(note) if note else "")
        credit, remaining = self.show_figures(state, payment)
        self.cash_pics.set_visibility(not card)
        self.card_pics.set_visibility(card)
        self.where.set_text(texts("card_steps" if card else "cash_steps"))
        waiting = not starting and not abandoning and remaining > 0
        self._pulse(waiting and not card and not bills_down, waiting and not card and not coins_down)
        self._slots_off(bills_down, coins_down)
        self.accepted.set_visibility(not card)
        level = state.change_level
        self.exact.set_visibility(not card and level is not None and level.is_low)
        errors = [texts("bv_error")] if state.bv_error else []
        errors += [texts("ca_error")] if state.ca_error else []
        self.device_error.set_text(" ".join(errors))
        self.device_error.set_visibility(bool(errors) and not card)
        self.cancel.set_enabled(state.online)  # ask_cancel refuses once nothing can be cancelled
        return credit

    def show_figures(self, state: KioskState, payment: ActivePayment | None) -> tuple[Decimal, Decimal]:
        """Push the live figures (due, inserted, remaining); return the credit and the remaining shown."""
        due, credit, remaining = figures(state, payment)
        push_live(self.scripts, [
            (self.due, money(due)), (self.credit, money(credit)), (self.remaining, money(remaining)),
        ])  # fmt: skip
        return credit, remaining

    def _slots_off(self, bills: bool, coins: bool) -> None:
        for picture, caption, key, off in ((self.bill, self.bill_caption, "slot_bills", bills),
                                           (self.coin, self.coin_caption, "slot_coins", coins)):  # fmt: skip
            if off:
                picture.classes(add="is-off")
            else:
                picture.classes(remove="is-off")
            caption.set_text(self.texts(key) + (" · " + self.texts("slot_off") if off else ""))

    def _pulse(self, bill: bool, coin: bool) -> None:
        """The slot to use pulses while money is awaited; a class change only when it changes (not per coin)."""
        if self._pulsing == (bill, coin):
            return
        self._pulsing = (bill, coin)
        for element, on in ((self.bill, bill), (self.coin, coin)):
            if on:
                element.classes(add="pulse")
            else:
                element.classes(remove="pulse")


def cash_title(bills_down: bool, coins_down: bool) -> str:
    """The headline's key for a cash payment, by which cash device works."""
    if bills_down and coins_down:
        return "pay_title_no_cash"
    if bills_down:
        return "pay_title_coins"
    if coins_down:
        return "pay_title_bills"
    return "pay_title_cash"


def method_of(state: KioskState, payment: ActivePayment | None) -> str:
    """The payment's method: its own, else the one the engine names."""
    return payment.method if payment else ("card" if state.payment_method == "tarjeta" else "cash")


def figures(state: KioskState, payment: ActivePayment | None) -> tuple[Decimal, Decimal, Decimal]:
    """The due, the credit and the remaining a payment screen shows."""
    due = payment.due if payment else state.due
    # the payment's own credit: an idle engine may still report the previous sale's Credit
    credit = payment.credit if payment else state.credit
    if method_of(state, payment) == "card":
        credit = Decimal(0)
    return due, credit, max(due - credit, Decimal(0))

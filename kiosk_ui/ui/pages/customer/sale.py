"""The sale screen: keypad, quick picks, cart, total and the two ways to pay.

Built for the portrait kiosk first (keys of 120 px and more at 1080 × 1920), laid out by kiosk.css's
``.kiosk-sale`` grid: keypad beside the cart, quick picks under them, the total and the pay buttons
at the bottom; in landscape the total and the pay buttons take a column of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

from nicegui import ui

from ....payments.rules import Method
from ....quick_picks import Pick
from ....state import KioskState
from ...i18n import money
from ...theme import attrs, tid
from .cart import CartItem
from .texts import Texts

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "0", "del")


class SaleView:
    def __init__(self, texts: Texts, *, keypad: bool, cart: bool, on_key: Callable[[str], None],
                 on_pick: Callable[[Pick], None], on_remove: Callable[[str], None],
                 on_pay: Callable[[Method], Awaitable[None]], on_back: Callable[[], None]) -> None:  # fmt: skip
        self.texts = texts
        self.keypad_enabled, self.cart_enabled = keypad, cart
        self.on_pick, self.on_remove = on_pick, on_remove
        self.root = tid(ui.column().classes("kiosk-screen kiosk-sale-screen w-full no-wrap"), "screen-sale")
        with self.root:
            self.title = ui.label("").classes("kiosk-title kiosk-sale-title").props('role="heading" aria-level="1"')
            with ui.element("div").classes("kiosk-sale w-full"):
                self.keypad_card = ui.column().classes("kiosk-card kiosk-keypad items-center no-wrap")
                with self.keypad_card:
                    texts.label("amount", "kiosk-caption")
                    self.amount = tid(ui.label(money(Decimal(0))).classes("kiosk-amount"), "amount-display")
                    with ui.element("div").classes("kiosk-keys"):
                        for key in KEYS:
                            self._key(key, on_key)
                self.cart_card = ui.column().classes("kiosk-card kiosk-cart no-wrap")
                with self.cart_card:
                    texts.label("cart", "kiosk-caption")
                    self.cart_list = ui.column().classes("w-full gap-1 kiosk-cart-list no-wrap")
                    with ui.row().classes("w-full justify-between items-center no-wrap"):
                        texts.label("cart_total", "kiosk-caption")
                        self.cart_total = tid(ui.label(money(Decimal(0))).classes("text-2xl font-bold"), "cart-total")
                self.picks_card = ui.column().classes("kiosk-card kiosk-picks no-wrap")
                with self.picks_card:
                    texts.label("quick_picks", "kiosk-caption")
                    self.picks_grid = ui.element("div").classes("kiosk-picks-grid")
                with ui.column().classes("kiosk-summary no-wrap"):
                    self.hint = tid(ui.label("").classes("kiosk-hint"), "sale-hint").props('aria-live="polite"')
                    self.low_change = tid(texts.label("low_change", "kiosk-alert"), "low-change")
                    self.error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "sale-error")
                    # not a fault: the engine's first status since it (re)connected is on its way
                    self.waiting = tid(texts.label("err_unsynced", "kiosk-hint"), "sale-wait")
                    self.waiting.props.update({"aria-live": "polite"})
                    with ui.row().classes("kiosk-total-bar w-full justify-between items-center no-wrap"):
                        texts.label("total_to_pay", "kiosk-total-caption")
                        self.total = tid(ui.label(money(Decimal(0))).classes("kiosk-total"), "sale-total")
                    with ui.element("div").classes("kiosk-pay-buttons"):
                        self.pay_cash = self._pay_button("pay_cash", "pay-cash", "payments", "positive",
                                                         lambda: on_pay("cash"))  # fmt: skip
                        self.pay_card = self._pay_button("pay_card", "pay-card", "credit_card", "indigo-9",
                                                         lambda: on_pay("card"))  # fmt: skip
                    texts.button("back", "sale-back", on_back, classes="kiosk-big-btn kiosk-back", color="grey-8")
        self.keypad_card.set_visibility(keypad)
        self.cart_card.set_visibility(cart)
        self.picks_card.set_visibility(False)

    def _key(self, key: str, on_key: Callable[[str], None]) -> None:
        test_id = {"del": "key-del", ".": "key-dot"}.get(key, f"key-{key}")
        button = ui.button("⌫" if key == "del" else key, on_click=lambda k=key: on_key(k), color="white")
        button.classes("kiosk-key").props("unelevated outline")
        if key == "del":
            self.texts.track(AriaLabel(button), "key_delete")
            button.props.update({"aria-label": self.texts("key_delete")})
        tid(button, test_id)

    def _pay_button(self, key: str, test_id: str, icon: str, color: str, on_click: Callable[[], Any]) -> ui.button:
        button = self.texts.button(key, test_id, on_click, classes="kiosk-big-btn kiosk-pay-btn", color=color)
        attrs(button, {"icon": icon})
        return button

    # ------------------------------------------------------------------ rendering
    def render(self, state: KioskState, *, entry: Decimal, items_total: Decimal, total: Decimal, reason: str,
               starting: bool) -> None:  # fmt: skip
        """``reason``: why paying is refused now (an i18n key, '' when it is not)."""
        texts = self.texts
        self.title.set_text(texts("sale_title_cart" if self.cart_enabled else "sale_title"))
        self.amount.set_text(money(entry))
        self.cart_total.set_text(money(items_total))
        self.total.set_text(money(total))
        can_pay = not reason and total > 0 and not starting
        cash_off = bool(state.bv_error and state.ca_error)  # neither bills nor coins can be taken
        self.pay_cash.set_enabled(can_pay and not cash_off)
        reason = reason or ("err_cash_unavailable" if cash_off else "")
        self.pay_card.set_enabled(can_pay and state.card_available)
        self.pay_card.set_visibility(state.card_available or not state.online)
        level = state.change_level
        self.low_change.set_visibility(level is not None and level.is_low)
        self.waiting.set_visibility(reason == "err_unsynced")
        shown = bool(reason) and reason not in ("err_offline", "err_unsynced")  # offline: the banner says it
        self.error.set_text(texts(reason) if shown else "")
        self.error.set_visibility(shown)

    def set_hint(self, text: str) -> None:
        self.hint.set_text(text)

    def render_cart(self, items: Sequence[CartItem]) -> None:
        self.cart_list.clear()
        with self.cart_list:
            if not items:
                ui.label(self.texts("cart_empty")).classes("kiosk-caption")
            for item in items:
                with tid(ui.row().classes("kiosk-cart-row w-full items-center justify-between no-wrap"), "cart-item"):
                    if item.image:
                        with tid(ui.element("div").classes("w-14 h-14 flex-none"), "cart-image"):
                            plain_image(item.image, "w-14 h-14 rounded object-contain")
                    ui.label(f"{item.quantity} × {item.description}").classes("grow")
                    ui.label(money(item.total)).classes("font-bold")
                    remove = ui.button(icon="remove_circle", on_click=lambda c=item.code: self.on_remove(c),
                                       color="negative").props("flat round").classes("kiosk-icon-btn")  # fmt: skip
                    remove.props.update({"aria-label": f"{self.texts('remove')}: {item.description}"})
                    tid(remove, "cart-remove")

    def render_picks(self, picks: Sequence[Pick], image_url: Callable[[Pick], str]) -> None:
        """The products staff pinned, as big buttons (picture, name, price); hidden when there are none."""
        self.picks_grid.clear()
        self.picks_card.set_visibility(self.cart_enabled and bool(picks))
        with self.picks_grid:
            for pick in picks:
                label = self.texts("quick_pick_label", name=pick.description, price=money(pick.price))
                with tid(ui.button(on_click=lambda p=pick: self.on_pick(p), color="white"), "quick-pick") as button:
                    button.classes("kiosk-pick").props("unelevated outline")
                    button.props.update({"aria-label": label, "data-code": pick.code})
                    with ui.column().classes("items-center gap-1 no-wrap w-full"):
                        src = image_url(pick)
                        if src:
                            plain_image(src, "kiosk-pick-image")
                        else:
                            ui.icon("shopping_basket").classes("kiosk-pick-icon").props('aria-hidden="true"')
                        ui.label(pick.description).classes("kiosk-pick-name")
                        ui.label(money(pick.price)).classes("kiosk-pick-price")


def plain_image(src: str, classes: str) -> ui.element:
    """A decorative ``<img>`` (its button or row says what it is): ``alt=""``, no ARIA role."""
    image = ui.element("img").classes(classes)
    image.props.update(src=src, alt="", draggable="false")
    return image


class AriaLabel:
    """Adapter so :class:`Texts` re-translates an icon-only button's ``aria-label`` on a language switch."""

    def __init__(self, element: ui.element) -> None:
        self.element = element

    def set_text(self, text: str) -> None:
        self.element.props["aria-label"] = text
        self.element.update()

"""The sale being keyed in on one tab: keypad presses, scans, quick picks, the cart; shown by a
:class:`~.sale.SaleView`. The shell decides phases and payments; this only builds the sale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .... import product_images
from ....config import Config
from ....kiosk import Kiosk
from ....payments.rules import Method
from ....protocol import messages as m
from ....quick_picks import Pick, QuickPicks
from ....state import KioskState
from ....tasks import spawn
from ...i18n import money
from .cart import CartItem, Sale
from .sale import SaleView
from .scan import MAX_CODE, Lookups
from .texts import Texts


class Selling:
    def __init__(self, kiosk: Kiosk, config: Config, texts: Texts, picks: QuickPicks | None, *,
                 phase: Callable[[], str], start: Callable[[], None], touched: Callable[[], None],
                 changed: Callable[[], None]) -> None:  # fmt: skip
        """``phase()``: the screen's phase; ``start()``: go to the sale screen; ``touched()``: a customer
        touch (sound, timeout re-armed); ``changed()``: re-render the screen."""
        self.kiosk, self.config, self.texts, self.picks = kiosk, config, texts, picks
        self.phase, self.start, self.touched, self.changed = phase, start, touched, changed
        self.sale = Sale(config.max_amount)
        self.lookups = Lookups(kiosk, on_error=self.hint)
        self.view: SaleView

    def build(self, on_pay: Callable[[Method], Awaitable[None]], on_back: Callable[[], None]) -> SaleView:
        config = self.config
        self.view = SaleView(self.texts, keypad=config.keypad, cart=config.cart, on_key=self.press,
                             on_pick=self.add_pick, on_remove=self.remove, on_pay=on_pay, on_back=on_back)  # fmt: skip
        self.view.render_cart(self.sale.items)
        self.render_picks()
        return self.view

    def render(self, state: KioskState, *, starting: bool) -> None:
        sale = self.sale
        self.view.render(state, entry=sale.entry.value, items_total=sale.items_total, total=sale.total,
                         reason=self.kiosk.can_pay(), starting=starting)  # fmt: skip

    def render_picks(self) -> None:
        picks = self.picks.items() if self.picks is not None else []
        self.view.render_picks(picks, lambda pick: self.image_url(pick.code, pick.image))

    def image_url(self, code: str, image: str = "") -> str:
        data_dir = self.config.data_dir
        return product_images.url(data_dir, image or product_images.find(data_dir, code))

    def clear(self) -> None:
        self.sale.clear()
        self.view.render_cart(self.sale.items)
        self.view.set_hint("")

    def hint(self, key: str, **values: object) -> None:
        self.view.set_hint(self.texts(key, **values))

    # ------------------------------------------------------------------ customer input
    def press(self, key: str) -> None:
        if self.phase() != "sale":
            return
        self.touched()
        hint = self.sale.entry.press(key)
        self.view.set_hint("" if hint is None else self.texts(hint, max=money(self.config.max_amount)))
        self.changed()

    def scan(self, code: str) -> None:
        """A keyboard-wedge scanner typed ``code`` then Enter."""
        code = code.strip()[:MAX_CODE]
        if code and self.phase() in ("idle", "sale") and self.config.cart:
            spawn(self.lookups.ask(code))

    def on_product(self, info: m.ProductInfo) -> None:
        code = info.code or ""
        self.lookups.answered(code)
        if self.phase() not in ("idle", "sale") or not self.config.cart:
            return
        if not info.description or info.price is None or info.price <= 0:
            self.hint("product_not_found", code=code)
            return
        self.add(CartItem(code, info.description, info.price, info.udm or "PZA", image=self.image_url(code)))

    def add_pick(self, pick: Pick) -> None:
        """A quick pick tapped: one more of that product, as if it had been scanned."""
        if self.phase() == "sale" and self.config.cart and pick.price > 0:
            self.add(CartItem(pick.code, pick.description, pick.price, pick.udm or "PZA",
                              image=self.image_url(pick.code, pick.image)))  # fmt: skip

    def add(self, item: CartItem) -> None:
        if self.phase() == "idle":
            self.start()
        if not self.sale.add(item):
            self.hint("hint_max_amount", max=money(self.config.max_amount))
            return
        self.touched()
        self.hint("product_added", name=item.description)
        self.view.render_cart(self.sale.items)
        self.changed()

    def remove(self, code: str) -> None:
        self.sale.remove(code)
        self.touched()
        self.view.render_cart(self.sale.items)
        self.changed()

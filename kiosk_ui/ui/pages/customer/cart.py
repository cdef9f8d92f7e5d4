"""The tab's own sale: an amount keyed in and/or a cart of products. Pure rules, no UI."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ....amount_entry import AmountEntry


@dataclass
class CartItem:
    code: str
    description: str
    price: Decimal
    udm: str
    quantity: int = 1
    #: a picture of this product, as a URL ('' when none)
    image: str = ""

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity


class Sale:
    """What the customer is about to pay: ``entry`` (the keypad amount) plus ``items``."""

    def __init__(self, max_amount: Decimal) -> None:
        self.max_amount = max_amount
        self.entry = AmountEntry(max_amount)
        self.items: list[CartItem] = []

    @property
    def items_total(self) -> Decimal:
        return sum((item.total for item in self.items), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.entry.value + self.items_total

    def add(self, item: CartItem) -> bool:
        """One more of ``item`` (by code); False, and nothing changed, when the sale would pass the maximum."""
        if self.total + item.price > self.max_amount:
            return False
        for line in self.items:
            if line.code == item.code:
                line.quantity += 1
                return True
        self.items.append(item)
        return True

    def remove(self, code: str) -> None:
        """One less of ``code`` (the line goes at zero)."""
        for line in self.items:
            if line.code == code:
                line.quantity -= 1
                if line.quantity <= 0:
                    self.items.remove(line)
                return

    def clear(self) -> None:
        self.entry.clear()
        self.items.clear()

    def lines(self) -> list[dict[str, Any]]:
        """The payment's lines for the journal: products, then the keyed amount."""
        lines: list[dict[str, Any]] = [
            {"code": i.code, "description": i.description, "price": str(i.price), "qty": i.quantity} for i in self.items
        ]
        if self.entry.value > 0:
            lines.append({"code": "", "description": "monto", "price": str(self.entry.value), "qty": 1})
        return lines

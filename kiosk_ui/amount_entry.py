"""Keypad amount entry rules, without UI: digits, one dot, two decimals, no leading zeros, a maximum."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

KEYS = (*"0123456789", ".", "del")


@dataclass
class AmountEntry:
    maximum: Decimal = Decimal("10000")
    text: str = ""

    @property
    def value(self) -> Decimal:
        if not self.text or self.text == ".":
            return Decimal(0)
        return Decimal(self.text.rstrip(".") or "0")

    def press(self, key: str) -> str | None:
        """Apply one key. Returns ``None`` when taken, else the i18n key of a gentle hint."""
        if key == "del":
            self.text = self.text[:-1]
            return None
        if key == ".":
            if "." in self.text:
                return "hint_second_dot"
            self.text = (self.text or "0") + "."
            return None
        if key not in "0123456789" or len(key) != 1:
            return "err_amount"
        if self.text == "0":
            return "hint_leading_zero"
        if "." in self.text and len(self.text.split(".")[1]) >= 2:
            return "hint_max_decimals"
        candidate = self.text + key
        if Decimal(candidate.rstrip(".")) > self.maximum:
            return "hint_max_amount"
        self.text = candidate
        return None

    def clear(self) -> None:
        self.text = ""

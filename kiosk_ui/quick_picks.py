"""Quick picks: up to 12 catalog products staff pin for the customer screen (shops without a scanner).

Stored as a small JSON file in the data dir (``quick-picks.json``), written atomically (a temporary
file, then ``os.replace``), validated when read and when written. A damaged or hand-edited file never
breaks the customer screen: what cannot be read is logged and left out.

API (used by the staff catalog and by the customer screen)::

    picks = QuickPicks(config.data_dir / FILE_NAME)
    picks.items()            # -> list[Pick], in the order staff pinned them
    picks.pin(Pick(...))     # add (or update in place, same code); PickError when full or invalid
    picks.unpin("750100")    # -> True if it was pinned
    stop = picks.on_change(lambda items: ...)   # called with the new list after every change
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .listeners import Listeners

log = logging.getLogger(__name__)

FILE_NAME = "quick-picks.json"
MAX_PICKS = 12
MAX_CODE = 64
MAX_TEXT = 120
MAX_IMAGE = 4096
MAX_PRICE = Decimal("999999.99")
CENT = Decimal("0.01")


class PickError(ValueError):
    """A pick that cannot be stored: invalid field, or the list is full. Nothing was changed."""


@dataclass(frozen=True)
class Pick:
    """One pinned product: what the customer button shows and what the cart line needs."""

    code: str
    description: str
    price: Decimal
    udm: str = ""
    image: str = ""  # a stored product-image file name, or a data:/http(s) URL (see product_images.url)

    def checked(self) -> Pick:
        """This pick with clean fields (price rounded to cents once, text trimmed), or PickError."""
        code = str(self.code).strip()
        if not code or len(code) > MAX_CODE or any(ord(c) < 32 for c in code):
            raise PickError(f"invalid product code: {self.code!r}")
        description = str(self.description).strip()
        if not description or len(description) > MAX_TEXT:
            raise PickError(f"invalid description for {code}")
        udm = str(self.udm).strip()
        if len(udm) > MAX_TEXT:
            raise PickError(f"invalid unit for {code}")
        image = str(self.image).strip()
        if len(image) > MAX_IMAGE:
            raise PickError(f"image reference too long for {code}")
        try:
            price = Decimal(str(self.price)).quantize(CENT, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError) as exc:
            raise PickError(f"invalid price for {code}: {self.price!r}") from exc
        if not price.is_finite() or price < 0 or price > MAX_PRICE:
            raise PickError(f"invalid price for {code}: {self.price!r}")
        return Pick(code=code, description=description, price=price, udm=udm, image=image)

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "description": self.description, "price": str(self.price),
                "udm": self.udm, "image": self.image}  # fmt: skip

    @staticmethod
    def from_json(data: Any) -> Pick:
        if not isinstance(data, dict):
            raise PickError("a pick must be an object")
        price = data.get("price")
        if isinstance(price, float) or not isinstance(price, str | int):
            raise PickError("a pick's price must be text (never a float)")
        return Pick(code=str(data.get("code", "")), description=str(data.get("description", "")),
                    price=Decimal(str(price)) if _decimal_text(str(price)) else Decimal("NaN"),
                    udm=str(data.get("udm", "")), image=str(data.get("image", ""))).checked()  # fmt: skip


def _decimal_text(text: str) -> bool:
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return False
    return True


class QuickPicks:
    """The pinned products, kept in ``path``; every change is saved before listeners hear of it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._listeners: Listeners[list[Pick]] = Listeners("quick picks")
        self._items: list[Pick] = self._load()

    # ------------------------------------------------------------------ reading
    def _load(self) -> list[Pick]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.error("quick picks file unreadable (%s): showing none", exc)
            return []
        entries = raw.get("picks") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            log.error("quick picks file has no 'picks' list: showing none")
            return []
        items: list[Pick] = []
        for entry in entries:
            try:
                pick = Pick.from_json(entry)
            except PickError as exc:
                log.warning("quick pick left out: %s", exc)
                continue
            if len(items) < MAX_PICKS and all(p.code != pick.code for p in items):
                items.append(pick)
        return items

    def items(self) -> list[Pick]:
        """The pinned products, in order (a copy: changing it changes nothing)."""
        with self._lock:
            return list(self._items)

    def __contains__(self, code: object) -> bool:
        with self._lock:
            return any(p.code == code for p in self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    # ------------------------------------------------------------------ changing
    def pin(self, pick: Pick) -> list[Pick]:
        """Add ``pick`` at the end, or update it in place when its code is pinned already.

        Raises :class:`PickError` (and changes nothing) when a field is invalid or 12 are pinned."""
        pick = pick.checked()
        with self._lock:
            items = list(self._items)
            for i, old in enumerate(items):
                if old.code == pick.code:
                    items[i] = pick
                    break
            else:
                if len(items) >= MAX_PICKS:
                    raise PickError(f"at most {MAX_PICKS} quick picks")
                items.append(pick)
            self._save(items)
        self._listeners.emit(list(items))
        return list(items)

    def unpin(self, code: str) -> bool:
        """Remove the pick with ``code``; False (and no change, no event) when it was not pinned."""
        with self._lock:
            items = [p for p in self._items if p.code != code]
            if len(items) == len(self._items):
                return False
            self._save(items)
        self._listeners.emit(list(items))
        return True

    def move(self, code: str, offset: int) -> bool:
        """Move a pick ``offset`` places (−1 earlier, +1 later); False when nothing moved."""
        with self._lock:
            items = list(self._items)
            index = next((i for i, p in enumerate(items) if p.code == code), -1)
            target = index + offset
            if index < 0 or not 0 <= target < len(items) or target == index:
                return False
            items.insert(target, items.pop(index))
            self._save(items)
        self._listeners.emit(list(items))
        return True

    def on_change(self, callback: Callable[[list[Pick]], None]) -> Callable[[], None]:
        """Call ``callback(items)`` after every change; returns the function that unsubscribes."""
        return self._listeners.add(callback)

    def _save(self, items: list[Pick]) -> None:
        """Write ``items`` atomically, then adopt them (an OSError propagates and changes nothing)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = {"version": 1, "picks": [p.to_json() for p in items]}
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
        self._items = items

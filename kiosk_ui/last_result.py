"""The last payment result as kiosk state, not page state: a reload of the customer screen (or a second
screen) on the result shows the same outcome, the change-owed claim and its receipt QR, until its time
runs out. Pure: the time is a parameter, no asyncio, no I/O.

How long a result stays: ``result_seconds`` from the config, at least :data:`RECEIPT_SECONDS` while a
receipt QR is shown (scanning one takes a while).
"""

from __future__ import annotations

from dataclasses import dataclass

from .kiosk import PaymentResult  # the facade's name for it (the payment core behind it may move)

#: the least time a result with a receipt QR stays on screen (issue 21: ≥ 20 s to scan it)
RECEIPT_SECONDS = 20.0


def shows_receipt(result: PaymentResult) -> bool:
    """Whether the result screen offers a receipt QR: money moved or the outcome needs a claim."""
    return result.outcome in ("completed", "cancelled", "unknown") or result.shortfall > 0


def seconds_shown(result: PaymentResult, result_seconds: float) -> float:
    return max(result_seconds, RECEIPT_SECONDS) if shows_receipt(result) else result_seconds


@dataclass(frozen=True)
class Shown:
    result: PaymentResult
    #: the clock reading at which the result leaves the screen
    until: float

    def left(self, now: float) -> float:
        return max(0.0, self.until - now)


class LastResult:
    """The one result the customer screens show now, if any (one per process)."""

    def __init__(self, result_seconds: float) -> None:
        self.result_seconds = result_seconds
        self._shown: Shown | None = None

    def keep(self, result: PaymentResult, now: float) -> Shown:
        """A payment ended: its result is on the screen from ``now``."""
        self._shown = Shown(result, now + seconds_shown(result, self.result_seconds))
        return self._shown

    def current(self, now: float) -> Shown | None:
        """The result still on the screen at ``now`` (None once its time ran out or it was dismissed)."""
        shown = self._shown
        if shown is not None and shown.left(now) <= 0:
            self._shown = shown = None
        return shown

    def dismiss(self, result_id: str) -> None:
        """The customer is done with it (or it was never meant to be seen): a reload shows idle."""
        if self._shown is not None and self._shown.result.id == result_id:
            self._shown = None

"""The last result as kiosk state (kiosk_ui/last_result.py): how long it stays, what a reload finds."""

from __future__ import annotations

from decimal import Decimal

from kiosk_ui.kiosk import PaymentResult
from kiosk_ui.last_result import RECEIPT_SECONDS, LastResult, seconds_shown, shows_receipt

PAID = PaymentResult("a" * 32, "completed", "cash", Decimal("57.50"), credit=Decimal("60"),
                     change_owed=Decimal("2.50"), change_paid=Decimal("2.50"))  # fmt: skip
DECLINED = PaymentResult("b" * 32, "declined", "card", Decimal("57.50"))


def test_a_result_with_a_receipt_stays_at_least_20_s() -> None:
    assert shows_receipt(PAID) and not shows_receipt(DECLINED)
    assert seconds_shown(PAID, 12) == RECEIPT_SECONDS == 20
    assert seconds_shown(PAID, 45) == 45
    assert seconds_shown(DECLINED, 12) == 12


def test_a_reload_finds_the_result_until_its_time_runs_out_or_it_is_dismissed() -> None:
    last = LastResult(result_seconds=12)
    assert last.current(100.0) is None
    last.keep(PAID, 100.0)
    shown = last.current(119.0)
    assert shown is not None and shown.result is PAID and shown.left(119.0) == 1.0
    assert last.current(120.0) is None  # its time ran out
    last.keep(DECLINED, 200.0)
    last.dismiss(PAID.id)  # another payment's "Terminar" does not touch it
    assert last.current(201.0) is not None
    last.dismiss(DECLINED.id)
    assert last.current(201.0) is None

"""The app against the simulator speaking other readings of the end-of-sale fields (issue 19 items 5 and 8).

Each test pins the simulator's reading for the next sale and runs a sale end to end (customer screen, engine
socket, journal).
"""

from __future__ import annotations

import pytest

from kiosk_ui.simulator import speech

from ..helpers import Env, eventually, label_text, open_sale, start_cash_payment

CASH = [
    speech.DEFAULT,
    "left-sale-kept-end",
    "left-running-kept-sticky",
    "inserted-sale-zeroed-end",
]
REFUND = CASH


@pytest.mark.parametrize("reading", REFUND)
async def test_a_cancel_after_money_went_in_is_a_refund_in_every_reading(env: Env, reading: str) -> None:
    env.engine.set_reading(reading)
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "50")
    await env.insert("20")
    await eventually(lambda: label_text(user, "pay-credit") == "$20.00")
    user.find(marker="cancel").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="result-cancelled", retries=100)
    (row,) = env.kapp.journal.payments()
    assert (row["outcome"], row["credit"], row["change_paid"], row["shortfall"]) == ("cancelled", "20.00", "20.00",
                                                                                      "0.00")  # fmt: skip


@pytest.mark.parametrize("reading", CASH)
async def test_a_paid_sale_is_completed_with_its_change_in_every_reading(env: Env, reading: str) -> None:
    env.engine.set_reading(reading)
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "35")
    await env.insert("50")
    await user.should_see(marker="result-success", retries=100)
    (row,) = env.kapp.journal.payments()
    assert (row["outcome"], row["credit"], row["change_paid"], row["shortfall"]) == ("completed", "50.00", "15.00",
                                                                                      "0.00")  # fmt: skip


@pytest.mark.parametrize(
    "reading",
    [speech.DEFAULT, "inserted-sale-kept-sticky",
     "inserted-sale-kept-early"],
)  # fmt: skip
async def test_an_approved_card_is_completed_in_every_reference_reading(env: Env, reading: str) -> None:
    env.engine.set_reading(reading)
    user = await open_sale(env, "80")
    user.find(marker="pay-card").click()
    await eventually(lambda: env.engine.payment is not None)
    assert env.engine.approve_card()
    env.kick()
    await user.should_see(marker="result-success", retries=100)
    (row,) = env.kapp.journal.payments()
    assert (row["outcome"], row["reference"]) == ("completed", env.engine.last_reference)

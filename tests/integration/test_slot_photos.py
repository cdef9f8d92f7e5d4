"""``[brand]`` photos of the real bill and coin slots take the drawings' place on the payment screen, with
the same words (issue 21 item 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from nicegui import core

from kiosk_ui.config import BrandConfig

from ..helpers import Env, start_cash_payment, tiny_png


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict[str, Any]:
    photo = tmp_path / "bill-slot.png"
    photo.write_bytes(tiny_png())
    return {"brand": BrandConfig(bill_slot_photo=photo)}


async def test_the_payment_screen_shows_the_photo_of_the_real_bill_slot(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "57.50")
    payment = next(iter(user.find(marker="screen-payment").elements))
    with user:
        pictures = [e for e in payment.descendants() if "kiosk-pictogram" in e.classes][:2]
    assert pictures[0].props["src"] == "/kiosk-brand/bill-slot.png"
    assert pictures[0].props["alt"].startswith("Ranura de billetes")
    assert pictures[1].props["src"] == "/kiosk-assets/img/coin-slot.svg"  # no photo given: the drawing
    async with httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url="http://test") as http:
        response = await http.get("/kiosk-brand/bill-slot.png")
    assert response.status_code == 200 and response.content == tiny_png()

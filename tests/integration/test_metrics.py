"""/metrics: Prometheus text that parses with prometheus_client's own parser and follows the kiosk."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from nicegui import core
from prometheus_client.parser import text_string_to_metric_families

from kiosk_ui.access import trusted
from kiosk_ui.config import Config
from kiosk_ui.metrics import metric_value

from ..helpers import Env, eventually


async def scrape(client_host: str = "127.0.0.1") -> tuple[int, str]:
    transport = httpx.ASGITransport(core.app, client=(client_host, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/metrics")
    return response.status_code, response.text


async def families() -> list[Any]:
    status, text = await scrape()
    assert status == 200
    return list(text_string_to_metric_families(text))


async def value(name: str, **labels: str) -> float | None:
    return metric_value(await families(), name, **labels)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"kiosk_id": "tienda-7", "allowed_addresses": ("10.9.0.0/16",)}


async def test_metrics_parse_and_carry_the_kiosk_label(env: Env) -> None:
    parsed = await families()
    names = {f.name for f in parsed}
    for expected in (
        "kiosk_ui_info",
        "kiosk_engine_connected",
        "kiosk_engine_reconnects",
        "kiosk_device_error",
        "kiosk_coin_tube_coins",
        "kiosk_cashbox_amount_pesos",
        "kiosk_payments_to_review",
        "kiosk_change_owed_pesos",
        "kiosk_nip_failures",
        "kiosk_journal_writable",
        "kiosk_customer_screen_connected",
        "kiosk_alert_active",
        "kiosk_engine_bad_frames",
        "kiosk_ui_start_time_seconds",
        "kiosk_payment_duration_seconds",
        "kiosk_payments",
    ):
        assert expected in names, expected
    assert all(s.labels.get("kiosk") == "tienda-7" for f in parsed for s in f.samples)
    assert metric_value(parsed, "kiosk_engine_connected") == 1
    assert metric_value(parsed, "kiosk_journal_writable") == 1
    assert metric_value(parsed, "kiosk_coin_tube_coins", denomination="10") is not None


async def test_metrics_move_with_a_sale(env: Env) -> None:
    assert await value("kiosk_payments_total", method="cash", outcome="completed") is None
    await env.kapp.kiosk.start_payment("cash", Decimal("30"))
    await env.insert("20", "10")
    await eventually(lambda: not env.kapp.kiosk.busy)
    parsed = await scrape_until(
        lambda p: metric_value(p, "kiosk_payment_duration_seconds_count", method="cash", outcome="completed")
    )
    assert metric_value(parsed, "kiosk_payments_total", method="cash", outcome="completed") == 1
    assert metric_value(parsed, "kiosk_payment_amount_pesos_total", method="cash", outcome="completed") == 30
    assert metric_value(parsed, "kiosk_payment_duration_seconds_count", method="cash", outcome="completed") == 1
    assert (metric_value(parsed, "kiosk_payment_duration_seconds_sum", method="cash", outcome="completed") or -1) >= 0


async def scrape_until(check: Any, timeout: float = 10.0) -> list[Any]:
    """Scrape until ``check(parsed)`` is truthy (the duration is observed after the result)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        parsed = await families()
        if check(parsed):
            return parsed
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("metrics did not move in time")
        await asyncio.sleep(0.05)


async def test_metrics_move_with_a_jam_and_a_disconnect(env: Env) -> None:
    assert await value("kiosk_device_error", device="bill_validator") == 0
    env.engine.set_fault("bill_jam", True)
    env.kick()
    await eventually(lambda: env.kapp.kiosk.state.bv_error)
    assert await value("kiosk_device_error", device="bill_validator") == 1
    assert await value("kiosk_alert_active", alert="bill_jam") == 1

    before = await value("kiosk_engine_reconnects_total")
    env.engine.power_off(1.0)
    env.kick()
    await eventually(lambda: not env.kapp.kiosk.state.online)
    assert await value("kiosk_engine_connected") == 0
    assert await value("kiosk_engine_state", state="connected") == 0
    await eventually(lambda: env.kapp.kiosk.state.online, timeout=15)
    assert await value("kiosk_engine_reconnects_total") == (before or 0) + 1


async def test_metrics_refused_to_other_addresses(env: Env) -> None:
    status, text = await scrape("192.168.1.50")
    assert status == 404
    assert text == ""
    status, text = await scrape("10.9.3.4")  # within the allowed network
    assert status == 200
    assert "kiosk_engine_connected" in text


def test_trusted() -> None:
    config = Config(allowed_addresses=("192.168.5.20", "10.0.0.0/8"))
    assert trusted("127.0.0.1", config)
    assert trusted("::1", config)
    assert trusted("::ffff:127.0.0.1", config)
    assert trusted("192.168.5.20", config)
    assert trusted("10.20.30.40", config)
    assert not trusted("192.168.5.21", config)
    assert not trusted(None, config)
    assert not trusted("testclient", config)
    assert not trusted("192.168.5.20", Config())


async def test_metrics_count_case_variant_keys_and_unreadable_fields(env: Env) -> None:
    """Issue 20 item 1: keys read in another letter case and fields sent but unreadable are counted."""
    from kiosk_ui.protocol import Codec

    Codec().decode('{"comando":"updateCredit","credit":"1,250","DUE":"35.50"}')
    assert (await value("kiosk_engine_case_variant_keys_total", field="updateCredit.credit") or 0) >= 1
    assert (await value("kiosk_engine_unreadable_fields_total", field="updateCredit.Credit") or 0) >= 1
    assert await value("kiosk_engine_silent_in_payment") == 0

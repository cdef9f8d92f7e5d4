"""The staff area's sections (issue 13): nav, quick picks, sales chart, cash-level charts, the idle preview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui
from nicegui.testing.user import User

from kiosk_ui.quick_picks import MAX_PICKS, Pick
from kiosk_ui.ui.pages import admin

from ..helpers import Env, eventually, logged_in, markers_on_page


def element(user: User, marker: str) -> Any:
    with user:
        return next(iter(user.find(marker=marker).elements))


async def test_every_section_has_its_nav_link_and_ids(env: Env) -> None:
    user = await logged_in(env)
    on_page = markers_on_page(user)
    assert {f"nav-{name}" for name, _, _ in admin.SECTIONS} <= on_page
    assert {"st-engine", "action-opendoor", "review-list", "set-preview", "product-search", "sales-chart",
            "tablet-qr", "quick-picks", "st-tubes", "alerts-list"} <= on_page  # fmt: skip
    with user:
        targets = {e.props.get("href") for e in ui.context.client.elements.values() if "nav-status" in e._markers}
        headings = [e for e in ui.context.client.elements.values() if e.props.get("tag") == "h1"]
    assert targets == {"#sec-status"}
    assert len(headings) == 1


async def test_staff_pin_and_unpin_quick_picks(env: Env) -> None:
    user = await logged_in(env)
    picks = env.kapp.staff.quick_picks
    user.find(marker="product-search").type("coca")
    user.find(marker="product-search-go").click()
    await user.should_see(marker="product-pin", retries=30)
    user.find(marker="product-pin").click()
    await eventually(lambda: [p.code for p in picks.items()] == ["7501055300075"])
    pick = picks.items()[0]
    assert pick.description == "Coca-Cola 600 ml" and pick.price == Decimal("18.50") and pick.udm == "PZA"
    await user.should_see(marker="quick-pick-row", retries=30)
    # the customer-side store sees it too (same file)
    other = type(picks)(picks.path)
    assert [p.code for p in other.items()] == ["7501055300075"]

    def audited() -> list[tuple[str, str]]:
        return [(r["action"], r["result"]) for r in env.kapp.journal.staff_actions() if r["action"] == "quick-pick"]

    await eventually(lambda: audited() == [("quick-pick", "pinned")])
    user.find(marker="quick-pick-unpin").click()
    await eventually(lambda: picks.items() == [])
    await eventually(lambda: audited() == [("quick-pick", "pinned"), ("quick-pick", "unpinned")])
    await user.should_not_see(marker="quick-pick-row", retries=30)


async def test_a_full_quick_pick_list_refuses_more(env: Env) -> None:
    picks = env.kapp.staff.quick_picks
    for i in range(MAX_PICKS):
        picks.pin(Pick(f"Z{i}", f"Producto {i}", Decimal(1)))
    user = await logged_in(env)
    assert len(list(user.find(marker="quick-pick-row").elements)) == MAX_PICKS
    user.find(marker="product-search").type("coca")
    user.find(marker="product-search-go").click()
    await user.should_see(marker="product-pin", retries=30)
    user.find(marker="product-pin").click()
    await user.should_see("Ya hay 12 accesos rápidos: quite uno primero.", retries=30)
    assert "7501055300075" not in picks and len(picks) == MAX_PICKS


async def test_sales_chart_per_day_and_method(env: Env) -> None:
    assert await env.kapp.kiosk.start_payment("cash", Decimal("10")) is None
    await env.insert("10")
    await eventually(lambda: env.kapp.journal.payments()[0]["outcome"] == "completed")
    user = await logged_in(env)
    chart = element(user, "sales-chart")
    await eventually(lambda: [s["name"] for s in chart.options["series"]] == ["Efectivo", "Tarjeta"])
    cash, card = chart.options["series"]
    days = chart.options["xAxis"]["data"]
    assert days[-1] == env.kapp.journal.payments()[0]["created_at"][:10] or len(days) == 31
    assert Decimal(cash["data"][-1]) == Decimal("10.00") and sum(Decimal(v) for v in card["data"]) == 0
    assert "$10.00" in chart.props["aria-label"]


async def test_cash_levels_are_named_charts(env: Env) -> None:
    user = await logged_in(env)
    await eventually(lambda: env.kapp.kiosk.state.tubes)
    tubes = element(user, "st-tubes")
    with user:
        charts = [e for e in tubes.descendants() if isinstance(e, ui.echart)]
    assert len(charts) == 1
    chart = charts[0]
    await eventually(lambda: chart.options["series"][0]["data"] == [n for _, n in env.kapp.kiosk.state.tubes])
    label = chart.props["aria-label"]
    assert label.startswith("Tubos de monedas: ") and all(f": {n}" in label for _, n in env.kapp.kiosk.state.tubes)


async def test_idle_preview_draws_the_real_idle_screen(env: Env) -> None:
    user = await logged_in(env)
    preview = element(user, "set-preview")
    with user:
        inside = list(preview.descendants())
    assert any("<svg" in str(getattr(e, "content", "")) for e in inside), "the real eyes (SVG), not an emoji"
    assert any("data-kiosk-clock" in e.props for e in inside), "the real clock"
    assert not any("👀" in str(getattr(e, "text", "")) for e in inside)
    user.find(marker="set-ctamessage").clear().type("Hola")
    await user.should_see("Hola")

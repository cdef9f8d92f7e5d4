"""Staff area with NiceGUI's simulated user: NIP gate, lockout, sessions, actions, catalog, settings."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from decimal import Decimal

import pytest
from nicegui import ui

from kiosk_ui.protocol import messages as m
from kiosk_ui.staff import Lockout
from kiosk_ui.staff import actions as staff_actions
from kiosk_ui.ui.pages import admin
from kiosk_ui.ui.pages.admin.actions import ActionsView
from kiosk_ui.ui.pages.admin.catalog import CatalogView

from ..helpers import STAFF_ONLY, Env, dialog_open, eventually, label_text, logged_in, login, markers_on_page, sent


async def test_gate_sends_nothing_of_the_staff_area(env: Env) -> None:
    user = env.new_user()
    await user.open("/admin")
    await user.should_see(marker="nip-submit")
    assert not STAFF_ONLY & markers_on_page(user)


async def test_login_with_the_nip_opens_the_home(env: Env) -> None:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    assert STAFF_ONLY - {"confirm-ok"} <= markers_on_page(user)
    checks = sent(env, m.CheckNip)
    assert checks == [m.CheckNip("1234")]
    rows = env.kapp.journal.staff_actions()
    assert [(r["action"], r["result"]) for r in rows] == [("login", "ok")]
    assert "1234" not in repr(rows)
    # another browser has its own session
    other = env.new_user()
    await other.open("/admin")
    await other.should_see(marker="nip-submit")
    assert "admin-home" not in markers_on_page(other)


async def test_wrong_nip_shows_an_error(env: Env) -> None:
    user = env.new_user()
    await login(user, "9999")
    await user.should_see(marker="nip-error", retries=30)
    await user.should_see("NIP incorrecto. Intentos restantes: 4.")
    assert "admin-home" not in markers_on_page(user)


async def test_malformed_nip_is_refused_without_asking_the_engine(env: Env) -> None:
    user = env.new_user()
    await login(user, "12")
    await user.should_see(marker="nip-error")
    assert not sent(env, m.CheckNip)


async def test_lockout_after_failures_survives_restart(env: Env) -> None:
    user = env.new_user()
    for attempt in range(5):
        await login(user, "0000")
        if attempt < 4:
            await user.should_see(marker="nip-error", retries=30)
    await user.should_see(marker="nip-locked", retries=30)
    await user.should_see("Demasiados intentos.")
    assert len(sent(env, m.CheckNip)) == 5
    await login(user, "1234")  # even the right NIP is refused, without asking the engine
    await user.should_see(marker="nip-locked")
    assert len(sent(env, m.CheckNip)) == 5
    assert "admin-home" not in markers_on_page(user)
    # a restart reads the lockout back from the data dir
    again = Lockout(env.config.data_dir / "nip-lockout.json", 5, 900)
    assert 890 < again.seconds_left("127.0.0.1") <= 900
    assert [r["result"] for r in env.kapp.journal.staff_actions()].count("failed") == 5


def test_kiosk_wide_lockout(tmp_path: object) -> None:
    from pathlib import Path

    lockout = Lockout(Path(str(tmp_path)) / "l.json", 3, 60)
    now = time.time()
    for i in range(5):
        assert lockout.fail(f"10.0.0.{i}", now) == 0
    assert lockout.fail("10.0.0.9", now) == 60  # 6 = 2 × 3 failures from anywhere lock the kiosk
    assert lockout.seconds_left("10.0.0.77", now) == 60
    assert lockout.seconds_left("10.0.0.77", now + 61) == 0


def test_damaged_lockout_file_locks_rather_than_opens(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "l.json"
    path.write_text("{not json", encoding="utf-8")
    assert Lockout(path, 5, 60).seconds_left("1.2.3.4") > 0


async def test_handlers_refuse_without_a_session(env: Env) -> None:
    """Calling the staff handlers directly, with no session, does nothing (the staff_only guard)."""
    user = env.new_user()
    await user.open("/admin")
    services = env.kapp.staff
    with user:
        area = admin.AdminArea(env.kapp.config, services, None, user.client)
        actions = ActionsView(area.access, services.actions(area.access.caller), area.say)
        actions.build()  # built, so that without the guard the handlers would really send
        await actions.run(admin.ACTIONS[0])
        actions.pending = admin.ACTIONS[0]
        await actions.confirmed()
        await actions.override()
        catalog = CatalogView(area.access, services, area.say, user.client)
        catalog.build()
        await catalog.search()
        await catalog.new()
    asked_on_connect = (m.GetStatus, m.GetScreenSettings)
    assert [msg for _, msg in env.engine.received if not isinstance(msg, (m.CheckNip, *asked_on_connect))] == []


async def test_session_expires_when_idle(env: Env) -> None:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    services = env.kapp.staff
    area_sessions = services.sessions
    area_sessions.idle_seconds = -1.0  # every session is now past its idle time, without sleeping
    with user:  # a click that arrives after the expiry does nothing (the handler checks the session)
        opendoor = next(iter(user.find(marker="action-opendoor").elements))
    opendoor.props  # noqa: B018 - the element exists until the expiry timer has run
    user.find(marker="action-opendoor").click()
    # the expiry ends the tab by itself: the gate comes back, nothing of the staff area is left
    await user.should_see(marker="nip-submit", retries=60)
    assert not STAFF_ONLY & markers_on_page(user)
    assert not sent(env, m.OpenDoor)


async def test_logout(env: Env) -> None:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    user.find(marker="admin-logout").click()
    await user.should_see(marker="nip-submit", retries=30)
    assert "admin-home" not in markers_on_page(user)


@pytest.mark.parametrize(
    ("action_id", "expected"),
    [
        ("action-cashcollect-coin", m.CashCollect("coin")),
        ("action-cashcollect-bill", m.CashCollect("bill")),
        ("action-bvreset", m.BvReset()),
        ("action-checkbr", m.CheckBr()),
        ("action-report", m.Report()),
        ("action-arqueo", m.Arqueo()),
    ],
)
async def test_action_confirm_and_done(env: Env, action_id: str, expected: m.Message) -> None:
    user = await logged_in(env)
    user.find(marker=action_id).click()
    assert dialog_open(user, "confirm-ok")
    user.find(marker="confirm-cancel").click()
    assert not [msg for _, msg in env.engine.received if msg == expected]
    user.find(marker=action_id).click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-done", retries=40)
    assert [msg for _, msg in env.engine.received if msg == expected] == [expected]
    # the audit row may land just after the screen shows "done" (seen under load): wait for it
    await eventually(lambda: env.kapp.journal.staff_actions()[-1]["result"] == "done")
    assert env.kapp.journal.staff_actions()[-1]["action"] == action_id


async def test_refill_end_sends_cancel_2(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="action-cashrefill").click()
    user.find(marker="confirm-ok").click()
    await eventually(lambda: env.engine.payment is not None)
    user.find(marker="action-cashrefill-end").click()
    user.find(marker="confirm-ok").click()
    await eventually(lambda: sent(env, m.Cancel) == [m.Cancel("2")])
    await eventually(lambda: env.engine.payment is None)


async def test_action_without_a_defined_answer_reports_sent(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    short = tuple(dataclasses.replace(a, timeout=0.3) for a in staff_actions.ACTIONS)
    monkeypatch.setattr(staff_actions, "ACTIONS", short)
    user = await logged_in(env)
    env.engine.set_fault("slow_replies", 5.0)  # the engine says nothing back in time
    user.find(marker="action-opendoor").click()
    user.find(marker="confirm-ok").click()
    await user.should_see("Abrir puerta: enviado, sin confirmación del equipo.", retries=30)
    assert sent(env, m.OpenDoor) == [m.OpenDoor()]


@pytest.mark.parametrize(
    ("action_id", "expected"),
    [("action-opendoor", m.OpenDoor()), ("action-cashrefill", m.CashRefill()),
     ("action-resetbalance", m.ResetBalance())],
)  # fmt: skip
async def test_action_with_no_defined_answer_is_never_done(env: Env, action_id: str, expected: m.Message) -> None:
    """An unrelated periodic status must not mark "Corte de caja" (or any such action) done."""
    user = await logged_in(env)
    user.find(marker=action_id).click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-sent", retries=40)
    await user.should_see("enviado, sin confirmación del equipo.")
    assert [msg for _, msg in env.engine.received if msg == expected] == [expected]
    for _ in range(3):  # the engine's periodic status, and one in answer to getstatus
        env.engine._broadcast(env.engine._status())
        env.kick()
        await env.flushed()
    await env.caught_up()  # the app has handled every status before this round trip
    await eventually(lambda: env.kapp.kiosk.state.online)
    with user:
        done = [e for e in ui.context.client.elements.values() if "action-done" in e._markers and e.visible]
    assert not done
    rows = [r for r in env.kapp.journal.staff_actions() if r["action"] == action_id]
    assert [r["result"] for r in rows] == ["sent, not confirmed"]


async def test_product_search_as_you_type(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    user = await logged_in(env)
    user.find(marker="product-search").type("gansito")
    await user.should_see("Gansito Marinela", retries=30)
    # typing then leaving at once: the pending search must not fail outside the page
    user.find(marker="product-search").type("x")
    user.find(marker="admin-logout").click()
    await asyncio.sleep(0.6)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_action_timeout(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    short = tuple(dataclasses.replace(a, timeout=0.3) for a in staff_actions.ACTIONS)
    monkeypatch.setattr(staff_actions, "ACTIONS", short)
    user = await logged_in(env)
    env.engine.set_fault("slow_replies", 5.0)
    user.find(marker="action-report").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-failed", retries=30)
    await user.should_see("Reporte del equipo: El equipo no respondió en 0 s.")
    await eventually(lambda: env.kapp.journal.staff_actions()[-1]["result"] == "timeout")  # the row follows the screen


async def test_cash_action_refused_during_a_payment_unless_overridden(env: Env) -> None:
    user = await logged_in(env)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("10")) is None
    user.find(marker="action-cashcollect-coin").click()
    user.find(marker="confirm-ok").click()
    await eventually(lambda: dialog_open(user, "action-busy"))
    assert not sent(env, m.CashCollect)
    user.find(marker="action-override").click()
    await user.should_see(marker="action-done", retries=40)
    assert sent(env, m.CashCollect) == [m.CashCollect("coin")]
    results = [r["result"] for r in env.kapp.journal.staff_actions()]
    assert "refused: payment in progress" in results and "override confirmed during a payment" in results


async def test_restart_shows_the_kiosk_going_away_and_reconnects(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="action-restart").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-done", retries=40)
    await user.should_see(marker="engine-offline")
    assert sent(env, m.Shutdown) == [m.Shutdown("r")]
    await eventually(lambda: env.kapp.kiosk.state.online, timeout=10)
    await user.should_not_see(marker="engine-offline", retries=30)


async def test_live_status(env: Env) -> None:
    user = await logged_in(env)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("30")) is None
    await env.insert("20")
    await eventually(lambda: label_text(user, "st-credit") == "$20.00")
    assert label_text(user, "st-due") == "$30.00"
    assert label_text(user, "st-cobrando").startswith("Sí")
    assert label_text(user, "st-connections") == "1"
    env.engine.set_fault("bill_jam", True)
    env.kick()
    await eventually(lambda: label_text(user, "st-bv-error") == "Error: Atasco de billete")
    assert label_text(user, "st-ca-error") == "Sin error"


async def test_screen_settings_change_the_customer_screen_live(env: Env) -> None:
    staff = await logged_in(env)
    customer = env.new_user()
    await customer.open("/")
    await customer.should_see(marker="eyes")
    staff.find(marker="set-showeyes").click()
    staff.find(marker="set-ctamessage").clear().type("Bienvenidos a la tienda")
    staff.find(marker="set-save").click()
    await customer.should_see("Bienvenidos a la tienda", retries=30)
    await customer.should_not_see(marker="eyes")
    saved = sent(env, m.SaveScreenSettings)
    assert saved == [m.SaveScreenSettings(True, False, True, "Bienvenidos a la tienda")]


async def test_cta_message_too_long_changes_nothing(env: Env) -> None:
    staff = await logged_in(env)
    staff.find(marker="set-ctamessage").clear().type("x" * 121)
    staff.find(marker="set-save").click()
    await eventually(lambda: staff.notify.contains("El mensaje debe tener como máximo 120 caracteres"))
    assert not sent(env, m.SaveScreenSettings)


async def test_catalog_search_create_edit_delete(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="product-search").type("leche")
    user.find(marker="product-search-go").click()
    await user.should_see(marker="product-result", retries=30)
    await user.should_see("Leche Lala Entera 1 L")
    user.find(marker="product-new").click()
    await user.should_see(marker="product-form", retries=30)
    code = next(iter(user.find(marker="product-code").elements)).value  # type: ignore[attr-defined]
    assert code
    user.find(marker="product-save").click()
    await user.should_see("La descripción es obligatoria.", retries=10)
    user.find(marker="product-desc").type("Pan dulce")
    user.find(marker="product-price").type("12.5.0")
    user.find(marker="product-save").click()
    await user.should_see("Precio no válido: use un monto como 18.50.", retries=10)
    assert not sent(env, m.SaveProduct)
    user.find(marker="product-price").clear().type("12.50")
    user.find(marker="product-save").click()
    await eventually(lambda: env.engine.catalog.get(code) is not None)
    await user.should_not_see(marker="product-form", retries=30)
    await user.should_see("Pan dulce", retries=30)
    assert env.engine.catalog.get(code).price == Decimal("12.50")  # type: ignore[union-attr]
    user.find(marker="product-edit").click()
    user.find(marker="product-delete").click()
    await eventually(lambda: dialog_open(user, "delete-ok"))
    user.find(marker="delete-ok").click()
    await eventually(lambda: env.engine.catalog.get(code) is None)
    # the audit row is written once the engine has answered: wait for it rather than read at once
    await eventually(
        lambda: {"product-save", "product-delete"} <= {r["action"] for r in env.kapp.journal.staff_actions()}
    )


async def test_tablet_qr_and_journal_export(env: Env) -> None:
    user = await logged_in(env)
    await user.should_see(marker="tablet-qr")
    user.find(marker="journal-export").click()
    response = await user.download.next(timeout=3)
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("kind,at,")
    assert "login" in body


def test_wifi_qr_escapes() -> None:
    assert admin.wifi_qr_text("my;net", 'p:a"ss') == 'WIFI:T:WPA;S:my\\;net;P:p\\:a\\"ss;;'


@pytest.mark.parametrize(
    "action_id",
    ["action-opendoor", "action-cashrefill", "action-cashcollect-coin", "action-cashcollect-bill",
     "action-resetbalance", "action-restart", "action-poweroff"],
)  # fmt: skip
async def test_every_cash_moving_action_is_refused_during_a_payment(env: Env, action_id: str) -> None:
    user = await logged_in(env)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("10")) is None
    before = len(env.engine.received)
    user.find(marker=action_id).click()
    user.find(marker="confirm-ok").click()
    await eventually(lambda: dialog_open(user, "action-busy"))
    user.find(marker="action-busy-close").click()
    await env.caught_up()
    after = [msg for _, msg in env.engine.received[before:] if not isinstance(msg, m.GetScreenSettings)]
    assert after == [], "nothing may reach the engine without the override"
    assert env.engine.payment is not None


async def test_sales_report_counts_completed_payments_only(env: Env) -> None:
    assert await env.kapp.kiosk.start_payment("cash", Decimal("10")) is None
    await env.insert("10")
    await eventually(lambda: env.kapp.journal.payments()[0]["outcome"] == "completed")
    assert await env.kapp.kiosk.start_payment("cash", Decimal("7")) is None
    await env.kapp.kiosk.cancel("1")
    await eventually(lambda: env.kapp.journal.payments()[1]["outcome"] == "cancelled")
    user = await logged_in(env)
    await user.should_see(marker="report-row", retries=30)
    rows = list(user.find(marker="report-row").elements)
    assert len(rows) == 1
    await user.should_see("1 venta")
    await user.should_see(marker="journal-row")
    assert len(list(user.find(marker="journal-row").elements)) == 3  # two payments and the login

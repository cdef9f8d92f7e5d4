"""Issue 10: the staff gate under concurrency and late answers, sessions, addresses, uploads, unlock."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from nicegui import core, ui
from nicegui.testing.user import User

from kiosk_ui import access, cli
from kiosk_ui.config import Config, ConfigError, load
from kiosk_ui.protocol import messages as m
from kiosk_ui.staff import KIOSK, Lockout, LockoutRules, Sessions

from ..helpers import STAFF_ONLY, Env, eventually, login, markers_on_page, sent

LAN = "192.168.50.23"


def user_from(env: Env, host: str, cookies: httpx.Cookies | None = None) -> User:
    """A simulated browser whose TCP peer address is ``host`` (what the server sees)."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(core.app, client=(host, 40000)), base_url="http://test",
                               cookies=cookies)  # fmt: skip
    env._http.append(client)
    return User(client)


def staff(env: Env) -> Any:
    return env.kapp.staff


# ---------------------------------------------------------------------- pure rules
def test_an_attempt_counts_the_moment_it_is_sent() -> None:
    rules = LockoutRules(max_attempts=3, lockout_seconds=600, kiosk_lockout_seconds=120)
    assert not rules.attempt("10.0.0.1", 1000.0)
    assert rules.attempts_left("10.0.0.1", 1000.0) == 2  # counted before any answer
    assert not rules.attempt("10.0.0.1", 1001.0)
    assert rules.attempt("10.0.0.1", 1002.0)  # the third one locks, even before its answer
    assert rules.seconds_left("10.0.0.1", 1002.0) == 600
    assert rules.seconds_left("10.0.0.2", 1002.0) == 0


def test_a_right_nip_takes_its_own_count_back() -> None:
    rules = LockoutRules(max_attempts=3, lockout_seconds=600, kiosk_lockout_seconds=120)
    rules.attempt("10.0.0.1", 1.0)
    rules.attempt("10.0.0.1", 2.0)
    rules.attempt("10.0.0.1", 3.0)  # the third reached the limit ...
    rules.succeeded("10.0.0.1", 3.0)  # ... but was the right NIP: no lock, no failures
    assert rules.seconds_left("10.0.0.1", 3.0) == 0
    assert rules.attempts_left("10.0.0.1", 3.0) == 3
    assert rules.failures[KIOSK] == [1.0, 2.0]


def test_kiosk_lock_is_shorter_and_never_locks_the_kiosk_screen() -> None:
    rules = LockoutRules(max_attempts=2, lockout_seconds=900, kiosk_lockout_seconds=180)
    for i in range(4):  # 2 × 2 failures from four addresses
        rules.attempt(f"10.0.0.{i}", 100.0)
    assert rules.seconds_left("10.0.0.99", 100.0) == 180  # a staff tablet waits the short kiosk lock
    assert rules.seconds_left("127.0.0.1", 100.0, loopback=True) == 0  # the kiosk's own screen never
    assert rules.seconds_left("10.0.0.99", 281.0) == 0


def test_lockout_defaults_kiosk_lock_shorter(tmp_path: Path) -> None:
    lockout = Lockout(tmp_path / "l.json", 5, 900)
    assert lockout.rules.kiosk_lockout_seconds == 180 < lockout.rules.lockout_seconds


# ---------------------------------------------------------------------- unlock
def test_unlock_clears_the_lockout_of_a_running_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lockout = Lockout(tmp_path / "nip-lockout.json", 2, 900)
    for _ in range(4):
        lockout.fail("10.0.0.1")
    assert lockout.seconds_left("10.0.0.1") > 0 and lockout.seconds_left("10.0.0.7") > 0
    assert cli.main(["unlock", "--data-dir", str(tmp_path)]) == 0
    assert "2 active lock(s) removed" in capsys.readouterr().out
    # the running app's Lockout sees the change on its next check
    assert lockout.seconds_left("10.0.0.1") == 0 and lockout.seconds_left("10.0.0.7") == 0
    assert json.loads((tmp_path / "nip-lockout.json").read_text()) == {"failures": {}, "locked_until": {}}
    assert cli.main(["unlock", "--data-dir", str(tmp_path / "missing")]) == 2


# ---------------------------------------------------------------------- one check in flight
async def test_simultaneous_guesses_never_outrun_the_limit(env: Env) -> None:
    """150 simultaneous wrong NIPs from one address; at most the limit reaches the engine."""
    services = staff(env)
    results = await asyncio.gather(*(services.nip.check("0000", LAN) for _ in range(150)))
    checks = sent(env, m.CheckNip)
    assert len(checks) == env.config.nip_max_attempts == 5
    outcomes = [r.outcome for r in results]
    assert outcomes.count("wrong") == 5 and outcomes.count("locked") == 145
    assert services.lockout.seconds_left(LAN) > 0
    # the right NIP from that address is refused without asking the engine
    assert (await services.nip.check("1234", LAN)).outcome == "locked"
    assert len(sent(env, m.CheckNip)) == 5


async def test_simultaneous_pages_from_one_address_never_outrun_the_limit(env: Env) -> None:
    """The same through the pages: 12 browsers from one address submit at once."""
    users = [user_from(env, LAN) for _ in range(12)]
    for user in users:
        await user.open("/admin")
        await user.should_see(marker="nip-input")
        user.find(marker="nip-input").type("0000")
    for user in users:
        user.find(marker="nip-submit").click()
    await eventually(lambda: staff(env).lockout.seconds_left(LAN) > 0, timeout=20)
    await env.caught_up()  # every NIP check sent so far has reached the engine
    assert len(sent(env, m.CheckNip)) == 5
    assert not any("admin-home" in markers_on_page(u) for u in users)
    # the fifth failure is journaled right after the lockout starts: wait for the row, not for a time
    await eventually(lambda: [r["result"] for r in env.kapp.journal.staff_actions()].count("failed") >= 5)
    rows = env.kapp.journal.staff_actions()
    assert [r["result"] for r in rows].count("failed") == 5
    assert "0000" not in repr(rows)


async def test_late_access_reply_authorizes_nobody(env: Env) -> None:
    """Staff's right NIP times out; its late 'validNIP true' must not open the intruder's page."""
    services = staff(env)
    services.nip.timeout = 1.0
    connects = env.kapp.client.connects
    env.engine.set_fault("slow_replies", 2.5)  # every answer comes 2.5 s late
    staff_user = env.new_user()
    await login(staff_user, "1234")
    await staff_user.should_see("No hay respuesta del equipo", retries=100)
    services.nip.timeout = 8.0  # the intruder's check is still waiting when staff's late answer comes
    intruder = user_from(env, LAN)
    await login(intruder, "0000")
    await intruder.should_see(marker="nip-error", retries=300)  # its own answer: wrong
    await intruder.should_see("NIP incorrecto")
    assert "admin-home" not in markers_on_page(intruder)
    assert "admin-home" not in markers_on_page(staff_user)
    assert env.kapp.client.connects > connects  # the connection was dropped and reopened after the timeout
    # the timeout counted as a failed attempt for its address
    assert services.lockout.attempts_left("127.0.0.1") == 4
    assert services.lockout.attempts_left(LAN) == 4
    # once the engine answers in time again, the right NIP works
    env.engine.set_fault("slow_replies", 0.0)
    await eventually(lambda: env.kapp.client.connected, timeout=10)
    await login(staff_user, "1234")
    await staff_user.should_see(marker="admin-home", retries=100)


async def test_one_nip_check_in_flight_for_the_whole_kiosk(env: Env) -> None:
    services = staff(env)
    env.engine.set_fault("slow_replies", 0.4)
    results = await asyncio.gather(*(services.nip.check("1234", f"10.0.0.{i}") for i in range(3)))
    assert [r.outcome for r in results] == ["ok"] * 3
    replies = [t for t, _, text in env.engine.outbox]  # nothing left queued
    assert not replies
    # each check went out only after the previous answer: one in flight at a time
    assert services.nip.sent == 3
    assert services.nip.max_in_flight == 1


async def test_unsolicited_access_authorizes_nobody(env: Env) -> None:
    user = env.new_user()
    await user.open("/admin")
    await user.should_see(marker="nip-submit")
    env.engine._broadcast(m.Access(True, "tok"))
    env.kick()
    await env.caught_up()  # the reply comes after the access frame: the app has handled it
    await asyncio.sleep(0)
    assert not STAFF_ONLY & markers_on_page(user)


# ---------------------------------------------------------------------- sessions
async def test_copied_cookie_from_another_address_opens_nothing(env: Env) -> None:
    """The session is bound to the address that logged in."""
    owner = env.new_user()
    await login(owner)
    await owner.should_see(marker="admin-home", retries=30)
    cookies = owner.http_client.cookies
    thief = user_from(env, LAN, cookies=cookies)
    await thief.open("/admin")
    await thief.should_see(marker="nip-submit")
    assert not STAFF_ONLY & markers_on_page(thief)
    # the same cookie from the same address is the same browser: it opens (so the check above is real)
    twin = user_from(env, "127.0.0.1", cookies=cookies)
    await twin.open("/admin")
    await twin.should_see(marker="admin-home", retries=30)


def admin_listeners(env: Env) -> list[Any]:
    from kiosk_ui.ui.pages import admin

    live = sys.modules.get("kiosk_ui.ui.pages.admin", admin)
    callbacks = env.kapp.kiosk._change_listeners._callbacks + env.kapp.kiosk._result_listeners._callbacks
    return [c for c in callbacks if isinstance(getattr(c, "__self__", None), live.AdminArea)]


async def test_logout_ends_every_tab_of_the_session(env: Env) -> None:
    first = env.new_user()
    await login(first)
    await first.should_see(marker="admin-home", retries=30)
    second = user_from(env, "127.0.0.1", cookies=first.http_client.cookies)
    await second.open("/admin")
    await second.should_see(marker="admin-home", retries=30)
    assert len(admin_listeners(env)) >= 2
    first.find(marker="admin-logout").click()
    await second.should_see(marker="nip-submit", retries=60)  # the other tab, at once, by itself
    assert not STAFF_ONLY & markers_on_page(second)
    assert admin_listeners(env) == []  # no tab of the session receives staff data any more


async def test_lockout_ends_the_sessions_of_that_address(env: Env) -> None:
    logged = user_from(env, LAN)
    await login(logged)
    await logged.should_see(marker="admin-home", retries=30)
    guesser = user_from(env, LAN)
    for _ in range(4):
        assert (await staff(env).nip.check("0000", LAN)).outcome == "wrong"
    assert "admin-home" in markers_on_page(logged)
    await login(guesser, "0000")  # the fifth wrong NIP locks the address ...
    await guesser.should_see(marker="nip-locked", retries=30)
    await logged.should_see(marker="nip-submit", retries=60)  # ... and ends its staff session at once
    assert not STAFF_ONLY & markers_on_page(logged)


async def test_idle_expiry_ends_the_tab_by_itself(env: Env) -> None:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    services = staff(env)
    [sid] = list(services.sessions._sessions)
    services.sessions.idle_seconds = 0.2
    services.sessions._sessions[sid].timer.cancel()
    services.sessions._arm(sid)
    await user.should_see(marker="nip-submit", retries=80)
    assert admin_listeners(env) == []


def test_sessions_unit() -> None:
    sessions = Sessions(60)
    sid = sessions.login("tok", "10.0.0.1")
    assert sessions.valid(sid, "10.0.0.1") and not sessions.valid(sid, "10.0.0.2")
    assert sessions.login("tok", "10.0.0.1") != sid  # fresh every time
    ended: list[str] = []
    sessions.on_end(sid, lambda: ended.append("a"))
    sessions.on_end(sid, lambda: ended.append("b"))
    sessions.logout(sid)
    assert ended == ["a", "b"] and not sessions.valid(sid, "10.0.0.1")


# ---------------------------------------------------------------------- uploads
async def test_too_large_upload_is_refused_while_receiving(env: Env) -> None:
    """The limit is enforced as the body streams in; nothing is stored."""
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    user.find(marker="product-new").click()
    await user.should_see(marker="product-form", retries=30)
    with user:
        upload = next(e for e in ui.context.client.elements.values() if "product-image" in e._markers)
    url = upload._props["url"]
    chunks_read = 0
    chunk = b"\x89PNG\r\n\x1a\n" + b"x" * (64 * 1024 - 8)

    async def body() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        boundary = b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.png"\r\n'
        yield boundary + b"Content-Type: image/png\r\n\r\n"
        for _ in range(300 * 16):  # 300 MB if it were all read
            chunks_read += 1
            yield chunk
        yield b"\r\n--B--\r\n"

    response = await user.http_client.post(url, content=body(),
                                           headers={"content-type": "multipart/form-data; boundary=B"})  # fmt: skip
    assert response.status_code == 413
    assert chunks_read <= 40  # stopped after ~1 MB, not 300 MB
    folder = env.config.data_dir / "product-images"
    assert not any(folder.iterdir())
    # a declared size over the limit is refused before reading anything
    big = await user.http_client.post(url, content=b"x" * 10, headers={"content-length": str(300 * 2**20)})
    assert big.status_code == 413


# ---------------------------------------------------------------------- addresses
def test_trusted() -> None:
    config = Config(allowed_addresses=("192.168.50.40", "10.9.0.0/16"))
    assert access.trusted("127.0.0.1", config) and access.trusted("::1", config)
    assert access.trusted("::ffff:127.0.0.1", config)
    assert access.trusted("192.168.50.40", config) and access.trusted("10.9.3.4", config)
    assert not access.trusted("192.168.50.41", config)
    assert not access.trusted(None, config) and not access.trusted("", config) and not access.trusted("junk", config)
    assert not access.trusted("192.168.50.40", Config())


def test_allowed_addresses_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nallowed_addresses = ["192.168.50.40", "10.9.0.0/16"]\n', encoding="utf-8")
    assert load(path).allowed_addresses == ("192.168.50.40", "10.9.0.0/16")
    path.write_text('[server]\nallowed_addresses = ["not an address"]\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load(path)


async def _get(host: str, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(core.app, client=(host, 40000)),
                                 base_url="http://test") as client:  # fmt: skip
        return await client.get(path, headers=headers)


async def test_customer_screen_and_health_by_address(env: Env) -> None:
    away = await _get(LAN, "/")
    assert away.status_code == 403
    assert 'href="/admin"' in away.text and 'data-testid="start"' not in away.text
    assert "Esta pantalla es solo para el cajero" in away.text and "Staff" in away.text
    forged = await _get(LAN, "/", **{"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"})
    assert forged.status_code == 403  # a header from the LAN changes nothing
    assert (await _get(LAN, "/admin")).status_code == 200
    assert (await _get("127.0.0.1", "/")).status_code == 200
    assert (await _get(LAN, "/health")).json() == {"engine": "connected"}
    full = (await _get("127.0.0.1", "/health")).json()
    assert full["engine"] == "connected" and "engine_url" in full and "version" in full


@pytest.mark.parametrize("config_overrides", [{"allowed_addresses": (LAN,)}])
async def test_listed_address_gets_the_customer_screen(env: Env) -> None:
    assert (await _get(LAN, "/")).status_code == 200
    assert (await _get("192.168.50.99", "/")).status_code == 403


@pytest.mark.parametrize("config_overrides", [{"demo": True}])
async def test_demo_mode_is_open_to_everyone(env: Env) -> None:
    assert (await _get(LAN, "/")).status_code == 200


@pytest.mark.parametrize("config_overrides", [{"wifi_ssid": "quickpaymini001", "wifi_password": "abcdefgh"}])
async def test_staff_area_warns_about_the_factory_wifi_password(env: Env) -> None:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="wifi-default-warning", retries=30)
    await user.should_see("contraseña de fábrica")


async def test_no_wifi_warning_with_another_password(env: Env) -> None:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    assert "wifi-default-warning" not in markers_on_page(user)

"""Faults the kiosk must survive, each with what the customer sees and what is recorded."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from decimal import Decimal

from kiosk_ui.protocol import messages as m
from kiosk_ui.protocol.values import js_date
from kiosk_ui.ui.pages.customer.shell import JOURNAL_RECHECK

from ..helpers import Env, ManualClock, eventually, key_in, label_text, start_cash_payment


async def broadcast_raw(env: Env, frames: list[str | bytes]) -> None:
    for connection in list(env.server._connections.values()):
        for frame in frames:
            await connection.send(frame)


async def test_unwritable_journal_refuses_payments_and_says_why(manual_clock: ManualClock, env: Env) -> None:
    journal = env.kapp.journal
    readonly = sqlite3.connect(f"file:{journal.path}?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None)  # fmt: skip
    writable, journal._db = journal._db, readonly
    try:
        user = env.new_user()
        await user.open("/")
        user.find(marker="start").click()
        await key_in(user, "20")
        await user.should_see("El equipo no puede registrar pagos ahora. Llame al encargado.", retries=30)
        user.find(marker="pay-cash").click()  # disabled: nothing happens
        await env.caught_up()
        assert not any(isinstance(msg, m.PayCash) for _, msg in env.engine.received)
        health = env.kapp.health()
        assert health["journal"] == "error"
    finally:
        journal._db = writable
        readonly.close()
    # back at idle the kiosk is out of service (issue 21) until its next look at the journal
    user.find(marker="sale-back").click()
    await user.should_see(marker="out-of-service")
    await user.should_not_see(marker="start")
    # the disk is back: the next look finds it, and the next sale may pay again
    manual_clock.advance(JOURNAL_RECHECK)
    await user.should_see(marker="start", retries=50)
    user.find(marker="start").click()
    await key_in(user, "20")
    await eventually(lambda: not env.kapp.kiosk.journal_error)
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment", retries=30)


async def test_journal_failure_at_the_last_moment_sends_nothing(env: Env) -> None:
    journal = env.kapp.journal

    def broken(*_: object) -> None:
        from kiosk_ui.journal import JournalError

        raise JournalError("database or disk is full")

    journal.open_payment = broken  # type: ignore[method-assign]
    from kiosk_ui.kiosk import PaymentRefused

    try:
        await env.kapp.kiosk.start_payment("cash", Decimal("10"))
    except PaymentRefused as exc:
        assert exc.reason == "err_journal"
    else:
        raise AssertionError("payment started without a journal record")
    assert not any(isinstance(msg, m.PayCash) for _, msg in env.engine.received)


async def test_junk_of_every_kind_changes_nothing(env: Env) -> None:
    kiosk = env.kapp.kiosk
    before = kiosk.state
    junk: list[str | bytes] = [
        "not json", "{", "[]", "null", '"status"', '{"comando":null}', '{"comando":"status","Credit":"lots"}',
        '{"comando":"updateCredit","Credit":-5}', '{"comando":"nope"}', '{"comando":"paycash","due":"1.00"}',
        b"\x00\xffbinary", "x" * (5 * 1024 * 1024), json.dumps({"comando": "status", "cobrando": [1]}),
    ]  # fmt: skip
    from kiosk_ui.protocol.messages import dropped_fields

    dropped_before = sum(dropped_fields().values())
    await broadcast_raw(env, junk)
    # a frame is dropped whole only when unreadable; a known frame loses just its unreadable field
    await eventually(lambda: env.kapp.client.bad_frames + sum(dropped_fields().values()) - dropped_before
                     >= len(junk))  # fmt: skip
    assert kiosk.state == before
    assert env.kapp.client.connected and env.kapp.client.connects == 1


async def test_flood_of_updates_keeps_the_screen_current(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "5000")
    frames: list[str | bytes] = [
        json.dumps({"fecha": js_date(), "comando": "updateCredit", "Due": "5000.00", "Credit": f"{i / 100:.2f}",
                    "Status": "Cobrando", "changeBar": 80})
        for i in range(1, 2001)
    ]  # fmt: skip
    started = asyncio.get_running_loop().time()
    for second in range(2):  # 1000 messages per second for 2 s
        await broadcast_raw(env, frames[second * 1000 : (second + 1) * 1000])
        await asyncio.sleep(max(0.0, started + second + 1 - asyncio.get_running_loop().time()))
    await eventually(lambda: label_text(user, "pay-credit") == "$20.00", timeout=5)
    assert env.kapp.client.connected and env.kapp.client.bad_frames == 0


async def test_engine_restart_mid_payment_is_never_reported_as_a_clean_outcome(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    await start_cash_payment(user, env, "80")
    await env.insert("50")
    await eventually(lambda: label_text(user, "pay-credit") == "$50.00")
    env.engine.power_off(0.5)  # the engine restarts and forgets the payment
    env.kick()
    await user.should_see(marker="engine-offline", retries=30)
    await user.should_see(marker="screen-payment")  # no guess while it is away
    await user.should_see(marker="result-error", retries=80)
    await user.should_see("No pudimos confirmar el resultado. Llame al encargado.")
    await user.should_see(marker="receipt-qr")
    (row,) = env.kapp.journal.payments()
    assert row["outcome"] == "unknown" and row["credit"] == "50.00"
    assert [r["id"] for r in env.kapp.journal.to_review()] == [row["id"]]


async def test_url_tampering_reaches_nothing(env: Env) -> None:
    http = env.new_user().http_client
    for path in (
        "/product-images/../journal.sqlite3",
        "/product-images/..%2Fjournal.sqlite3",
        "/product-images/%2e%2e/storage-secret",
        "/kiosk-assets/../journal.sqlite3",
        "/sim",
    ):
        response = await http.get(path)
        assert response.status_code == 404, path
        assert b"SQLite format" not in response.content
    staff = await http.get("/admin?session=admin&valid=1")
    assert staff.status_code == 200 and b"admin-home" not in staff.content and b"action-opendoor" not in staff.content

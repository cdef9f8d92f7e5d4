"""Outside acceptance review: the app's CLI, a real Chromium, the UI contract's ids, engines that are not ours.

Run (one test at a time while developing; the machine is shared):

    KIOSK_UI_BIN=/path/to/.venv/bin/kiosk-ui .venv/bin/python -m pytest -c devtools/acceptance/pytest.ini \
        devtools/acceptance/test_acceptance.py -k 'cash_sale and comma'

``ACCEPT_READINGS=baseline,comma`` restricts the engine readings the payment scenarios run under.
Nothing here imports kiosk_ui: the app is a subprocess, the engine is ``engine.py``.
Every failure message carries what the screen showed (visible test ids and their text), the
journal's payment rows and the engine's ledger.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engine import READINGS
from harness import (
    NIP,
    Checker,
    Stack,
    back_to_idle,
    confirm_if_asked,
    engine_charging,
    engine_idle,
    expect_amount,
    idle_page,
    key_in,
    make_stack,
    open_page,
    tid,
    wait_journal,
)
from playwright.sync_api import Browser, Page, expect

_selected = os.environ.get("ACCEPT_READINGS", "")
PAYMENT_READINGS = [r for r in _selected.split(",") if r in READINGS] if _selected else list(READINGS)


# ---------------------------------------------------------------------------------------------------------
# payment scenarios under every reading
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=PAYMENT_READINGS)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reading = request.param
    with make_stack(reading, reading, tmp_path_factory.mktemp(f"app-{reading}")) as s:
        yield s


def test_cash_sale_with_change(browser: Browser, stack: Stack) -> None:
    page = idle_page(browser, stack)
    check = Checker(stack, page)
    with check("sale screen 35.50"):
        key_in(page, "35.5")
        expect_amount(tid(page, "amount-display"), "35.50")
        tid(page, "pay-cash").click()
        expect(tid(page, "screen-payment")).to_be_visible()
        engine_charging(stack, "cash", "35.50")
    with check("payment screen: pay-due 35.50", soft=True):
        expect_amount(tid(page, "pay-due"), "35.50")
    stack.engine.insert("20")
    with check("first bill: credit 20.00, remaining 15.50", soft=True):
        expect_amount(tid(page, "pay-credit"), "20.00")
        expect_amount(tid(page, "pay-remaining"), "15.50")
    with check("second bill: result-success"):
        stack.engine.insert("20")
        expect(tid(page, "screen-result")).to_be_visible()
        expect(tid(page, "result-success")).to_be_visible()
    with check("result: change 4.50, no other outcome, no shortfall", soft=True):
        expect_amount(tid(page, "result-change"), "4.50")
        for other in ("result-cancelled", "result-declined", "result-error", "result-shortfall"):
            expect(tid(page, other)).to_be_hidden()
    with check("journal: completed, credit 40.00, change_owed/paid 4.50", soft=True):
        row = wait_journal(
            stack.app, lambda r: r.get("due") == "35.50" and r.get("outcome") != "open", "due 35.50 ended"
        )
        got = {k: row.get(k) for k in ("method", "outcome", "credit", "change_owed", "change_paid", "shortfall")}
        want = {
            "method": "cash",
            "outcome": "completed",
            "credit": "40.00",
            "change_owed": "4.50",
            "change_paid": "4.50",
            "shortfall": "0.00",
        }
        assert got == want, f"journal row {got} != {want}"
    with check("engine ledger: completed, 4.50 paid, nothing odd", soft=True):
        snap = stack.engine.snapshot()
        sale = snap["ledger"][-1]
        assert (sale.outcome, sale.change_paid) == ("completed", 4.50), sale
        assert not snap["alerts"], snap["alerts"]
    with check("back to idle"):
        back_to_idle(page)
    page.context.close()
    check.finish()


def test_cash_cancel_refunds(browser: Browser, stack: Stack) -> None:
    page = idle_page(browser, stack)
    check = Checker(stack, page)
    with check("payment 100.00 charging"):
        key_in(page, "100")
        tid(page, "pay-cash").click()
        expect(tid(page, "screen-payment")).to_be_visible()
        engine_charging(stack, "cash", "100.00")
    stack.engine.insert("50")
    with check("50.00 in: credit 50.00, remaining 50.00", soft=True):
        expect_amount(tid(page, "pay-credit"), "50.00")
        expect_amount(tid(page, "pay-remaining"), "50.00")
    with check("cancel: result-cancelled"):
        tid(page, "cancel").click()
        confirm_if_asked(page, tid(page, "screen-result"))
        expect(tid(page, "result-cancelled")).to_be_visible()
    with check("result: 50.00 returned, no other outcome", soft=True):
        expect_amount(tid(page, "result-change"), "50.00")
        for other in ("result-success", "result-declined", "result-error"):
            expect(tid(page, other)).to_be_hidden()
    with check("engine ledger: cancel '1', 50.00 refunded", soft=True):
        snap = stack.engine.wait_for(lambda s: s["ledger"][-1].outcome != "open", what="sale ended")
        sale = snap["ledger"][-1]
        assert (sale.outcome, sale.refunded) == ("cancelled", 50), sale
        assert not snap["alerts"], snap["alerts"]
    with check("journal: cancelled, credit 50.00, change_paid 50.00", soft=True):
        row = wait_journal(
            stack.app, lambda r: r.get("due") == "100.00" and r.get("outcome") != "open", "due 100.00 ended"
        )
        got = {k: row.get(k) for k in ("method", "outcome", "credit", "change_paid")}
        want = {"method": "cash", "outcome": "cancelled", "credit": "50.00", "change_paid": "50.00"}
        assert got == want, f"journal row {got} != {want}"
    with check("back to idle"):
        back_to_idle(page)
    page.context.close()
    check.finish()


def _card_payment(stack: Stack, page: Page, verdict: str) -> None:
    reading = stack.engine.reading
    if reading.card_block:
        stack.engine.plan_card(verdict)  # the engine is deaf while the terminal works: decide beforehand
    key_in(page, "250")
    expect(tid(page, "pay-card")).to_be_enabled()
    tid(page, "pay-card").click()
    expect(tid(page, "screen-payment")).to_be_visible()
    if not reading.card_block:
        engine_charging(stack, "card", "250.00")
        if verdict == "approve":
            stack.engine.approve()
        else:
            stack.engine.decline("Fondos insuficientes")


def _card_rows(stack: Stack, before: int, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    rows = stack.app.payments()[before:]
    while time.monotonic() < deadline and not (len(rows) >= count and rows[count - 1].get("outcome") != "open"):
        time.sleep(0.5)
        rows = stack.app.payments()[before:]
    return rows


def test_card_approved_then_declined(browser: Browser, stack: Stack) -> None:
    page = idle_page(browser, stack)
    check = Checker(stack, page)
    before = len(stack.app.payments())
    with check("card approved: result-success"):
        _card_payment(stack, page, "approve")
        expect(tid(page, "result-success")).to_be_visible(timeout=40_000)
    with check("approved: no other outcome", soft=True):
        for other in ("result-cancelled", "result-declined", "result-error"):
            expect(tid(page, other)).to_be_hidden()
    with check("journal: card completed with the engine's reference", soft=True):
        sale = stack.engine.wait_for(lambda s: s["ledger"][-1].outcome != "open")["ledger"][-1]
        assert sale.outcome == "approved", sale
        rows = _card_rows(stack, before, 1)
        assert rows, "no journal row for the approved card payment"
        got = {k: rows[0].get(k) for k in ("method", "outcome", "reference")}
        want = {"method": "card", "outcome": "completed", "reference": sale.reference}
        assert got == want, f"journal row {got} != {want}"
    with check("back to idle after approval"):
        back_to_idle(page)
        engine_idle(stack)
        expect(tid(page, "start")).to_be_visible()
    with check("card declined: result-declined"):
        _card_payment(stack, page, "decline")
        expect(tid(page, "result-declined")).to_be_visible(timeout=40_000)
    with check("declined: no other outcome", soft=True):
        for other in ("result-success", "result-cancelled", "result-error"):
            expect(tid(page, other)).to_be_hidden()
    with check("declined: result-retry-cash and result-retry-card present", soft=True):
        expect(tid(page, "result-retry-cash")).to_be_visible()
        expect(tid(page, "result-retry-card")).to_be_visible()
    with check("journal: second card payment declined, no reference", soft=True):
        stack.engine.wait_for(lambda s: s["ledger"][-1].outcome == "declined", what="engine declined")
        rows = _card_rows(stack, before, 2)
        assert len(rows) >= 2, f"only {len(rows)} journal rows for two card payments"
        got = {k: rows[1].get(k) for k in ("method", "outcome", "reference")}
        assert got["outcome"] == "declined" and got["reference"] in ("", None), f"journal row {got}"
    if tid(page, "result-retry-cash").is_visible():
        with check("retry in cash: one tap starts cash for 250.00", soft=True):
            tid(page, "result-retry-cash").click()
            expect(tid(page, "screen-payment")).to_be_visible()
            expect_amount(tid(page, "pay-due"), "250.00")
            engine_charging(stack, "cash", "250.00")
            tid(page, "cancel").click()
            confirm_if_asked(page, tid(page, "screen-result").or_(tid(page, "screen-idle")))
            expect(
                tid(page, "result-cancelled").or_(tid(page, "screen-idle")).filter(visible=True).first
            ).to_be_visible()
            engine_idle(stack)
    with check("engine: nothing odd", soft=True):
        assert not stack.engine.snapshot()["alerts"], stack.engine.snapshot()["alerts"]
    page.context.close()
    check.finish()


# ---------------------------------------------------------------------------------------------------------
# staff and screen behaviour (one engine, baseline reading)
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with make_stack("staff-baseline", "baseline", tmp_path_factory.mktemp("app-staff")) as s:
        yield s


def staff_login(browser: Browser, stack: Stack) -> Page:
    staff = open_page(browser, stack.app.base + "/admin")
    expect(tid(staff, "nip-input")).to_be_visible()
    tid(staff, "nip-input").fill(NIP)
    tid(staff, "nip-submit").click()
    expect(tid(staff, "admin-home")).to_be_visible()
    return staff


def test_staff_nip_login(browser: Browser, base_stack: Stack) -> None:
    staff = open_page(browser, base_stack.app.base + "/admin")
    check = Checker(base_stack, staff)
    with check("gate: nothing of the staff area before the NIP"):
        expect(tid(staff, "nip-input")).to_be_visible()
        for hidden in ("admin-home", "action-opendoor", "st-credit"):
            assert tid(staff, hidden).count() == 0, f"{hidden} sent to a browser without the NIP"
    with check("wrong NIP: nip-error"):
        tid(staff, "nip-input").fill("0000")
        tid(staff, "nip-submit").click()
        expect(tid(staff, "nip-error")).to_be_visible()
        expect(tid(staff, "admin-home")).to_be_hidden()
    with check("right NIP: admin-home"):
        tid(staff, "nip-input").fill(NIP)
        tid(staff, "nip-submit").click()
        expect(tid(staff, "admin-home")).to_be_visible()
        nips = [f.get("nip") for f in base_stack.engine.snapshot()["received"] if f.get("comando") == "checknip"]
        assert nips[-1:] == [NIP], nips
    staff.context.close()


def test_action_refused_during_payment(browser: Browser, base_stack: Stack) -> None:
    customer = idle_page(browser, base_stack)
    staff = staff_login(browser, base_stack)
    check = Checker(base_stack, customer, staff)
    with check("customer cash payment of 80.00 charging"):
        key_in(customer, "80")
        tid(customer, "pay-cash").click()
        expect(tid(customer, "screen-payment")).to_be_visible()
        engine_charging(base_stack, "cash", "80.00")
        base_stack.engine.insert("20")
        expect_amount(tid(customer, "pay-credit"), "20.00")
    with check("staff open door: action-busy, nothing sent"):
        if not tid(staff, "action-opendoor").is_visible():
            tid(staff, "nav-actions").click()
        tid(staff, "action-opendoor").click()
        confirm_if_asked(staff, tid(staff, "action-busy"))
        expect(tid(staff, "action-busy")).to_be_visible()
        expect(tid(staff, "action-done")).to_be_hidden()
        sent = [f.get("comando") for f in base_stack.engine.snapshot()["received"]]
        assert "opendoor" not in sent, sent
        expect(tid(customer, "screen-payment")).to_be_visible()
    with check("customer cancels: 20.00 back"):
        tid(customer, "cancel").click()
        confirm_if_asked(customer, tid(customer, "screen-result"))
        expect(tid(customer, "result-cancelled")).to_be_visible()
        snap = base_stack.engine.wait_for(lambda s: s["ledger"][-1].outcome != "open")
        assert snap["ledger"][-1].refunded == 20, snap["ledger"][-1]
        assert "opendoor" not in [f.get("comando") for f in snap["received"]]
        back_to_idle(customer)  # the kiosk screen is one state: leave it idle for the next walk
    customer.context.close()
    staff.context.close()


def test_lang_toggle_resets_on_idle(browser: Browser, base_stack: Stack) -> None:
    page = idle_page(browser, base_stack)
    check = Checker(base_stack, page)
    with check("switch the sale screen to the other language"):
        start_es = tid(page, "start").text_content() or ""
        key_in(page, "12")
        pay_es = tid(page, "pay-cash").text_content() or ""
        tid(page, "lang-toggle").click()
        expect(tid(page, "pay-cash")).not_to_have_text(pay_es)
    with check("back to idle: Spanish again"):
        tid(page, "sale-back").click()
        expect(tid(page, "screen-idle")).to_be_visible()
        expect(tid(page, "start")).to_have_text(start_es)
        tid(page, "start").click()
        expect(tid(page, "pay-cash")).to_have_text(pay_es)
        tid(page, "sale-back").click()
        expect(tid(page, "screen-idle")).to_be_visible()
    page.context.close()


def test_out_of_service_when_engine_down(browser: Browser, tmp_path: Path) -> None:
    with make_stack("engine-down", "baseline", tmp_path) as stack:
        page = idle_page(browser, stack)
        check = Checker(stack, page)
        with check("engine down: out-of-service, no start"):
            stack.engine.down()
            expect(tid(page, "out-of-service")).to_be_visible()
            expect(tid(page, "start")).to_be_hidden()
        with check("engine back: start again"):
            stack.engine.up()
            expect(tid(page, "start")).to_be_visible(timeout=30_000)
            expect(tid(page, "out-of-service")).to_be_hidden()
        page.context.close()


def test_timeout_warning_on_empty_payment(browser: Browser, tmp_path: Path) -> None:
    config = "[kiosk]\nsale_timeout = 3\ntimeout_answer = 20\nresult_seconds = 3\n"
    with make_stack("timeout", "baseline", tmp_path, config) as stack:
        page = idle_page(browser, stack)
        check = Checker(stack, page)
        with check("payment 30.00, nothing inserted: timeout-warning"):
            key_in(page, "30")
            tid(page, "pay-cash").click()
            expect(tid(page, "screen-payment")).to_be_visible()
            engine_charging(stack, "cash", "30.00")
            expect(tid(page, "timeout-warning")).to_be_visible(timeout=30_000)
        with check("no answer: cancel sent, back to idle"):
            expect(tid(page, "screen-idle")).to_be_visible(timeout=60_000)
            snap = stack.engine.wait_for(lambda s: s["ledger"][-1].outcome != "open", what="sale ended")
            assert snap["ledger"][-1].outcome == "cancelled", snap["ledger"][-1]
            cancels = [f.get("cancelvalue") for f in snap["received"] if f.get("comando") == "cancel"]
            assert cancels == ["1"], cancels
            row = wait_journal(
                stack.app, lambda r: r.get("due") == "30.00" and r.get("outcome") != "open", "30.00 ended"
            )
            assert row.get("outcome") == "cancelled", row
        page.context.close()


def test_access_broadcast_authorizes_nobody(browser: Browser, tmp_path: Path) -> None:
    """An engine that sends `access` to every client: another client's NIP check must not open our admin."""
    from websockets.sync.client import connect

    with make_stack("access_broadcast", "access_broadcast", tmp_path) as stack:
        staff = open_page(browser, stack.app.base + "/admin")
        check = Checker(stack, staff)
        with check("another client's valid NIP: our gate stays closed"):
            expect(tid(staff, "nip-input")).to_be_visible()
            with connect(stack.engine.url) as other:
                other.send(json.dumps({"comando": "checknip", "fecha": "2026-03-14T18:22:05.123Z", "nip": NIP}))
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:  # the other client sees its own answer arrive
                    frame = json.loads(other.recv(timeout=5))
                    if frame.get("comando") == "access":
                        break
            tid(staff, "nip-input").fill("9999")
            tid(staff, "nip-submit").click()
            expect(tid(staff, "nip-error")).to_be_visible()
            expect(tid(staff, "admin-home")).to_be_hidden()
        with check("our own valid NIP still opens admin-home"):
            tid(staff, "nip-input").fill(NIP)
            tid(staff, "nip-submit").click()
            expect(tid(staff, "admin-home")).to_be_visible()
        staff.context.close()

"""The staff area's Spanish finished (issue 21, item 9), as staff read it: journal rows, alerts and
refusals in es-MX (English on the English screen), plurals, "5 dic 2026" dates, day-first date fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from nicegui import ui
from nicegui.testing.user import User

from kiosk_ui.alerts.rules import Snapshot, evaluate
from kiosk_ui.config import AlertConfig
from kiosk_ui.ui.i18n.dates import day_text, field_text, parse_day

from ..helpers import Env, eventually, logged_in


def row_texts(user: User) -> list[str]:
    """Each journal row's visible words, joined."""
    rows: list[str] = []
    with user:
        for row in [e for e in ui.context.client.elements.values() if "journal-row" in e._markers]:
            rows.append(" | ".join(str(getattr(e, "text", "")) for e in row.descendants() if e is not row))
    return rows


async def journal_shows(user: User, *words: str) -> str:
    """Wait until one journal row holds all ``words``; return it."""
    found: list[str] = []

    def check() -> bool:
        user.find(marker="journal-refresh").click()
        found[:] = [r for r in row_texts(user) if all(w in r for w in words)]
        return bool(found)

    await eventually(check)
    return found[0]


async def test_journal_rows_read_in_spanish_and_old_rows_stay_readable(env: Env) -> None:
    journal = env.kapp.journal
    # rows as earlier versions stored them (the issue's own examples), and one this version does not know
    journal.record_action("alert", "no webhook", detail="screen_missing firing: más de 30 s sin la pantalla del equipo")
    journal.record_action("action-opendoor", "refused: payment in progress", client="10.0.0.9")
    journal.record_action("legacy-thing", "whatever it said")
    user = await logged_in(env)
    login = await journal_shows(user, "Inicio de sesión")
    assert "correcto" in login and "login" not in login
    alert = await journal_shows(user, "Alerta")
    assert "sin webhook configurado" in alert and "Pantalla del cliente desconectada · Activa" in alert
    assert "screen_missing" not in alert and "firing" not in alert
    refused = await journal_shows(user, "Abrir puerta")
    assert "rechazado: cobro en curso" in refused and "refused" not in refused
    assert "whatever it said" in await journal_shows(user, "legacy-thing")
    # the row's time reads "5 dic 2026 14:03:22"
    assert day_text(dt.date.today()) in login
    # the journal itself keeps its stable keys (the CLI export prints them as they are)
    stored = {(r["action"], r["result"]) for r in journal.staff_actions()}
    assert ("login", "ok") in stored and ("alert", "no webhook") in stored


async def test_journal_rows_in_english_on_the_english_screen(env: Env) -> None:
    env.kapp.journal.record_action("action-opendoor", "refused: payment in progress")
    user = await logged_in(env)
    user.find(marker="staff-lang").click()
    await user.should_see("Kiosk administration")
    row = await journal_shows(user, "Open door")
    assert "refused: payment in progress" in row
    assert "Sign-in" in await journal_shows(user, "Sign-in")
    today = dt.date.today()
    assert f"{today.day} {today:%b} {today.year}" in row


async def test_sales_count_is_singular_for_one(env: Env) -> None:
    for amount in ("10", "5"):
        assert await env.kapp.kiosk.start_payment("cash", Decimal(amount)) is None
        await env.insert(amount)
        await eventually(lambda: env.kapp.journal.payments()[0]["outcome"] == "completed")
        user = await logged_in(env)
        await user.should_see(marker="report-row", retries=30)
        await user.should_see("1 venta" if amount == "10" else "2 ventas")
        if amount == "10":
            await user.should_not_see("1 ventas")
        await user.should_see(day_text(dt.date.today()))


async def test_date_fields_are_day_first(env: Env) -> None:
    user = await logged_in(env)
    today = dt.date.today()
    with user:
        first = next(iter(user.find(marker="report-from").elements))
        last = next(iter(user.find(marker="report-to").elements))
    assert last.value == field_text(today) and first.value == field_text(today - dt.timedelta(days=30))
    assert last.value[2] == "/" and int(last.value[:2]) == today.day
    await user.should_see(marker="journal-row")  # the first page has loaded (its render would hide the error)
    user.find(marker="journal-from").type("31/02/2026")
    user.find(marker="journal-apply").click()
    await user.should_see("Fecha no válida: use dd/mm/aaaa.")
    user.find(marker="journal-from").clear().type(field_text(today))
    user.find(marker="journal-apply").click()
    await user.should_not_see("Fecha no válida: use dd/mm/aaaa.")
    await user.should_see(marker="journal-row")


@pytest.mark.parametrize(("text", "day"), [("05/12/2026", dt.date(2026, 12, 5)), ("5/1/2027", dt.date(2027, 1, 5)),
                                           ("2026-12-05", dt.date(2026, 12, 5))])  # fmt: skip
def test_parse_day_reads_day_first_and_iso(text: str, day: dt.date) -> None:
    assert parse_day(text) == day


def test_dates_read_as_in_mexico() -> None:
    assert day_text(dt.date(2026, 12, 5)) == "5 dic 2026"
    assert day_text(dt.date(2026, 12, 5), "en") == "5 Dec 2026"
    with pytest.raises(ValueError):
        parse_day("12/31/2026")  # month-first is refused, never read as another day


def test_alert_details_are_plural_aware() -> None:
    cfg = AlertConfig()
    one = evaluate(Snapshot(to_review=1), cfg, 0.0).active["payment_unknown"]
    two = evaluate(Snapshot(to_review=2), cfg, 0.0).active["payment_unknown"]
    assert one == "1 pago con resultado desconocido" and two == "2 pagos con resultado desconocido"
    assert evaluate(Snapshot(to_review=1), cfg, 0.0, lang="en").active["payment_unknown"].startswith("1 payment ")

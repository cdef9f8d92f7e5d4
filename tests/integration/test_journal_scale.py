"""The journal at a real kiosk's size: complete streamed exports, newest-first paging, SQL reports,
schema v1 -> v2 with nothing lost, online backups, a FIFO write path and CSV formula neutralization."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk_ui.journal import (
    EXPORT_FIELDS,
    SCHEMA_VERSION,
    Filter,
    Journal,
    JournalError,
    local_day,
    neutralize,
    now_iso,
    write_csv,
)
from kiosk_ui.journal.schema import _V1

from ..helpers import Env, eventually, logged_in


def run_cli(*args: str, encoding: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
        env["PYTHONUTF8"] = "0"
    return subprocess.run([sys.executable, "-m", "kiosk_ui.cli", *args], capture_output=True, timeout=120, env=env)


def bulk_payments(path: Path, count: int, *, start: dt.datetime | None = None, prefix: str = "b") -> None:
    """``count`` completed cash payments of $1.00 .. one per second from ``start`` (bulk: not the write path)."""
    Journal(path).close()
    start = start or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(count):
        at = (start + dt.timedelta(seconds=i)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        rows.append((f"{prefix}{i:07d}", at, at, local_day(at), "cash", 100 + i % 7, 100, 0, 0, 0, "", "completed",
                     "", "[]", None))  # fmt: skip
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')", rows)


# ---------------------------------------------------------------- exports
def test_cli_exports_every_payment_past_ten_thousand(tmp_path: Path) -> None:
    bulk_payments(tmp_path / "journal.sqlite3", 12_345)
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("newest", "card", "77.77", [])
    journal.record_action("login", "ok")
    journal.close()
    out = run_cli("journal", "--data-dir", str(tmp_path), "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"))))
    assert len(rows) == 12_345 + 2
    assert [r["id"] for r in rows[:2]] == ["b0000000", "b0000001"]  # oldest first
    assert rows[-2]["id"] == "newest" and rows[-2]["due"] == "77.77" and rows[-1]["kind"] == "staff"
    payments = json.loads(run_cli("journal", "--data-dir", str(tmp_path)).stdout)
    assert len(payments) == 12_347 and payments[-2]["due"] == "77.77"
    assert set(payments[0]) >= {"kind", "at", "id", "method", "due", "credit", "change_owed", "change_paid",
                                "shortfall", "reference", "outcome", "detail"}  # fmt: skip


def test_cli_since_until_select_local_days(tmp_path: Path) -> None:
    noon = dt.datetime.combine(dt.date(2025, 3, 10), dt.time(12)).astimezone(dt.UTC)
    bulk_payments(tmp_path / "journal.sqlite3", 3, start=noon)  # 12:00:00 .. 12:00:02 local, 10 March
    bulk_payments_day = json.loads(run_cli("journal", "--data-dir", str(tmp_path), "--since", "2025-03-10",
                                           "--until", "2025-03-10").stdout)  # fmt: skip
    assert len(bulk_payments_day) == 3
    assert json.loads(run_cli("journal", "--data-dir", str(tmp_path), "--since", "2025-03-11").stdout) == []
    assert json.loads(run_cli("journal", "--data-dir", str(tmp_path), "--until", "2025-03-09").stdout) == []
    assert (
        len(json.loads(run_cli("journal", "--data-dir", str(tmp_path), "--since", "2025-03-10T12:00:01").stdout)) == 2
    )
    bad = run_cli("journal", "--data-dir", str(tmp_path), "--since", "yesterday")
    assert bad.returncode == 2 and b"not a date" in bad.stderr and bad.stdout == b""


def test_exports_neutralize_formulas_and_are_utf8_on_a_cp1252_console(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("p1", "cash", "10.00", [])
    journal.update_payment("p1", outcome="failed", detail='=HYPERLINK("http://x","clic") 漢字 ő')
    journal.record_action("product-save", "saved", detail="@SUM(A1) -2+3 ☃")
    journal.record_action("note", "ok", detail="-5.00")
    journal.close()
    out = run_cli("journal", "--data-dir", str(tmp_path), "--format", "csv", encoding="cp1252")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"))))
    assert rows[0]["detail"] == '\'=HYPERLINK("http://x","clic") 漢字 ő'
    assert rows[1]["detail"] == "'@SUM(A1) -2+3 ☃"
    assert rows[2]["detail"] == "-5.00"  # a number stays a number
    out = run_cli("journal", "--data-dir", str(tmp_path), "--format", "json", encoding="cp1252")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.decode("utf-8"))[0]["detail"].endswith("漢字 ő")  # JSON keeps the text as is


def test_neutralize_per_owasp() -> None:
    for cell in ("=1+1", "+1", "-A1", "@x", "\tx", "\rx", "＝1"):
        assert neutralize(cell) == "'" + cell
    for cell in ("", "abc", "-5", "-5.25", "1=1", 7, None):
        assert neutralize(cell) == cell


async def test_staff_csv_download_streams_every_row(env: Env) -> None:
    journal = env.kapp.journal
    await asyncio.to_thread(bulk_rows, journal, 10_500)
    await journal.aupdate_payment("x0000000", detail="=cmd|' /C calc'!A0")
    user = await logged_in(env)
    user.find(marker="journal-export").click()
    response = await user.download.next(timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    payments = [r for r in rows if r["kind"] == "payment"]
    assert len(payments) == 10_500
    assert payments[0]["detail"] == "'=cmd|' /C calc'!A0"
    assert any(r["action"] == "login" for r in rows)
    # the link was for one download only
    again = await user.http_client.get(response.request.url.path)
    assert again.status_code == 404
    await eventually(lambda: any(a["action"] == "journal-export" and a["result"] == "ok"
                                 for a in journal.staff_actions(100_000)))  # fmt: skip


def bulk_rows(journal: Journal, count: int) -> None:
    """Rows through the app's own journal file (a second connection: bulk, one transaction)."""
    at = "2025-01-01T00:00:00.000Z"
    with sqlite3.connect(journal.path) as db:
        db.executemany(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
            [(f"x{i:07d}", at, at, "2025-01-01", "cash", 100, 100, 0, 0, 0, "", "completed", "", "[]", None)
             for i in range(count)],
        )  # fmt: skip


# ---------------------------------------------------------------- staff view
async def test_newest_payment_on_the_staff_views_first_page(env: Env) -> None:
    await asyncio.to_thread(bulk_rows, env.kapp.journal, 12_000)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("61.23")) is None
    await env.insert("100")
    await eventually(lambda: env.kapp.journal.open_payments() == [])
    (newest,) = [p for p in env.kapp.journal.page(Filter(kind="payment"), None, 1).entries]
    assert newest.data["due"] == "61.23"
    user = await logged_in(env)
    await user.should_see(newest.data["id"][:8], retries=50)
    await user.should_see("$61.23")
    assert len(list(user.find(marker="journal-row").elements)) == 50
    # the filters select on the server: a search by id shows that payment alone
    user.find(marker="journal-search").type(newest.data["id"][:12])
    user.find(marker="journal-apply").click()
    await eventually(lambda: len(list(user.find(marker="journal-row").elements)) == 1)
    # bad input: a clear message, the list unchanged
    user.find(marker="journal-amount-min").type("abc")
    user.find(marker="journal-apply").click()
    await user.should_see("Monto no válido: use un monto como 18.50.")
    assert len(list(user.find(marker="journal-row").elements)) == 1


async def test_staff_view_shows_a_payment_that_ends_while_it_is_open(env: Env) -> None:
    user = await logged_in(env)
    await user.should_see(marker="journal-row", retries=30)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("42.17")) is None
    await env.insert("50")
    await eventually(lambda: env.kapp.journal.open_payments() == [])
    (newest,) = env.kapp.journal.page(Filter(kind="payment"), None, 1).entries
    await user.should_see(newest.data["id"][:8], retries=50)  # pushed: nobody pressed refresh
    await user.should_see("$42.17")


def test_pages_cover_everything_once_newest_first(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    same = "2025-05-05T10:00:00.000Z"  # ties across both kinds and within each
    with sqlite3.connect(journal.path) as db:
        db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
                       [(f"p{i:03d}", same if i % 2 else f"2025-05-05T09:{i % 60:02d}:00.000Z", same, "2025-05-05",
                         "card" if i % 3 == 0 else "cash", 100 * i, 0, 0, 0, 0, f"R{i}", "completed", "", "[]", None)
                        for i in range(130)])  # fmt: skip
        db.executemany("INSERT INTO staff_actions (at, action) VALUES (?, ?)", [(same, f"a{i}") for i in range(40)])
    for flt, expected in ((Filter(), 170), (Filter(kind="staff"), 40), (Filter(method="card"), 44),
                          (Filter(min_cents=1000, max_cents=2000), 11), (Filter(search="R7"), 1),
                          (Filter(search="p12"), 10)):  # fmt: skip
        seen, cursor, pages = [], None, 0
        while True:
            page = journal.page(flt, cursor, 7)
            seen += [(e.kind, e.data["id"]) for e in page.entries]
            ats = [e.at for e in page.entries]
            assert ats == sorted(ats, reverse=True)
            pages += 1
            if page.older is None:
                break
            cursor = page.older
        assert len(seen) == len(set(seen)) == expected, flt
        assert pages == max(1, -(-expected // 7))
    journal.close()


# ---------------------------------------------------------------- reports
def test_report_sums_exact_cents_per_local_day(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    for i, (method, due, outcome) in enumerate(
        [
            ("cash", "0.10", "completed"),
            ("cash", "0.20", "completed"),
            ("card", "1234.56", "completed"),
            ("cash", "9.99", "cancelled"),
        ]
    ):
        journal.open_payment(f"p{i}", method, due, [])
        journal.update_payment(f"p{i}", outcome=outcome)  # fmt: skip
    journal.update_payment("p0", change_owed="3.00", shortfall="3.00")
    journal.update_payment("p1", change_owed="2.50", shortfall="2.50")
    journal.settle_owed("p1")
    today = dt.date.today()
    report = journal.report(today - dt.timedelta(days=30), today)
    assert report.sales == {(today.isoformat(), "cash"): (2, Decimal("0.30")),
                            (today.isoformat(), "card"): (1, Decimal("1234.56"))}  # fmt: skip
    assert str(report.total) == "1234.86"
    assert report.outcomes == {"completed": 3, "cancelled": 1}
    assert (str(report.change_owed), str(report.change_settled), str(report.change_pending)) == ("5.50", "2.50", "3.00")
    assert journal.report(today - dt.timedelta(days=60), today - dt.timedelta(days=31)).sales == {}
    with pytest.raises(ValueError):
        journal.report(today, today - dt.timedelta(days=1))
    journal.close()


# ---------------------------------------------------------------- migration
V1_COLUMNS = ("id", "created_at", "updated_at", "method", "due", "credit", "change_owed", "change_paid", "shortfall",
              "reference", "outcome", "detail", "items", "owed_settled_at")  # fmt: skip


def make_v1(path: Path, payments: int) -> list[tuple[str, ...]]:
    db = sqlite3.connect(path, isolation_level=None)
    for statement in filter(str.strip, _V1.split(";")):
        db.execute(statement)
    db.execute("PRAGMA user_version=1")
    rows = []
    for i in range(payments):
        at = f"2025-02-{1 + i % 28:02d}T{i % 24:02d}:00:{i % 60:02d}.000Z"
        due = f"{i % 1000}.{i % 100:02d}"
        rows.append((f"v1-{i:05d}", at, at, "cash" if i % 2 else "card", due, f"{i % 1000 + 1}.{i % 100:02d}",
                     "1.00", "0.50", "0.50", f"ref{i}", "completed" if i % 5 else "unknown", f"detalle {i} ñ",
                     '[{"code": "A1"}]', None if i % 7 else at))  # fmt: skip
    db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO staff_actions (at, client, action, result) VALUES (?, ?, ?, ?)",
                   [(f"2025-02-01T00:00:{i:02d}.000Z", "10.0.0.5", "login", "ok") for i in range(50)])  # fmt: skip
    db.close()
    return rows


def test_v1_journal_migrates_with_every_row_and_amount_intact(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    v1 = make_v1(path, 3000)
    journal = Journal(path)
    assert journal._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    migrated = {p["id"]: p for p in journal.payments(10_000)}
    assert len(migrated) == 3000
    for row in v1:
        assert tuple(migrated[row[0]][k] for k in V1_COLUMNS) == row
    assert len(journal.staff_actions()) == 50
    total = journal._db.execute("SELECT sum(due_cents) FROM payments").fetchone()[0]
    assert Decimal(total) / 100 == sum(Decimal(r[4]) for r in v1)
    # the v1 file is kept beside it, untouched
    with sqlite3.connect(tmp_path / "journal.v1-backup.sqlite3") as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1
        assert old.execute("SELECT count(*) FROM payments").fetchone()[0] == 3000
    journal.open_payment("after", "cash", "1.00", [])  # and the new schema takes payments
    journal.close()
    assert Journal(path).payment("after") is not None  # reopening does not migrate again


def test_v1_journal_with_a_bad_amount_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    make_v1(path, 10)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE payments SET credit = '12.345' WHERE id = 'v1-00003'")
    with pytest.raises(JournalError, match="v1-00003"):
        Journal(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM payments").fetchone()[0] == 10


# ---------------------------------------------------------------- backup
def test_backup_taken_during_a_payment_opens_and_holds_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    bulk_rows(journal, 20_000)
    journal.open_payment("live", "cash", "50.00", [])
    journal.update_payment("live", credit="20.00")
    stop = threading.Event()

    def keep_writing() -> None:  # the app goes on journaling while the copy is taken
        n = 0
        while not stop.is_set():
            journal.record_action("tick", "ok", detail=str(n))
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        out = run_cli("backup", "--data-dir", str(tmp_path), "--to", str(tmp_path / "copies" / "j-{date}.sqlite3"))
    finally:
        stop.set()
        writer.join()
    assert out.returncode == 0, out.stderr
    copy_path = tmp_path / "copies" / f"j-{dt.date.today().isoformat()}.sqlite3"
    copy = Journal(copy_path)
    live = copy.payment("live")
    assert live is not None and (live["outcome"], live["due"], live["credit"]) == ("open", "50.00", "20.00")
    assert len(copy.payments(100_000)) == 20_001
    copy.close()
    journal.close()
    assert run_cli("backup", "--data-dir", str(tmp_path / "none"), "--to", str(tmp_path / "x")).returncode == 2


# ---------------------------------------------------------------- write path
async def test_open_then_update_reach_the_database_in_call_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    try:
        for i in range(30):
            opened = journal.aopen_payment(f"p{i}", "cash", "10.00", [])
            updated = journal.aupdate_payment(f"p{i}", outcome="completed", credit="10.00")
            await asyncio.gather(updated, opened)  # awaited the other way round: still written in call order
        assert {p["outcome"] for p in journal.payments()} == {"completed"}
        with pytest.raises(JournalError):  # an update of nothing is an error, not silence
            journal.update_payment("nobody", outcome="failed")
        with pytest.raises(ValueError):  # bad input changes nothing
            journal.update_payment("p1", credit="1.234")
        assert journal.payment("p1")["credit"] == "10.00"  # type: ignore[index]
    finally:
        journal.close()
    with pytest.raises(JournalError):
        journal.record_action("late", "ok")


def test_now_iso_orders_as_text() -> None:
    assert now_iso() <= now_iso()


TRICKY = st.text(alphabet=st.sampled_from(list("=+-@\t\r\n,\"'.05aZ ñ漢＝－＋＠")), max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TRICKY, min_size=3, max_size=3))
def test_csv_lines_built_by_sqlite_match_the_csv_module(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / f"j{abs(hash(tuple(texts)))}.sqlite3"
    journal = Journal(path)
    try:
        journal.open_payment("p", "cash", "1.00", [{"d": texts[0]}])
        journal.update_payment("p", detail=texts[0], reference=texts[1])
        journal.record_action(texts[2], texts[1], client=texts[0], detail=texts[2])
        expected = io.StringIO()
        writer = csv.writer(expected, lineterminator="\r\n")
        writer.writerow(EXPORT_FIELDS)
        writer.writerows([neutralize(c) for c in row] for row in journal.export_tuples())
        got = io.StringIO()
        assert write_csv(journal.csv_lines(), got) == 2
        assert got.getvalue() == expected.getvalue()
    finally:
        journal.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

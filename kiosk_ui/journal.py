"""The SQLite journal: every payment from request to outcome, and every staff action.

WAL mode with ``synchronous=FULL``: a commit is on disk before the call returns, so the
screen only shows what the journal already holds.

Writes go through **one writer thread** fed by a FIFO queue: the order of the calls is the
order in the database (an ``aopen_payment`` followed by an ``aupdate_payment`` of the same
payment can never land the other way round, even when neither is awaited). The queue entry is
made when the method is *called*, not when its coroutine first runs.

Reads (the staff view, reports, exports) use their own connections: WAL lets them read a
consistent snapshot while the writer goes on, so a million-row export never delays a payment.

Schema v2 keeps amounts as integer cents (``due_cents`` ...); every read API still returns
them as two-decimal text (``"77.77"``), as v1 did.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import json
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

SCHEMA_VERSION = 2

_V1 = """
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    method TEXT NOT NULL,
    due TEXT NOT NULL,
    credit TEXT NOT NULL DEFAULT '0',
    change_owed TEXT NOT NULL DEFAULT '0',
    change_paid TEXT NOT NULL DEFAULT '0',
    shortfall TEXT NOT NULL DEFAULT '0',
    reference TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    items TEXT NOT NULL DEFAULT '[]',
    owed_settled_at TEXT
);
CREATE INDEX payments_outcome ON payments(outcome);
CREATE TABLE staff_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    session TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
"""

_V2_PAYMENTS = """
CREATE TABLE payments_v2 (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    local_day TEXT NOT NULL,
    method TEXT NOT NULL,
    due_cents INTEGER NOT NULL CHECK (due_cents >= 0),
    credit_cents INTEGER NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    change_owed_cents INTEGER NOT NULL DEFAULT 0 CHECK (change_owed_cents >= 0),
    change_paid_cents INTEGER NOT NULL DEFAULT 0 CHECK (change_paid_cents >= 0),
    shortfall_cents INTEGER NOT NULL DEFAULT 0 CHECK (shortfall_cents >= 0),
    reference TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    items TEXT NOT NULL DEFAULT '[]',
    owed_settled_at TEXT
)
"""

_V2_INDEXES = """
CREATE INDEX payments_time ON payments(created_at, id);
CREATE INDEX payments_outcome_time ON payments(outcome, created_at, id);
CREATE INDEX payments_report ON payments(local_day, outcome, method, due_cents, shortfall_cents, owed_settled_at);
CREATE INDEX payments_reference ON payments(reference) WHERE reference != '';
CREATE INDEX payments_owed ON payments(created_at) WHERE shortfall_cents > 0 AND owed_settled_at IS NULL;
CREATE INDEX staff_time ON staff_actions(at, id)
"""

OPEN = "open"
OUTCOMES = ("open", "completed", "cancelled", "declined", "failed", "unknown")
METHODS = ("cash", "card")
AMOUNT_FIELDS = ("due", "credit", "change_owed", "change_paid", "shortfall")
PAYMENT_FIELDS = ("id", "created_at", "updated_at", "method", *AMOUNT_FIELDS, "reference", "outcome", "detail",
                  "items", "owed_settled_at")  # fmt: skip
STAFF_FIELDS = ("id", "at", "client", "session", "action", "result", "detail")
#: export columns: kind and time first, then every other field by name (as v1 printed them)
EXPORT_FIELDS = ("kind", "at", *sorted((set(PAYMENT_FIELDS) | set(STAFF_FIELDS)) - {"created_at", "at"}))

#: cents as two-decimal text, in SQL (cheaper per row than printf; amounts are never negative)
_TEXT = "({c} / 100) || '.' || substr('0' || ({c} % 100), -2) AS {name}"
_PAYMENT_SELECT = ", ".join(
    [
        "id", "created_at", "updated_at", "method",
        *(_TEXT.format(c=f"{name}_cents", name=name) for name in AMOUNT_FIELDS),
        "reference", "outcome", "detail", "items", "owed_settled_at",
    ]
)  # fmt: skip
_STAFF_SELECT = ", ".join(STAFF_FIELDS)
_CENT = Decimal("0.01")


class JournalError(RuntimeError):
    """The journal cannot be written: no new payment may start."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def local_day(at_iso: str | None = None) -> str:
    """The kiosk's local calendar day of a journal time (now by default): reports are per local day."""
    moment = dt.datetime.now(dt.UTC) if at_iso is None else dt.datetime.fromisoformat(at_iso.replace("Z", "+00:00"))
    return moment.astimezone().date().isoformat()


def day_start_iso(day: dt.date) -> str:
    """The journal time (UTC, as :func:`now_iso` writes it) at which a local calendar day starts."""
    start = dt.datetime.combine(day, dt.time.min).astimezone().astimezone(dt.UTC)
    return start.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_cents(value: str | Decimal | int, name: str = "amount") -> int:
    """Exact cents of a money value (``"77.77"`` -> 7777); anything else is a ``ValueError``."""
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{name}: not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(_CENT):
        raise ValueError(f"{name}: not an amount in cents: {value!r}")
    return int(amount * 100)


def _check_open(method: str, due: str | Decimal) -> None:
    if method not in METHODS:
        raise ValueError(f"bad payment method {method!r}")
    to_cents(due, "due")


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutralize(cell: Any) -> Any:
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a leading ``'``.

    Cells starting with ``=``, ``+``, ``@``, tab, CR (and their full-width forms) always; ``-``
    only when the cell is not a number (``-5.00`` stays a number).
    """
    if not isinstance(cell, str) or not cell or cell[0] not in _FORMULA_START:
        return cell
    if cell[0] == "-" and _NEGATIVE_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]*)?")


def _sql_csv_cell(x: str) -> str:
    """SQL for one CSV cell of text column ``x``: the same as :func:`neutralize` then the csv module's
    minimal quoting (quote when the text holds a comma, a quote, CR or LF), NULL as empty."""
    starts = ", ".join(str(ord(c)) for c in sorted(_FORMULA_START - {"-"}))
    number = f"({x} GLOB '-[0-9]*' AND substr({x}, 2) NOT GLOB '*[^0-9.]*' AND {x} NOT GLOB '*.*.*')"
    safe = f"CASE WHEN unicode({x}) IN ({starts}) OR (unicode({x}) = 45 AND NOT {number}) THEN '''' || {x} ELSE {x} END"
    special = f"instr({x}, ',') OR instr({x}, '\"') OR instr({x}, char(10)) OR instr({x}, char(13))"
    return (
        f"CASE WHEN {x} IS NULL OR {x} = '' THEN '' WHEN {special}"
        f" THEN '\"' || replace({safe}, '\"', '\"\"') || '\"' ELSE {safe} END"
    )


@dataclass(frozen=True)
class Entry:
    kind: str  # "payment" | "staff"
    at: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Filter:
    """What the staff view, the exports and ``kiosk-ui journal`` select. Empty means everything."""

    since: str | None = None  # journal time (UTC ISO), inclusive
    until: str | None = None  # journal time (UTC ISO), exclusive
    kind: str | None = None  # "payment" | "staff"
    outcome: str | None = None
    method: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    search: str = ""  # a payment id (or its start), a card reference; in staff actions, text of the detail

    def __post_init__(self) -> None:
        if self.kind not in (None, "payment", "staff"):
            raise ValueError(f"bad kind {self.kind!r}")
        if self.outcome not in (None, *OUTCOMES):
            raise ValueError(f"bad outcome {self.outcome!r}")
        if self.method not in (None, *METHODS):
            raise ValueError(f"bad method {self.method!r}")
        if self.since and self.until and self.since >= self.until:
            raise ValueError("the start of the range is not before its end")
        if self.min_cents is not None and self.max_cents is not None and self.min_cents > self.max_cents:
            raise ValueError("the minimum amount is above the maximum")

    @property
    def payments_only(self) -> bool:
        return (
            self.kind == "payment"
            or self.outcome is not None
            or self.method is not None
            or (self.min_cents is not None or self.max_cents is not None)
        )

    def payment_where(self) -> tuple[str, list[Any]]:
        if self.kind == "staff":
            return "0", []
        clauses, args = ["1"], []
        for clause, value in (
            ("created_at >= ?", self.since), ("created_at < ?", self.until), ("outcome = ?", self.outcome),
            ("method = ?", self.method), ("due_cents >= ?", self.min_cents), ("due_cents <= ?", self.max_cents),
        ):  # fmt: skip
            if value is not None:
                clauses.append(clause)
                args.append(value)
        if self.search:
            clauses.append(
                "rowid IN (SELECT rowid FROM payments WHERE id >= ? AND id < ?"
                " UNION SELECT rowid FROM payments WHERE reference = ? AND reference != '')"
            )
            args += [self.search, self.search + "\U0010ffff", self.search]
        return " AND ".join(clauses), args

    def staff_where(self) -> tuple[str, list[Any]]:
        if self.payments_only:
            return "0", []
        clauses, args = ["1"], []
        for clause, value in (("at >= ?", self.since), ("at < ?", self.until)):
            if value is not None:
                clauses.append(clause)
                args.append(value)
        if self.search:
            clauses.append("instr(detail, ?) > 0")
            args.append(self.search)
        return " AND ".join(clauses), args


@dataclass(frozen=True)
class PageCursor:
    """Where the next (older) page starts: the last payment and staff keys already shown."""

    payment: tuple[str, str] | None = None
    staff: tuple[str, int] | None = None


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    older: PageCursor | None  # None: this is the oldest page


@dataclass
class Report:
    """Aggregates of a range of local days, all amounts exact."""

    first_day: str
    last_day: str
    #: (day, method) -> (completed sales, total)
    sales: dict[tuple[str, str], tuple[int, Decimal]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    change_owed: Decimal = Decimal("0.00")
    change_settled: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return sum((total for _, total in self.sales.values()), Decimal("0.00"))

    @property
    def change_pending(self) -> Decimal:
        return self.change_owed - self.change_settled


class Journal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._closed = False
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        db = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = db = self._connect()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except (OSError, sqlite3.Error, ValueError, JournalError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(f"cannot open the journal at {self.path}: {exc}") from exc
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="journal-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=5000")
        return db

    # ------------------------------------------------------------------ schema
    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(f"journal schema v{version} is newer than this app (v{SCHEMA_VERSION})")
        if version == SCHEMA_VERSION:
            return
        if version == 1:  # keep the v1 file as it was, whatever happens next
            self.backup_to(self.path.with_name(self.path.stem + ".v1-backup" + self.path.suffix))
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if version == 0:
                self._run_script(_V1)
            self._migrate_v1_to_v2()
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _run_script(self, script: str) -> None:
        for statement in filter(str.strip, script.split(";")):
            self._db.execute(statement)

    def _migrate_v1_to_v2(self) -> None:
        """Text amounts become integer cents (parsed as Decimal, never float); every row is checked."""
        self._db.execute(_V2_PAYMENTS)
        columns = ("id", "created_at", "updated_at", "method", *AMOUNT_FIELDS, "reference", "outcome", "detail",
                   "items", "owed_settled_at")  # fmt: skip
        source = self._db.execute(f"SELECT {', '.join(columns)} FROM payments ORDER BY rowid")
        count, sums = 0, dict.fromkeys(AMOUNT_FIELDS, Decimal(0))
        insert = (
            "INSERT INTO payments_v2 (id, created_at, updated_at, local_day, method, due_cents, credit_cents,"
            " change_owed_cents, change_paid_cents, shortfall_cents, reference, outcome, detail, items,"
            " owed_settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        writer = self._db.cursor()
        while batch := source.fetchmany(5000):
            rows = []
            for row in batch:
                values = dict(zip(columns, row, strict=True))
                cents = []
                for name in AMOUNT_FIELDS:
                    try:
                        cents.append(to_cents(str(values[name]), name))
                    except ValueError as exc:
                        raise JournalError(f"payment {values['id']}: {exc}; journal left at v1") from None
                    sums[name] += Decimal(str(values[name]))
                rows.append((values["id"], values["created_at"], values["updated_at"], local_day(values["created_at"]),
                             values["method"], *cents, values["reference"], values["outcome"], values["detail"],
                             values["items"], values["owed_settled_at"]))  # fmt: skip
            writer.executemany(insert, rows)
            count += len(rows)
        check = self._db.execute(
            "SELECT count(*), " + ", ".join(f"coalesce(sum({n}_cents), 0)" for n in AMOUNT_FIELDS) + " FROM payments_v2"
        ).fetchone()
        if check[0] != count or any(Decimal(c) != sums[n] * 100 for c, n in zip(check[1:], AMOUNT_FIELDS, strict=True)):
            raise JournalError("journal migration v1 -> v2 does not add up; journal left at v1")
        self._db.execute("DROP TABLE payments")
        self._db.execute("ALTER TABLE payments_v2 RENAME TO payments")
        self._run_script(_V2_INDEXES)
        # for people reading the file by hand (sqlite3 shell, DB Browser): amounts as text, as v1 had them
        self._db.execute(f"CREATE VIEW payments_text AS SELECT {_PAYMENT_SELECT} FROM payments")

    # ------------------------------------------------------------------ writer thread
    def _write_loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)

    def _submit(self, work: Callable[[], Any]) -> Future[Any]:
        """Queue a write (FIFO): its place in the database is the place of this call."""
        future: Future[Any] = Future()
        if threading.current_thread() is self._writer:
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)
            return future
        if self._closed:
            future.set_exception(JournalError("journal closed"))
            return future
        self._jobs.put((work, future))
        return future

    def _call(self, work: Callable[[], Any]) -> Any:
        return self._submit(work).result()

    @staticmethod
    async def _wait(future: Future[Any]) -> Any:
        return await asyncio.wrap_future(future)

    def _write(self, sql: str, args: tuple[Any, ...] | list[Any], *, must_match: bool = False) -> int:
        """One statement in one durable transaction (run on the writer thread)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            cursor = self._db.execute(sql, args)
            if must_match and cursor.rowcount == 0:
                self._db.execute("ROLLBACK")
                raise JournalError(f"journal has no such payment {args[-1]!r}")
            self._db.execute("COMMIT")
            return cursor.lastrowid or cursor.rowcount
        except sqlite3.ProgrammingError as exc:  # closed at shutdown
            raise JournalError(f"journal closed: {exc}") from exc
        except sqlite3.Error as exc:
            try:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise JournalError(f"journal write failed: {exc}") from exc

    # ------------------------------------------------------------------ readers
    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        with self._readers_lock:
            if self._closed:
                raise JournalError("journal closed")
            db = self._readers.pop() if self._readers else None
        try:
            if db is None:
                db = self._connect()
                db.execute("PRAGMA query_only=1")
            yield db
        except sqlite3.Error as exc:
            raise JournalError(f"journal read failed: {exc}") from exc
        finally:
            if db is not None:
                with self._readers_lock:
                    if self._closed:
                        db.close()
                    else:
                        self._readers.append(db)

    def _read(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        with self._reader() as db:
            cursor = db.execute(sql, args)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # ------------------------------------------------------------------ payments
    def _open_payment_now(self, payment_id: str, method: str, due: str | Decimal,
                          items: list[dict[str, Any]]) -> None:  # fmt: skip
        at = now_iso()
        self._write(
            "INSERT INTO payments (id, created_at, updated_at, local_day, method, due_cents, outcome, items)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (payment_id, at, at, local_day(at), method, to_cents(due, "due"), OPEN,
             json.dumps(items, ensure_ascii=False)),
        )  # fmt: skip

    def open_payment(self, payment_id: str, method: str, due: str | Decimal, items: list[dict[str, Any]]) -> None:
        _check_open(method, due)  # bad input: a clear error here, nothing queued
        self._call(lambda: self._open_payment_now(payment_id, method, due, items))

    @staticmethod
    def _update_args(values: dict[str, Any]) -> tuple[str, list[Any]]:
        allowed = {"credit", "change_owed", "change_paid", "shortfall", "reference", "outcome", "detail"}
        if not values or not set(values) <= allowed:
            raise ValueError(f"bad payment fields {sorted(values)}")
        if "outcome" in values and values["outcome"] not in OUTCOMES:
            raise ValueError(f"bad outcome {values['outcome']!r}")
        columns: list[str] = []
        args: list[Any] = []
        for name, value in values.items():
            if name in AMOUNT_FIELDS:
                columns.append(f"{name}_cents = ?")
                args.append(to_cents(value, name))
            else:
                columns.append(f"{name} = ?")
                args.append(str(value))
        return ", ".join(columns), args

    def update_payment(self, payment_id: str, **values: str | Decimal) -> None:
        columns, args = self._update_args(values)
        self._call(lambda: self._write(f"UPDATE payments SET {columns}, updated_at = ? WHERE id = ?",
                                       [*args, now_iso(), payment_id], must_match=True))  # fmt: skip

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        rows = self._read(f"SELECT {_PAYMENT_SELECT} FROM payments WHERE id = ?", (payment_id,))
        return rows[0] if rows else None

    def open_payments(self) -> list[dict[str, Any]]:
        return self._read(f"SELECT {_PAYMENT_SELECT} FROM payments WHERE outcome = ? ORDER BY created_at, id", (OPEN,))

    def last_reference(self) -> str:
        """The newest card reference journaled (a card payment needs a reference other than this one)."""
        rows = self._read("SELECT reference FROM payments WHERE reference != '' ORDER BY updated_at DESC, rowid DESC"
                          " LIMIT 1")  # fmt: skip
        return str(rows[0]["reference"]) if rows else ""

    def payments(self, limit: int = 10_000) -> list[dict[str, Any]]:
        """The oldest ``limit`` payments, oldest first (for tests and small tools; the UI pages)."""
        return self._read(f"SELECT {_PAYMENT_SELECT} FROM payments ORDER BY created_at, id LIMIT ?", (limit,))

    def owed(self) -> list[dict[str, Any]]:
        return self._read(
            f"SELECT {_PAYMENT_SELECT} FROM payments INDEXED BY payments_owed"
            " WHERE shortfall_cents > 0 AND owed_settled_at IS NULL ORDER BY created_at"
        )

    def to_review(self) -> list[dict[str, Any]]:
        """Payments whose outcome the app could not establish: staff check them against the engine."""
        return self._read(
            f"SELECT {_PAYMENT_SELECT} FROM payments"
            " WHERE outcome = 'unknown' AND owed_settled_at IS NULL ORDER BY created_at, id"
        )

    def settle_owed(self, payment_id: str) -> None:
        at = now_iso()
        self._call(lambda: self._write("UPDATE payments SET owed_settled_at = ?, updated_at = ? WHERE id = ?",
                                       (at, at, payment_id), must_match=True))  # fmt: skip

    # ------------------------------------------------------------------ staff
    def record_action(self, action: str, result: str = "", *, client: str = "", session: str = "",
                      detail: str = "") -> None:  # fmt: skip
        self._call(lambda: self._record_now(action, result, client, session, detail))

    def _record_now(self, action: str, result: str, client: str, session: str, detail: str) -> None:
        self._write(
            "INSERT INTO staff_actions (at, client, session, action, result, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (now_iso(), client, session, action, result, detail),
        )

    def staff_actions(self, limit: int = 10_000) -> list[dict[str, Any]]:
        """The oldest ``limit`` staff actions, oldest first."""
        return self._read(f"SELECT {_STAFF_SELECT} FROM staff_actions ORDER BY at, id LIMIT ?", (limit,))

    def check_writable(self) -> None:
        """Raise :class:`JournalError` when a commit would fail now (disk full, read-only)."""
        self._call(lambda: self._write("UPDATE payments SET id = id WHERE 0", ()))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        if threading.current_thread() is not self._writer:
            self._writer.join()
        while True:  # a write queued while closing: fail it rather than leave its caller waiting
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job[1].set_exception(JournalError("journal closed"))
        with self._readers_lock:
            for db in self._readers:
                db.close()
            self._readers.clear()
        self._db.close()

    # ------------------------------------------------------------------ async API (queued at call time)
    def aopen_payment(self, payment_id: str, method: str, due: str | Decimal,
                      items: list[dict[str, Any]]) -> Coroutine[Any, Any, None]:  # fmt: skip
        """Queue the opening of a payment now; await the result to know it is on disk."""
        _check_open(method, due)
        return self._wait(self._submit(lambda: self.open_payment(payment_id, method, due, items)))

    def aupdate_payment(self, payment_id: str, **values: str | Decimal) -> Coroutine[Any, Any, None]:
        self._update_args(values)
        return self._wait(self._submit(lambda: self.update_payment(payment_id, **values)))

    def arecord_action(self, action: str, result: str = "", **kw: str) -> Coroutine[Any, Any, None]:
        return self._wait(self._submit(lambda: self.record_action(action, result, **kw)))

    # ------------------------------------------------------------------ staff view and reports
    def page(self, flt: Filter | None = None, older: PageCursor | None = None, size: int = 50) -> Page:
        """One page of the merged journal, newest first (keyset paging: as fast on page 1 as at 1M rows)."""
        flt = flt or Filter()
        older = older or PageCursor()
        p_where, p_args = flt.payment_where()
        s_where, s_args = flt.staff_where()
        if older.payment is not None:
            p_where += " AND (created_at, id) < (?, ?)"
            p_args += list(older.payment)
        if older.staff is not None:
            s_where += " AND (at, id) < (?, ?)"
            s_args += list(older.staff)
        payments = [] if p_where.startswith("0") else self._read(
            f"SELECT {_PAYMENT_SELECT} FROM payments WHERE {p_where} ORDER BY created_at DESC, id DESC LIMIT ?",
            [*p_args, size + 1],
        )  # fmt: skip
        staff = [] if s_where.startswith("0") else self._read(
            f"SELECT {_STAFF_SELECT} FROM staff_actions WHERE {s_where} ORDER BY at DESC, id DESC LIMIT ?",
            [*s_args, size + 1],
        )  # fmt: skip
        merged = heapq.merge(
            (Entry("payment", p["created_at"], p) for p in payments),
            (Entry("staff", s["at"], s) for s in staff),
            key=lambda e: e.at,
            reverse=True,
        )
        entries: list[Entry] = []
        for entry in merged:
            if len(entries) == size:
                break
            entries.append(entry)
        more = len(payments) + len(staff) > len(entries)
        if not more:
            return Page(entries, None)
        p_key, s_key = older.payment, older.staff
        for entry in entries:
            if entry.kind == "payment":
                p_key = (entry.at, entry.data["id"])
            else:
                s_key = (entry.at, entry.data["id"])
        return Page(entries, PageCursor(p_key, s_key))

    def report(self, first_day: dt.date, last_day: dt.date) -> Report:
        """Sales per local day and method, outcomes, change owed and settled: SQL sums of integer cents."""
        if first_day > last_day:
            raise ValueError("the first day is after the last day")
        report = Report(first_day.isoformat(), last_day.isoformat())
        span = (report.first_day, report.last_day)
        owed = settled = 0
        with self._reader() as db:  # one pass over the covering index, grouped in its order
            for day, outcome, method, count, due, short, short_settled in db.execute(
                "SELECT local_day, outcome, method, count(*), sum(due_cents), sum(shortfall_cents),"
                " sum(CASE WHEN owed_settled_at IS NULL THEN 0 ELSE shortfall_cents END)"
                " FROM payments INDEXED BY payments_report WHERE local_day BETWEEN ? AND ?"
                " GROUP BY local_day, outcome, method",
                span,
            ):
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + count
                if outcome == "completed":
                    report.sales[(day, method)] = (count, Decimal(due).scaleb(-2))
                owed += short
                settled += short_settled
        report.change_owed = Decimal(owed).scaleb(-2)
        report.change_settled = Decimal(settled).scaleb(-2)
        return report

    # ------------------------------------------------------------------ exports
    def export_batches(self, flt: Filter | None = None, batch: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """Every entry matching ``flt``, oldest first, as tuples in :data:`EXPORT_FIELDS` order.

        One read snapshot (a WAL reader: the writer goes on), fetched in batches: memory stays flat
        whatever the journal's size.
        """
        flt = flt or Filter()
        p_where, p_args = flt.payment_where()
        s_where, s_args = flt.staff_where()
        payment_cols = {"kind": "'payment'", "at": "created_at"}
        payment_cols.update({n: _TEXT.format(c=f"{n}_cents", name=n).split(" AS ")[0] for n in AMOUNT_FIELDS})
        staff_cols = {"kind": "'staff'"}
        p_sel = ", ".join(payment_cols.get(n, n if n in PAYMENT_FIELDS else "NULL") for n in EXPORT_FIELDS)
        s_sel = ", ".join(staff_cols.get(n, n if n in STAFF_FIELDS else "NULL") for n in EXPORT_FIELDS)
        # SQLite merges the two index-ordered scans itself (MERGE (UNION ALL)): no sort of the journal
        sql = (
            f"SELECT {p_sel} FROM payments INDEXED BY payments_time WHERE {p_where}"
            f" UNION ALL SELECT {s_sel} FROM staff_actions INDEXED BY staff_time WHERE {s_where} ORDER BY at"
        )
        with self._reader() as db:
            cursor = db.execute(sql, [*p_args, *s_args])
            try:
                while rows := cursor.fetchmany(batch):
                    yield rows
            finally:
                cursor.close()

    def csv_lines(self, flt: Filter | None = None, batch: int = 2000) -> Iterator[list[str]]:
        """The CSV lines (after :data:`CSV_HEADER`) of every entry matching ``flt``, oldest first, in
        batches. SQLite builds each line (neutralized, quoted, CRLF): two Python objects per row
        instead of nineteen, which is what makes a million-row export fast."""
        flt = flt or Filter()
        p_where, p_args = flt.payment_where()
        s_where, s_args = flt.staff_where()

        def line(columns: dict[str, str]) -> str:
            """One printf for the whole line: one string built per row, not forty concatenations."""
            formats, args = [], []
            for name in EXPORT_FIELDS:
                if name not in columns:
                    formats.append("")
                elif name in AMOUNT_FIELDS:
                    formats.append("%d.%02d")
                    args += [f"{columns[name]} / 100", f"{columns[name]} % 100"]
                elif name in _APP_WRITTEN:  # never outside text: no formula, comma or quote can be in them
                    formats.append("%s")
                    args.append(columns[name])
                else:
                    formats.append("%s")
                    args.append(_sql_csv_cell(columns[name]))
            return f"printf('{','.join(formats)}' || char(13, 10), {', '.join(args)})"

        payment = {n: n for n in PAYMENT_FIELDS if n != "created_at"}
        payment.update({"kind": "'payment'", "at": "created_at"})
        payment.update({n: f"{n}_cents" for n in AMOUNT_FIELDS})
        staff = {n: n for n in STAFF_FIELDS} | {"kind": "'staff'", "id": "staff_actions.id"}
        sql = (
            f"SELECT created_at AS at, {line(payment)} FROM payments INDEXED BY payments_time WHERE {p_where}"
            f" UNION ALL SELECT at, {line(staff)} FROM staff_actions INDEXED BY staff_time WHERE {s_where}"
            " ORDER BY at"
        )
        with self._reader() as db:
            cursor = db.execute(sql, [*p_args, *s_args])
            try:
                while rows := cursor.fetchmany(batch):
                    yield [row[1] for row in rows]
            finally:
                cursor.close()

    def export_tuples(self, flt: Filter | None = None) -> Iterator[tuple[Any, ...]]:
        for rows in self.export_batches(flt):
            yield from rows

    def entries(self, flt: Filter | None = None) -> Iterator[Entry]:
        """Payments and staff actions together, oldest first, streamed."""
        for row in self.export_tuples(flt):
            data = dict(zip(EXPORT_FIELDS, row, strict=True))
            yield _entry(data)

    def export_rows(self, flt: Filter | None = None) -> Iterator[dict[str, Any]]:
        """Flat rows for JSON export: each with only its kind's fields."""
        for row in self.export_tuples(flt):
            yield _row_dict(row)

    def backup_to(self, target: str | Path) -> Path:
        return backup(self.path, target)


def backup(source: str | Path, target: str | Path) -> Path:
    """A consistent copy with SQLite's online backup API, in one step (a WAL reader: the app's writes
    go on). Written beside the target and renamed into place once SQLite's check passes."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        src = sqlite3.connect(f"file:{Path(source).resolve().as_posix()}?mode=ro", uri=True, isolation_level=None)
        try:
            dst = sqlite3.connect(str(partial), isolation_level=None)
            try:
                src.backup(dst)
                if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise JournalError("the backup copy does not pass SQLite's check")
            finally:
                dst.close()
        finally:
            src.close()
        partial.replace(target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise JournalError(f"backup to {target} failed: {exc}") from exc
    return target


_PAYMENT_KEYS = [(i, n) for i, n in enumerate(EXPORT_FIELDS) if n in PAYMENT_FIELDS or n in ("kind", "at")]
_STAFF_KEYS = [(i, n) for i, n in enumerate(EXPORT_FIELDS) if n in STAFF_FIELDS or n == "kind"]


def _row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    keys = _PAYMENT_KEYS if row[0] == "payment" else _STAFF_KEYS
    return {n: row[i] for i, n in keys}


def _entry(data: dict[str, Any]) -> Entry:
    if data["kind"] == "payment":
        payment = {n: data[n] for n in PAYMENT_FIELDS if n != "created_at"}
        payment["created_at"] = data["at"]
        return Entry("payment", data["at"], payment)
    return Entry("staff", data["at"], {n: data[n] for n in STAFF_FIELDS})


CSV_HEADER = ",".join(EXPORT_FIELDS) + "\r\n"
#: columns only the app writes (times, enums, cents): copied into the CSV line as they are
_APP_WRITTEN = frozenset({"kind", "at", *AMOUNT_FIELDS, "method", "outcome", "updated_at", "owed_settled_at"})


def write_csv(line_batches: Iterable[list[str]], out: TextIO) -> int:
    """The CSV (header, then :meth:`Journal.csv_lines`) to ``out``; returns the number of rows."""
    out.write(CSV_HEADER)
    count = 0
    for lines in line_batches:
        out.write("".join(lines))
        count += len(lines)
    return count


def csv_chunks(line_batches: Iterable[list[str]], *, chunk: int = 1 << 16, bom: bool = False) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks of about ``chunk`` bytes (for a streamed download)."""
    parts, size = [("\ufeff" if bom else "") + CSV_HEADER], 0
    for lines in line_batches:
        text = "".join(lines)
        parts.append(text)
        size += len(text)
        if size >= chunk:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    yield "".join(parts).encode("utf-8")


def json_chunks(batches: Iterable[list[tuple[Any, ...]]], *, chunk: int = 1 << 16) -> Iterator[str]:
    """One JSON array of objects, streamed as text chunks."""
    parts: list[str] = ["["]
    size, first = 1, True
    for row in (row for batch in batches for row in batch):
        text = json.dumps(_row_dict(row), ensure_ascii=False)
        parts.append(("\n" if first else ",\n") + text)
        first = False
        size += len(text) + 2
        if size >= chunk:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts)


def export_rows(journal: Journal) -> list[dict[str, Any]]:
    """Every row as a list (small journals and tests; exports stream with :meth:`Journal.export_tuples`)."""
    return list(journal.export_rows())


def export_fields(rows: list[dict[str, Any]] | None = None) -> list[str]:
    """CSV columns: kind and time first, then every other field by name."""
    return list(EXPORT_FIELDS)


def parse_bound(text: str, *, end: bool) -> str:
    """``--since``/``--until`` as a journal time: a local date ``2026-03-01`` (``--until`` takes the whole
    day) or a date and time ``2026-03-01T08:00`` (local unless it carries ``Z`` or an offset)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return day_start_iso(day + dt.timedelta(days=1) if end else day)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    moment = moment.astimezone(dt.UTC)  # naive: local time
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

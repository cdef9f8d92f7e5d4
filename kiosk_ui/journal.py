"""The SQLite journal: every payment from request to outcome, and every staff action.

WAL mode with ``synchronous=FULL``: a commit is on disk before the call returns, so the
screen only shows what the journal already holds. Blocking calls run off the event loop
(``a*`` methods use :func:`asyncio.to_thread`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
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
    """,
}

OPEN = "open"
OUTCOMES = ("open", "completed", "cancelled", "declined", "failed", "unknown")


class JournalError(RuntimeError):
    """The journal cannot be written: no new payment may start."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Entry:
    kind: str  # "payment" | "staff"
    at: str
    data: dict[str, Any]


class Journal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal at {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, _MIGRATIONS[target].split(";")):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={target}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cursor = self._db.execute(sql, args)
                self._db.execute("COMMIT")
                return cursor.lastrowid or cursor.rowcount
            except sqlite3.ProgrammingError as exc:  # closed at shutdown
                raise JournalError(f"journal closed: {exc}") from exc
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise JournalError(f"journal write failed: {exc}") from exc

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            try:
                return [dict(row) for row in self._db.execute(sql, args).fetchall()]
            except sqlite3.Error as exc:
                raise JournalError(f"journal read failed: {exc}") from exc

    # ------------------------------------------------------------------ payments
    def open_payment(self, payment_id: str, method: str, due: str, items: list[dict[str, Any]]) -> None:
        at = now_iso()
        self._write(
            "INSERT INTO payments (id, created_at, updated_at, method, due, outcome, items)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (payment_id, at, at, method, due, OPEN, json.dumps(items, ensure_ascii=False)),
        )

    def update_payment(self, payment_id: str, **values: str) -> None:
        allowed = {"credit", "change_owed", "change_paid", "shortfall", "reference", "outcome", "detail"}
        if not values or not set(values) <= allowed:
            raise ValueError(f"bad payment fields {sorted(values)}")
        columns = ", ".join(f"{k} = ?" for k in values)
        self._write(
            f"UPDATE payments SET {columns}, updated_at = ? WHERE id = ?",
            (*values.values(), now_iso(), payment_id),
        )

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM payments WHERE id = ?", (payment_id,))
        return rows[0] if rows else None

    def open_payments(self) -> list[dict[str, Any]]:
        return self._read("SELECT * FROM payments WHERE outcome = ? ORDER BY created_at", (OPEN,))

    def payments(self, limit: int = 10_000) -> list[dict[str, Any]]:
        return self._read("SELECT * FROM payments ORDER BY created_at, id LIMIT ?", (limit,))

    def owed(self) -> list[dict[str, Any]]:
        return self._read(
            "SELECT * FROM payments WHERE CAST(shortfall AS REAL) > 0 AND owed_settled_at IS NULL ORDER BY created_at"
        )

    def to_review(self) -> list[dict[str, Any]]:
        """Payments whose outcome the app could not establish: staff check them against the engine."""
        return self._read(
            "SELECT * FROM payments WHERE outcome = 'unknown' AND owed_settled_at IS NULL ORDER BY created_at"
        )

    def settle_owed(self, payment_id: str) -> None:
        self._write(
            "UPDATE payments SET owed_settled_at = ?, updated_at = ? WHERE id = ?",
            (now_iso(), now_iso(), payment_id),
        )

    # ------------------------------------------------------------------ staff
    def record_action(self, action: str, result: str = "", *, client: str = "", session: str = "",
                      detail: str = "") -> None:  # fmt: skip
        self._write(
            "INSERT INTO staff_actions (at, client, session, action, result, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (now_iso(), client, session, action, result, detail),
        )

    def staff_actions(self, limit: int = 10_000) -> list[dict[str, Any]]:
        return self._read("SELECT * FROM staff_actions ORDER BY at, id LIMIT ?", (limit,))

    def entries(self) -> Iterator[Entry]:
        """Payments and staff actions together, oldest first."""
        merged = [Entry("payment", p["created_at"], p) for p in self.payments()]
        merged += [Entry("staff", a["at"], a) for a in self.staff_actions()]
        yield from sorted(merged, key=lambda e: e.at)

    def check_writable(self) -> None:
        """Raise :class:`JournalError` when a commit would fail now (disk full, read-only)."""
        self._write("UPDATE payments SET id = id WHERE 0", ())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ async wrappers
    async def aopen_payment(self, *args: Any) -> None:
        await asyncio.to_thread(self.open_payment, *args)

    async def aupdate_payment(self, payment_id: str, **values: str) -> None:
        await asyncio.to_thread(lambda: self.update_payment(payment_id, **values))

    async def arecord_action(self, action: str, result: str = "", **kw: str) -> None:
        await asyncio.to_thread(lambda: self.record_action(action, result, **kw))


def export_rows(journal: Journal) -> list[dict[str, Any]]:
    """Flat rows for CSV/JSON export: one per payment or staff action, oldest first."""
    rows = []
    for entry in journal.entries():
        row = {"kind": entry.kind, "at": entry.at}
        row.update({k: v for k, v in entry.data.items() if k not in ("created_at", "at")})
        rows.append(row)
    return rows


def export_fields(rows: list[dict[str, Any]]) -> list[str]:
    """CSV columns: kind and time first, then every other field by name."""
    return ["kind", "at", *sorted({k for row in rows for k in row} - {"kind", "at"})]

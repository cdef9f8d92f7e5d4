"""The journal's schema (v3), its field names, time and money helpers, and the v0/v1 -> v2 -> v3 migration.

v3 adds ``payments.seq``: the order of writes (wall-clock times may step back; this never does)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from ..errors import JournalError

SCHEMA_VERSION = 3

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
CENTS_AS_TEXT = "({c} / 100) || '.' || substr('0' || ({c} % 100), -2) AS {name}"
PAYMENT_SELECT = ", ".join(
    [
        "id", "created_at", "updated_at", "method",
        *(CENTS_AS_TEXT.format(c=f"{name}_cents", name=name) for name in AMOUNT_FIELDS),
        "reference", "outcome", "detail", "items", "owed_settled_at",
    ]
)  # fmt: skip
STAFF_SELECT = ", ".join(STAFF_FIELDS)
_CENT = Decimal("0.01")
#: the migration copies payments in batches of this many rows
MIGRATION_BATCH = 5000


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


def check_open(method: str, due: str | Decimal) -> None:
    if method not in METHODS:
        raise ValueError(f"bad payment method {method!r}")
    to_cents(due, "due")


def migrate(db: sqlite3.Connection, keep_v1: Callable[[], object]) -> None:
    """Bring the journal at ``db`` to :data:`SCHEMA_VERSION` in one transaction; ``keep_v1()`` copies a v1
    file aside first. A journal newer than this app is refused."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise JournalError(f"journal schema v{version} is newer than this app (v{SCHEMA_VERSION})")
    if version == SCHEMA_VERSION:
        return
    if version == 1:  # keep the v1 file as it was, whatever happens next
        keep_v1()
    db.execute("BEGIN IMMEDIATE")
    try:
        if version == 0:
            _run_script(db, _V1)
        if version < 2:
            _migrate_v1_to_v2(db)
        # rows written before v3 keep seq 0 (ordered among themselves by time, as before)
        db.execute("ALTER TABLE payments ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
        db.execute("CREATE INDEX payments_seq ON payments(seq)")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _run_script(db: sqlite3.Connection, script: str) -> None:
    for statement in filter(str.strip, script.split(";")):
        db.execute(statement)


def _migrate_v1_to_v2(db: sqlite3.Connection) -> None:
    """Text amounts become integer cents (parsed as Decimal, never float); every row is checked."""
    db.execute(_V2_PAYMENTS)
    columns = ("id", "created_at", "updated_at", "method", *AMOUNT_FIELDS, "reference", "outcome", "detail",
               "items", "owed_settled_at")  # fmt: skip
    source = db.execute(f"SELECT {', '.join(columns)} FROM payments ORDER BY rowid")
    count, sums = 0, dict.fromkeys(AMOUNT_FIELDS, Decimal(0))
    insert = (
        "INSERT INTO payments_v2 (id, created_at, updated_at, local_day, method, due_cents, credit_cents,"
        " change_owed_cents, change_paid_cents, shortfall_cents, reference, outcome, detail, items,"
        " owed_settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    writer = db.cursor()
    while batch := source.fetchmany(MIGRATION_BATCH):
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
    check = db.execute(
        "SELECT count(*), " + ", ".join(f"coalesce(sum({n}_cents), 0)" for n in AMOUNT_FIELDS) + " FROM payments_v2"
    ).fetchone()
    if check[0] != count or any(Decimal(c) != sums[n] * 100 for c, n in zip(check[1:], AMOUNT_FIELDS, strict=True)):
        raise JournalError("journal migration v1 -> v2 does not add up; journal left at v1")
    db.execute("DROP TABLE payments")
    db.execute("ALTER TABLE payments_v2 RENAME TO payments")
    _run_script(db, _V2_INDEXES)
    # for people reading the file by hand (sqlite3 shell, DB Browser): amounts as text, as v1 had them
    db.execute(f"CREATE VIEW payments_text AS SELECT {PAYMENT_SELECT} FROM payments")

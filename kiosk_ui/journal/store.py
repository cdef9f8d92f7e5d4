"""The :class:`Journal`: payments from request to outcome, staff actions, and the async API."""

from __future__ import annotations

import json
from collections.abc import Coroutine
from decimal import Decimal
from typing import Any

from ..errors import JournalError
from .queries import JournalQueries
from .schema import (
    AMOUNT_FIELDS,
    OPEN,
    OUTCOMES,
    PAYMENT_SELECT,
    STAFF_SELECT,
    check_open,
    local_day,
    now_iso,
    to_cents,
)


class Journal(JournalQueries):
    """Every payment from request to outcome and every staff action (see :mod:`kiosk_ui.journal`)."""

    # ------------------------------------------------------------------ payments
    def _open_payment_now(self, payment_id: str, method: str, due: str | Decimal,
                          items: list[dict[str, Any]]) -> None:  # fmt: skip
        at = now_iso()
        self._write(
            "INSERT INTO payments (id, created_at, updated_at, local_day, method, due_cents, outcome, items, seq)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (payment_id, at, at, local_day(at), method, to_cents(due, "due"), OPEN,
             json.dumps(items, ensure_ascii=False), self._next_seq()),
        )  # fmt: skip

    def open_payment(self, payment_id: str, method: str, due: str | Decimal, items: list[dict[str, Any]]) -> None:
        check_open(method, due)  # bad input: a clear error here, nothing queued
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
        self._call(lambda: self._write(f"UPDATE payments SET {columns}, updated_at = ?, seq = ? WHERE id = ?",
                                       [*args, now_iso(), self._next_seq(), payment_id], must_match=True))  # fmt: skip

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        rows = self._read(f"SELECT {PAYMENT_SELECT} FROM payments WHERE id = ?", (payment_id,))
        return rows[0] if rows else None

    def open_payments(self) -> list[dict[str, Any]]:
        """Payments still open, in the order they were opened (rowid: insertion order, whatever the clock)."""
        if self.damaged:
            raise JournalError(self.damaged)
        return self._read(f"SELECT {PAYMENT_SELECT} FROM payments WHERE outcome = ? ORDER BY rowid", (OPEN,))

    def last_reference(self) -> str:
        """The card reference journaled last (a card payment needs a reference other than this one), by the
        journal's write order ``seq``; rows from before v3 (seq 0) by their times, as before."""
        if self.damaged:
            raise JournalError(self.damaged)
        rows = self._read("SELECT reference FROM payments WHERE reference != ''"
                          " ORDER BY seq DESC, updated_at DESC, rowid DESC LIMIT 1")  # fmt: skip
        return str(rows[0]["reference"]) if rows else ""

    def payments(self, limit: int = 10_000) -> list[dict[str, Any]]:
        """The oldest ``limit`` payments, oldest first (for tests and small tools; the UI pages)."""
        return self._read(f"SELECT {PAYMENT_SELECT} FROM payments ORDER BY created_at, id LIMIT ?", (limit,))

    def owed(self) -> list[dict[str, Any]]:
        return self._read(
            f"SELECT {PAYMENT_SELECT} FROM payments INDEXED BY payments_owed"
            " WHERE shortfall_cents > 0 AND owed_settled_at IS NULL ORDER BY created_at"
        )

    def to_review(self) -> list[dict[str, Any]]:
        """Payments whose outcome the app could not establish: staff check them against the engine."""
        return self._read(
            f"SELECT {PAYMENT_SELECT} FROM payments"
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
        return self._read(f"SELECT {STAFF_SELECT} FROM staff_actions ORDER BY at, id LIMIT ?", (limit,))

    def check_writable(self) -> None:
        """Raise :class:`JournalError` when a commit would fail now (disk full, read-only, damaged at start):
        the real probe (:meth:`probe`: a page written and synced)."""
        self.probe()

    # ------------------------------------------------------------------ async API (queued at call time)
    def aopen_payment(self, payment_id: str, method: str, due: str | Decimal,
                      items: list[dict[str, Any]]) -> Coroutine[Any, Any, None]:  # fmt: skip
        """Queue the opening of a payment now; await the result to know it is on disk."""
        check_open(method, due)
        return self._wait(self._submit(lambda: self.open_payment(payment_id, method, due, items)))

    def aupdate_payment(self, payment_id: str, **values: str | Decimal) -> Coroutine[Any, Any, None]:
        self._update_args(values)
        return self._wait(self._submit(lambda: self.update_payment(payment_id, **values)))

    def arecord_action(self, action: str, result: str = "", **kw: str) -> Coroutine[Any, Any, None]:
        return self._wait(self._submit(lambda: self.record_action(action, result, **kw)))

"""Reading the journal at scale: keyset pages for the staff view, day reports, streamed exports."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .core import JournalStore
from .records import APP_WRITTEN, Entry, Filter, Page, PageCursor, Report, sql_csv_cell
from .schema import (
    AMOUNT_FIELDS,
    CENTS_AS_TEXT,
    EXPORT_FIELDS,
    PAYMENT_FIELDS,
    PAYMENT_SELECT,
    STAFF_FIELDS,
    STAFF_SELECT,
)

#: rows fetched per round trip while exporting (memory stays flat whatever the journal's size)
EXPORT_BATCH = 2000
#: entries on one page of the staff view
PAGE_SIZE = 50


class JournalQueries(JournalStore):
    """The read side used by the staff view, ``kiosk-ui journal`` and the exports."""

    # ------------------------------------------------------------------ staff view and reports
    def page(self, flt: Filter | None = None, older: PageCursor | None = None, size: int = PAGE_SIZE) -> Page:
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
            f"SELECT {PAYMENT_SELECT} FROM payments WHERE {p_where} ORDER BY created_at DESC, id DESC LIMIT ?",
            [*p_args, size + 1],
        )  # fmt: skip
        staff = [] if s_where.startswith("0") else self._read(
            f"SELECT {STAFF_SELECT} FROM staff_actions WHERE {s_where} ORDER BY at DESC, id DESC LIMIT ?",
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
    def export_batches(self, flt: Filter | None = None, batch: int = EXPORT_BATCH) -> Iterator[list[tuple[Any, ...]]]:
        """Every entry matching ``flt``, oldest first, as tuples in :data:`EXPORT_FIELDS` order.

        One read snapshot (a WAL reader: the writer goes on), fetched in batches: memory stays flat
        whatever the journal's size.
        """
        flt = flt or Filter()
        p_where, p_args = flt.payment_where()
        s_where, s_args = flt.staff_where()
        payment_cols = {"kind": "'payment'", "at": "created_at"}
        payment_cols.update({n: CENTS_AS_TEXT.format(c=f"{n}_cents", name=n).split(" AS ")[0] for n in AMOUNT_FIELDS})
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

    def csv_lines(self, flt: Filter | None = None, batch: int = EXPORT_BATCH) -> Iterator[list[str]]:
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
                elif name in APP_WRITTEN:  # never outside text: no formula, comma or quote can be in them
                    formats.append("%s")
                    args.append(columns[name])
                else:
                    formats.append("%s")
                    args.append(sql_csv_cell(columns[name]))
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

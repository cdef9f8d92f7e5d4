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

Modules: ``schema`` (tables, fields, migration), ``core`` (writer thread, readers, backup), ``store``
(:class:`Journal`: payments and staff actions), ``queries`` (staff view pages, reports, exports),
``records`` (what it hands out, the filter), ``export`` (CSV/JSON streams).
"""

from ..errors import JournalDamaged, JournalError
from .core import backup
from .export import csv_chunks, json_chunks, parse_bound, write_csv
from .files import check_copy, open_for_reading, open_journal, private_dir, private_file, restore
from .records import CSV_HEADER, Entry, Filter, Page, PageCursor, Report, neutralize
from .schema import (
    AMOUNT_FIELDS,
    EXPORT_FIELDS,
    METHODS,
    OPEN,
    OUTCOMES,
    PAYMENT_FIELDS,
    SCHEMA_VERSION,
    STAFF_FIELDS,
    day_start_iso,
    local_day,
    now_iso,
    to_cents,
)
from .store import Journal

__all__ = [
    "AMOUNT_FIELDS",
    "CSV_HEADER",
    "EXPORT_FIELDS",
    "METHODS",
    "OPEN",
    "OUTCOMES",
    "PAYMENT_FIELDS",
    "SCHEMA_VERSION",
    "STAFF_FIELDS",
    "Entry",
    "Filter",
    "Journal",
    "JournalDamaged",
    "JournalError",
    "Page",
    "PageCursor",
    "Report",
    "backup",
    "check_copy",
    "csv_chunks",
    "day_start_iso",
    "json_chunks",
    "local_day",
    "neutralize",
    "now_iso",
    "open_for_reading",
    "open_journal",
    "parse_bound",
    "private_dir",
    "private_file",
    "restore",
    "to_cents",
    "write_csv",
]  # fmt: skip

"""What the journal hands out (entries, pages, reports), the filter it selects by, and CSV cell rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .schema import AMOUNT_FIELDS, EXPORT_FIELDS, METHODS, OUTCOMES, PAYMENT_FIELDS, STAFF_FIELDS

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


def sql_csv_cell(x: str) -> str:
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


_PAYMENT_KEYS = [(i, n) for i, n in enumerate(EXPORT_FIELDS) if n in PAYMENT_FIELDS or n in ("kind", "at")]
_STAFF_KEYS = [(i, n) for i, n in enumerate(EXPORT_FIELDS) if n in STAFF_FIELDS or n == "kind"]


def row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    keys = _PAYMENT_KEYS if row[0] == "payment" else _STAFF_KEYS
    return {n: row[i] for i, n in keys}


CSV_HEADER = ",".join(EXPORT_FIELDS) + "\r\n"
#: columns only the app writes (times, enums, cents): copied into the CSV line as they are
APP_WRITTEN = frozenset({"kind", "at", *AMOUNT_FIELDS, "method", "outcome", "updated_at", "owed_settled_at"})

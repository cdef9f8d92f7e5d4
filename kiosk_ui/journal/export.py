"""Writing exports: the CSV and JSON streams, and the ``--since``/``--until`` bounds of ``kiosk-ui journal``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .records import CSV_HEADER, row_dict
from .schema import day_start_iso

#: a streamed download is cut in chunks of about this many bytes
CHUNK_BYTES = 1 << 16


def write_csv(line_batches: Iterable[list[str]], out: TextIO) -> int:
    """The CSV (header, then :meth:`Journal.csv_lines`) to ``out``; returns the number of rows."""
    out.write(CSV_HEADER)
    count = 0
    for lines in line_batches:
        out.write("".join(lines))
        count += len(lines)
    return count


def csv_chunks(line_batches: Iterable[list[str]], *, chunk: int = CHUNK_BYTES, bom: bool = False) -> Iterator[bytes]:
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


def json_chunks(batches: Iterable[list[tuple[Any, ...]]], *, chunk: int = CHUNK_BYTES) -> Iterator[str]:
    """One JSON array of objects, streamed as text chunks."""
    parts: list[str] = ["["]
    size, first = 1, True
    for row in (row for batch in batches for row in batch):
        text = json.dumps(row_dict(row), ensure_ascii=False)
        parts.append(("\n" if first else ",\n") + text)
        first = False
        size += len(text) + 2
        if size >= chunk:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts)


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

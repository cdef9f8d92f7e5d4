"""The journal at a real kiosk's size: 1,000,000 payments and 100,000 staff actions.

Builds the journal (bulk inserts, not timed), then measures what staff and the payment path feel:
- time to the first staff journal page (a fresh Journal, as after a restart), plus filtered pages;
- a 31-day report (SQL sums over the report index);
- full CSV export rate and the process's RSS growth while exporting (sampled every 5 ms);
- p99 time to journal one payment (open + outcome, each a durable synchronous=FULL commit) at 1M
  rows against an empty journal, alternating between the two files so disk noise hits both alike.

Run:  .venv/bin/python benchmarks/journal_scale.py [--payments 1000000] [--staff 100000] [--samples 300]
Prints a table and one JSON line. Targets: page <= 1 s, report <= 200 ms, export >= 100,000 rows/s
with RSS growth <= 20 MB, p99 ratio <= 2x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk_ui.journal import Filter, Journal, write_csv

OUTCOMES = ["completed"] * 90 + ["cancelled"] * 5 + ["declined"] * 3 + ["failed", "unknown"]


def rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


#: the columns a bulk fill writes, by name (the table has grown columns since v2: seq, progress)
INSERT_PAYMENT = (
    "INSERT INTO payments (id, created_at, updated_at, local_day, method, due_cents, credit_cents, change_owed_cents,"
    " change_paid_cents, shortfall_cents, reference, outcome, detail, items, owed_settled_at, seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def build(path: Path, payments: int, staff: int, days: int = 365) -> None:
    """Bulk-fill a v2 journal: payments spread over the last ``days`` days, oldest first."""
    Journal(path).close()  # the schema, as the app creates it
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    rnd = random.Random(11)
    end = time.time()
    start = end - days * 86400
    step = (end - start) / payments
    db.execute("BEGIN")
    batch: list[tuple[object, ...]] = []
    for i in range(payments):
        ts = start + i * step
        at = dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        day = dt.datetime.fromtimestamp(ts).date().isoformat()
        due = rnd.randint(100, 200_000)
        method = "cash" if i % 3 else "card"
        outcome = OUTCOMES[i % 100]
        credit = due + (rnd.randint(0, 50_000) if method == "cash" else 0)
        change = credit - due
        short = 1000 if method == "cash" and i % 250 == 0 and change >= 1000 else 0
        batch.append((os.urandom(16).hex(), at, at, day, method, due, credit, change, change - short, short,
                      "" if method == "cash" else f"R{i:09d}", outcome, "", "[]",
                      at if short and i % 2 else None, i + 1))  # fmt: skip
        if len(batch) == 20_000:
            db.executemany(INSERT_PAYMENT, batch)
            batch.clear()
    db.executemany(INSERT_PAYMENT, batch)
    step = (end - start) / staff
    db.executemany(
        "INSERT INTO staff_actions (at, client, session, action, result, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (
            (dt.datetime.fromtimestamp(start + i * step, dt.UTC).isoformat(timespec="milliseconds")[:23] + "Z",
             "10.0.0.5", "abc", "login", "ok", "")
            for i in range(staff)
        ),
    )  # fmt: skip
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Best of ``repeat`` wall times, in seconds (first call included in the result list)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def export_figures(path: Path) -> tuple[int, float, float, float | None]:
    journal = Journal(path)
    base = rss_bytes()
    peak = [base or 0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            now = rss_bytes()
            if now is not None and now > peak[0]:
                peak[0] = now

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, c0 = time.perf_counter(), time.process_time()
    with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
        rows = write_csv(journal.csv_lines(), sink)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    stop.set()
    sampler.join()
    journal.close()
    growth = (peak[0] - base) / 1e6 if base is not None else None
    return rows, seconds, cpu, growth


def write_latencies(empty: Path, full: Path, samples: int) -> tuple[list[float], list[float]]:
    journals = {"empty": Journal(empty), "full": Journal(full)}
    times: dict[str, list[float]] = {"empty": [], "full": []}
    for i in range(samples):
        for name in ("empty", "full") if i % 2 else ("full", "empty"):
            journal = journals[name]
            pid = os.urandom(16).hex()
            t0 = time.perf_counter()
            journal.open_payment(pid, "cash", "35.50", [])
            journal.update_payment(pid, outcome="completed", credit="40.00", change_owed="4.50", change_paid="4.50")
            times[name].append(time.perf_counter() - t0)
    for journal in journals.values():
        journal.close()
    return times["empty"], times["full"]


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="where to build (default: a temporary folder)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="journal-scale-"))
    full, empty = folder / "full.sqlite3", folder / "empty.sqlite3"
    for path in (full, empty):
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    build(full, args.payments, args.staff)
    Journal(empty).close()
    built = time.perf_counter() - t0
    print(f"built {args.payments:,} payments + {args.staff:,} staff actions in {built:.1f} s "
          f"({full.stat().st_size / 1e6:.0f} MB)", flush=True)  # fmt: skip

    t0 = time.perf_counter()
    journal = Journal(full)  # cold: as the staff page after a restart
    page = journal.page(Filter(), None, 50)
    first_page = time.perf_counter() - t0
    assert page.entries and page.older is not None
    warm_page = timed(lambda: journal.page(Filter(), None, 50))
    older = page.older
    page2 = timed(lambda: journal.page(Filter(), older, 50))
    declined = timed(lambda: journal.page(Filter(outcome="declined"), None, 50))
    search_miss = timed(lambda: journal.page(Filter(search="no-such-payment"), None, 50))
    reference = timed(lambda: journal.page(Filter(search=f"R{args.payments // 2 - args.payments // 2 % 3:09d}"), None))
    amount = timed(lambda: journal.page(Filter(min_cents=199_000, max_cents=199_100), None, 50))
    today = dt.date.today()
    report = journal.report(today - dt.timedelta(days=30), today)
    report_s = timed(lambda: journal.report(today - dt.timedelta(days=30), today))
    c0 = time.process_time()
    journal.report(today - dt.timedelta(days=30), today)
    report_cpu = time.process_time() - c0
    journal.close()

    rows, export_s, export_cpu, growth = export_figures(full)
    empty_times, full_times = write_latencies(empty, full, args.samples)

    figures = {
        "payments": args.payments,
        "staff_actions": args.staff,
        "first_page_cold_s": round(first_page, 4),
        "first_page_warm_s": round(warm_page, 4),
        "second_page_s": round(page2, 4),
        "page_outcome_declined_s": round(declined, 4),
        "page_search_miss_s": round(search_miss, 4),
        "page_search_reference_s": round(reference, 4),
        "page_amount_range_s": round(amount, 4),
        "report_31_days_s": round(report_s, 4),
        "report_31_days_cpu_s": round(report_cpu, 4),
        "report_31_days_sales": sum(c for c, _ in report.sales.values()),
        "export_rows": rows,
        "export_s": round(export_s, 2),
        "export_rows_per_s": round(rows / export_s),
        "export_rows_per_cpu_s": round(rows / export_cpu),
        "export_rss_growth_mb": None if growth is None else round(growth, 1),
        "write_p99_empty_ms": round(p99(empty_times) * 1000, 2),
        "write_p99_full_ms": round(p99(full_times) * 1000, 2),
        "write_median_empty_ms": round(statistics.median(empty_times) * 1000, 2),
        "write_median_full_ms": round(statistics.median(full_times) * 1000, 2),
    }
    figures["write_p99_ratio"] = round(figures["write_p99_full_ms"] / figures["write_p99_empty_ms"], 2)
    checks = {
        "first_page_cold_s": figures["first_page_cold_s"] <= 1.0,
        "report_31_days_s": figures["report_31_days_s"] <= 0.2,
        "export_rows_per_s": figures["export_rows_per_s"] >= 100_000,
        "export_rss_growth_mb": growth is None or growth <= 20,
        "write_p99_ratio": figures["write_p99_ratio"] <= 2.0,
    }
    width = max(map(len, figures))
    for name, value in figures.items():
        mark = "" if name not in checks else ("  ok" if checks[name] else "  MISSED")
        print(f"{name:<{width}}  {value}{mark}")
    print(f"load average at the end: {os.getloadavg() if hasattr(os, 'getloadavg') else 'n/a'}")
    print(json.dumps(figures))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Screenshots of the staff area (the NIP gate and every section) at a tablet and a phone size.

``scripts/screenshots.py`` imports :func:`staff_screenshots` (it writes the customer screens); run this
file alone for the staff part only::

    python scripts/screenshots_staff.py [out_dir]      # default docs/screenshots

Files: ``staff-<section>-<size>.png`` (``gate``, ``status``, ``actions``, ``review``, ``screen``,
``catalog``, ``journal``, ``tablet``; sizes ``tablet`` 1280x800 and ``phone`` 390x844).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools import AppProcess, ThreadedSim  # noqa: E402
from kiosk_ui.journal import Journal, local_day  # noqa: E402

STAFF_SIZES = {"tablet": (1280, 800), "phone": (390, 844)}
STAFF_SECTIONS = ("status", "actions", "review", "screen", "catalog", "journal", "tablet")
WAIT = 20_000
#: the columns a bulk fill writes, by name (the table has grown columns since v2: seq, progress)
INSERT_PAYMENT = (
    "INSERT INTO payments (id, created_at, updated_at, local_day, method, due_cents, credit_cents, change_owed_cents,"
    " change_paid_cents, shortfall_cents, reference, outcome, detail, items, owed_settled_at, seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def seed_journal(data_dir: Path, days: int = 14) -> None:
    """Two weeks of sales (cash and card), one payment owing change and one to review, for the pictures."""
    path = data_dir / "journal.sqlite3"
    Journal(path).close()
    now = dt.datetime.now(dt.UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    rows = []
    for back in range(days):
        for n in range(3 + (back * 7) % 5):
            at = (now - dt.timedelta(days=back, minutes=37 * n)).isoformat(timespec="milliseconds")
            at = at.replace("+00:00", "Z")
            method = "card" if (n + back) % 3 == 0 else "cash"
            cents = 2500 + ((back * 13 + n * 29) % 40) * 250
            rows.append((f"s{back:02d}{n:02d}", at, at, local_day(at), method, cents, cents, 0, 0, 0,
                         f"R{back}{n}" if method == "card" else "", "completed", "", "[]", None))  # fmt: skip
    at = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rows.append(("owed0001", at, at, local_day(at), "cash", 3550, 5000, 1450, 950, 500, "", "completed",
                 "cambio incompleto", "[]", None))  # fmt: skip
    rows.append(("unknown01", at, at, local_day(at), "card", 12900, 0, 0, 0, 0, "", "unknown",
                 "sin respuesta de la terminal", "[]", None))  # fmt: skip
    with sqlite3.connect(path) as db:
        db.executemany(INSERT_PAYMENT, [(*row, seq) for seq, row in enumerate(rows, 1)])


def _pin_products(page: Page) -> None:
    page.get_by_test_id("nav-catalog").click()
    page.get_by_test_id("product-search").fill("")
    page.get_by_test_id("product-search-go").click()
    expect(page.get_by_test_id("product-result").first).to_be_visible()
    for index in range(min(4, page.get_by_test_id("product-pin").count())):
        page.get_by_test_id("product-pin").nth(index).click()
        expect(page.get_by_test_id("quick-pick-row")).to_have_count(index + 1)


def _stock_cashboxes(sim: ThreadedSim) -> None:
    """Cash in the cashboxes, so the cash close's confirmation shows real figures."""
    sim.engine.coin_cashbox.update({Decimal(10): 37, Decimal(5): 12})
    sim.engine.bill_cashbox.update({Decimal(200): 6, Decimal(500): 2})
    sim.engine.set_fault("bill_jam", False)  # any change: the engine broadcasts its status


def staff_screenshots(browser: Browser, base: str, out: Path,
                      sizes: dict[str, tuple[int, int]] = STAFF_SIZES) -> list[Path]:  # fmt: skip
    """Log in and photograph the gate and each section at each size; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for size, (width, height) in sizes.items():
        page = browser.new_context(viewport={"width": width, "height": height}, locale="es-MX").new_page()
        page.set_default_timeout(WAIT)
        page.goto(base + "/admin")
        expect(page.get_by_test_id("nip-input")).to_be_visible()
        page.wait_for_load_state("networkidle")
        written.append(out / f"staff-gate-{size}.png")
        page.screenshot(path=written[-1])
        page.get_by_test_id("nip-input").fill("1234")
        page.get_by_test_id("nip-submit").click()
        expect(page.get_by_test_id("admin-home")).to_be_visible()
        expect(page.get_by_test_id("st-connections")).not_to_have_text("—")
        if size == next(iter(sizes)):
            _pin_products(page)
        for name in STAFF_SECTIONS:
            page.get_by_test_id(f"nav-{name}").click()
            page.wait_for_timeout(400)  # the smooth scroll and the charts' first paint
            page.mouse.move(width - 2, height - 2)  # no hover highlight on the nav
            written.append(out / f"staff-{name}-{size}.png")
            page.screenshot(path=written[-1])
        # a cash close's confirmation with the figures it will close, and the verb on its red button
        page.get_by_test_id("nav-actions").click()
        page.get_by_test_id("action-resetbalance").click()
        expect(page.get_by_test_id("confirm-figure-total")).to_be_visible()
        page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
        written.append(out / f"staff-cash-close-{size}.png")
        page.screenshot(path=written[-1])
        page.get_by_test_id("confirm-cancel").click()
        page.context.close()
    return written


def main() -> int:
    args = [arg for arg in sys.argv[1:] if arg != "--out"]  # scripts/screenshots.py passes --out DIR
    out = Path(args[0]) if args else ROOT / "docs" / "screenshots"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Debian's chromium is not installed", file=sys.stderr)
        return 1
    sim = ThreadedSim(card_mode="manual")
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    seed_journal(data_dir)
    app = AppProcess(["run", "--engine", sim.url], data_dir)
    try:
        app.wait_connected()
        sim.call(lambda: _stock_cashboxes(sim))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for path in staff_screenshots(browser, app.base, out):
                print(path)
            browser.close()
    finally:
        app.stop()
        sim.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

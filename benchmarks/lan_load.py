"""Memory per visitor and connections under a slow-header flood, from a LAN of the benchmark's own (issue 22).

``kiosk-ui run`` on all addresses against the simulator; the LAN is a network namespace joined by a
veth pair (tests/netns.py: needs Linux and root). Two measurements, one after the other:

- **memory** (item 4): RSS at start (one customer screen on loopback, one staff login done); after
  ``--cycles`` open/close cycles of a staff tab (loopback Chromium: open /admin, open the catalog form,
  close the tab); after ``--gate-loads`` loads of ``/admin`` from one LAN address (httpx in the
  namespace, 16 at a time, no browser: pages built and never connected); and after ``--idle`` seconds
  of idling (the idle timeouts). Target: back within 30 MB of the start.
- **slow headers** (item 5): the customer screen (loopback Chromium) is on a payment; a coin is inserted
  ``--coins`` times and the time until the screen shows the new credit is measured, first with nothing
  else going on, then while ``--slow`` connections from one LAN address send headers that never end
  (reopened as soon as the server closes one). Target: the median delay grows by at most 100 ms.

``--source DIR`` runs the app from another checkout (the "before" figure: ``git archive <commit> |
tar -x -C DIR``), everything else from this one.

Run:  .venv/bin/python benchmarks/lan_load.py [--cycles 500] [--gate-loads 2000] [--idle 75] [--slow 1000]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from latency import CHROMIUM_ARGS, rss_mb  # type: ignore[import-not-found]
from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # devtools/ and tests/ are not in the wheel
from devtools import AppProcess, ThreadedSim
from tests.helpers import begin_payment
from tests.netns import Lan, lan_namespace

GATE_LOADS = """
import json, sys, httpx, asyncio
url, count = sys.argv[1], int(sys.argv[2])
async def main():
    statuses = {}
    limit = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=30) as client:
        async def one():
            async with limit:
                try:
                    code = (await client.get(url)).status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                statuses[str(code)] = statuses.get(str(code), 0) + 1
        await asyncio.gather(*(one() for _ in range(count)))
    print(json.dumps(statuses))
asyncio.run(main())
"""

FLOOD = """
import socket, sys, time, selectors
host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
sel = selectors.DefaultSelector()
opened = 0
def start():
    global opened
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b"GET /admin HTTP/1.1\\r\\nHost: " + host.encode() + b"\\r\\nX-Slow: ")
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        opened += 1
    except OSError:
        pass
for _ in range(count):
    start()
print("ready", flush=True)
end = time.monotonic() + seconds
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.2):
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            start()  # reopen at once: the flood stays at `count`
        # a 503 is followed by a close: the next select sees it
print(f"opened {opened}", flush=True)
"""


def new_page(browser: Any) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    return page


def staff_cycles(browser: Any, app: AppProcess, cycles: int) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(app.base + "/admin")
    page.get_by_test_id("nip-input").fill("1234")
    page.get_by_test_id("nip-submit").click()
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    page.close()
    started = time.monotonic()
    for _ in range(cycles):
        page = context.new_page()
        page.goto(app.base + "/admin")
        expect(page.get_by_test_id("admin-home")).to_be_visible()
        page.get_by_test_id("product-new").click()
        expect(page.get_by_test_id("product-image")).to_be_visible()
        page.close()
    context.close()
    return time.monotonic() - started


def credit_delays(page: Page, sim: ThreadedSim, coins: int, credit: int) -> list[float]:
    """Insert a $1 coin ``coins`` times (``credit`` pesos in already); each time, seconds until the screen
    shows the new credit."""
    delays = []
    for _ in range(coins):
        credit += 1
        started = time.monotonic()
        sim.insert("1", "coin")
        expect(page.get_by_test_id("pay-credit")).to_have_text(f"${credit}.00", timeout=30_000)
        delays.append(time.monotonic() - started)
        time.sleep(0.2)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--gate-loads", type=int, default=2000)
    parser.add_argument("--idle", type=float, default=75.0)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--coins", type=int, default=15)
    parser.add_argument("--source", type=Path, help="run the app from this checkout (the 'before' figure)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed")
    if args.source:
        os.environ["PYTHONPATH"] = str(args.source.resolve())
    results: dict[str, Any] = {"source": str(args.source or "this checkout")}
    sim = ThreadedSim(card_mode="manual")
    data = Path(tempfile.mkdtemp(prefix="lan-load-"))
    os.chdir(data)  # NiceGUI keeps its user storage in the working directory: not in the checkout
    app = AppProcess(["run", "--engine", sim.url], data, host="0.0.0.0")
    lan_cm = lan_namespace()
    try:
        lan: Lan = lan_cm.__enter__()
        app.wait_connected(60)
        url = f"http://{lan.host}:{app.port}/admin"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            customer = new_page(browser)
            customer.goto(app.base + "/")
            expect(customer.get_by_test_id("screen-idle")).to_be_visible()
            staff_cycles(browser, app, 3)  # warm-up: every page and route once
            time.sleep(5)
            results["rss_start_mb"] = round(rss_mb(app.pid), 1)
            results["cycles"] = args.cycles
            results["cycles_seconds"] = round(staff_cycles(browser, app, args.cycles), 1)
            results["rss_after_cycles_mb"] = round(rss_mb(app.pid), 1)
            started = time.monotonic()
            results["gate_statuses"] = lan.python(GATE_LOADS, url, str(args.gate_loads), timeout=1800)
            results["gate_seconds"] = round(time.monotonic() - started, 1)
            results["rss_after_gate_mb"] = round(rss_mb(app.pid), 1)
            time.sleep(args.idle)
            results["rss_after_idle_mb"] = round(rss_mb(app.pid), 1)
            results["rss_growth_after_idle_mb"] = round(results["rss_after_idle_mb"] - results["rss_start_mb"], 1)

            begin_payment(customer, sim, "900")
            quiet = credit_delays(customer, sim, args.coins, 0)
            flood = subprocess.Popen(lan.command(sys.executable, "-c", FLOOD, lan.host, str(app.port), str(args.slow),
                                                 str(args.coins * 3 + 60)),
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip
            assert flood.stdout is not None
            flood.stdout.readline()  # "ready": every slow connection attempted once
            time.sleep(2)
            results["fds_during_flood"] = len(os.listdir(f"/proc/{app.pid}/fd"))
            loaded = credit_delays(customer, sim, args.coins, args.coins)
            flood.terminate()
            flood.wait(10)
            results["payment_delay_quiet_ms"] = round(statistics.median(quiet) * 1000, 1)
            results["payment_delay_flood_ms"] = round(statistics.median(loaded) * 1000, 1)
            results["payment_delay_flood_max_ms"] = round(max(loaded) * 1000, 1)
            results["payment_delay_added_ms"] = round((statistics.median(loaded) - statistics.median(quiet)) * 1000, 1)
            browser.close()
    finally:
        app.stop()
        sim.close()
        lan_cm.__exit__(None, None, None)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

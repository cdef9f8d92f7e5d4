"""Cost of ``/metrics``: CPU of the app and scrape latency, with 10 customer screens open.

``kiosk-ui run`` against the simulator (``status`` twice a second, as a busy engine), 10
Chromium screens on ``/``. Three phases of equal length, measured on the app process:
no scrapes; a scrape every 5 s (a Prometheus default-ish interval); a scrape every 0.5 s (ten
times more often, to see the per-scrape cost above the noise). Prints JSON: CPU % of one core
per phase, scrape latency p50/p95/max, response size, and the /health latency during each phase
(the event loop's responsiveness).

Run:  .venv/bin/python benchmarks/metrics_cost.py [--seconds 60] [--screens 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
from latency import CHROMIUM_ARGS, cpu_seconds, percentile, rss_mb  # type: ignore[import-not-found]
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # devtools/ is not in the wheel
from devtools import AppProcess, ThreadedSim, open_idle_screens


def phase(app: AppProcess, seconds: float, every: float | None) -> dict[str, object]:
    """Run one phase; scrape every ``every`` s (None: never) and probe /health once a second."""
    scrapes: list[float] = []
    health: list[float] = []
    size = 0
    cpu_start, start = cpu_seconds(app.pid), time.monotonic()
    next_scrape = start
    next_health = start + 0.5
    with httpx.Client(base_url=app.base, timeout=10) as http:
        while (now := time.monotonic()) < start + seconds:
            if every is not None and now >= next_scrape:
                t = time.perf_counter()
                response = http.get("/metrics")
                scrapes.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
                size = len(response.content)
                next_scrape += every
            if now >= next_health:
                t = time.perf_counter()
                http.get("/health").raise_for_status()
                health.append((time.perf_counter() - t) * 1000)
                next_health += 1.0
            time.sleep(max(0.0, min(next_scrape if every else next_health, next_health) - time.monotonic()))
    elapsed = time.monotonic() - start
    result: dict[str, object] = {
        "scrape_every_s": every,
        "cpu_percent_one_core": round((cpu_seconds(app.pid) - cpu_start) / elapsed * 100, 2),
        "health_ms_p50": round(percentile(health, 50), 1),
        "health_ms_max": round(max(health), 1),
    }
    if scrapes:
        result.update({
            "scrapes": len(scrapes), "scrape_ms_p50": round(percentile(scrapes, 50), 1),
            "scrape_ms_p95": round(percentile(scrapes, 95), 1), "scrape_ms_max": round(max(scrapes), 1),
            "response_bytes": size,
        })  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--screens", type=int, default=10)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    sim = ThreadedSim()
    sim.engine.status_interval = 0.5
    data = Path(tempfile.mkdtemp(prefix="kiosk-metrics-"))
    app = AppProcess(["run", "--engine", sim.url], data, python=sys.executable)
    results: dict[str, object] = {"screens": args.screens, "phase_seconds": args.seconds}
    try:
        app.wait_connected()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            open_idle_screens(context, app.base, args.screens)
            time.sleep(10)  # warm-up
            for every in (None, 5.0, 0.5):
                results[f"scrape_{every or 'none'}"] = phase(app, args.seconds, every)
            results["rss_mb"] = round(rss_mb(app.pid), 1)
            browser.close()
        log_text = app.log_path.read_text(errors="replace")
        results["errors_in_log"] = sum(1 for line in log_text.splitlines() if " ERROR " in line)
    finally:
        app.stop()
        sim.close()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

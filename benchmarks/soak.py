"""Soak: many customer screens open for a long time while the engine sends ``status`` often.

Default (issue 5): 20 Chromium screens on ``kiosk-ui run`` for 10 minutes, the simulator
sending ``status`` 10 times a second. Prints: errors in the app log, RSS at start and end and
the growth, CPU used, and whether every screen is current at the end (a new call-to-action
message pushed by the engine shows on all of them within 3 s).

Run:  .venv/bin/python benchmarks/soak.py [--minutes 10] [--screens 20] [--rate 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from latency import CHROMIUM_ARGS, cpu_seconds, rss_mb  # type: ignore[import-not-found]
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # devtools/ is not in the wheel
from devtools import AppProcess, ThreadedSim, open_idle_screens
from kiosk_ui.protocol import messages as m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10.0, help="status messages per second from the engine")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")

    sim = ThreadedSim()
    sim.engine.status_interval = 1.0 / args.rate
    data = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    app = AppProcess(["run", "--engine", sim.url], data, python=sys.executable)
    results: dict[str, object] = {"minutes": args.minutes, "screens": args.screens, "status_per_s": args.rate}
    try:
        app.wait_connected()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            pages = open_idle_screens(context, app.base, args.screens)
            time.sleep(20)  # warm-up: imports, first renders, caches
            rss_start, cpu_start, t_start = rss_mb(app.pid), cpu_seconds(app.pid), time.monotonic()
            deadline = t_start + args.minutes * 60
            samples = []
            while time.monotonic() < deadline:
                time.sleep(min(30.0, max(0.0, deadline - time.monotonic())))
                samples.append(round(rss_mb(app.pid), 1))
            elapsed = time.monotonic() - t_start
            rss_end, cpu_end = rss_mb(app.pid), cpu_seconds(app.pid)
            marker = f"Fin de prueba {int(time.time())}"
            sim.call(lambda: sim.engine._broadcast(m.ScreenSettings(True, True, True, marker)))
            current = 0
            check_deadline = time.monotonic() + 3
            for page in pages:
                try:
                    page.get_by_test_id("cta-message").filter(has_text=marker).wait_for(
                        state="visible", timeout=max(100, (check_deadline - time.monotonic()) * 1000)
                    )
                    current += 1
                except Exception:
                    pass
            browser.close()
        log_text = app.log_path.read_text(errors="replace")
        errors = [line for line in log_text.splitlines() if " ERROR " in line or line.startswith("Traceback")]
        results.update({
            "status_messages_sent": round(elapsed * args.rate),
            "rss_mb_start": round(rss_start, 1), "rss_mb_end": round(rss_end, 1),
            "rss_growth_mb": round(rss_end - rss_start, 1), "rss_samples_mb": samples,
            "cpu_percent_one_core": round((cpu_end - cpu_start) / elapsed * 100, 2),
            "errors_in_log": len(errors), "screens_current": f"{current}/{args.screens}",
        })  # fmt: skip
    finally:
        app.stop()
        sim.close()
    print(f"{'soak':32} {results['minutes']} min, {results['screens']} screens, {results['status_per_s']} status/s")
    for key in ("status_messages_sent", "rss_mb_start", "rss_mb_end", "rss_growth_mb", "cpu_percent_one_core",
                "errors_in_log", "screens_current"):  # fmt: skip
        print(f"{key:32} {results[key]}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""What Chromium draws for one idle customer screen: frames, paints, raster tasks and layouts from a trace.

Counts, not CPU time: they hold on a busy machine, where the idle CPU figure of ``latency.py --idle-browser``
moves by several tenths of a percent. One idle screen per build (no GPU), traced for ``--seconds`` (21 s: three
attract slide changes, every 7 s), alternating builds for ``--rounds`` rounds.

Run:  .venv/bin/python benchmarks/idle_trace.py [--against REV] [--seconds 21] [--rounds 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # devtools/ is not in the wheel
from builds import Build, current_build, revision_build
from latency import CHROMIUM_ARGS, idle_screen

CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline.frame,cc,viz"
#: trace events counted: a frame drawn, its main-thread part, and the work a change of the page costs
COUNTED = ("DrawFrame", "BeginMainThreadFrame", "UpdateLayoutTree", "Layout", "Paint", "RasterTask")


def trace_idle(browser: Any, build: Build, seconds: float) -> Counter[str]:
    with idle_screen(browser, build) as page:
        events: list[dict[str, Any]] = []
        done: list[bool] = []
        cdp = page.context.new_cdp_session(page)
        cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
        cdp.on("Tracing.tracingComplete", lambda _e: done.append(True))
        cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
        time.sleep(seconds)
        cdp.send("Tracing.end")
        while not done:
            page.wait_for_timeout(100)
        return Counter(e["name"] for e in events if e["name"] in COUNTED and e.get("ph") in ("X", "B", "I", "i"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", metavar="REV", help="also trace this git revision, alternating")
    parser.add_argument("--seconds", type=float, default=21.0, help="trace length (default 21: three slide changes)")
    parser.add_argument("--rounds", type=int, default=2, help="traces per build (default 2)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    builds = [current_build()] + ([revision_build(args.against)] if args.against else [])
    print(f"{'round':>5} {'build':>10} " + " ".join(f"{name:>20}" for name in COUNTED))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for number in range(1, args.rounds + 1):
                for build in builds if number % 2 else builds[::-1]:
                    counts = trace_idle(browser, build, args.seconds)
                    print(f"{number:>5} {build.name:>10} " + " ".join(f"{counts[name]:>20}" for name in COUNTED),
                          flush=True)  # fmt: skip
        finally:
            browser.close()


if __name__ == "__main__":
    main()

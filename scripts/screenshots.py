"""Write every customer screen, in every state, at every display size to ``docs/screenshots/``.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only STATE ...] [--no-staff]

Walks the states of tests/browser/states.py against the simulator in Debian's chromium, saves
``customer-<state>-<width>x<height>.png`` (quantized to a small palette when Pillow is installed),
then runs ``scripts/screenshots_staff.py`` when it exists (the staff area's pictures). ``--only`` writes
just the named states (the walk still goes through all of them), e.g. the states off the happy path:
``--only result-declined payment-device-fault out-of-service timeout-payment offline-idle --no-staff``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.states import SETTLED, SIZES, stack, walk  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync"]


def shrink(path: Path) -> None:
    """Quantize to 256 colours (flat UI: no visible loss, a fraction of the size) when Pillow is there."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="+", metavar="STATE", help="write only these states' pictures")
    parser.add_argument("--no-staff", action="store_true", help="do not run scripts/screenshots_staff.py")
    args = parser.parse_args()
    only: set[str] | None = set(args.only) if args.only else None
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Debian's chromium is needed (apt-get install chromium)", file=sys.stderr)
        return 1
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, stack(Path(tmp)) as (sim, app, timeout_app), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]}, locale="es-MX")
        page, other = context.new_page(), context.new_page()
        for each in (page, other):
            each.set_default_timeout(15_000)
        page.goto(app.base + "/")
        other.goto(timeout_app.base + "/")

        def visit(on: Page, name: str, reopen: Callable[[], None] | None) -> None:
            if only is not None and name not in only:
                return
            for width, height in SIZES:
                if on.viewport_size != {"width": width, "height": height}:
                    on.set_viewport_size({"width": width, "height": height})
                    on.wait_for_timeout(150)
                    if reopen is not None:
                        reopen()
                on.wait_for_function(SETTLED)
                path = out / f"customer-{name}-{width}x{height}.png"
                on.screenshot(path=str(path))
                shrink(path)
                written.append(path)
            on.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})

        states = walk(page, sim, other, visit)
        browser.close()
    if only is not None and only - set(states):
        print(f"unknown state(s): {', '.join(sorted(only - set(states)))}; known: {', '.join(states)}", file=sys.stderr)
        return 2
    print(f"{len(written)} customer screenshots in {out}")
    staff = ROOT / "scripts" / "screenshots_staff.py"
    if staff.is_file() and not args.no_staff:
        return subprocess.call([sys.executable, str(staff), "--out", str(out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())

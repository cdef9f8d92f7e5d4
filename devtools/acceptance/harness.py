"""The acceptance harness: the app as a subprocess through its CLI, pages, diagnostics. Imports no kiosk_ui."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import ThreadedEngine, free_port
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

BIN = os.environ.get("KIOSK_UI_BIN", ".venv/bin/kiosk-ui")
WAIT = 20_000  # ms, every UI wait (2 shared cores)
NIP = "4321"
ARTIFACTS = Path(os.environ.get("ACCEPT_ARTIFACTS", "/tmp/accept-artifacts"))
RESULT_CONFIG = "[kiosk]\nresult_seconds = 60\n"  # the result stays while the test reads it


# ---------------------------------------------------------------------------------------------------------
# the app as a subprocess, through its CLI only
# ---------------------------------------------------------------------------------------------------------
@dataclass
class App:
    proc: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(self.base + "/health", timeout=5) as answer:
                return dict(json.loads(answer.read()))
        except (OSError, ValueError):
            return None

    def wait_health(self, engine: str | None = "connected", timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"app exited with {self.proc.returncode}:\n{self.log_tail()}")
            health = self.health()
            if health is not None and (engine is None or health.get("engine") == engine):
                return
            time.sleep(0.3)
        raise AssertionError(f"app /health never said engine={engine}: {self.health()}\n{self.log_tail()}")

    def journal(self) -> list[dict[str, Any]]:
        out = subprocess.run(
            [BIN, "journal", "--data-dir", str(self.data_dir), "--format", "json"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if out.returncode != 0:
            raise AssertionError(f"kiosk-ui journal failed ({out.returncode}): {out.stderr.decode(errors='replace')}")
        rows = json.loads(out.stdout.decode("utf-8") or "[]")
        assert isinstance(rows, list), f"journal JSON is not an array: {rows!r}"
        return rows

    def payments(self) -> list[dict[str, Any]]:
        return [r for r in self.journal() if r.get("kind") == "payment"]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_app(engine_url: str, tmp: Path, config: str = "") -> App:
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [BIN, "run", "--engine", engine_url, "--port", str(port), "--data-dir", str(data_dir)]
    if config:
        cfg = tmp / "kiosk.toml"
        cfg.write_text(config, encoding="utf-8")
        args += ["--config", str(cfg)]
    log = tmp / "app.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT)
    return App(proc, port, data_dir, log)


@dataclass
class Stack:
    engine: ThreadedEngine
    app: App
    name: str

    def close(self) -> None:
        self.app.stop()
        self.engine.close()


@contextlib.contextmanager
def make_stack(name: str, reading: str, tmp: Path, config: str = RESULT_CONFIG) -> Iterator[Stack]:
    engine = ThreadedEngine(reading, nip=NIP)
    app = start_app(engine.url, tmp, config)
    stack = Stack(engine, app, name)
    try:
        app.wait_health("connected")
        yield stack
    finally:
        stack.close()


# ---------------------------------------------------------------------------------------------------------
# browser
# ---------------------------------------------------------------------------------------------------------
def open_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX")
    page = context.new_page()
    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    page.goto(url)
    return page


def tid(page: Page, name: str):
    return page.get_by_test_id(name)


# ---------------------------------------------------------------------------------------------------------
# diagnostics: every failure says what the screen, the journal and the engine showed
# ---------------------------------------------------------------------------------------------------------
_VISIBLE_IDS_JS = """
() => Array.from(document.querySelectorAll('[data-testid]'))
  .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.getAttribute('data-testid') + '='
       + JSON.stringify((e.innerText || e.value || '').replace(/\\s+/g, ' ').slice(0, 60)))
"""


def screen_ids(page: Page) -> str:
    try:
        ids = page.evaluate(_VISIBLE_IDS_JS)
    except PlaywrightError as exc:
        return f"(page unreadable: {exc})"
    skip = re.compile(r"^key-")
    return ", ".join(i for i in ids if not skip.match(i))


def diagnosis(stack: Stack, pages: list[Page], label: str) -> str:
    parts = [f"[{stack.name}] failed at: {label}"]
    for n, page in enumerate(pages):
        parts.append(f"screen {n} ({page.url}): {screen_ids(page)}")
        with contextlib.suppress(Exception):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"{stack.name}-{re.sub(r'[^a-z0-9]+', '_', label.lower())}-{n}.png"
            page.screenshot(path=str(shot))
            parts.append(f"  screenshot {shot}")
    try:
        rows = stack.app.payments()
        parts.append("journal payments: " + json.dumps(rows[-4:], ensure_ascii=False))
    except Exception as exc:  # a diagnosis never hides the failure
        parts.append(f"journal unreadable: {exc}")
    parts.append("engine ledger:\n" + stack.engine.ledger_text())
    with contextlib.suppress(OSError):  # pytest's temp dirs rotate: keep the app's log with the screenshots
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{stack.name}-app.log").write_bytes(stack.app.log.read_bytes())
    health = stack.app.health()
    parts.append(f"app health: {health}")
    if stack.app.proc.poll() is not None:
        parts.append("app log tail:\n" + stack.app.log_tail())
    return "\n".join(parts)


class Checker:
    """``with check("what"):`` turns any failure inside into one message with the full diagnosis.

    ``soft=True``: the failure is recorded and the walk goes on (so one missing id does not hide the
    rest); ``finish()`` at the end of the test raises them all together.
    """

    def __init__(self, stack: Stack, *pages: Page) -> None:
        self.stack = stack
        self.pages = list(pages)
        self.failures: list[str] = []

    @contextlib.contextmanager
    def __call__(self, label: str, soft: bool = False) -> Iterator[None]:
        at_start = screen_ids(self.pages[0])
        try:
            yield
        except (AssertionError, PlaywrightError) as exc:
            text = str(exc).split("Aria snapshot")[0].strip()
            message = (
                f"{text[:900] if soft else exc}\nscreen 0 when the check began: {at_start}\n"
                f"{diagnosis(self.stack, self.pages, label)}"
            )
            if soft:
                self.failures.append(message)
                return
            earlier = "".join(f"\n--- earlier soft failure ---\n{f}" for f in self.failures)
            raise AssertionError(message + earlier) from None

    def finish(self) -> None:
        if self.failures:
            raise AssertionError(f"{len(self.failures)} check(s) failed:\n" + "\n--- next ---\n".join(self.failures))


def amount_re(value: str) -> re.Pattern[str]:
    """The amount as the contract writes it: `$1,234.50` or `1234.50`, not part of a larger number."""
    return re.compile(rf"(?<![\d.,])\$?{re.escape(value)}(?![\d])")


def numbers_in(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*\.\d\d|\d+", text)


def expect_amount(locator: Any, value: str) -> None:
    expect(locator).to_contain_text(amount_re(value))
    text = locator.inner_text()
    assert numbers_in(text) == [value] or numbers_in(text) == [f"{float(value):,.2f}"], (
        f"{text!r} should hold {value} and no other number"
    )


def wait_journal(
    app: App, predicate: Callable[[dict[str, Any]], bool], what: str, timeout: float = 20.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = app.payments()
        for row in reversed(rows):
            if predicate(row):
                return row
        time.sleep(0.5)
    raise AssertionError(f"journal: no payment row where {what}; last rows {json.dumps(rows[-3:], ensure_ascii=False)}")


def key_in(page: Page, amount: str) -> None:
    tid(page, "start").click()
    expect(tid(page, "screen-sale")).to_be_visible()
    for char in amount:
        tid(page, "key-dot" if char == "." else f"key-{char}").click()


def confirm_if_asked(page: Page, then: Any) -> None:
    """Tap `confirm-ok` if a confirmation appears before ``then`` does."""
    expect(tid(page, "confirm-ok").or_(then).filter(visible=True).first).to_be_visible()
    if tid(page, "confirm-ok").is_visible():
        tid(page, "confirm-ok").click()


def engine_charging(stack: Stack, method: str, due: str) -> None:
    stack.engine.wait_for(
        lambda s: s["sale"] is not None and s["sale"].method == method and str(s["sale"].due) == due,
        what=f"engine charging {method} {due}",
    )


def engine_idle(stack: Stack) -> None:
    stack.engine.wait_for(lambda s: not s["cobrando"], what="engine idle")


def idle_page(browser: Browser, stack: Stack) -> Page:
    engine_idle(stack)
    page = open_page(browser, stack.app.base + "/")
    expect(tid(page, "screen-idle").or_(tid(page, "result-done")).filter(visible=True).first).to_be_visible()
    if tid(page, "result-done").is_visible():  # an earlier walk's result still on the (shared) kiosk screen
        tid(page, "result-done").click()
    expect(tid(page, "screen-idle")).to_be_visible()
    expect(tid(page, "start")).to_be_visible()
    return page


def back_to_idle(page: Page) -> None:
    if tid(page, "result-done").is_visible():
        tid(page, "result-done").click()
    expect(tid(page, "screen-idle")).to_be_visible()

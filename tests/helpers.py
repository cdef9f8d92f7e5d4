"""What the tests share: waiting on conditions, the app under test, and how a person uses its screens.

- :func:`eventually` waits on a condition with a timeout (never a fixed sleep); :func:`engine_caught_up`
  waits for a round trip on the engine socket, so "nothing was sent" can be checked without sleeping.
- :class:`Env`: the app in NiceGUI's simulated-user mode against a real simulator (fixture ``env`` in
  ``tests/conftest.py``).
- the customer screen (``key_in``, ``open_sale``, ``start_cash_payment``, ``scan``), the staff area
  (``login``, ``logged_in``, ``sent``, ``markers_on_page``), and dialogs and labels as a person reads them.
- Chromium: ``CHROMIUM``, ``CHROMIUM_ARGS``, and the browser helpers (``start_sale``, ``begin_payment``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from nicegui import core, ui
from nicegui.testing.user import User

from kiosk_ui.app import KioskApp
from kiosk_ui.config import Config
from kiosk_ui.engine import EngineClient
from kiosk_ui.protocol import messages as m
from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.dialect import Dialect
from kiosk_ui.simulator.server import SimServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from devtools import ThreadedSim

#: seconds a test waits for a condition before failing: generous, the machine is shared and loaded
WAIT = 5.0
#: seconds between two looks at a condition
POLL = 0.02


# ----------------------------------------------------------------------------- waiting


async def eventually(check: Callable[[], Any], timeout: float = WAIT, interval: float = POLL) -> Any:
    """Wait until ``check()`` is truthy (the app reacts asynchronously); return its value.

    Always yields to the event loop before the first look, so work already scheduled (a click's handler,
    a frame just received) runs first. Still, wait for what the app shows or does, never on ``lambda: True``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await asyncio.sleep(0)
        value = check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


async def engine_caught_up(client: EngineClient) -> None:
    """Wait for an answer that only a request gets (``screensettings`` to ``getscreensettings``): the engine
    has then read every frame sent before it. Yields first, so handlers already scheduled run before."""
    await asyncio.sleep(0)
    await client.request(m.GetScreenSettings(), timeout=WAIT)


# ----------------------------------------------------------------------------- the app under test


#: whether the running test carries the ``dialect`` marker (set by tests/conftest.py before each test)
dialect_selected = True


def sim_dialect() -> Dialect:
    """The simulator's dialect for this test run: KIOSK_SIM_DIALECT=js|csharp|mixed (default js).

    KIOSK_SIM_SEED picks the mixed dialect's seed, to replay a failing run. Only a test marked ``dialect``
    may ask: the mixed-dialect pass runs those only (tests/conftest.py, DIALECT_FIXTURES).
    """
    assert dialect_selected, (
        "this test starts the simulator in KIOSK_SIM_DIALECT's dialect without the 'dialect' marker, so the "
        "mixed-dialect pass would skip it: add the fixture it uses to DIALECT_FIXTURES in tests/conftest.py"
    )
    return Dialect(os.environ.get("KIOSK_SIM_DIALECT", "js"), int(os.environ.get("KIOSK_SIM_SEED", "7")))


def test_config(tmp_path: Path, **overrides: Any) -> Config:
    base = Config(engine_url="ws://127.0.0.1:9/", data_dir=tmp_path, ack_timeout=2.0, result_seconds=30)
    return replace(base, **overrides)


test_config.__test__ = False  # type: ignore[attr-defined]  # a factory, not a test


@dataclass
class Env:
    """The app in NiceGUI's simulated-user mode, against a real simulator over a real socket."""

    engine: SimEngine
    server: SimServer
    kapp: KioskApp
    config: Config
    _http: list[httpx.AsyncClient] = field(default_factory=list)

    def new_user(self) -> User:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url="http://test")
        self._http.append(client)
        return User(client)

    def kick(self) -> None:
        self.server.kick()

    async def insert(self, *values: str, kind: str | None = None) -> None:
        """Insert money at the simulator, one piece at a time, each seen by the app before the next."""
        for value in values:
            assert self.engine.insert(Decimal(value), kind), f"engine refused {value}"
            self.kick()
            await self.flushed()

    async def flushed(self) -> None:
        """The simulator has sent every frame that was due (instead of sleeping after a kick)."""
        await eventually(lambda: all(at > self.engine.now for at, _, _ in self.engine.outbox))

    async def connected(self) -> None:
        await eventually(lambda: self.kapp.kiosk.state.online and self.kapp.kiosk.state.synced)

    async def caught_up(self) -> None:
        """Every frame the app sent before this call has reached the simulator: a round trip on the same
        socket (the engine answers in order), instead of sleeping before checking that nothing was sent."""
        await engine_caught_up(self.kapp.client)

    async def close(self) -> None:
        for client in self._http:
            await client.aclose()


def sent(env: Env, kind: type) -> list[m.Message]:
    """What the simulator received of one message type, in order."""
    return [msg for _, msg in env.engine.received if isinstance(msg, kind)]


# ----------------------------------------------------------------------------- a person at the screens


def markers_on_page(user: User) -> set[str]:
    with user:
        return {marker for element in ui.context.client.elements.values() for marker in element._markers}


def dialog_open(user: User, marker: str) -> bool:
    """Whether the dialog holding ``marker`` is open (the simulated user sees closed dialogs' children)."""
    with user:
        for element in ui.context.client.elements.values():
            if marker in element._markers:
                parent = element.parent_slot.parent if element.parent_slot else None
                while parent is not None and not isinstance(parent, ui.dialog):
                    parent = parent.parent_slot.parent if parent.parent_slot else None
                return bool(parent is not None and parent.value)
    raise AssertionError(marker)


def label_text(user: User, marker: str) -> str:
    elements = list(user.find(marker=marker).elements)
    assert elements, marker
    return elements[0].text  # type: ignore[attr-defined]


async def key_in(user: User, text: str) -> None:
    for char in text:
        user.find(marker={".": "key-dot"}.get(char, f"key-{char}")).click()


async def open_sale(env: Env, amount: str = "") -> User:
    """A new customer screen, a sale started, ``amount`` keyed in."""
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    await key_in(user, amount)
    return user


async def start_cash_payment(user: User, env: Env, amount: str) -> None:
    """From the idle screen: key in ``amount``, pay cash, and wait until the engine is charging."""
    user.find(marker="start").click()
    await key_in(user, amount)
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: env.engine.payment is not None)


def scan(user: User, code: str) -> None:
    """What kiosk.js does for a keyboard-wedge scanner: emitEvent('kiosk_scan', code)."""
    from nicegui import events

    layout = user.client.layout
    for listener in list(layout._event_listeners.values()):
        if listener.type == "kiosk_scan":
            events.handle_event(
                listener.handler, events.GenericEventArguments(sender=layout, client=user.client, args=code)
            )


#: markers only a signed-in staff member may see
STAFF_ONLY = {"admin-home", "action-opendoor", "st-credit", "set-save", "product-search", "journal-export",
              "tablet-qr", "confirm-ok"}  # fmt: skip


async def login(user: User, nip: str = "1234") -> None:
    await user.open("/admin")
    await user.should_see(marker="nip-input")
    user.find(marker="nip-input").type(nip)
    user.find(marker="nip-submit").click()


async def logged_in(env: Env) -> User:
    user = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    return user


def tiny_png() -> bytes:
    """A valid 1×1 PNG, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + \
        chunk(b"IEND", b"")  # fmt: skip


# ----------------------------------------------------------------------------- Chromium

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def start_sale(page: Page, amount: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("screen-sale")).to_be_visible()
    for char in amount:
        page.get_by_test_id("key-dot" if char == "." else f"key-{char}").click()


def begin_payment(page: Page, sim: ThreadedSim, amount: str, method: str = "cash") -> None:
    """From the idle screen: key in ``amount``, pay, and wait until the engine is charging."""
    from playwright.sync_api import expect

    start_sale(page, amount)
    page.get_by_test_id(f"pay-{method}").click()
    expect(page.get_by_test_id("screen-payment")).to_be_visible()
    sim.wait_for(lambda e: e.payment is not None)


# ----------------------------------------------------------------------------- time a test drives


class ManualClock:
    """The customer screen's clock (``kiosk_ui/ui/pages/customer/timers.py``) moved by the test: nothing is
    due until :meth:`advance` says so, then what fell due runs in order (fixture ``manual_clock``)."""

    @dataclass
    class Handle:
        cancelled: bool = False

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self) -> None:
        self.time = 1000.0
        self._due: list[tuple[float, int, Callable[[], None], ManualClock.Handle]] = []
        self._seq = 0

    def now(self) -> float:
        return self.time

    def call_later(self, delay: float, callback: Callable[[], None]) -> ManualClock.Handle:
        handle = ManualClock.Handle()
        self._seq += 1
        self._due.append((self.time + delay, self._seq, callback, handle))
        return handle

    def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, running each timer that falls due at its own time."""
        end = self.time + seconds
        while True:
            due = sorted((entry for entry in self._due if not entry[3].cancelled and entry[0] <= end),
                         key=lambda entry: (entry[0], entry[1]))  # fmt: skip
            if not due:
                break
            at, _, callback, _handle = due[0]
            self._due.remove(due[0])
            self.time = max(self.time, at)
            callback()
        self.time = end

    def pending(self) -> int:
        return sum(1 for entry in self._due if not entry[3].cancelled)

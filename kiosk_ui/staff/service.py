"""The staff service: everything the staff area does, outside the UI.

:class:`StaffService` ties the NIP check and lockout, the sessions, the action runner, the
catalog, the journal views (owed change, payments to review, report, pages, CSV export) and the
screen settings, and writes the audit trail. The staff pages get one of these and never reach
the engine client or the journal themselves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine import EngineClient, EngineTimeout, EngineUnavailable
from ..journal import Filter, Journal, JournalError, Page, PageCursor, Report, csv_chunks
from ..kiosk import Kiosk, PaymentResult
from ..protocol import messages as m
from ..quick_picks import FILE_NAME as QUICK_PICKS_FILE
from ..quick_picks import QuickPicks
from ..state import KioskState
from .actions import ActionRunner
from .catalog import CatalogService
from .lockout import Lockout
from .nip import NipChecker
from .sessions import Sessions

log = logging.getLogger(__name__)

CTA_LIMIT = 120
SCREEN_TIMEOUT = 10.0
EXPORT_TTL = 120.0
EXPORT_BATCH = 500


@dataclass(frozen=True)
class Caller:
    """Who asks: the staff session id and the browser's address (for the audit trail and the token)."""

    sid: str
    address: str

    @property
    def tag(self) -> str:
        """The session as the journal names it (a hash, never the id itself)."""
        return hashlib.sha256(self.sid.encode()).hexdigest()[:10] if self.sid else "-"


class ExportTickets:
    """One-use, short-lived links for the streamed CSV: issued to an authorized staff page, redeemed once."""

    def __init__(self, ttl: float = EXPORT_TTL) -> None:
        self.ttl = ttl
        self._open: dict[str, tuple[float, str | None, Filter, str]] = {}

    def issue(self, flt: Filter, address: str | None, sid: str = "") -> str:
        now = time.monotonic()
        self._open = {k: v for k, v in self._open.items() if v[0] > now}
        token = secrets.token_urlsafe(24)
        self._open[token] = (now + self.ttl, address, flt, sid)
        return token

    def redeem(self, token: str, address: str | None, alive: Callable[[str], bool] | None = None) -> Filter | None:
        """The ticket's filter, once; None if expired, from another address, or its staff session ended
        (``alive(sid)`` false: the link dies at logout, not minutes later)."""
        entry = self._open.pop(token, None)
        if entry is None or entry[0] < time.monotonic():
            return None
        if entry[1] and address and entry[1] != address:
            return None
        if entry[3] and alive is not None and not alive(entry[3]):
            return None
        return entry[2]


def check_cta(text: str) -> str:
    """'' when ``text`` may be the idle screen's message, else the es-MX reason."""
    if len(text) > CTA_LIMIT or any(ord(c) < 32 for c in text):
        return "El mensaje debe tener como máximo {limit} caracteres, sin saltos de línea."
    return ""


class StaffService:
    def __init__(self, kiosk: Kiosk, client: EngineClient, journal: Journal, data_dir: Path, *,
                 nip_max_attempts: int = 5, nip_lockout_seconds: float = 900,
                 session_idle_seconds: float = 900) -> None:  # fmt: skip
        self.kiosk = kiosk
        self.client = client
        self.journal = journal
        self.data_dir = data_dir
        self.lockout = Lockout(data_dir / "nip-lockout.json", nip_max_attempts, nip_lockout_seconds)
        self.sessions = Sessions(session_idle_seconds)
        self.nip = NipChecker(client, self.lockout, busy=lambda: kiosk.busy, on_locked=self.sessions.end_address)
        self.quick_picks = QuickPicks(data_dir / QUICK_PICKS_FILE)
        self.catalog = CatalogService(client, data_dir, self.quick_picks)
        self.exports = ExportTickets()

    # ---- sessions and audit
    def valid(self, caller: Caller, touch: bool = True) -> bool:
        return self.sessions.valid(caller.sid, caller.address, touch=touch)

    def token(self, caller: Caller) -> str:
        """The session's engine access token, for staff commands (sent only if configured)."""
        return self.sessions.token(caller.sid)

    async def audit(self, caller: Caller, action: str, result: str, detail: str = "") -> None:
        try:
            await self.journal.arecord_action(action, result, client=caller.address, session=caller.tag, detail=detail)
        except JournalError as exc:
            log.error("staff action %s not journaled: %s", action, exc)

    def actions(self, caller: Caller) -> ActionRunner:
        async def audit(action: str, result: str, detail: str) -> None:
            await self.audit(caller, action, result, detail)

        return ActionRunner(self.kiosk, self.client, audit)

    # ---- live state (pushed)
    @property
    def state(self) -> KioskState:
        return self.kiosk.state

    @property
    def busy(self) -> bool:
        return self.kiosk.busy

    @property
    def journal_error(self) -> str:
        return self.kiosk.journal_error

    def on_state(self, callback: Callable[[KioskState], None]) -> Callable[[], None]:
        return self.kiosk.on_change(callback)

    def on_result(self, callback: Callable[[PaymentResult], None]) -> Callable[[], None]:
        return self.kiosk.on_result(callback)

    # ---- screen settings
    async def save_screen(self, caller: Caller, show_cta: bool, show_eyes: bool, show_time: bool, text: str) -> str:
        """Save the idle screen's settings; '' when the engine took them, else the es-MX reason."""
        reason = check_cta(text)
        if reason:
            return reason
        message = m.SaveScreenSettings(show_cta, show_eyes, show_time, text)
        try:
            await self.client.request(message, timeout=SCREEN_TIMEOUT, token=self.token(caller))
        except EngineUnavailable:
            await self.audit(caller, "screensettings", "failed")
            return "No se guardó: sin conexión"
        except EngineTimeout:
            await self.audit(caller, "screensettings", "failed")
            return "No se guardó: sin respuesta"
        await self.audit(caller, "screensettings", "saved",
                         f"cta={show_cta} eyes={show_eyes} time={show_time} msg={text!r}")  # fmt: skip
        return ""

    # ---- journal views
    async def owed_and_review(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Change owed to customers, and payments whose outcome is unknown (JournalError if unreadable)."""
        owed = await asyncio.to_thread(self.journal.owed)
        review = await asyncio.to_thread(self.journal.to_review)
        return owed, review

    async def settle(self, caller: Caller, payment_id: str) -> None:
        await asyncio.to_thread(self.journal.settle_owed, payment_id)
        await self.audit(caller, "owed-settled", "ok", payment_id)

    async def page(self, flt: Filter, cursor: PageCursor | None, size: int) -> Page:
        return await asyncio.to_thread(self.journal.page, flt, cursor, size)

    async def report(self, first: dt.date, last: dt.date) -> Report:
        return await asyncio.to_thread(self.journal.report, first, last)

    async def start_export(self, caller: Caller, flt: Filter) -> str:
        """A one-use token for the CSV download of what ``flt`` selects."""
        token = self.exports.issue(flt, caller.address, caller.sid)
        await self.audit(caller, "journal-export", "started")
        return token

    def export_stream(self, flt: Filter, address: str) -> Iterator[bytes]:
        """The CSV in chunks (run by the server's thread pool), journaled when it ends or is cut short."""
        count = 0

        def counted() -> Iterator[list[str]]:
            nonlocal count
            for batch in self.journal.csv_lines(flt, EXPORT_BATCH):
                count += len(batch)
                yield batch

        result = "failed"
        try:
            yield from csv_chunks(counted(), bom=True)
            result = "ok"
        except GeneratorExit:
            result = "interrupted"
            raise
        finally:
            try:
                self.journal.record_action("journal-export", result, client=address, detail=f"{count} rows")
            except JournalError as exc:
                log.error("journal export not journaled: %s", exc)

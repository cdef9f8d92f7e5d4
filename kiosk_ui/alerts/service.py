"""Sends what :mod:`.rules` decides to the configured webhooks, and journals each delivery.

Thin asyncio: the rules are re-evaluated when something happens (engine state, a payment
result, the screen watchdog) and at the one next time something may fall due (a timed
condition, a reminder); the journal-derived figures (payments to review, change owed, NIP
lockouts) are re-read on a payment result and at most once a minute while the app runs.

One worker per webhook sends in order and retries with backoff while the webhook is down
(first failure and final outcome journaled), so a "resolved" never overtakes its "firing".
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import httpx

from ..config import Config, Webhook
from ..journal import Journal, JournalError, now_iso
from ..listeners import Listeners
from ..redact import safe_error, safe_text, safe_url
from ..tasks import spawn
from .rules import EVENT_KEYS, AlertBook, Decision, Snapshot, evaluate, title

log = logging.getLogger(__name__)

#: how often the journal-derived figures are re-read when nothing else happens (seconds)
JOURNAL_REFRESH = 60.0


@dataclass
class AlertRecord:
    """One alert event as staff see it: the decision and how its delivery went."""

    key: str
    status: str
    title: str
    detail: str
    at: str
    repeat: bool = False
    #: "pending" | "sent" | "retrying" | "failed" | "no webhook"
    delivery: str = "pending"
    attempts: int = 0


@dataclass
class _Item:
    record: AlertRecord
    body: dict[str, Any]
    created: float


@dataclass
class JournalFigures:
    to_review: int = 0
    change_owed: Decimal = Decimal(0)
    recent_lockouts: int = 0


def render(template: Any, values: dict[str, str]) -> Any:
    """The body template with ``{placeholders}`` filled in its strings (values are never re-parsed)."""
    if isinstance(template, dict):
        return {k: render(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, values) for v in template]
    if isinstance(template, str):
        return template.format_map(values)
    return template


def host_of(url: str) -> str:
    """The webhook's scheme and host only: its path often holds a secret token (Slack, Telegram), its
    userinfo a password (redact.safe_url, the one place that decides)."""
    return safe_url(url)


def journal_figures(journal: Journal, lockout_window: float) -> JournalFigures:
    """Blocking: payments to review, change owed, lockouts within the window (audit rows)."""
    owed = sum((Decimal(row["shortfall"]) for row in journal.owed()), Decimal(0))
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=lockout_window)).isoformat(timespec="milliseconds")
    rows = journal._read(  # the audit rows of the staff area: 'lockout' / 'locked'
        "SELECT COUNT(*) AS n FROM staff_actions WHERE action = 'lockout' AND at >= ?", (cutoff.replace("+00:00", "Z"),)
    )
    return JournalFigures(len(journal.to_review()), owed, int(rows[0]["n"]))


class AlertService:
    def __init__(self, config: Config, journal: Journal, snapshot: Callable[[], Snapshot], *,
                 clock: Callable[[], float] = time.monotonic,
                 post: Callable[[Webhook, dict[str, Any]], Awaitable[None]] | None = None) -> None:  # fmt: skip
        self.config = config
        self.cfg = config.alerts
        self.journal = journal
        self.snapshot = snapshot
        self.clock = clock
        self.book = AlertBook(self.cfg.repeat_minutes * 60)
        self.figures = JournalFigures()
        self.recent: deque[AlertRecord] = deque(maxlen=50)
        self._post = post or self._http_post
        self._queues: list[tuple[Webhook, asyncio.Queue[_Item]]] = []
        self._workers: list[asyncio.Task[None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._refresh_timer: asyncio.TimerHandle | None = None
        self._http: httpx.AsyncClient | None = None
        self._listeners: Listeners[AlertRecord] = Listeners("alert")
        self._running = False

    def on_record(self, callback: Callable[[AlertRecord], None]) -> Callable[[], None]:
        """A new alert event, or news of its delivery (the staff area shows them live)."""
        return self._listeners.add(callback)

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        self._running = True
        self._http = httpx.AsyncClient(timeout=10.0)
        for hook in self.cfg.webhooks:
            queue: asyncio.Queue[_Item] = asyncio.Queue()
            self._queues.append((hook, queue))
            self._workers.append(asyncio.get_running_loop().create_task(self._worker(hook, queue)))
        await self.refresh()

    async def stop(self) -> None:
        self._running = False
        for handle in (self._timer, self._refresh_timer):
            if handle is not None:
                handle.cancel()
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._http is not None:
            await self._http.aclose()

    async def refresh(self) -> None:
        """Re-read the journal-derived figures, then re-check."""
        if self._refresh_timer is not None:
            self._refresh_timer.cancel()
        try:
            self.figures = await asyncio.to_thread(journal_figures, self.journal,
                                                   self.cfg.nip_lockout_window_minutes * 60)  # fmt: skip
        except JournalError as exc:
            log.warning("alerts: journal figures not read: %s", exc)
        if self._running:
            self._refresh_timer = asyncio.get_running_loop().call_later(JOURNAL_REFRESH, self._spawn_refresh)
            self.check()

    def _spawn_refresh(self) -> None:
        spawn(self.refresh(), name="alerts-refresh")

    # ------------------------------------------------------------------ rules
    def current(self) -> Snapshot:
        snap = self.snapshot()
        return replace(snap, to_review=self.figures.to_review, change_owed=self.figures.change_owed,
                       recent_lockouts=self.figures.recent_lockouts)  # fmt: skip

    def check(self, *_: Any) -> None:
        """Evaluate the rules now; send what they decide; set the timer for the next due time."""
        if not self._running:
            return
        now = self.clock()
        evaluation = evaluate(self.current(), self.cfg, now, screen_watchdog=self.config.screen_watchdog,
                              lang=self.config.language)  # fmt: skip
        for decision in self.book.step(evaluation.active, now):
            self._emit(decision)
        due = [t for t in (evaluation.next_check, self.book.next_due()) if t is not None]
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if due:
            self._timer = asyncio.get_running_loop().call_later(max(0.0, min(due) - now) + 0.01, self.check)

    def holding(self) -> dict[str, str]:
        return self.book.holding()

    def call_staff(self, key: str, detail: str) -> bool:
        """A one-off event from the customer screen (a customer asks for help, a payment stalled with money
        in it): to every webhook and the staff area's list. True once it is on its way."""
        if key not in EVENT_KEYS or not self._running:
            return False
        self._emit(Decision(key, "firing", detail[:300], self.clock()))
        return True

    async def send_test(self) -> AlertRecord:
        """A test alert to every webhook (staff area)."""
        return self._emit(Decision("test", "firing", "kiosk-ui", self.clock()))

    # ------------------------------------------------------------------ delivery
    def _emit(self, decision: Decision) -> AlertRecord:
        lang = self.config.language
        name = title(decision.key, lang)
        record = AlertRecord(decision.key, decision.status, name, decision.detail, now_iso(), decision.repeat)
        kiosk = self.config.kiosk_id or "kiosk"
        resolved = ("Resuelto" if lang == "es" else "Resolved") if decision.status == "resolved" else ""
        text = f"[{kiosk}] {resolved + ': ' if resolved else ''}{name}: {decision.detail}"
        values = {"alert": decision.key, "status": decision.status, "title": name, "text": text, "kiosk": kiosk,
                  "at": record.at, "value": decision.detail}  # fmt: skip
        log.warning("alert %s %s: %s", decision.key, decision.status, decision.detail)
        self.recent.appendleft(record)
        if not self._queues:
            record.delivery = "no webhook"
            spawn(self._journal(record, "no webhook", ""))
        for hook, queue in self._queues:
            body = render(hook.body, values) if hook.body is not None else dict(values)
            queue.put_nowait(_Item(record, body, self.clock()))
        self._listeners.emit(record)
        return record

    async def _worker(self, hook: Webhook, queue: asyncio.Queue[_Item]) -> None:
        while True:
            item = await queue.get()
            delay = self.cfg.retry_first
            attempts = 0
            while True:
                attempts += 1
                item.record.attempts = attempts
                try:
                    await self._post(hook, item.body)
                except Exception as exc:  # the webhook is down or refused: retry with backoff
                    reason = safe_error(exc)  # httpx spells the whole URL in its messages
                    if attempts == 1:
                        item.record.delivery = "retrying"
                        self._listeners.emit(item.record)
                        await self._journal(item.record, "failed", f"{host_of(hook.url)} (retrying): {reason}")
                    if self.clock() - item.created > self.cfg.give_up_hours * 3600:
                        item.record.delivery = "failed"
                        self._listeners.emit(item.record)
                        await self._journal(
                            item.record, "failed", f"{host_of(hook.url)}: gave up after {attempts} attempts: {reason}"
                        )
                        break
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.cfg.retry_cap)
                    continue
                item.record.delivery = "sent"
                self._listeners.emit(item.record)
                await self._journal(item.record, "sent", f"{host_of(hook.url)} (attempt {attempts})")
                break

    async def _http_post(self, hook: Webhook, body: dict[str, Any]) -> None:
        assert self._http is not None
        response = await self._http.post(hook.url, json=body)
        response.raise_for_status()

    async def _journal(self, record: AlertRecord, result: str, where: str) -> None:
        detail = f"{record.key} {record.status}{' (repeat)' if record.repeat else ''}: {record.detail}"
        if where:
            detail += f" → {where}"
        try:
            await self.journal.arecord_action("alert", result, detail=safe_text(detail)[:500])
        except JournalError as exc:
            log.error("alert %s %s not journaled: %s", record.key, result, exc)

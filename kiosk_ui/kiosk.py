"""The kiosk service: one per process. Holds the engine state, runs payments, journals them.

Screens subscribe to :meth:`Kiosk.on_change` (new state) and :meth:`Kiosk.on_result` (a
payment ended); nothing polls. A payment is journaled when requested, and its outcome is
committed to the journal before any screen is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .engine import CommandRefused, EngineClient, EngineUnavailable
from .errors import FailureCode, PaymentRefused, RefusalReason
from .journal import Journal, JournalError, now_iso
from .listeners import Listeners
from .payments import machine as pm
from .payments.arbiter import (
    Cancel,
    Intent,
    Own,
    SendGuard,
    Situation,
    Verdict,
    arbiter,
    in_payment,
    locked,
    start_refusal,
)
from .payments.machine import ActivePayment, PaymentResult
from .payments.readings import ALL_READINGS, Reading, ReadingLearner
from .payments.rules import Method, Outcome, fitting_readings
from .payments.service import PaymentService
from .protocol import Message
from .protocol import messages as m
from .protocol.values import CENT
from .state import ConnectionStatus, KioskState, reduce, with_connection
from .tasks import spawn

log = logging.getLogger(__name__)

__all__ = ["ActivePayment", "Kiosk", "Method", "Outcome", "PaymentRefused", "PaymentResult"]


class _FrameNotifier:
    """Screens are told of state changes at most once per display frame. The first change after a quiet spell goes
    out at once (no added latency for a coin); a flood is coalesced."""

    FRAME = 1 / 60

    def __init__(self, flush: Callable[[], None]) -> None:
        self._emit = flush
        self._handle: asyncio.TimerHandle | None = None
        self._last = float("-inf")

    def notify(self) -> None:
        if self._handle is not None:
            return  # a flush is already scheduled and will carry this change
        loop = asyncio.get_running_loop()
        wait = self._last + self.FRAME - loop.time()
        if wait <= 0:
            self._flush()
        else:
            self._handle = loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._handle = None
        self._last = asyncio.get_running_loop().time()
        self._emit()


class Kiosk:
    """Facade the pages use: engine state, the payment in progress, intents. The payment rules
    live in :mod:`kiosk_ui.payments`; this only translates engine events into machine events."""

    def __init__(self, client: EngineClient, journal: Journal, *, ack_timeout: float = 5.0,
                 end_grace: float = 2.0, abandon_grace: float | None = None,
                 readings: tuple[Reading, ...] = ALL_READINGS) -> None:  # fmt: skip
        self.client = client
        self.journal = journal
        self.state = KioskState(connection=client.status)
        self.journal_error: str = ""
        self._change_listeners: Listeners[KioskState] = Listeners("state")
        self._result_listeners: Listeners[PaymentResult] = Listeners("result")
        self._message_listeners: Listeners[Message] = Listeners("message")
        self._start_lock = asyncio.Lock()
        self._frames = _FrameNotifier(lambda: self._change_listeners.emit(self.state))
        self._payment_seen: ActivePayment | None = None
        self._in_message = False
        self._phase_waiters: list[asyncio.Future[None]] = []
        grace = ack_timeout if abandon_grace is None else abandon_grace
        self.machine = pm.PaymentMachine(ack_timeout=ack_timeout, end_grace=end_grace, abandon_grace=grace,
                                         new_id=lambda: uuid.uuid4().hex, now=now_iso,
                                         connected=client.status == "connected", readings=readings)  # fmt: skip
        self.service = PaymentService(self.machine, journal, self._send_own, self._publish, self._journal_failed)
        self.service.after_event = self._after_event
        self.service.on_unwritten = self._unwritten_changed
        self.service.on_refill = self._notify  # a refill this kiosk sent, or its end: pay buttons change
        #: which engine readings the ended sales fit ([protocol] engine_reading: auto learns, a name pins one)
        self.learner = ReadingLearner(allowed=readings)
        self.service.on_observed = self._learn
        client.on_message(self._on_message)
        client.on_sent(self.service.frame_left)  # every frame that left: the machine keeps this kiosk's refill
        client.on_status(self._on_status)
        #: the one arbiter, installed as the engine client's last-line guard (every frame, at the moment it is written)
        self.guard = SendGuard(self.situation)
        client.guard = self.guard

    @property
    def payment(self) -> ActivePayment | None:  # the payment in progress (read-only: the machine owns it)
        return self.machine.payment

    # ------------------------------------------------------------------ observers
    def on_change(self, callback: Callable[[KioskState], None]) -> Callable[[], None]:
        return self._change_listeners.add(callback)

    def on_result(self, callback: Callable[[PaymentResult], None]) -> Callable[[], None]:
        return self._result_listeners.add(callback)

    def on_message(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        return self._message_listeners.add(callback)

    def _notify(self) -> None:
        self._frames.notify()

    # ------------------------------------------------------------------ machine
    def _after_event(self) -> None:
        if self.machine.payment is not self._payment_seen:
            self._payment_seen = self.machine.payment
            self._wake_phase_waiters()
            if not self._in_message:  # an engine message notifies once, at its end
                self._notify()

    def _wake_phase_waiters(self) -> None:
        waiters, self._phase_waiters = self._phase_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _journal_failed(self, error: str) -> None:
        self.journal_error = error  # (the service keeps an unwritten outcome and retries it)

    def _learn(self, observed: pm.Observed) -> None:
        self.learner.observe(fitting_readings(observed.method, observed.facts, self.learner.allowed))
        self.machine.use_readings(self.learner.candidates())

    def _unwritten_changed(self, written: bool) -> None:
        if written and not self.journal.damaged:
            self.journal_error = ""  # the kept outcomes are on disk: it writes again
        self._notify()

    # ------------------------------------------------------------------ start-up
    async def recover(self) -> None:
        """Payments the journal holds open from a previous run wait for the engine's word."""
        try:
            rows = await asyncio.to_thread(self.journal.open_payments)
            reference = await asyncio.to_thread(self.journal.last_reference)
        except JournalError as exc:
            self.journal_error = str(exc)
            return
        if reference:  # an engine that keeps the previous sale's referenceCC must not approve the next card with it
            self.machine.remember_reference(reference)
        if rows:
            log.warning("%d payment(s) open from a previous run; reconciling", len(rows))
            self.service.dispatch(pm.Recover(tuple(rows)))

    # ------------------------------------------------------------------ engine events
    def _on_status(self, status: ConnectionStatus) -> None:
        self.state = with_connection(self.state, status)
        if status == "connected":
            self.service.dispatch(pm.ConnectionBack())
            # the screen is derived from the engine: ask it where it stands
            spawn(self._ask(m.GetStatus(), m.GetScreenSettings()))
        elif self.machine.connected:
            self.service.dispatch(pm.ConnectionLost())
        self._notify()

    def _on_message(self, message: Message) -> None:
        before = self.state
        payment_before = self.machine.payment
        self.state = reduce(self.state, message)
        event = pm.from_message(message)
        if event is not None:
            self._in_message = True
            try:
                self.service.dispatch(event)
            finally:
                self._in_message = False
        self._message_listeners.emit(message)
        if self.state is not before or self.machine.payment is not payment_before:
            self._notify()

    async def _send_own(self, message: Message, payment_id: str) -> None:
        """The payment machine's own command, for its payment: the arbiter decides at the write."""
        with self.guard.acting(Cancel(payment_id) if isinstance(message, m.Cancel) else Own(payment_id)):
            await self.client.send(message)

    async def _ask(self, *messages: Message) -> None:  # best effort: the next connect asks again
        with contextlib.suppress(EngineUnavailable):
            for message in messages:
                await self.client.send(message)

    def _publish(self, result: PaymentResult) -> None:
        log.info("payment %s %s (%s %s)", result.id, result.outcome, result.method, result.due)
        self._result_listeners.emit(result)
        self._payment_seen = self.machine.payment
        self._wake_phase_waiters()
        self._notify()

    # ------------------------------------------------------------------ commands (the arbiter decides)
    def situation(self) -> Situation:  # what the arbiter looks at, now
        return Situation(self.machine.snapshot, self.state.charging, self.state.due, self.state.online,
                         self.journal_writable)  # fmt: skip

    def arbitrate(self, message: Message, intent: Intent = None) -> Verdict:
        return arbiter(self.situation(), message, intent, self.guard.keep_values)

    @property
    def busy(self) -> bool:
        """A customer payment is in progress: ours, adopted, or the engine charging a sale (Due > 0: not a refill)."""
        return in_payment(self.situation())

    @property
    def outcome_pending(self) -> bool:  # a payment's effects still run, or its outcome waits for the journal
        return self.service.pending

    @property
    def money_locked(self) -> bool:
        """Cash-moving staff commands must wait: a payment in progress or being started."""
        return locked(self.situation())

    async def probe_journal(self) -> None:
        """Re-check the journal: a freed disk lets payments start again."""
        try:
            await asyncio.to_thread(self.journal.check_writable)
        except JournalError as exc:
            if not self.journal_error:
                log.error("journal not writable: %s", exc)
            self.journal_error = str(exc)
        else:
            self.journal_error = ""
            if self.service.unwritten:  # a freed disk: the kept outcomes go to it now
                await self.service.retry_unwritten()
        self._notify()

    @property
    def journal_writable(self) -> bool:
        """No outcome waits to be written and the last write or check succeeded (else: out of service)."""
        return not self.journal_error and not self.service.unwritten

    def can_pay(self) -> str:
        """'' when a payment may start now, else a :class:`RefusalReason` (a str: its value is the i18n key)."""
        return start_refusal(self.situation())

    async def start_payment(self, method: Method, due: Decimal, items: list[dict[str, Any]] | None = None
                            ) -> PaymentResult | None:  # fmt: skip
        """Start a payment and wait until the engine acknowledges it (or it is given up: ``cancel "1"`` went out).

        ``None`` once it is charging or given up (the outcome comes through :meth:`on_result`); the failed result
        when it ended before that. Raises :class:`PaymentRefused` when it could not even be asked."""
        if not isinstance(due, Decimal) or not due.is_finite() or due <= 0 or due != due.quantize(CENT):
            raise PaymentRefused(RefusalReason.AMOUNT)  # amounts are rounded to cents where they enter
        async with self._start_lock:
            reason = self.can_pay()
            if reason:
                raise PaymentRefused(RefusalReason(reason))
            if method == "card" and not self.state.card_available:
                raise PaymentRefused(RefusalReason.CARD_UNAVAILABLE)
            if method == "cash" and self.state.bv_error and self.state.ca_error:
                raise PaymentRefused(RefusalReason.CASH_UNAVAILABLE)  # neither bills nor coins can be taken
            with self.service.checking_start():  # until the payment exists, staff's cash-moving commands wait
                try:
                    await asyncio.to_thread(self.journal.check_writable)
                except JournalError as exc:
                    self.journal_error = str(exc)
                    self._notify()
                    raise PaymentRefused(RefusalReason.JOURNAL) from exc
            # asked again: the engine may have begun something (a refill sent just before) meanwhile
            reason = self.can_pay()
            if reason:
                raise PaymentRefused(RefusalReason(reason))
            payment_id = uuid.uuid4().hex
            results: list[PaymentResult] = []
            undo = self.on_result(lambda r: results.append(r) if r.id == payment_id else None)
            try:
                self._notify()
                errors = await self.service.dispatch(pm.StartRequested(payment_id, method, due, tuple(items or ())))
                if any(isinstance(e, JournalError) for e in errors):
                    self._notify()
                    raise PaymentRefused(RefusalReason.JOURNAL)
                while True:
                    payment = self.machine.payment
                    if results:
                        if results[0].failure is FailureCode.ENGINE_UNAVAILABLE:
                            raise PaymentRefused(RefusalReason.OFFLINE)
                        return results[0]
                    if payment is None or payment.id != payment_id or payment.phase not in ("opening", "starting"):
                        return None
                    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                    self._phase_waiters.append(waiter)
                    await waiter
            finally:
                undo()

    async def cancel(self, value: str = "1", payment_id: str | None = None) -> bool:
        """Ask to cancel the payment ``payment_id`` (default: the one in progress). False (nothing sent) when it is no
        longer in progress; raises EngineUnavailable when the engine could not be told."""
        payment = self.machine.payment
        if payment is None or (payment_id is not None and payment.id != payment_id):
            log.info("cancel for payment %s ignored: it is no longer in progress", payment_id)
            return False
        errors = await self.service.dispatch(pm.CancelRequested(payment.id, value))
        for error in errors:
            if isinstance(error, CommandRefused):
                return False  # the arbiter refused it at the write: that payment had ended meanwhile
            if isinstance(error, EngineUnavailable):
                raise error
        return True

    async def send(self, message: Message) -> None:
        await self.client.send(message)

"""The thin asyncio service that runs the payment machine's effects, in order.

The machine's transition happens at once, when the event arrives (so the screens read the
new state immediately); its effects go on one queue and run one after another. Each effect that
completes comes back to the machine as an event: a row opened as ``JournalWritten`` (or
``JournalOpenFailed``), a frame written as ``Sent`` (or ``SendFailed``), an outcome that could not be
written as ``JournalFailed``. An outcome is on disk before it is published: one whose write failed is
kept in memory and retried (:attr:`PaymentService.retry_every`), and its ``Publish`` waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterator

from ..engine import EngineUnavailable
from ..journal import OPEN, Journal, JournalError
from ..protocol import Message
from ..protocol.values import format_amount
from . import machine as pm
from .recovery import JournalProgress, progress_write

log = logging.getLogger(__name__)

#: the machine's effects, and the service's own progress writes (recovery.py)
ServiceEffect = pm.Effect | JournalProgress
Batch = tuple[list[ServiceEffect], "asyncio.Future[list[Exception]]"]


class PaymentService:
    def __init__(self, machine: pm.PaymentMachine, journal: Journal, send: Callable[[Message, str], Awaitable[None]],
                 publish: Callable[[pm.PaymentResult], None],
                 journal_failed: Callable[[str], None]) -> None:  # fmt: skip
        self.machine = machine
        self.journal = journal
        self._send = send
        self._publish = publish
        self._journal_failed = journal_failed
        self._queue: deque[Batch] = deque()
        self._wake: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}
        #: every effect run, in order, for tests and the soak (bounded)
        self.trace: deque[ServiceEffect] = deque(maxlen=10_000)
        #: progress writes under way (queued in the journal's order, awaited by nobody: see _record_progress)
        self._progress: set[asyncio.Future[None]] = set()
        #: called after every transition (the payment on screen may have changed)
        self.after_event: Callable[[], None] = lambda: None
        #: outcomes not yet on disk (payment id → the write), retried; their Publish waits (payment id → result)
        self.unwritten: dict[str, pm.JournalUpdate] = {}
        self._held: dict[str, pm.PaymentResult] = {}
        #: payments whose row could not be opened: their outcome, if one comes, opens it first (nothing is shown
        #: that the journal does not hold, and a sale the engine charged keeps its row)
        self._unopened: set[str] = set()
        self._in_batch = False
        self.retry_every = 2.0
        self._retry: asyncio.TimerHandle | None = None
        #: an ended sale's facts, for the reading learner
        self.on_observed: Callable[[pm.Observed], None] = lambda observed: None
        #: called when the unwritten outcomes change (the kiosk's journal_writable); with True once a retry wrote
        self.on_unwritten: Callable[[bool], None] = lambda written: None
        #: called when a frame that left started or ended the refill this kiosk sent (the machine's ``refill_sent``)
        self.on_refill: Callable[[], None] = lambda: None

    def frame_left(self, message: Message) -> None:
        """Any frame that left this kiosk (the engine client's ``on_sent``: the machine's, staff's, anyone's): a
        ``cashrefill`` or a ``cancel`` outside a payment starts or ends the kiosk's own refill (:mod:`.holds`)."""
        before = self.machine.snapshot.refill_sent
        self.dispatch(pm.FrameLeft(message.COMMAND))
        if self.machine.snapshot.refill_sent != before:
            self.on_refill()

    @contextlib.contextmanager
    def checking_start(self) -> Iterator[None]:
        """A customer start being checked (the journal check awaits a thread; the payment does not exist yet):
        cash-moving staff commands wait meanwhile (the machine's ``start_checking``)."""
        self.dispatch(pm.StartChecking())
        try:
            yield
        finally:
            self.dispatch(pm.StartChecked())

    @property
    def pending(self) -> bool:
        """Effects are still on their way (an outcome may be about to be published), or an outcome waits for
        the journal to write it: a screen must not give up on the payment it shows."""
        return self._in_batch or bool(self._queue) or bool(self.unwritten)

    def dispatch(self, event: pm.Event) -> asyncio.Future[list[Exception]]:
        """Feed one event: the machine moves now; its effects are queued. The future resolves
        when they have run, with the errors met (a journal or engine failure), if any."""
        before = self.machine.snapshot
        effects: list[ServiceEffect] = [*self.machine.handle(event)]
        progress = progress_write(before, self.machine.snapshot)
        if progress is not None:  # acknowledged, or more credit: what a restart needs to settle it (recovery.py)
            effects.append(progress)
        self.after_event()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[Exception]] = loop.create_future()
        if not effects:
            done.set_result([])
            return done
        self._queue.append((effects, done))
        if self._wake is None:
            self._wake = asyncio.Event()
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._run(), name="payment-effects")
        return done

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            while self._queue:
                effects, done = self._queue.popleft()
                errors: list[Exception] = []
                self._in_batch = True
                try:
                    await self._run_batch(effects, errors)
                except Exception as exc:  # a bug must not stop the queue
                    log.exception("payment effects failed")
                    errors.append(exc)
                finally:
                    self._in_batch = False
                if not done.done():
                    done.set_result(errors)
            self._wake.clear()
            await self._wake.wait()

    async def _run_batch(self, effects: list[ServiceEffect], errors: list[Exception]) -> None:
        for effect in effects:
            self.trace.append(effect)
            if isinstance(effect, pm.JournalOpen):
                try:
                    await self.journal.aopen_payment(effect.payment_id, effect.method, format_amount(effect.due),
                                                     list(effect.items))  # fmt: skip
                    if effect.detail:
                        await self.journal.aupdate_payment(effect.payment_id, detail=effect.detail)
                except JournalError as exc:
                    self._journal_failed(str(exc))
                    errors.append(exc)
                    # nothing after an unrecorded payment may happen (no paycash without a row)
                    self._unopened.add(effect.payment_id)
                    self.dispatch(pm.JournalOpenFailed(effect.payment_id))
                    return
                self._unopened.discard(effect.payment_id)
                self.dispatch(pm.JournalWritten(effect.payment_id))
            elif isinstance(effect, pm.JournalUpdate):
                try:
                    await self._write_outcome(effect)
                except JournalError as exc:
                    self._journal_failed(str(exc))
                    errors.append(exc)
                    log.error("payment %s outcome %s not journaled (kept, retried): %s", effect.payment_id,
                              effect.result.outcome, exc)  # fmt: skip
                    self.unwritten[effect.payment_id] = effect
                    self._schedule_retry()
                    self.on_unwritten(False)
                    self.dispatch(pm.JournalFailed(effect.payment_id))
            elif isinstance(effect, pm.JournalReopen):
                try:
                    await self.journal.aupdate_payment(effect.payment_id, outcome=OPEN, detail=effect.detail)
                except JournalError as exc:
                    self._journal_failed(str(exc))
                    errors.append(exc)
                    log.error("payment %s resumed but not journaled open again: %s", effect.payment_id, exc)
            elif isinstance(effect, pm.Publish):
                if effect.result.id in self.unwritten:
                    self._held[effect.result.id] = effect.result  # shown once it is on disk
                else:
                    self._publish(effect.result)
            elif isinstance(effect, pm.Send):
                try:
                    # the arbiter decides at the write (a cancel queued behind a slow journal write whose payment
                    # ended is refused there: it would reach a staff refill or another sale)
                    await self._send(effect.message, effect.payment_id)
                except EngineUnavailable as exc:  # not sent (CommandRefused included)
                    errors.append(exc)
                    if effect.payment_id:
                        self.dispatch(pm.SendFailed(effect.payment_id, effect.message.COMMAND))
                else:
                    if effect.payment_id:
                        self.dispatch(pm.Sent(effect.payment_id, effect.message.COMMAND))
            elif isinstance(effect, pm.StartTimer):
                self._stop(effect.name)
                loop = asyncio.get_running_loop()
                event = pm.TimerFired(effect.name, effect.payment_id)
                self._timers[effect.name] = loop.call_later(effect.seconds, self.dispatch, event)
            elif isinstance(effect, pm.StopTimer):
                self._stop(effect.name)
            elif isinstance(effect, pm.Observed):
                self.on_observed(effect)
            elif isinstance(effect, JournalProgress):
                self._record_progress(effect)

    def _record_progress(self, effect: JournalProgress) -> None:
        """Queued in the journal's write order now (after the row's opening, before its outcome), and not awaited:
        the frames and publications after it do not wait for a progress write. A failure is logged (the journal
        marks itself not writable); the payment goes on, and a restart knows less about it."""
        future = asyncio.ensure_future(self.journal.arecord_progress(effect.payment_id, effect.progress))
        self._progress.add(future)

        def done(f: asyncio.Future[None]) -> None:
            self._progress.discard(f)
            if not f.cancelled() and f.exception() is not None:
                log.error("payment %s progress not journaled: %s", effect.payment_id, f.exception())

        future.add_done_callback(done)

    async def _write_outcome(self, effect: pm.JournalUpdate) -> None:
        result = effect.result
        fields = {"outcome": result.outcome, "detail": "; ".join(filter(None, (effect.note, result.reason)))}
        if result.outcome != "unknown" or result.credit or result.reference:
            fields.update(
                credit=format_amount(result.credit), change_owed=format_amount(result.change_owed),
                change_paid=format_amount(result.change_paid), shortfall=format_amount(result.shortfall),
                reference=result.reference,
            )  # fmt: skip
        if effect.payment_id in self._unopened:  # its opening write failed: the outcome writes the row first
            await self.journal.aopen_payment(effect.payment_id, result.method, format_amount(result.due), [])
            self._unopened.discard(effect.payment_id)
        await self.journal.aupdate_payment(effect.payment_id, **fields)

    def _schedule_retry(self) -> None:
        if self._retry is None:
            self._retry = asyncio.get_running_loop().call_later(self.retry_every, self._retry_now)

    def _retry_now(self) -> None:
        self._retry = None
        asyncio.get_running_loop().create_task(self.retry_unwritten(), name="payment-outcome-retry")

    async def retry_unwritten(self) -> None:
        """Write the kept outcomes again, oldest first; each written is published (then, never before)."""
        for payment_id, effect in list(self.unwritten.items()):
            try:
                await self._write_outcome(effect)
            except JournalError as exc:
                self._journal_failed(str(exc))
                self._schedule_retry()
                return
            del self.unwritten[payment_id]
            log.info("payment %s outcome %s journaled after a retry", payment_id, effect.result.outcome)
            held = self._held.pop(payment_id, None)
            if held is not None:
                self._publish(held)
        self.on_unwritten(True)

    def _stop(self, name: str) -> None:
        handle = self._timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    async def idle(self) -> None:
        """Wait until every queued effect has run (tests, shutdown)."""
        while self._queue or (self._wake is not None and self._wake.is_set() and self._worker
                              and not self._worker.done()):  # fmt: skip
            await asyncio.sleep(0.005)

    def close(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        for name in list(self._timers):
            self._stop(name)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(RuntimeError):
                self._worker = None

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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from .engine import EngineClient, EngineUnavailable
from .journal import Journal, JournalError, now_iso
from .listeners import Listeners
from .protocol import Message
from .protocol import messages as m
from .protocol.values import format_amount
from .state import ConnectionStatus, KioskState, reduce, with_connection
from .tasks import spawn

log = logging.getLogger(__name__)

Method = Literal["cash", "card"]
Outcome = Literal["completed", "cancelled", "declined", "failed", "unknown"]
ZERO = Decimal(0)


class PaymentRefused(Exception):
    """A payment could not start; ``reason`` is an i18n key for the customer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ActivePayment:
    id: str
    method: Method
    due: Decimal
    items: list[dict[str, Any]] = field(default_factory=list)
    #: "starting" until the engine acknowledges with cobrando true, then "charging"
    phase: Literal["starting", "charging", "ending"] = "starting"
    credit: Decimal = ZERO
    cancel_requested: bool = False
    reference_before: str = ""
    #: the engine connection dropped while it was under way: what the engine says next may not
    #: describe this payment (it may have restarted), so only a clear answer is taken
    interrupted: bool = False


@dataclass(frozen=True)
class PaymentResult:
    id: str
    outcome: Outcome
    method: Method
    due: Decimal
    credit: Decimal = ZERO
    change_owed: Decimal = ZERO
    change_paid: Decimal = ZERO
    shortfall: Decimal = ZERO
    reference: str = ""
    reason: str = ""
    at: str = ""


class Kiosk:
    def __init__(self, client: EngineClient, journal: Journal, *, ack_timeout: float = 5.0,
                 end_grace: float = 2.0) -> None:  # fmt: skip
        self.client = client
        self.journal = journal
        self.ack_timeout = ack_timeout
        self.end_grace = end_grace
        self.state = KioskState(connection=client.status)
        self.payment: ActivePayment | None = None
        self.journal_error: str = ""
        self._change_listeners: Listeners[KioskState] = Listeners("state")
        self._result_listeners: Listeners[PaymentResult] = Listeners("result")
        self._message_listeners: Listeners[Message] = Listeners("message")
        self._start_lock = asyncio.Lock()
        self._ack: asyncio.Event | None = None
        self._end_timer: asyncio.TimerHandle | None = None
        self._recovering: list[dict[str, Any]] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        client.on_message(self._on_message)
        client.on_status(self._on_status)

    # ------------------------------------------------------------------ observers
    def on_change(self, callback: Callable[[KioskState], None]) -> Callable[[], None]:
        return self._change_listeners.add(callback)

    def on_result(self, callback: Callable[[PaymentResult], None]) -> Callable[[], None]:
        return self._result_listeners.add(callback)

    def on_message(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        return self._message_listeners.add(callback)

    #: Screens are told of state changes at most once per display frame. The first change after a
    #: quiet spell goes out at once (no added latency for a coin); a flood is coalesced.
    FRAME = 1 / 60

    def _notify(self) -> None:
        if self._flush_handle is not None:
            return  # a flush is already scheduled and will carry this change
        loop = asyncio.get_running_loop()
        wait = self._last_flush + self.FRAME - loop.time()
        if wait <= 0:
            self._flush()
        else:
            self._flush_handle = loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        self._last_flush = asyncio.get_running_loop().time()
        self._change_listeners.emit(self.state)

    # ------------------------------------------------------------------ start-up
    async def recover(self) -> None:
        """Payments the journal holds open from a previous run wait for the engine's word."""
        try:
            self._recovering = await asyncio.to_thread(self.journal.open_payments)
        except JournalError as exc:
            self.journal_error = str(exc)
        if self._recovering:
            log.warning("%d payment(s) open from a previous run; reconciling", len(self._recovering))

    def _reconcile(self) -> None:
        """First engine status after start: resume or settle what the journal left open.

        Still charging: the payment screen comes back with the same journal id. Idle, with the
        engine still reporting that payment's total and a credit covering it: it completed, and
        ``changeDispensed`` says what came out. Anything else cannot be told apart: ``unknown``,
        listed for staff to review. Never a second record for the same payment.
        """
        if not self._recovering:
            return
        rows, self._recovering = self._recovering, []
        latest, older = rows[-1], rows[:-1]
        for row in older:  # only one payment can be live; older open ones cannot be told apart
            spawn(self._settle_unknown(row["id"], "open at restart; superseded by a later payment"))
        method: Method = "card" if latest["method"] == "card" else "cash"
        due = Decimal(latest["due"])
        state = self.state
        if state.charging and self.payment is None:
            self.payment = ActivePayment(latest["id"], method, due, phase="charging", credit=state.credit)  # fmt: skip
            log.warning("resumed payment %s after restart", latest["id"])
        elif method == "cash" and state.due == due and state.credit >= due:
            owed = state.credit - due
            result = PaymentResult(
                latest["id"], "completed", method, due, credit=state.credit, change_owed=owed,
                change_paid=state.change_dispensed, shortfall=max(owed - state.change_dispensed, ZERO),
                reason="completed while the app was down", at=_now(),
            )  # fmt: skip
            spawn(self._record_result(result, publish=False))
        else:
            spawn(self._settle_unknown(latest["id"], "app restarted mid-payment; engine idle; outcome unknown"))

    async def _settle_unknown(self, payment_id: str, detail: str) -> None:
        try:
            await self.journal.aupdate_payment(payment_id, outcome="unknown", detail=detail)
        except JournalError as exc:
            self.journal_error = str(exc)

    # ------------------------------------------------------------------ engine events
    def _on_status(self, status: ConnectionStatus) -> None:
        self.state = with_connection(self.state, status)
        if status == "connected":
            # the screen is derived from the engine: ask it where it stands
            spawn(self._ask(m.GetStatus(), m.GetScreenSettings()))
        if status != "connected" and self.payment is not None and self.payment.phase != "starting":
            self.payment.interrupted = True
        if status != "connected" and self.payment and self.payment.phase == "starting" and self._ack:
            self._ack.set()  # wake start_payment: it fails at once rather than waiting
        self._notify()

    def _on_message(self, message: Message) -> None:
        before = self.state
        self.state = reduce(self.state, message)
        if isinstance(message, m.Status | m.Sockets) and self._recovering:
            self._reconcile()
        self._track(before, message)
        self._message_listeners.emit(message)
        if self.state is not before:
            self._notify()

    def _track(self, before: KioskState, message: Message) -> None:
        state = self.state
        payment = self.payment
        if payment is None:
            if state.charging and not before.charging and isinstance(message, m.Status | m.Sockets):
                self._adopt()
            return
        if state.charging:
            if payment.phase == "starting":
                payment.phase = "charging"
                if self._ack:
                    self._ack.set()
            payment.credit = max(payment.credit, state.credit)
            return
        if payment.phase == "starting":
            return
        # cobrando went false: the payment ended. Only a `status` carries changeDispensed and
        # referenceCC, so on a bare `sockets` ask for one and give it a moment.
        if isinstance(message, m.Status):
            self._finish_from_status(message)
        elif payment.phase == "charging":
            payment.phase = "ending"
            spawn(self._ask(m.GetStatus()))
            loop = asyncio.get_running_loop()
            self._end_timer = loop.call_later(self.end_grace, self._finish_without_status)

    def _adopt(self) -> None:
        """The engine is charging and we did not ask: show it and journal it as found."""
        method: Method = "card" if self.state.payment_method == "tarjeta" else "cash"
        payment = ActivePayment(uuid.uuid4().hex, method, self.state.due, phase="charging",
                                credit=self.state.credit)  # fmt: skip
        self.payment = payment
        spawn(self._journal_open(payment, detail="adopted: engine was already charging"))

    async def _journal_open(self, payment: ActivePayment, detail: str = "") -> None:
        try:
            await self.journal.aopen_payment(payment.id, payment.method, format_amount(payment.due), payment.items)
            if detail:
                await self.journal.aupdate_payment(payment.id, detail=detail)
        except JournalError as exc:
            self.journal_error = str(exc)

    async def _ask(self, *messages: Message) -> None:
        """Best-effort questions to the engine; if it is gone, its next connect asks again."""
        with contextlib.suppress(EngineUnavailable):
            for message in messages:
                await self.client.send(message)

    def _finish_from_status(self, status: m.Status) -> None:
        payment = self.payment
        if payment is None:
            return
        credit = max(payment.credit, status.credit or ZERO)
        dispensed = status.change_dispensed
        reference = status.reference_cc or ""
        if reference == payment.reference_before:
            reference = ""  # a reference left over from the previous sale says nothing
        self._conclude(payment, credit, dispensed, reference, status.status_text or "")

    def _finish_without_status(self) -> None:
        payment = self.payment
        if payment is None or payment.phase != "ending":
            return
        self._conclude(payment, max(payment.credit, self.state.credit), None, "", self.state.status_text)

    def _conclude(self, payment: ActivePayment, credit: Decimal, dispensed: Decimal | None,
                  reference: str, reason: str) -> None:  # fmt: skip
        if self._end_timer:
            self._end_timer.cancel()
            self._end_timer = None
        self.payment = None
        owed = ZERO
        paid = dispensed or ZERO
        outcome: Outcome
        if payment.method == "card":
            if reference:
                outcome = "completed"
                credit = payment.due
            else:
                outcome = "cancelled" if payment.cancel_requested else "declined"
        elif payment.cancel_requested or credit < payment.due:
            outcome = "cancelled"
            owed = credit
        else:
            outcome = "completed"
            owed = credit - payment.due
        if dispensed is None and owed > 0:
            outcome = "unknown"  # we never learned how much change came out
        if payment.interrupted and not (payment.method == "card" and reference):
            outcome = "unknown"  # the engine went away mid-payment: its next word may not be about this one
            reason = "engine connection lost during the payment; outcome to be checked by staff"
        shortfall = max(owed - paid, ZERO) if dispensed is not None else ZERO
        result = PaymentResult(
            id=payment.id, outcome=outcome, method=payment.method, due=payment.due, credit=credit,
            change_owed=owed, change_paid=paid, shortfall=shortfall, reference=reference,
            reason=reason, at=_now(),
        )  # fmt: skip
        spawn(self._record_result(result))

    async def _record_result(self, result: PaymentResult, publish: bool = True) -> None:
        try:
            await self.journal.aupdate_payment(
                result.id, outcome=result.outcome, credit=format_amount(result.credit),
                change_owed=format_amount(result.change_owed), change_paid=format_amount(result.change_paid),
                shortfall=format_amount(result.shortfall), reference=result.reference, detail=result.reason,
            )  # fmt: skip
        except JournalError as exc:
            self.journal_error = str(exc)
            log.error("payment %s outcome %s not journaled: %s", result.id, result.outcome, exc)
        if publish:
            self._publish(result)

    def _publish(self, result: PaymentResult) -> None:
        log.info("payment %s %s (%s %s)", result.id, result.outcome, result.method, result.due)
        self._result_listeners.emit(result)
        self._notify()

    # ------------------------------------------------------------------ commands
    @property
    def busy(self) -> bool:
        """A payment is in progress (ours, adopted, or the engine says it is charging)."""
        return self.payment is not None or self.state.charging

    async def probe_journal(self) -> None:
        """Re-check the journal (a sale is starting): a freed disk lets payments start again."""
        try:
            await asyncio.to_thread(self.journal.check_writable)
        except JournalError as exc:
            if not self.journal_error:
                log.error("journal not writable: %s", exc)
            self.journal_error = str(exc)
        else:
            self.journal_error = ""
        self._notify()

    def can_pay(self) -> str:
        """'' when a payment may start now, else the reason (i18n key)."""
        if not self.state.online:
            return "err_offline"
        if self.journal_error:
            return "err_journal"
        if self.busy:
            return "err_busy"
        return ""

    async def start_payment(self, method: Method, due: Decimal, items: list[dict[str, Any]] | None = None
                            ) -> PaymentResult | None:  # fmt: skip
        """Start a payment and wait for the engine to acknowledge it.

        Returns ``None`` once the engine is charging (the outcome comes through
        :meth:`on_result`), or a failed :class:`PaymentResult` when it never acknowledged.
        Raises :class:`PaymentRefused` when it could not even be asked.
        """
        if not isinstance(due, Decimal) or not due.is_finite() or due <= 0:
            raise PaymentRefused("err_amount")
        async with self._start_lock:
            reason = self.can_pay()
            if reason:
                raise PaymentRefused(reason)
            if method == "card" and not self.state.card_available:
                raise PaymentRefused("err_card_unavailable")
            if method == "cash" and self.state.bv_error and self.state.ca_error:
                raise PaymentRefused("err_cash_unavailable")  # neither bills nor coins can be taken
            payment = ActivePayment(uuid.uuid4().hex, method, due, list(items or []),
                                    reference_before=self.state.reference_cc)  # fmt: skip
            try:
                await asyncio.to_thread(self.journal.check_writable)
                await self.journal.aopen_payment(payment.id, method, format_amount(due), payment.items)
            except JournalError as exc:
                self.journal_error = str(exc)
                self._notify()
                raise PaymentRefused("err_journal") from exc
            self.payment = payment
            self._ack = asyncio.Event()
            self._notify()
            try:
                await self.client.send(m.PayCash(due) if method == "cash" else m.PayCreditCard(due))
            except EngineUnavailable:
                self.payment = None
                await self._fail(payment, "engine unavailable")
                raise PaymentRefused("err_offline") from None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ack.wait(), self.ack_timeout)
            if payment.phase != "starting":
                return None
            if self.payment is payment:
                self.payment = None
            return await self._fail(payment, "no acknowledgement from the engine")

    async def _fail(self, payment: ActivePayment, detail: str) -> PaymentResult:
        result = PaymentResult(payment.id, "failed", payment.method, payment.due, reason=detail, at=_now())
        try:
            await self.journal.aupdate_payment(payment.id, outcome="failed", detail=detail)
        except JournalError as exc:
            self.journal_error = str(exc)
        self._publish(result)
        return result

    async def cancel(self, value: str = "1") -> None:
        """Ask the engine to cancel the payment in progress. Raises EngineUnavailable."""
        if self.payment is not None:
            self.payment.cancel_requested = True
        # the payment's own cancel acts on it on purpose; the client's guard still never lets "2" out
        await self.client.send(m.Cancel(value), override=True)

    async def send(self, message: Message) -> None:
        await self.client.send(message)


def _now() -> str:
    return now_iso()

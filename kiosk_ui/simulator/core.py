"""Sans-I/O engine simulator: the semantics of docs/protocol.md with no sockets and no clock of its own.

A server feeds it connections, frames and the time (:meth:`SimEngine.tick`); it answers by
queueing frames in :attr:`SimEngine.outbox` as ``(at, target, text)``: ``target`` is a client
id, or ``None`` for every connected client. ``at`` is when the frame may go out (slow-reply
fault). Control actions (insert money, approve a card, faults) are plain methods.

Split by concern: :mod:`.state` (what the engine holds and queues), :mod:`.controls` (insert money, decide
a card, faults), :mod:`.commands` (answers to the app's commands); this module adds the clock.
"""

from __future__ import annotations

from ..errors import SimulatorRefused
from .commands import EngineCommands
from .state import (
    BILLS,
    COINS,
    FULL_CHANGE,
    JUNK_FRAMES,
    RECYCLER_BILLS,
    RECYCLER_CAPACITY,
    TUBE_CAPACITY,
    TUBE_COINS,
    Faults,
    Payment,
)  # fmt: skip

__all__ = [
    "BILLS", "COINS", "FULL_CHANGE", "JUNK_FRAMES", "RECYCLER_BILLS", "RECYCLER_CAPACITY", "TUBE_CAPACITY",
    "TUBE_COINS", "Faults", "Payment", "Refused", "SimEngine",
]  # fmt: skip

#: the engine is off, restarting, or a fault refuses connections (kept under its old name)
Refused = SimulatorRefused


class SimEngine(EngineCommands):
    """The engine simulator: state, controls, command answers, and its clock (:meth:`tick`)."""

    # ------------------------------------------------------------------ time
    def tick(self, now: float) -> None:
        self.now = now
        if self.off_until is not None and now >= self.off_until:
            self.off_until = None
        if self.pending_start is not None and now >= self.pending_start[0]:
            _, cid, request = self.pending_start
            self.pending_start = None
            self._start_payment(cid, request)
        if self.card_decide_at is not None and now >= self.card_decide_at:
            self.card_decide_at = None
            if self.card_mode == "approve":
                self.approve_card()
            elif self.card_mode == "decline":
                self.decline_card("Fondos insuficientes")
        if self.status_interval and now >= self.next_status_at:
            self.next_status_at = now + self.status_interval
            if self.clients:
                self._broadcast(self._status())

    def next_deadline(self) -> float | None:
        times = [t for t, _, _ in self.outbox]
        times += [t for t in (self.off_until, self.card_decide_at) if t is not None]
        if self.pending_start is not None:
            times.append(self.pending_start[0])
        if self.status_interval:
            times.append(self.next_status_at)
        return min(times, default=None)

    def drain(self, now: float | None = None) -> list[tuple[int | None, str]]:
        now = self.now if now is None else now
        ready = [(t, c, x) for t, c, x in self.outbox if t <= now]
        self.outbox = [(t, c, x) for t, c, x in self.outbox if t > now]
        return [(c, x) for _, c, x in ready]

"""A payment given up (no acknowledgement, or the engine busy with another sale) that the engine takes up after all.

The machine remembers the last such payment (``MachineCore.abandoned``) until another payment starts here, a frame
shows the engine charging another Due, or it says twice that it is idle. An engine charging that payment's Due (and its
method, when named) is taking it up: the same payment and journal row resume, never a second, adopted row.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..errors import FailureCode
from .core import CHARGING, NO_ACK, RESUMED, MachineCore
from .events import ActivePayment, CreditUpdate, Effect, EngineSockets, EngineStatus, JournalReopen
from .rules import ZERO, Decision, Outcome


def takes_up(mc: MachineCore, event: EngineStatus | EngineSockets | CreditUpdate) -> bool:
    """The engine charges what the payment we gave up asked for (same Due; same method when it says)."""
    payment = mc.abandoned
    if payment is None or event.due is None or event.due != payment.due:
        return False
    if isinstance(event, CreditUpdate):
        return payment.method == "cash"
    method_text = mc.method_named(event)
    return not method_text or ("card" if method_text == "tarjeta" else "cash") == payment.method


def resume(mc: MachineCore, event: EngineStatus | EngineSockets | CreditUpdate) -> list[Effect]:
    payment = mc.abandoned
    assert payment is not None
    mc.abandoned = None
    named = "efectivo" if isinstance(event, CreditUpdate) else mc.method_named(event)  # only cash sends credit
    mc.payment = replace(payment, phase="charging", credit=event.credit or ZERO, interrupted=False, resumed=True,
                         method_known=bool(named))  # fmt: skip
    mc.state = CHARGING
    # the customer asked to cancel before the engine took it up (or our own cancel never left): it goes now
    return [JournalReopen(payment.id, RESUMED), *mc.taken_up()]


def busy_with_another(mc: MachineCore, payment: ActivePayment, due: Decimal) -> list[Effect]:
    """The engine charges another sale (another client's) while ours waits for its acknowledgement: it did not take
    ours up, and a cancel would cancel that sale. Ours ends here, nothing charged for it, and is given up (should
    the engine take it up after that sale: the same row); that sale is adopted."""
    reason = f"{NO_ACK}: engine busy with a sale of {due}"
    # after a drop it may have been charged and ended while we were away: not "nothing was charged"
    outcome: Outcome = "unknown" if payment.interrupted else "failed"
    effects = mc.finish(Decision(outcome, reason=reason, failure=FailureCode.NO_ACK), "ack", "abandon")
    mc.give_up(payment)
    return effects + mc.adopt_charging()

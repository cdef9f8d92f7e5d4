"""What this kiosk itself holds payments and staff commands to, as transitions of the machine's state.

- ``refill_sent``: set when a ``cashrefill`` leaves outside a payment, cleared when any ``cancel`` leaves outside
  a payment ('Terminar dotación', cancel "2", or another). A ``cashrefill`` sent over a payment, on staff's explicit
  override, is that exception's own: it does not hold the kiosk after the payment, where only a cancel outside a
  payment could release it. The arbiter (:mod:`.arbiter`) starts no customer payment while it is set.
- ``start_checking``: from :class:`~.events.StartChecking` to :class:`~.events.StartChecked`, a customer start is
  being checked (no payment exists yet): cash-moving staff commands wait.

None of these change the phase or return an effect; the rows are in :mod:`.table` for every phase.
"""

from __future__ import annotations

from ..protocol import messages as m
from .core import MachineCore
from .events import Effect, FrameLeft, StartChecked, StartChecking


def frame_left(mc: MachineCore, ev: FrameLeft) -> list[Effect]:
    if mc.payment is None:  # over a payment (staff's override, or the payment's own cancel) nothing changes here
        if ev.command == m.CashRefill.COMMAND:
            mc.refill_sent = True
        elif ev.command == m.Cancel.COMMAND:
            mc.refill_sent = False
    return []


def start_checking(mc: MachineCore, ev: StartChecking) -> list[Effect]:
    mc.start_checking = True
    return []


def start_checked(mc: MachineCore, ev: StartChecked) -> list[Effect]:
    mc.start_checking = False
    return []

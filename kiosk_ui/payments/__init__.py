"""Payments: the pure lifecycle machine (:mod:`.machine`: one frozen state in :mod:`.model`, a pure step over the
transition table in :mod:`.table`, the transitions in :mod:`.handlers`), the one send-time arbiter
(:mod:`.arbiter`), the outcome rules (:mod:`.rules`, :mod:`.readings`) and the asyncio service that runs the
machine's effects and feeds their completions back (:mod:`.service`)."""

from .machine import ActivePayment, PaymentMachine, PaymentResult
from .rules import Method, Outcome

__all__ = ["ActivePayment", "Method", "Outcome", "PaymentMachine", "PaymentResult"]

"""Payments: the pure lifecycle machine (:mod:`.machine`), the outcome rules (:mod:`.rules`) and
the asyncio service that runs the machine's effects (:mod:`.service`)."""

from .machine import ActivePayment, PaymentMachine, PaymentResult
from .rules import Method, Outcome

__all__ = ["ActivePayment", "Method", "Outcome", "PaymentMachine", "PaymentResult"]

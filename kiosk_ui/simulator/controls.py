"""What the /sim page and the tests do to the simulated engine: insert money, decide a card, faults."""

from __future__ import annotations

from decimal import Decimal

from ..protocol import messages as m
from .state import BILLS, COINS, EngineState


class EngineControls(EngineState):
    """Control actions: plain methods, each answering with the frames a real engine would send."""

    # ------------------------------------------------------------------ control (the /sim page, tests)
    def insert(self, value: Decimal, kind: str | None = None) -> bool:
        """A coin or bill is put in. Returns whether the device took it.

        ``kind`` is "coin" or "bill"; 20 pesos exist as both, and default to a bill.
        """
        value = Decimal(value)
        kind = kind or ("coin" if value in COINS and value not in BILLS else "bill")
        is_coin = kind == "coin"
        if value not in (COINS if is_coin else BILLS):
            return False
        if self.payment is None or self.payment.method == "tarjeta":
            return False  # the validators are disabled outside a cash payment or refill
        if (is_coin and self.faults.coin_error) or (not is_coin and self.faults.bill_jam):
            return False
        self._store(value, is_coin)
        payment = self.payment
        payment.credit += value
        if payment.method == "dotacion":
            self._broadcast(m.UpdateCredit(Decimal(0), payment.credit, "Dotación de efectivo", self._bar()))
            self._changed()
            return True
        self._broadcast(m.UpdateCredit(payment.due, payment.credit, "Cobrando en efectivo", self._bar()))
        if payment.credit >= payment.due:
            owed = payment.credit - payment.due
            paid = self._pay_out(owed)
            self.status_text = "Pago completado" if paid == owed else "Cambio incompleto"
            self.payment = None
            self.ledger.append(("completed", payment.due, payment.credit, paid))
            self._broadcast(self._end_status(payment.due, payment.credit, paid, completed=True))
            self._broadcast(self._sockets())
        self._changed()
        return True

    def approve_card(self) -> bool:
        if self.payment is None or self.payment.method != "tarjeta":
            return False
        due = self.payment.due
        self.last_reference = f"{self.rng.randrange(10**11, 10**12)}"
        self.status_text = "Pago con tarjeta aprobado"
        if self.speech.reference == "early":  # the reference shows while the engine still says it charges
            self._broadcast(self._status())
        self.payment = None
        self.ledger.append(("completed", due, due, Decimal(0)))
        self.card_decide_at = None
        self._broadcast(self._end_status(due, due, Decimal(0), completed=True, card=True))
        self._broadcast(self._sockets())
        self._changed()
        return True

    def decline_card(self, reason: str = "Tarjeta declinada") -> bool:
        if self.payment is None or self.payment.method != "tarjeta":
            return False
        due = self.payment.due
        self.ledger.append(("declined", due, Decimal(0), Decimal(0)))
        if self.speech.reference != "sticky":
            self.last_reference = ""
        self.last_change = Decimal(0) if self.speech.change == "sale" else self.change_total
        self.status_text = reason
        self.payment = None
        self.card_decide_at = None
        self._broadcast(self._status(due=due if self.speech.due == "kept" else Decimal(0)))
        self._broadcast(self._sockets())
        self._changed()
        return True

    def power_off(self, seconds: float) -> None:
        """Drop every connection and refuse new ones for ``seconds`` (shutdown, restart)."""
        self.payment = None
        self.pending_start = None
        self.last_sale = (Decimal(0), Decimal(0))
        self.off_until = self.now + seconds
        self.clients.clear()
        self.outbox.clear()
        self._changed()

    def set_fault(self, name: str, value: bool | float) -> None:
        if not hasattr(self.faults, name):
            raise KeyError(name)
        setattr(self.faults, name, type(getattr(self.faults, name))(value))
        self._broadcast(self._status())
        self._changed()

    def push_product(self, code: str) -> bool:
        """A scanner wired to the engine reads ``code``: unsolicited productinfo to everyone."""
        product = self.catalog.get(code)
        if product is None:
            return False
        self._broadcast(m.ProductInfo(product.code, product.description, product.price, product.udm))
        self._changed()
        return True

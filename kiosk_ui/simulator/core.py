"""Sans-I/O engine simulator: the semantics of PROTOCOL.md with no sockets and no clock of its own.

A server feeds it connections, frames and the time (:meth:`SimEngine.tick`); it answers by
queueing frames in :attr:`SimEngine.outbox` as ``(at, target, text)``: ``target`` is a client
id, or ``None`` for every connected client. ``at`` is when the frame may go out (slow-reply
fault). Control actions (insert money, approve a card, faults) are plain methods.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..errors import SimulatorRefused
from ..protocol import Codec, Message, Product, ProtocolError
from ..protocol import messages as m
from ..protocol.values import ChangeLevel
from .catalog import Catalog

COINS = tuple(Decimal(v) for v in ("0.50", "1", "2", "5", "10", "20"))
BILLS = tuple(Decimal(v) for v in ("20", "50", "100", "200", "500", "1000"))
#: Coins the changer keeps in tubes (and pays change with); 20-peso coins go to the cashbox.
TUBE_COINS = COINS[:5]
TUBE_CAPACITY = 80
#: Bills the recycler keeps (and pays change with); larger ones go to the cashbox.
RECYCLER_BILLS = BILLS[:4]
RECYCLER_CAPACITY = 30
#: changeBar is 100 % at this much change in the tubes and recycler.
FULL_CHANGE = Decimal(2000)

JUNK_FRAMES = (
    "not json at all",
    '{"comando": 42}',
    '{"comando":"updateCredit","fecha":"x","Credit":"mucho"}',
    '["status"]',
    '{"comando":"unknownThing","fecha":"x"}',
    '{"comando":"status","fecha":"x","cobrando":"maybe"}',
)


#: the engine is off, restarting, or a fault refuses connections (kept under its old name)
Refused = SimulatorRefused


@dataclass
class Faults:
    bill_jam: bool = False
    coin_error: bool = False
    card_unavailable: bool = False
    slow_replies: float = 0.0
    junk_frames: bool = False
    refuse_connections: bool = False
    #: seconds between a paycash/paycreditcard and the engine taking it up (a late acknowledgement);
    #: a cancel arriving meanwhile finds no payment and is answered with a plain status
    ack_delay: float = 0.0
    #: a bill of this value is taken just before a cancel is processed (0: off): the cancel races
    #: the last bill, the sale completes and the cancel finds no payment
    race_bill_on_cancel: float = 0.0
    #: status frames carry fields in shapes the app does not expect (tubesSW as a list of objects)
    odd_shapes: bool = False
    #: an idle engine keeps reporting the previous sale's Due and Credit (the real engine does)
    stale_sale_facts: bool = False
    #: a cash payment is acknowledged with an ``updateCredit`` only (no status/sockets with cobrando)
    ack_by_update_credit: bool = False


@dataclass
class Payment:
    method: str  # "efectivo" | "tarjeta" | "dotacion"
    due: Decimal
    credit: Decimal = Decimal(0)
    requester: int | None = None


@dataclass
class SimEngine:
    nip: str = "1234"
    catalog: Catalog = field(default_factory=Catalog)
    codec: Codec = field(default_factory=Codec)
    #: "manual" waits for approve_card/decline_card; "approve"/"decline" decide after card_delay s.
    card_mode: str = "manual"
    card_delay: float = 3.0
    restart_delay: float = 5.0
    status_interval: float = 5.0
    now: float = 0.0
    faults: Faults = field(default_factory=Faults)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def __post_init__(self) -> None:
        self.clients: set[int] = set()
        self._next_id = 1
        self.outbox: list[tuple[float, int | None, str]] = []
        self.payment: Payment | None = None
        self.tubes: dict[Decimal, int] = dict(zip(TUBE_COINS, (40, 50, 40, 30, 20), strict=True))
        self.recycler: dict[Decimal, int] = dict(zip(RECYCLER_BILLS, (10, 8, 5, 0), strict=True))
        self.coin_cashbox: dict[Decimal, int] = {}
        self.bill_cashbox: dict[Decimal, int] = {}
        self.last_change = Decimal(0)
        self.last_reference = ""
        #: the last sale's Due and Credit, reported while idle when ``faults.stale_sale_facts``
        self.last_sale = (Decimal(0), Decimal(0))
        #: how every sale really ended, for tests: (outcome, due, credit, change paid out)
        self.ledger: list[tuple[str, Decimal, Decimal, Decimal]] = []
        #: a payment request taken up later (``faults.ack_delay``): (when, client, message)
        self.pending_start: tuple[float, int, Message] | None = None
        self.status_text = "En espera"
        self.screen = m.ScreenSettings(True, True, True, "¡Paga aquí tus compras!")
        self.off_until: float | None = None
        self.card_decide_at: float | None = None
        self.next_status_at = 0.0
        #: Every frame received, decoded, for tests: (client, message).
        self.received: list[tuple[int, Message]] = []
        self.bad_frames = 0
        self.listeners: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ connections
    def connect(self) -> int:
        if self.faults.refuse_connections or self.off_until is not None:
            raise Refused("engine not accepting connections")
        cid = self._next_id
        self._next_id += 1
        self.clients.add(cid)
        self._send(cid, self._status())
        self._send(cid, self.screen)
        self._broadcast(self._sockets())
        return cid

    def disconnect(self, cid: int) -> None:
        if cid in self.clients:
            self.clients.discard(cid)
            self._broadcast(self._sockets())

    @property
    def is_off(self) -> bool:
        return self.off_until is not None

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

    # ------------------------------------------------------------------ frames in
    def receive(self, cid: int, text: str | bytes) -> None:
        try:
            message = self.codec.decode(text)
        except ProtocolError:
            self.bad_frames += 1
            return
        if not message.OUTGOING:  # a client sent us an engine-to-app message
            self.bad_frames += 1
            return
        self.received.append((cid, message))
        handler = getattr(self, f"_on_{message.COMMAND}")
        handler(cid, message)
        self._changed()

    def _delayed(self, cid: int, msg: Message) -> bool:
        if self.faults.ack_delay <= 0 or self.pending_start is not None:
            return False
        self.pending_start = (self.now + self.faults.ack_delay, cid, msg)
        return True

    def _start_payment(self, cid: int, msg: Message) -> None:
        if isinstance(msg, m.PayCash):
            self._on_paycash(cid, msg, now=True)
        elif isinstance(msg, m.PayCreditCard):
            self._on_paycreditcard(cid, msg, now=True)
        self._changed()

    def _on_paycash(self, cid: int, msg: m.PayCash, now: bool = False) -> None:
        if not now and self._delayed(cid, msg):
            return
        if self.payment is not None or msg.due <= 0:
            self._send(cid, self._status())
            return
        self.payment = Payment("efectivo", msg.due, requester=cid)
        self.status_text = "Cobrando en efectivo"
        if self.faults.ack_by_update_credit:
            self._broadcast(m.UpdateCredit(msg.due, Decimal(0), self.status_text, self._bar()))
            return
        self._broadcast(self._status())
        self._broadcast(self._sockets())

    def _on_paycreditcard(self, cid: int, msg: m.PayCreditCard, now: bool = False) -> None:
        if not now and self._delayed(cid, msg):
            return
        if self.payment is not None or msg.due <= 0 or self.faults.card_unavailable:
            self._send(cid, self._status())
            return
        self.payment = Payment("tarjeta", msg.due, requester=cid)
        self.status_text = "Siga las instrucciones de la terminal"
        self.last_reference = ""
        if self.card_mode != "manual":
            self.card_decide_at = self.now + self.card_delay
        self._broadcast(self._status())
        self._broadcast(self._sockets())

    def _on_cancel(self, cid: int, msg: m.Cancel) -> None:
        race = self.faults.race_bill_on_cancel
        if race and self.payment is not None and self.payment.method == "efectivo":
            self.insert(Decimal(str(race)), "bill")  # the bill was already in the validator
        payment = self.payment
        if payment is None:
            self._send(cid, self._status())
            return
        if payment.method == "tarjeta":
            self.decline_card("Operación cancelada")
            return
        returned = Decimal(0)
        if msg.value == "1" and payment.method == "efectivo":
            returned = self._pay_out(payment.credit)
        self.last_change = returned
        self.status_text = "Operación cancelada" if payment.method == "efectivo" else "Dotación terminada"
        self.payment = None
        if payment.method == "efectivo":  # the final status reports the sale it ends
            self.last_sale = (payment.due, payment.credit)
            self.ledger.append(("cancelled", payment.due, payment.credit, returned))
            self._broadcast(self._status(credit=payment.credit, due=payment.due))
        else:
            self._broadcast(self._status())
        self._broadcast(self._sockets())

    def _on_opendoor(self, cid: int, msg: m.OpenDoor) -> None:
        self.status_text = "Puerta abierta"
        self._broadcast(self._status())

    def _on_cashrefill(self, cid: int, msg: m.CashRefill) -> None:
        if self.payment is None:
            self.payment = Payment("dotacion", Decimal(0), requester=cid)
            self.status_text = "Dotación de efectivo"
        self._broadcast(self._status())

    def _on_cashcollect(self, cid: int, msg: m.CashCollect) -> None:
        (self.coin_cashbox if msg.source == "coin" else self.bill_cashbox).clear()
        self._send(cid, m.CashCollectFinish())
        self._broadcast(self._status())

    def _on_resetbalance(self, cid: int, msg: m.ResetBalance) -> None:
        self.coin_cashbox.clear()
        self.bill_cashbox.clear()
        self.last_change = Decimal(0)
        self.status_text = "Corte de caja realizado"
        self._broadcast(self._status())

    def _on_shutdown(self, cid: int, msg: m.Shutdown) -> None:
        self.power_off(self.restart_delay if msg.param == "r" else 10 * self.restart_delay)

    def _on_checknip(self, cid: int, msg: m.CheckNip) -> None:
        valid = secrets.compare_digest(msg.nip.encode(), self.nip.encode())
        self._send(cid, m.Access(valid, secrets.token_hex(8) if valid else ""))

    def _on_getstatus(self, cid: int, msg: m.GetStatus) -> None:
        self._send(cid, self._status())

    def _on_arqueo(self, cid: int, msg: m.Arqueo) -> None:
        self._send(cid, self._status(inventory=True))

    def _on_bvreset(self, cid: int, msg: m.BvReset) -> None:
        self.faults.bill_jam = False
        self._send(cid, m.BvResetFinish())
        self._broadcast(self._status())

    def _on_checkbr(self, cid: int, msg: m.CheckBr) -> None:
        # maxqtybr: "an array with the maximum bill levels in the recycler" = capacities
        capacities = tuple((f"#{i + 1}", RECYCLER_CAPACITY) for i in range(len(self.recycler)))
        self._send(cid, m.CheckBrResult(all(n == 0 for n in self.recycler.values()), capacities))

    def _on_report(self, cid: int, msg: m.Report) -> None:
        self._send(cid, m.ReportReady())

    def _on_getscreensettings(self, cid: int, msg: m.GetScreenSettings) -> None:
        self._send(cid, self.screen)

    def _on_savescreensettings(self, cid: int, msg: m.SaveScreenSettings) -> None:
        self.screen = m.ScreenSettings(msg.show_cta, msg.show_eyes, msg.show_time, msg.cta_message)
        self._broadcast(self.screen)

    def _on_getproduct(self, cid: int, msg: m.GetProduct) -> None:
        product = self.catalog.get(msg.code)
        if product is None:  # what we chose for an unknown code: the code with nothing else
            self._send(cid, m.ProductInfo(msg.code, "", Decimal(0), ""))
        else:
            self._send(cid, m.ProductInfo(product.code, product.description, product.price, product.udm))

    def _on_searchproduct(self, cid: int, msg: m.SearchProduct) -> None:
        self._send(cid, m.SearchResults(tuple(self.catalog.search(msg.search))))

    def _on_getnewproductcode(self, cid: int, msg: m.GetNewProductCode) -> None:
        self._send(cid, m.NewProductCode(self.catalog.new_code()))

    def _on_saveproduct(self, cid: int, msg: m.SaveProduct) -> None:
        self.catalog.save(Product(msg.code, msg.description, msg.price, msg.udm, msg.image))
        self._send(cid, m.NewProductSaved())

    def _on_deleteproduct(self, cid: int, msg: m.DeleteProduct) -> None:
        self.catalog.delete(msg.code)
        self._send(cid, m.ProductDeleted())

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
            self.last_change = self._pay_out(owed)
            self.status_text = "Pago completado" if self.last_change == owed else "Cambio incompleto"
            self.payment = None
            self.last_sale = (payment.due, payment.credit)
            self.ledger.append(("completed", payment.due, payment.credit, self.last_change))
            self._broadcast(self._status(credit=payment.credit, due=payment.due))
            self._broadcast(self._sockets())
        self._changed()
        return True

    def approve_card(self) -> bool:
        if self.payment is None or self.payment.method != "tarjeta":
            return False
        due = self.payment.due
        self.last_reference = f"{self.rng.randrange(10**11, 10**12)}"
        self.last_change = Decimal(0)
        self.status_text = "Pago con tarjeta aprobado"
        self.payment = None
        self.last_sale = (due, due)
        self.ledger.append(("completed", due, due, Decimal(0)))
        self.card_decide_at = None
        self._broadcast(self._status(credit=due, due=due))
        self._broadcast(self._sockets())
        self._changed()
        return True

    def decline_card(self, reason: str = "Tarjeta declinada") -> bool:
        if self.payment is None or self.payment.method != "tarjeta":
            return False
        due = self.payment.due
        self.ledger.append(("declined", due, Decimal(0), Decimal(0)))
        self.last_reference = ""
        self.last_change = Decimal(0)
        self.status_text = reason
        self.payment = None
        self.card_decide_at = None
        self._broadcast(self._status(due=due))
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

    # ------------------------------------------------------------------ internals
    @property
    def charging(self) -> bool:
        return self.payment is not None and self.payment.method != "dotacion"

    def _store(self, value: Decimal, is_coin: bool) -> None:
        if is_coin:
            if value in self.tubes and self.tubes[value] < TUBE_CAPACITY:
                self.tubes[value] += 1
            else:
                self.coin_cashbox[value] = self.coin_cashbox.get(value, 0) + 1
        elif value in self.recycler and self.recycler[value] < RECYCLER_CAPACITY:
            self.recycler[value] += 1
        else:
            self.bill_cashbox[value] = self.bill_cashbox.get(value, 0) + 1

    def _pay_out(self, amount: Decimal) -> Decimal:
        """Pay ``amount`` from the recycler and tubes, largest first; returns what was paid."""
        paid = Decimal(0)
        stock = sorted([*self.recycler.items(), *self.tubes.items()], reverse=True)
        for value, count in stock:
            use = min(count, int((amount - paid) // value))
            if use <= 0:
                continue
            paid += use * value
            (self.recycler if value in self.recycler else self.tubes)[value] -= use
        return paid

    def _change_available(self) -> Decimal:
        return sum((v * n for v, n in [*self.tubes.items(), *self.recycler.items()]), Decimal(0))

    def _bar(self) -> ChangeLevel:
        percent = min(Decimal(100), (self._change_available() * 100 / FULL_CHANGE).quantize(Decimal(1)))
        return ChangeLevel(percent, str(percent))

    def _status(self, *, credit: Decimal | None = None, due: Decimal | None = None,
                inventory: bool = False) -> m.Status:  # fmt: skip
        payment = self.payment
        idle_due, idle_credit = self.last_sale if self.faults.stale_sale_facts else (Decimal(0), Decimal(0))
        if credit is None:
            credit = payment.credit if payment else idle_credit
        if due is None:
            due = payment.due if payment else idle_due
        rows: tuple[tuple[str, int], ...] = ()
        if inventory:
            every = {**self.tubes, **self.recycler}
            for box in (self.coin_cashbox, self.bill_cashbox):
                for value, n in box.items():
                    every[value] = every.get(value, 0) + n
            rows = tuple((f"{v:.2f}", n) for v, n in sorted(every.items()))
        return m.Status(
            conexiones=len(self.clients),
            cobrando=self.charging,
            bv_error="Atasco de billete" if self.faults.bill_jam else "",
            ca_error="Error del monedero" if self.faults.coin_error else "",
            tarjeta=not self.faults.card_unavailable,
            status_text=self.status_text,
            reference_cc=self.last_reference,
            credit=credit,
            due=due,
            change_dispensed=self.last_change,
            tubes=tuple((f"{v:g}", n) for v, n in self.tubes.items()),
            coin_cashbox_amount=sum((v * n for v, n in self.coin_cashbox.items()), Decimal(0)),
            coin_cashbox_qty=sum(self.coin_cashbox.values()),
            bills_cashbox_amount=sum((v * n for v, n in self.bill_cashbox.items()), Decimal(0)),
            bills_cashbox_qty=sum(self.bill_cashbox.values()),
            change_bar=self._bar(),
            inventory=rows,
        )

    def _sockets(self) -> m.Sockets:
        payment = self.payment
        return m.Sockets(
            conexiones=len(self.clients),
            cobrando=self.charging,
            due=payment.due if payment else Decimal(0),
            credit=payment.credit if payment else Decimal(0),
            change_bar=self._bar(),
            tarjeta=not self.faults.card_unavailable,
            forma_pago=payment.method if payment and payment.method != "dotacion" else "",
        )

    def _queue(self, target: int | None, message: Message) -> None:
        at = self.now + self.faults.slow_replies
        if self.faults.junk_frames:
            self.outbox.append((at, target, self.rng.choice(JUNK_FRAMES)))
        if self.faults.odd_shapes and isinstance(message, m.Status):
            obj = self.codec.to_dict(message)
            obj["tubesSW"] = [{"denominacion": k, "cantidad": v} for k, v in message.tubes or ()]
            obj["changeBar"] = {"nivel": obj.get("changeBar")}
            self.outbox.append((at, target, json.dumps(obj, ensure_ascii=False, default=str)))
            return
        self.outbox.append((at, target, self.codec.encode(message)))

    def _send(self, cid: int, message: Message) -> None:
        if cid in self.clients:
            self._queue(cid, message)

    def _broadcast(self, message: Message) -> None:
        if self.clients:
            self._queue(None, message)

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def snapshot(self) -> dict[str, object]:
        """What the control page shows."""
        payment = self.payment
        return {
            "clients": len(self.clients),
            "off": self.is_off,
            "payment": None if payment is None else replace(payment),
            "tubes": dict(self.tubes),
            "recycler": dict(self.recycler),
            "faults": replace(self.faults),
        }

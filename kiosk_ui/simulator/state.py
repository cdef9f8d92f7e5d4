"""The simulated engine's state and bookkeeping: money in tubes, recycler and cashboxes, connections,
and the frames it queues (:class:`EngineState`). Controls, commands and the clock build on it."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..errors import SimulatorRefused
from ..protocol import Codec, Message
from ..protocol import messages as m
from ..protocol.values import ChangeLevel
from . import speech
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
    #: a heartbeat thread: a status built before each paycash/paycreditcard/cancel is sent after its answer
    stale_status_on_command: bool = False


@dataclass
class Payment:
    method: str  # "efectivo" | "tarjeta" | "dotacion"
    due: Decimal
    credit: Decimal = Decimal(0)
    requester: int | None = None


@dataclass
class EngineState:
    """Everything the simulated engine holds; :class:`kiosk_ui.simulator.core.SimEngine` adds behaviour."""

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
    #: which reading of the end-of-sale fields it speaks (:mod:`.speech`), or "mixed": one per sale
    reading: str = speech.DEFAULT
    reading_seed: int = 7

    def __post_init__(self) -> None:
        speech.check(self.reading)
        self.reading_rng = random.Random(self.reading_seed)
        #: the reading of the sale in progress (or the last one)
        self.speech = speech.pick(self.reading, self.reading_rng)
        #: every change paid out since the last close (what a "running" engine reports)
        self.change_total = Decimal(0)
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
        self.screen = m.ScreenSettings(True, True, True, "¡Pague aquí sus compras!")
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
            raise SimulatorRefused("engine not accepting connections")
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

    def set_reading(self, name: str) -> None:
        """Speak ``name`` (a reading or "mixed") from the next sale on."""
        self.reading = speech.check(name)

    def _new_sale(self) -> None:
        self.speech = speech.pick(self.reading, self.reading_rng)

    def _end_status(self, due: Decimal, credit: Decimal, change: Decimal, *, completed: bool,
                    card: bool = False) -> m.Status:  # fmt: skip
        """The status that ends a cash sale (or approves a card: ``change`` 0, ``credit`` = Due), in this sale's
        reading; an idle engine repeats its Due and Credit (``faults.stale_sale_facts``)."""
        said = self.speech
        self.change_total += change
        self.last_change = change if said.change == "sale" else self.change_total
        if said.credit == "left" and not card:
            credit = credit - due if completed else Decimal(0)
        shown_due = due if said.due == "kept" else Decimal(0)
        self.last_sale = (shown_due, credit)
        return self._status(credit=credit, due=shown_due)

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

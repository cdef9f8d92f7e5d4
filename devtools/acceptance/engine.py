"""An independent Quickpaymini engine for acceptance tests (NOT our simulator; never imports kiosk_ui).

Written from the vendor manual (``/work/shared/seed/*.txt``) and PROTOCOL.md only. What the manual
leaves open is a switchable *reading* (``Reading``): how amounts are spelled, what ``Credit``,
``Due``, ``changeDispensed`` and ``referenceCC`` say at the end of a sale, how "no error" and booleans
are spelled, whether a heartbeat status built before a command is sent after its answer, whether
the engine blocks (no pongs) while the card terminal works, whether ``access`` goes to every client.

The engine runs on its own thread and asyncio loop (``ThreadedEngine``); tests drive the hardware
through thread-safe calls (insert money, approve/decline a card, faults, take the engine down) and
read the engine's own ``ledger`` of what happened to the money. ``python engine.py --reading NAME``
runs it standalone, with a tiny HTTP control port (``GET /insert?amount=20``, ``/approve``,
``/decline``, ``/ledger``, ``/fault?card=0``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

T = TypeVar("T")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Reading:
    """One engine's reading of what the manual leaves open."""

    name: str = "baseline"
    amounts: str = "string"  # "string" "35.50" | "number" 35.5 | "comma" "35,50"
    end_credit: str = "inserted"  # at a sale's end: "inserted" | "left" (0 after refund, Credit-Due after change)
    change: str = "per_sale"  # changeDispensed: "per_sale" | "running" (total since the engine started)
    end_due: str = "kept"  # "kept" | "zeroed"
    reference: str = "end"  # "end" | "early" (while cobrando) | "stale" (previous value kept after a decline)
    no_error: Any = ""  # how bvError/caError say "no error": "" | "Sin error" | -1
    forma_card: str = "tarjeta"  # formaPago of a card sale
    booleans: str = "json"  # "json" true/false | "text" "True"/"False"
    stale_status: bool = False  # a status built before each command is sent after its answer
    card_block: float = 0.0  # seconds the whole engine blocks (no frames, no pongs) while the terminal works
    access_broadcast: bool = False  # `access` goes to every connected client
    heartbeat: float = 1.0  # seconds between unasked status frames


READINGS: dict[str, Reading] = {
    r.name: r
    for r in (
        Reading(),
        Reading(name="numbers", amounts="number"),
        Reading(name="comma", amounts="comma"),
        Reading(name="credit_left", end_credit="left"),
        Reading(name="change_running", change="running"),
        Reading(name="due_zeroed", end_due="zeroed"),
        Reading(name="ref_early", reference="early"),
        Reading(name="ref_stale", reference="stale"),
        Reading(name="noerr_sin_error", no_error="Sin error"),
        Reading(name="noerr_minus1", no_error=-1),
        Reading(name="forma_Tarjeta", forma_card="Tarjeta"),
        Reading(name="cobrando_text", booleans="text"),
        Reading(name="stale_status", stale_status=True),
        Reading(name="card_block", card_block=15.0),
        Reading(name="access_broadcast", access_broadcast=True),
        # one engine that combines the C#-flavoured choices
        Reading(
            name="csharp_mix",
            amounts="comma",
            end_credit="left",
            change="running",
            end_due="zeroed",
            reference="stale",
            no_error="Sin error",
            forma_card="Tarjeta",
            booleans="text",
            stale_status=True,
        ),
    )
}


@dataclass
class Sale:
    n: int
    method: str  # "cash" | "card"
    due: Decimal
    inserted: Decimal = Decimal("0")
    change_paid: Decimal = Decimal("0")
    refunded: Decimal = Decimal("0")
    reference: str = ""
    outcome: str = "open"  # open | completed | cancelled | cancelled_kept | approved | declined
    detail: str = ""
    notes: list[str] = field(default_factory=list)


def _dec(text: Any) -> Decimal:
    return Decimal(str(text)).quantize(CENT)


class Engine:
    """The engine's state and its answers; all methods run on the engine's loop."""

    def __init__(self, reading: Reading, nip: str = "4321") -> None:
        self.reading = reading
        self.nip = nip
        self.clients: set[ServerConnection] = set()
        self.received: list[dict[str, Any]] = []  # every command, in order
        self.ledger: list[Sale] = []
        self.sale: Sale | None = None
        self.cobrando = False
        self.credit_field = Decimal("0")
        self.due_field = Decimal("0")
        self.change_field = Decimal("0")
        self.change_total = Decimal("123.50")  # paid out earlier today (running-total reading)
        if reading.change == "running":
            self.change_field = self.change_total
        self.reference = "PREV-778899"  # the previous card sale's reference, from before the app started
        self.forma = ""
        self.status_text = "En espera"
        self.card_available = True
        self.bv_error: Any = None
        self.ca_error: Any = None
        self.change_capacity: Decimal | None = None  # fault: the changer can pay at most this much
        self.card_plan: tuple[str, str] | None = None  # ("approve"|"decline", reason) applied by itself
        self.ref_counter = 100
        self.screen = {"showcta": "1", "showeyes": "0", "showtime": "1", "ctamessage": "Bienvenido"}
        self.alerts: list[str] = []  # things a correct app must never make the engine do

    # ---- wire spelling -------------------------------------------------------------------
    def amount(self, value: Decimal) -> Any:
        value = value.quantize(CENT)
        if self.reading.amounts == "number":
            return int(value) if value == value.to_integral_value() else float(value)
        text = f"{value:.2f}"
        if self.reading.amounts == "comma":
            whole, cents = text.split(".")
            groups = f"{int(whole):,}".replace(",", ".")
            return f"{groups},{cents}"
        return text

    def boolean(self, value: bool) -> Any:
        return ("True" if value else "False") if self.reading.booleans == "text" else value

    def error(self, value: Any) -> Any:
        return self.reading.no_error if value is None else value

    @staticmethod
    def fecha() -> str:
        return datetime.now().strftime("%d/%m/%Y %H:%M:%S")

    def status_frame(self) -> dict[str, Any]:
        return {
            "comando": "status",
            "fecha": self.fecha(),
            "conexiones": len(self.clients),
            "cobrando": self.boolean(self.cobrando),
            "bvError": self.error(self.bv_error),
            "caError": self.error(self.ca_error),
            "tarjeta": self.boolean(self.card_available),
            "Status": self.status_text,
            "referenceCC": self.reference,
            "Credit": self.amount(self.credit_field),
            "Due": self.amount(self.due_field),
            "changeDispensed": self.amount(self.change_field),
            "tubesSW": [40, 35, 30, 20],
            "coinCashboxAmount": self.amount(Decimal("350.00")),
            "coinCashboxQty": 61,
            "billsCashboxAmount": self.amount(Decimal("1200.00")),
            "billsCashboxQty": 24,
            "changeBar": 75,
            "inventory": None,
        }

    def sockets_frame(self) -> dict[str, Any]:
        return {
            "comando": "sockets",
            "fecha": self.fecha(),
            "conexiones": len(self.clients),
            "cobrando": self.boolean(self.cobrando),
            "Due": self.amount(self.due_field),
            "Credit": self.amount(self.credit_field),
            "changeBar": 75,
            "tarjeta": self.boolean(self.card_available),
            "formaPago": self.forma,
        }

    def update_credit_frame(self) -> dict[str, Any]:
        return {
            "comando": "updateCredit",
            "fecha": self.fecha(),
            "Due": self.amount(self.due_field),
            "Credit": self.amount(self.credit_field),
            "Status": self.status_text,
            "changeBar": 75,
        }

    # ---- sending ---------------------------------------------------------------------------
    async def send(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps(frame))

    async def broadcast(self, frame: dict[str, Any]) -> None:
        for ws in list(self.clients):
            await self.send(ws, frame)

    async def heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.reading.heartbeat)
            await self.broadcast(self.status_frame())

    # ---- connection ------------------------------------------------------------------------
    async def handler(self, ws: ServerConnection) -> None:
        self.clients.add(ws)
        try:
            await self.broadcast(self.status_frame())
            async for raw in ws:
                try:
                    frame = json.loads(raw)
                except (TypeError, ValueError):
                    continue
                if not isinstance(frame, dict):
                    continue
                self.received.append(frame)
                stale = self.status_frame() if self.reading.stale_status else None
                await self.command(ws, frame)
                if stale is not None:
                    await self.send(ws, stale)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(ws)

    async def command(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        name = str(frame.get("comando", ""))
        if name == "paycash":
            await self.start_sale("cash", frame.get("due"))
        elif name == "paycreditcard":
            await self.start_sale("card", frame.get("dueCC"))
        elif name == "cancel":
            await self.cancel(str(frame.get("cancelvalue", "")))
        elif name == "checknip":
            ok = str(frame.get("nip", "")) == self.nip
            reply = {
                "comando": "access",
                "fecha": self.fecha(),
                "validNIP": self.boolean(ok),
                "token": "tk-42" if ok else "",
            }
            if self.reading.access_broadcast:
                await self.broadcast(reply)
            else:
                await self.send(ws, reply)
        elif name in {"opendoor", "cashrefill", "cashcollect", "resetbalance", "shutdown"}:
            if self.cobrando:
                self.alerts.append(f"{name} received while a payment was charging")
                if self.sale:
                    self.sale.notes.append(f"{name} received while charging")
            answers = {"cashcollect": "cashcollectfinish"}
            if name in answers:
                await self.send(ws, {"comando": answers[name], "fecha": self.fecha()})
            else:
                await self.send(ws, self.status_frame())
        elif name == "getstatus":
            await self.send(ws, self.status_frame())
        elif name == "arqueo":
            frame_out = self.status_frame()
            frame_out["inventory"] = [{"denominacion": "10", "cantidad": 20}, {"denominacion": "20", "cantidad": 5}]
            await self.send(ws, frame_out)
        elif name == "bvreset":
            await self.send(ws, {"comando": "bvresetfinish", "fecha": self.fecha()})
        elif name == "checkbr":
            await self.send(
                ws,
                {
                    "comando": "checkbrresult",
                    "fecha": self.fecha(),
                    "brempty": self.boolean(False),
                    "maxqtybr": [30, 30, 30],
                },
            )
        elif name == "report":
            await self.send(ws, {"comando": "reportready", "fecha": self.fecha()})
        elif name == "getscreensettings":
            await self.send(ws, {"comando": "screensettings", "fecha": self.fecha(), **self.screen})
        elif name == "savescreensettings":
            for key in self.screen:
                if key in frame:
                    self.screen[key] = str(frame[key])
            await self.send(ws, {"comando": "screensettings", "fecha": self.fecha(), **self.screen})
        elif name == "searchproduct":
            await self.send(ws, {"comando": "searchresults", "fecha": self.fecha(), "datos": []})
        elif name == "getnewproductcode":
            await self.send(ws, {"comando": "newproductcode", "fecha": self.fecha(), "codigoproducto": "7500000000017"})
        elif name == "saveproduct":
            await self.send(ws, {"comando": "newproductsaved", "fecha": self.fecha()})
        elif name == "deleteproduct":
            await self.send(ws, {"comando": "productdeleted", "fecha": self.fecha()})
        # getproduct for an unknown code and anything else: no answer, as a real engine might

    # ---- payments ---------------------------------------------------------------------------
    async def start_sale(self, method: str, due_text: Any) -> None:
        if self.cobrando:
            self.alerts.append(f"pay{method} received while already charging")
            await self.broadcast(self.status_frame())
            return
        if method == "card" and not self.card_available:
            self.status_text = "Terminal no disponible"
            await self.broadcast(self.status_frame())
            return
        try:
            due = _dec(due_text)
        except ArithmeticError:
            self.alerts.append(f"unreadable amount {due_text!r}")
            return
        sale = Sale(n=len(self.ledger) + 1, method=method, due=due)
        self.ledger.append(sale)
        self.sale = sale
        self.cobrando = True
        self.due_field = due
        self.credit_field = Decimal("0")
        if self.reading.change == "per_sale":
            self.change_field = Decimal("0")
        if method == "cash":
            self.forma = "efectivo"
            self.status_text = "Inserte efectivo"
            await self.broadcast(self.status_frame())
            await self.broadcast(self.sockets_frame())
            await self.broadcast(self.update_credit_frame())
            return
        self.forma = self.reading.forma_card
        self.status_text = "Siga las instrucciones de la terminal"
        if self.reading.reference == "end":
            self.reference = ""
        await self.broadcast(self.status_frame())
        await self.broadcast(self.sockets_frame())
        if self.reading.reference == "early":
            sale.reference = self.new_reference()
            self.reference = sale.reference
            self.status_text = "Procesando tarjeta"
            await self.broadcast(self.status_frame())
        if self.reading.card_block:
            time.sleep(self.reading.card_block)  # the whole engine waits on the terminal: no frames, no pongs
        if self.card_plan is not None:
            verdict, reason = self.card_plan
            await self.finish_card(verdict == "approve", reason)

    def new_reference(self) -> str:
        self.ref_counter += 1
        return f"AUT{self.ref_counter:06d}"

    async def insert(self, amount: Decimal) -> None:
        sale = self.sale
        if sale is None or sale.method != "cash" or not self.cobrando:
            self.alerts.append(f"money {amount} offered with no cash sale: rejected by the validator")
            return
        sale.inserted += amount
        self.credit_field = sale.inserted
        self.status_text = "Inserte efectivo"
        await self.broadcast(self.update_credit_frame())
        if sale.inserted >= sale.due:
            owed = sale.inserted - sale.due
            paid = owed if self.change_capacity is None else min(owed, self.change_capacity)
            sale.change_paid = paid
            sale.outcome = "completed"
            self.status_text = "Pago completado" if paid == owed else "Cambio incompleto"
            await self.end_sale(paid, left=owed)

    async def end_sale(self, dispensed: Decimal, left: Decimal) -> None:
        """The end of a cash sale: pay out ``dispensed`` and report per the reading."""
        sale = self.sale
        assert sale is not None
        self.change_total += dispensed
        self.change_field = self.change_total if self.reading.change == "running" else dispensed
        self.credit_field = sale.inserted if self.reading.end_credit == "inserted" else left
        if self.reading.end_due == "zeroed":
            self.due_field = Decimal("0")
        self.cobrando = False
        self.forma = ""
        self.sale = None
        await self.broadcast(self.status_frame())
        await self.broadcast(self.sockets_frame())

    async def cancel(self, value: str) -> None:
        sale = self.sale
        if sale is None or not self.cobrando:
            await self.broadcast(self.status_frame())
            return
        if sale.method == "card":
            sale.notes.append(f"cancel {value!r} while the terminal worked")
            await self.finish_card(False, "Operación cancelada")
            return
        if value == "1":
            sale.refunded = sale.inserted
            sale.outcome = "cancelled"
            self.status_text = "Operación cancelada"
            await self.end_sale(sale.inserted, left=Decimal("0"))
        else:
            sale.outcome = "cancelled_kept"
            sale.notes.append(f"cancel {value!r}: money kept")
            self.alerts.append(f"cancel {value!r} over a customer payment: {sale.inserted} kept")
            self.status_text = "Operación cancelada"
            await self.end_sale(Decimal("0"), left=sale.inserted)

    async def finish_card(self, approve: bool, reason: str = "") -> None:
        sale = self.sale
        if sale is None or sale.method != "card":
            self.alerts.append("card verdict with no card sale")
            return
        self.card_plan = None
        if approve:
            sale.reference = sale.reference or self.new_reference()
            self.reference = sale.reference
            sale.outcome = "approved"
            self.status_text = "Pago aprobado"
        else:
            sale.outcome = "declined"
            sale.detail = reason or "Tarjeta declinada"
            self.status_text = sale.detail
            if self.reading.reference in {"end", "early"}:
                self.reference = ""
            sale.reference = ""
        self.credit_field = Decimal("0")
        if self.reading.end_due == "zeroed":
            self.due_field = Decimal("0")
        self.cobrando = False
        self.forma = ""
        self.sale = None
        await self.broadcast(self.status_frame())
        await self.broadcast(self.sockets_frame())

    # ---- a summary the tests print --------------------------------------------------------------
    def ledger_text(self) -> str:
        rows = []
        for s in self.ledger:
            rows.append(
                f"#{s.n} {s.method} due={s.due} inserted={s.inserted} change_paid={s.change_paid} "
                f"refunded={s.refunded} ref={s.reference!r} outcome={s.outcome} {s.detail} {'; '.join(s.notes)}"
            )
        cmds = [
            f"{f.get('comando')}" + (f"({f.get('cancelvalue')})" if f.get("comando") == "cancel" else "")
            for f in self.received
        ]
        rows.append("commands: " + " ".join(c for c in cmds if c != "getstatus"))
        if self.alerts:
            rows.append("ALERTS: " + " | ".join(self.alerts))
        return "\n".join(rows)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThreadedEngine:
    """The engine on its own thread and loop; every public call is thread-safe and waits for its result."""

    def __init__(self, reading: Reading | str = "baseline", nip: str = "4321", port: int | None = None) -> None:
        self.reading = READINGS[reading] if isinstance(reading, str) else reading
        self.port = port or free_port()
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.engine = Engine(self.reading, nip)
        self.loop = asyncio.new_event_loop()
        self.server: Server | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="acceptance-engine", daemon=True)
        self._thread.start()
        self.call(self._start_heartbeat)
        self.up()

    def call(self, fn: Callable[[], Any]) -> Any:
        async def run() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=60)

    async def _start_heartbeat(self) -> None:
        self._beat = asyncio.get_running_loop().create_task(self.engine.heartbeat())

    # ---- power ------------------------------------------------------------------------------
    def up(self) -> None:
        async def start() -> None:
            self.server = await serve(self.engine.handler, "127.0.0.1", self.port, ping_interval=None)

        self.call(start)

    def down(self) -> None:
        async def stop() -> None:
            if self.server is not None:
                self.server.close()
                await self.server.wait_closed()
                self.server = None

        self.call(stop)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.down()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    # ---- hardware ---------------------------------------------------------------------------
    def insert(self, amount: str) -> None:
        self.call(lambda: self.engine.insert(_dec(amount)))

    def approve(self) -> None:
        self.call(lambda: self.engine.finish_card(True))

    def decline(self, reason: str = "Fondos insuficientes") -> None:
        self.call(lambda: self.engine.finish_card(False, reason))

    def plan_card(self, verdict: str, reason: str = "Fondos insuficientes") -> None:
        """Decide the next card payment in advance (needed when the engine blocks while the terminal works)."""

        def set_plan() -> None:
            self.engine.card_plan = (verdict, reason)

        self.call(set_plan)

    def fault(self, **changes: Any) -> None:
        """card=False, bv_error="Atasco", change_capacity=Decimal(...)."""

        def apply() -> Any:
            if "card" in changes:
                self.engine.card_available = bool(changes["card"])
            for key in ("bv_error", "ca_error", "change_capacity"):
                if key in changes:
                    setattr(self.engine, key, changes[key])
            return self.engine.broadcast(self.engine.status_frame())

        self.call(apply)

    def snapshot(self) -> dict[str, Any]:
        def take() -> dict[str, Any]:
            e = self.engine
            return {
                "cobrando": e.cobrando,
                "sale": dataclasses.replace(e.sale) if e.sale else None,
                "ledger": [dataclasses.replace(s) for s in e.ledger],
                "received": list(e.received),
                "alerts": list(e.alerts),
                "clients": len(e.clients),
            }

        return self.call(take)

    def ledger_text(self) -> str:
        return self.call(self.engine.ledger_text)

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0, what: str = ""
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot()
            if predicate(snap):
                return snap
            if time.monotonic() > deadline:
                raise AssertionError(f"engine: timed out waiting for {what or predicate}\n{self.ledger_text()}")
            time.sleep(0.1)


# ---- standalone, with an HTTP control port -------------------------------------------------------------
async def _control(engine: Engine, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    line = (await reader.readline()).decode("latin-1")
    while (await reader.readline()).strip():
        pass
    parts = line.split()
    url = urlsplit(parts[1] if len(parts) > 1 else "/")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    body: Any = "ok"
    if url.path == "/insert":
        await engine.insert(_dec(query.get("amount", "0")))
    elif url.path == "/approve":
        await engine.finish_card(True)
    elif url.path == "/decline":
        await engine.finish_card(False, query.get("reason", "Fondos insuficientes"))
    elif url.path == "/fault":
        if "card" in query:
            engine.card_available = query["card"] == "1"
        if "bv_error" in query:
            engine.bv_error = query["bv_error"] or None
        if "change_capacity" in query:
            engine.change_capacity = _dec(query["change_capacity"]) if query["change_capacity"] else None
        await engine.broadcast(engine.status_frame())
    elif url.path == "/ledger":
        body = engine.ledger_text()
    data = str(body).encode()
    writer.write(
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(data) + data
    )
    await writer.drain()
    writer.close()


async def _main(reading: str, port: int, control_port: int, nip: str) -> None:
    engine = Engine(READINGS[reading], nip)
    asyncio.get_running_loop().create_task(engine.heartbeat())
    async with serve(engine.handler, "127.0.0.1", port, ping_interval=None):
        server = await asyncio.start_server(lambda r, w: _control(engine, r, w), "127.0.0.1", control_port)
        print(f"engine ws://127.0.0.1:{port}/ reading={reading} control http://127.0.0.1:{control_port}/", flush=True)
        async with server:
            await asyncio.Future()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reading", default="baseline", choices=sorted(READINGS))
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--control-port", type=int, default=8090)
    parser.add_argument("--nip", default="4321")
    args = parser.parse_args()
    asyncio.run(_main(args.reading, args.port, args.control_port, args.nip))

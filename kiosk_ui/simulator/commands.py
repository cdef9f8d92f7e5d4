"""How the simulated engine answers each app-to-engine command (``_on_<command>``)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from ..protocol import Message, Product, ProtocolError
from ..protocol import messages as m
from .controls import EngineControls
from .state import RECYCLER_CAPACITY, Payment


class EngineCommands(EngineControls):
    """The command handlers, dispatched by name from :meth:`receive`."""

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
        racing = self.faults.stale_status_on_command and message.COMMAND in ("paycash", "paycreditcard", "cancel")
        before = self._status() if racing else None  # built before the command, sent after its answer
        handler = getattr(self, f"_on_{message.COMMAND}")
        handler(cid, message)
        if before is not None:
            self._broadcast(before)
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
        self._new_sale()
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
        self._new_sale()
        self.status_text = "Siga las instrucciones de la terminal"
        if self.speech.reference != "sticky":
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
        self.status_text = "Operación cancelada" if payment.method == "efectivo" else "Dotación terminada"
        self.payment = None
        if payment.method == "efectivo":  # the final status reports the sale it ends
            self.ledger.append(("cancelled", payment.due, payment.credit, returned))
            self._broadcast(self._end_status(payment.due, payment.credit, returned, completed=False))
        else:
            self.last_change = returned
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
        self.last_change = self.change_total = Decimal(0)
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

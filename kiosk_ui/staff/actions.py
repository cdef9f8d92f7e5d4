"""The staff action table and running one action: busy check, override, send, wait, audit.

Every action is asked for in two steps (the screen confirms first). :meth:`ActionRunner.check` asks the
arbiter (:mod:`kiosk_ui.payments.arbiter`) before anything is sent, and the arbiter decides again at the write
(the engine client's guard), for the payment the override was confirmed over; :meth:`ActionRunner.run` sends and
waits for the answer docs/protocol.md documents. A command with no documented answer is reported as
"sent, not confirmed" (an unrelated status proves nothing), never as done.

Texts are es-MX; the caller passes ``say`` (its translator) so the outcome reaches the screen in
the staff member's language. The journal gets fixed English results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from ..engine import CommandRefused, EngineClient, EngineTimeout, EngineUnavailable
from ..kiosk import Kiosk
from ..payments.arbiter import REFUSED_KEEPS_MONEY, Override, Refuse, payment_key
from ..protocol import Message
from ..protocol import messages as m
from ..state import KioskState


class Say(Protocol):
    """The staff screen's translator: es-MX text in, the staff member's language out."""

    def __call__(self, text: str, /, **values: object) -> str: ...

    def money(self, amount: Decimal | None) -> str: ...

    def status(self, text: str) -> str: ...


Audit = Callable[[str, str, str], Awaitable[None]]


@dataclass(frozen=True)
class Action:
    test_id: str
    title: str
    confirm: str
    make: Callable[[], Message]
    timeout: float = 30.0
    #: shutdown: the answer is the engine going away
    goes_away: bool = False
    #: docs/protocol.md defines no answer: a status within ``timeout`` is shown, else "sent"
    soft: bool = False


ACTIONS: tuple[Action, ...] = (
    Action("action-opendoor", "Abrir puerta", "Se abrirá la puerta del gabinete.", m.OpenDoor, 5.0, soft=True),
    Action("action-cashrefill", "Iniciar dotación", "El equipo aceptará dinero para cambio hasta terminar la dotación.",
           m.CashRefill, 5.0, soft=True),
    Action("action-cashrefill-end", "Terminar dotación", "Se terminará la dotación de efectivo.",
           lambda: m.Cancel("2"), 5.0, soft=True),
    Action("action-cashcollect-coin", "Recolectar monedas", "Se vaciará la caja de monedas.",
           lambda: m.CashCollect("coin"), 120.0),
    Action("action-cashcollect-bill", "Recolectar billetes", "Se vaciará la caja de billetes.",
           lambda: m.CashCollect("bill"), 120.0),
    Action("action-resetbalance", "Corte de caja", "Los contadores de efectivo volverán a cero (corte del día).",
           m.ResetBalance, 5.0, soft=True),
    Action("action-restart", "Reiniciar equipo", "El equipo se reiniciará; la pantalla volverá sola.",
           lambda: m.Shutdown("r"), 15.0, True),
    Action("action-poweroff", "Apagar equipo", "El equipo se apagará; habrá que encenderlo a mano.",
           lambda: m.Shutdown("s"), 15.0, True),
    Action("action-bvreset", "Reiniciar lector de billetes", "Se reiniciará el validador de billetes.",
           m.BvReset, 60.0),
    Action("action-checkbr", "Revisar reciclador", "Se consultarán los niveles del reciclador de billetes.",
           m.CheckBr),
    Action("action-report", "Reporte del equipo", "El equipo generará su reporte.", m.Report, 60.0),
    Action("action-arqueo", "Arqueo", "Se contará el efectivo de cada denominación.", m.Arqueo, 60.0),
)  # fmt: skip

#: ``check``'s answers: send it, ask for an override first, or never (it would keep the customer's money)
Decision = Literal["send", "ask-override", "never"]


@dataclass(frozen=True)
class ActionOutcome:
    #: "done": the documented answer came; "sent": no answer is documented; "failed": not sent or no answer
    status: Literal["done", "sent", "failed"]
    text: str


def capacity_name(name: str, say: Say) -> str:
    """A recycler position: '#2' (array index) → 'Posición 2'; a denomination → '$20'."""
    if name.startswith("#") and name[1:].isdigit():
        return say("Posición {n}", n=name[1:])
    return f"${name}" if name[:1].isdigit() else name


class ActionRunner:
    """Runs staff actions against the engine on behalf of one staff service."""

    def __init__(self, kiosk: Kiosk, client: EngineClient, audit: Audit) -> None:
        self.kiosk = kiosk
        self.client = client
        self.audit = audit
        #: the payment the last confirmed override was checked over (the arbiter covers that one only)
        self.covered = ""

    def payment_key(self) -> str:
        """Which customer payment is in progress ('' when none): an override covers only the one it was
        confirmed over, never the next one."""
        return payment_key(self.kiosk.situation())

    async def check(self, action: Action, override: bool) -> tuple[Decision, str]:
        """Whether ``action`` may be sent now (the arbiter's word); a refusal is journaled. Returns the decision and
        its reason. With ``override``, the payment it covers is the one in progress now, and only that one."""
        if override:
            self.covered = self.payment_key()
        verdict = self.kiosk.arbitrate(action.make(), Override(self.covered) if override else None)
        reason = verdict.reason if isinstance(verdict, Refuse) else ""
        if reason == REFUSED_KEEPS_MONEY or (override and reason):
            await self.audit(action.test_id, "refused: payment in progress (never sent during a payment)", "")
            return "never", reason
        if reason:
            await self.audit(action.test_id, "refused: payment in progress", "")
            return "ask-override", reason
        if override:
            await self.audit(action.test_id, "override confirmed during a payment", "")
        return "send", ""

    async def run(self, action: Action, token: str | None, say: Say, override: bool = False) -> ActionOutcome:
        title = say(action.title)
        message = action.make()
        before = self.kiosk.state
        with self.kiosk.guard.acting(Override(self.covered) if override else None):
            return await self._run(action, message, before, title, token, say, override)

    async def _run(self, action: Action, message: Message, before: KioskState, title: str, token: str | None,
                   say: Say, override: bool) -> ActionOutcome:  # fmt: skip
        try:
            if action.goes_away:
                answer = await self._send_and_wait_gone(message, action.timeout, override, token, say)
            elif action.soft:
                await self.client.send(message, override=override, token=token)
                await self.audit(action.test_id, "sent, not confirmed", "")
                return ActionOutcome("sent", say("{title}: enviado, sin confirmación del equipo.", title=title))
            else:
                reply = await self.client.request(message, timeout=action.timeout, override=override, token=token)
                answer = self.describe(reply, say)
        except CommandRefused as exc:  # a payment started between the question and the send
            await self.audit(action.test_id, "refused: payment in progress", "")
            return ActionOutcome("failed", say("{title}: {answer}", title=title, answer=say(exc.reason)))
        except EngineUnavailable:
            await self.audit(action.test_id, "not sent: engine unavailable", "")
            text = say("El equipo no está conectado; no se envió nada.")
            return ActionOutcome("failed", say("{title}: {answer}", title=title, answer=text))
        except EngineTimeout:
            await self.audit(action.test_id, "timeout", "")
            text = say("El equipo no respondió en {seconds} s.", seconds=f"{action.timeout:.0f}")
            return ActionOutcome("failed", say("{title}: {answer}", title=title, answer=text))
        if isinstance(message, m.CashCollect):  # what was in the cashbox when staff emptied it
            box = before.coin_cashbox_amount if message.source == "coin" else before.bills_cashbox_amount
            qty = before.coin_cashbox_qty if message.source == "coin" else before.bills_cashbox_qty
            template = "recolectado {amount} (1 pieza)" if qty == 1 else "recolectado {amount} ({pieces} piezas)"
            collected = say(template, amount=say.money(box), pieces=qty if qty is not None else "?")
            answer = f"{answer}; {collected}"
        shown = say("{title}: {answer}", title=title, answer=answer)  # the staff read what was collected too
        await self.audit(action.test_id, "done", answer)
        return ActionOutcome("done", shown)

    async def _send_and_wait_gone(self, message: Message, timeout: float, override: bool, token: str | None,
                                  say: Say) -> str:  # fmt: skip
        gone = asyncio.Event()
        undo = self.kiosk.on_change(lambda s: gone.set() if not s.online else None)
        try:
            await self.client.send(message, override=override, token=token)
            await asyncio.wait_for(gone.wait(), timeout)
        except TimeoutError:
            raise EngineTimeout("engine did not go away") from None
        finally:
            undo()
        return say("el equipo se está reiniciando/apagando; esta pantalla se reconectará sola.")

    def describe(self, reply: Message, say: Say) -> str:
        """The engine's answer to an action, in words."""
        if isinstance(reply, m.CheckBrResult):
            levels = ", ".join(
                f"{capacity_name(k, say)}: {say('capacidad: {count} billetes', count=v)}"
                for k, v in (reply.max_qty or ())
            )
            return say("reciclador vacío" if reply.br_empty else "reciclador con billetes") + (
                f" ({levels})" if levels else ""
            )
        if isinstance(reply, m.Status):
            if reply.inventory:
                return say("arqueo") + ": " + ", ".join(f"${k} × {v}" for k, v in reply.inventory)
            return f"{say('listo')} ({say.status(reply.status_text or '') or say('estado recibido')})"
        return say("listo")

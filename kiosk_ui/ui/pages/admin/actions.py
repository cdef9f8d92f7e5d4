"""Staff actions: grouped (cash, maintenance, machine), confirmed by a button that names the verb, the
figures a cash close or collection will close shown before and after, a payment in progress said
before confirming; then the payment-in-progress question (override), the outcome shown and journaled."""

from __future__ import annotations

from nicegui import ui

from ....staff import actions as staff_actions
from ....staff.actions import Action, ActionOutcome, ActionRunner
from ....staff_rules import REFUSED_BUSY, REFUSED_KEEPS_MONEY, is_cash_moving, keeps_money
from ....state import KioskState
from ...theme import tid
from .base import Access, StaffText, heading, staff_only
from .cash_figures import closing_figures

#: the action groups, in order: (es-MX heading, the actions' test ids)
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Efectivo", ("action-cashrefill", "action-cashrefill-end", "action-cashcollect-coin", "action-cashcollect-bill",
                  "action-arqueo", "action-resetbalance")),
    ("Mantenimiento", ("action-opendoor", "action-bvreset", "action-checkbr", "action-report")),
    ("Equipo", ("action-restart", "action-poweroff")),
)  # fmt: skip
#: hard to undo: red, and confirmed by a red button that says the verb
DANGEROUS = frozenset({"action-resetbalance", "action-restart", "action-poweroff"})


class ActionsView:
    def __init__(self, access: Access, runner: ActionRunner, say: StaffText) -> None:
        self.access = access
        self.runner = runner
        self._ = say
        self.pending: Action | None = None
        #: the payment the busy question was asked about (ActionRunner.payment_key): an override covers it only
        self.busy_over = ""
        #: the dialog asks the payment-in-progress question (override) rather than the confirmation
        self.asking_override = False

    def build(self) -> None:
        _ = self._
        by_id = {action.test_id: action for action in staff_actions.ACTIONS}  # read now: tests shorten timeouts
        grouped = {test_id for _, ids in GROUPS for test_id in ids}
        groups = [*GROUPS, ("Otras", tuple(i for i in by_id if i not in grouped))]
        for title, ids in groups:
            if not any(i in by_id for i in ids):
                continue
            with ui.column().classes("admin-action-group w-full gap-1"):
                heading(_(title), 3)
                with ui.element("div").classes("admin-action-grid w-full"):
                    for action in (by_id[i] for i in ids if i in by_id):
                        color = "negative" if action.test_id in DANGEROUS else "primary"
                        button = ui.button(_(action.title), on_click=lambda a=action: self.ask(a), color=color)
                        tid(button, action.test_id).classes("admin-action")
        with ui.column().classes("w-full gap-2").props('aria-live="polite"'):
            self.progress = tid(ui.label("").classes("kiosk-alert"), "action-progress")
            self.done = tid(ui.label("").classes("kiosk-alert admin-alert-ok"), "action-done")
            self.failed = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "action-failed")
            self.sent = tid(ui.label("").classes("kiosk-alert"), "action-sent")
            self.closed = tid(ui.column().classes("admin-panel w-full gap-1"), "action-figures")
        for label in (self.progress, self.done, self.failed, self.sent, self.closed):
            label.set_visibility(False)
        # one dialog: the confirmation (with the payment in progress said before confirming), which becomes
        # the payment-in-progress question (override) when the check after the confirmation asks it
        with ui.dialog() as self.confirm_dialog, ui.card().classes("p-6 gap-4 max-w-lg").props('role="alertdialog"'):
            self.confirm_title = ui.html("", tag="h2").classes("admin-h2")
            self.confirm_text = ui.label("").classes("text-lg")
            self.busy = tid(ui.label("").classes("text-lg kiosk-alert kiosk-alert-bad"), "action-busy")
            self.confirm_figures = tid(ui.column().classes("admin-panel w-full gap-1"), "confirm-figures")
            with ui.row().classes("w-full justify-end gap-2") as self.confirm_row:
                tid(ui.button(_("Cancelar"), on_click=self.confirm_dialog.close, color="grey-8"), "confirm-cancel")
                self.confirm_ok = tid(ui.button(_("Confirmar"), on_click=self.confirmed, color="primary"), "confirm-ok")
            with ui.row().classes("w-full justify-end gap-2") as self.override_row:
                tid(ui.button(_("No hacer nada"), on_click=self.confirm_dialog.close, color="grey-8"),
                    "action-busy-close")  # fmt: skip
                tid(ui.button(_("Hacerlo de todos modos"), on_click=self.override, color="negative"), "action-override")
        self.busy_dialog = self.confirm_dialog  # the name the question had when it was a dialog of its own

    @staff_only
    def ask(self, action: Action) -> None:
        _ = self._
        self.pending = action
        self.confirm_title.set_content(_("¿{title}?", title=_(action.title)))
        self.confirm_text.set_text(_(action.confirm))
        self._figures(self.confirm_figures, action, _("Se cerrará:"), "confirm-")
        self.confirm_ok.set_text(_(action.title))
        self.confirm_ok.props.update({"color": "negative" if action.test_id in DANGEROUS else "primary"})
        self._asking(override=False)
        self.confirm_dialog.open()

    def _asking(self, override: bool) -> None:
        """The dialog as the confirmation, or as the payment-in-progress question (override offered)."""
        self.asking_override = override
        self.confirm_row.set_visibility(not override)
        self.override_row.set_visibility(override)
        action = self.pending
        never = action is not None and not override and keeps_money(action.make())
        self.busy.set_text(self._(REFUSED_KEEPS_MONEY if never else REFUSED_BUSY))
        self.payment_changed(self.access.service.busy)

    def payment_changed(self, busy: bool) -> None:
        """A payment in progress is said in the open confirmation, before staff confirm (and as soon as one
        starts while it is open); the check after the confirmation still decides."""
        action = self.pending
        shown = self.asking_override or (busy and action is not None and is_cash_moving(action.make()))
        self.busy.set_visibility(bool(shown))

    def _figures(self, box: ui.column, action: Action, caption: str, prefix: str,
                 state: KioskState | None = None) -> None:  # fmt: skip
        """The cashbox figures a close or collection closes (as ``state`` has them, else now), in ``box``."""
        box.clear()
        rows = closing_figures(action.test_id, state or self.access.service.state, self._)
        box.set_visibility(bool(rows))
        if rows:
            with box:
                ui.label(caption).classes("font-semibold")
                for name, value, test_id in rows:
                    with ui.row().classes("w-full justify-between gap-4 no-wrap"):
                        ui.label(name)
                        tid(ui.label(value).classes("font-semibold tabular-nums"), prefix + test_id)

    @staff_only
    async def confirmed(self) -> None:
        self.confirm_dialog.close()  # closed at once: nothing can be pressed twice while the check is journaled
        action = self.pending
        if action is None:
            return
        await self._decide(action)

    async def _decide(self, action: Action) -> None:
        decision, reason = await self.runner.check(action, override=False)
        if decision == "never":  # no override offered: it would keep the customer's money
            self.pending = None
            self._show(ActionOutcome("failed", self._("{title}: {answer}", title=self._(action.title),
                                                      answer=self._(reason))))  # fmt: skip
        elif decision == "ask-override":
            self.busy_over = self.runner.payment_key()
            self._asking(override=True)
            self.confirm_dialog.open()
        else:
            await self.run(action)

    @staff_only
    async def override(self) -> None:
        self.confirm_dialog.close()
        action = self.pending
        if action is None:
            return
        if self.runner.payment_key() != self.busy_over:
            # the payment staff confirmed the override over has ended: the next one (if any) is asked about
            # again, never covered by it
            await self._decide(action)
            return
        decision, reason = await self.runner.check(action, override=True)
        if decision == "send" and self.runner.payment_key() != self.busy_over:
            # that payment ended while the override was journaled (a slow write) and another began: not covered
            await self._decide(action)
            return
        if decision != "send":
            self.pending = None
            self._show(ActionOutcome("failed", self._("{title}: {answer}", title=self._(action.title),
                                                      answer=self._(reason))))  # fmt: skip
            return
        await self.run(action, override=True)

    @staff_only
    async def run(self, action: Action, override: bool = False) -> None:
        self.pending = None
        for label in (self.done, self.failed, self.sent, self.closed):
            label.set_visibility(False)
        self.progress.set_text(self._("{title}: esperando respuesta del equipo…", title=self._(action.title)))
        self.progress.set_visibility(True)
        before = self.access.service.state  # the figures as they stood when it went out: what it closed
        outcome = await self.runner.run(action, self.access.token, self._, override=override)
        self._show(outcome)
        if outcome.status != "failed":  # shown once the machine took it; "sent" says it is not confirmed
            caption = "{title}: cifras cerradas" if outcome.status == "done" else "{title}: cifras al enviarlo"
            self._figures(self.closed, action, self._(caption, title=self._(action.title)), "closed-", before)

    def _show(self, outcome: ActionOutcome) -> None:
        self.progress.set_visibility(False)
        self.closed.set_visibility(False)
        label = {"done": self.done, "sent": self.sent, "failed": self.failed}[outcome.status]
        label.set_text(outcome.text)
        label.set_visibility(True)

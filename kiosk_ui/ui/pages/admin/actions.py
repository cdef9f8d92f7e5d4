"""Staff actions: confirm, the payment-in-progress question (override), the outcome shown and journaled."""

from __future__ import annotations

from nicegui import ui

from ....staff import actions as staff_actions
from ....staff.actions import Action, ActionOutcome, ActionRunner
from ...theme import tid
from .base import Access, StaffText, staff_only


class ActionsView:
    def __init__(self, access: Access, runner: ActionRunner, say: StaffText) -> None:
        self.access = access
        self.runner = runner
        self._ = say
        self.pending: Action | None = None
        #: the payment the busy question was asked about (ActionRunner.payment_key): an override covers it only
        self.busy_over = ""

    def build(self) -> None:
        _ = self._
        with ui.element("div").classes("admin-action-grid w-full"):
            for action in staff_actions.ACTIONS:  # read at build time: tests shorten the timeouts
                color = "negative" if action.goes_away else "primary"
                button = ui.button(_(action.title), on_click=lambda a=action: self.ask(a), color=color)
                tid(button, action.test_id).classes("admin-action")
        with ui.column().classes("w-full gap-2").props('aria-live="polite"'):
            self.progress = tid(ui.label("").classes("kiosk-alert"), "action-progress")
            self.done = tid(ui.label("").classes("kiosk-alert admin-alert-ok"), "action-done")
            self.failed = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad"), "action-failed")
            self.sent = tid(ui.label("").classes("kiosk-alert"), "action-sent")
        for label in (self.progress, self.done, self.failed, self.sent):
            label.set_visibility(False)
        with ui.dialog() as self.confirm_dialog, ui.card().classes("p-6 gap-4 max-w-lg").props('role="alertdialog"'):
            self.confirm_title = ui.html("", tag="h2").classes("admin-h2")
            self.confirm_text = ui.label("").classes("text-lg")
            with ui.row().classes("w-full justify-end gap-2"):
                tid(ui.button(_("Cancelar"), on_click=self.confirm_dialog.close, color="grey-8"), "confirm-cancel")
                tid(ui.button(_("Confirmar"), on_click=self.confirmed, color="primary"), "confirm-ok")
        with ui.dialog() as self.busy_dialog, ui.card().classes("p-6 gap-4 max-w-lg").props('role="alertdialog"'):
            text = _("Hay un cobro en curso: esta acción mueve efectivo y podría afectar al cliente.")
            tid(ui.label(text).classes("text-lg kiosk-alert kiosk-alert-bad"), "action-busy")
            with ui.row().classes("w-full justify-end gap-2"):
                tid(ui.button(_("No hacer nada"), on_click=self.busy_dialog.close, color="grey-8"), "action-busy-close")
                tid(ui.button(_("Hacerlo de todos modos"), on_click=self.override, color="negative"), "action-override")

    @staff_only
    def ask(self, action: Action) -> None:
        self.pending = action
        self.confirm_title.set_content(self._("¿{title}?", title=self._(action.title)))
        self.confirm_text.set_text(self._(action.confirm))
        self.confirm_dialog.open()

    @staff_only
    async def confirmed(self) -> None:
        self.confirm_dialog.close()
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
            self.busy_dialog.open()
        else:
            await self.run(action)

    @staff_only
    async def override(self) -> None:
        self.busy_dialog.close()
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
        for label in (self.done, self.failed, self.sent):
            label.set_visibility(False)
        self.progress.set_text(self._("{title}: esperando respuesta del equipo…", title=self._(action.title)))
        self.progress.set_visibility(True)
        outcome = await self.runner.run(action, self.access.token, self._, override=override)
        self._show(outcome)

    def _show(self, outcome: ActionOutcome) -> None:
        self.progress.set_visibility(False)
        label = {"done": self.done, "sent": self.sent, "failed": self.failed}[outcome.status]
        label.set_text(outcome.text)
        label.set_visibility(True)

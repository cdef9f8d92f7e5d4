"""The result screen: the outcome in big words, where to take the change (the change tray), the
receipt QR under the shop's brand with the folio in large text, and the ways on: after a decline or a
failed start, another card or cash for the same amount (one tap) or cancel; on an error or an unknown
outcome, a button that calls staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from nicegui import ui

from ....errors import FailureCode
from ....kiosk import PaymentResult
from ....last_result import shows_receipt
from ...components.brand import brand_mark
from ...components.pictogram import pictogram
from ...components.receipt import folio, qr_svg, receipt_text
from ...i18n import money, status_text
from ...theme import attrs, tid
from .texts import Texts

KINDS = {"completed": "success", "cancelled": "cancelled", "declined": "declined"}
ICONS = {
    "success": ("check_circle", "kiosk-ok"),
    "cancelled": ("undo", "kiosk-muted"),
    "declined": ("credit_card_off", "kiosk-bad"),
    "error": ("error", "kiosk-bad"),
}


class ResultView:
    def __init__(self, texts: Texts, *, logo_url: str, brand_name: str, currency: str,
                 on_done: Callable[[], None], on_retry: Callable[[Literal["cash", "card"]], object],
                 on_help: Callable[[], object]) -> None:  # fmt: skip
        self.texts = texts
        self.brand_name, self.currency = brand_name, currency
        self.root = tid(ui.column().classes("kiosk-screen kiosk-result w-full items-center no-wrap"), "screen-result")
        with self.root:
            self.icon = ui.icon("check_circle").classes("kiosk-result-icon").props('aria-hidden="true"')
            with ui.element("div").props('role="heading" aria-level="1"'):
                self.success = tid(ui.label("").classes("kiosk-title kiosk-ok"), "result-success")
                self.cancelled = tid(ui.label("").classes("kiosk-title"), "result-cancelled")
                self.declined = tid(ui.label("").classes("kiosk-title kiosk-bad"), "result-declined")
                self.error = tid(ui.label("").classes("kiosk-title kiosk-bad"), "result-error")
            self.reason = tid(ui.label("").classes("kiosk-caption text-center"), "result-reason")
            with ui.element("div").classes("kiosk-result-body"):
                self.tray = ui.column().classes("kiosk-card kiosk-tray items-center no-wrap")
                with self.tray:
                    self.tray_pic = tid(pictogram("change-tray", size=220, pulse=True, lang=texts.lang), "change-tray")
                    self.change = tid(ui.label("").classes("kiosk-figure"), "result-change")
                    self.tray_text = ui.label("").classes("kiosk-where-text text-center")
                self.receipt = ui.column().classes("kiosk-card kiosk-receipt items-center no-wrap")
                with self.receipt:
                    brand_mark(logo_url, brand_name, texts.lang, size=56, classes="kiosk-receipt-brand")
                    texts.label("receipt_title", "kiosk-caption font-bold")
                    self.qr = tid(ui.html("", sanitize=False).classes("kiosk-qr"), "receipt-qr")
                    self.qr.props.update({"role": "img", "aria-label": texts("pictogram_receipt-qr")})
                    self.receipt_hint = texts.label("receipt_hint", "kiosk-caption text-center")
            self.shortfall = tid(ui.label("").classes("kiosk-figure kiosk-bad"), "result-shortfall")
            self.shortfall_help = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad max-w-3xl"), "shortfall-help")
            self.reference = tid(ui.label("").classes("kiosk-caption"), "result-reference")
            with ui.row().classes("kiosk-folio-row items-baseline no-wrap") as self.folio_row:
                texts.label("folio_caption", "kiosk-folio-caption")
                self.folio = tid(ui.label("").classes("kiosk-folio"), "result-folio")
            self.help_note = tid(ui.label("").classes("kiosk-alert text-center"), "help-called")
            self.help_note.props.update({"role": "status"})
            self.help_note.set_visibility(False)
            with ui.element("div").classes("kiosk-result-actions w-full"):
                self.retry_card = texts.button("retry_card", "result-retry-card", lambda: on_retry("card"),
                                               classes="kiosk-big-btn kiosk-retry")  # fmt: skip
                self.retry_card.props.update({"icon": "credit_card"})
                self.retry_cash = texts.button("retry_cash", "result-retry-cash", lambda: on_retry("cash"),
                                               classes="kiosk-big-btn kiosk-retry", color="positive")  # fmt: skip
                self.retry_cash.props.update({"icon": "payments"})
                self.help = texts.button("help_call_staff", "help-call-staff", on_help,
                                         classes="kiosk-big-btn kiosk-help", color="warning")  # fmt: skip
                self.help.props.update({"icon": "support_agent"})
                self.done = texts.button("done", "result-done", on_done, classes="kiosk-big-btn kiosk-done")

    def render(self, result: PaymentResult, *, cash_works: bool, card_works: bool) -> None:
        texts = self.texts
        outcome = result.outcome
        kind = KINDS.get(outcome, "error")
        for name in ("success", "cancelled", "declined", "error"):
            getattr(self, name).set_visibility(name == kind)
        self.success.set_text(texts("result_success"))
        self.cancelled.set_text(texts("result_cancelled"))
        self.declined.set_text(texts("result_declined"))
        self.error.set_text(texts({"unknown": "result_unknown"}.get(outcome, "result_error")))
        icon, colour = ICONS[kind]
        attrs(self.icon, {"name": icon}).classes(replace=f"kiosk-result-icon {colour}")
        reason = ""
        if outcome == "declined":
            reason = status_text(result.reason, texts.lang)
        elif outcome == "failed":
            reason = texts("err_no_ack" if result.failure is FailureCode.NO_ACK else "err_failed")
        self.reason.set_text(reason)
        self.reason.set_visibility(bool(reason) and reason != texts("result_declined"))  # not the title twice
        show_change = result.method == "cash" and outcome in ("completed", "cancelled") and result.change_owed > 0
        cancelled = outcome == "cancelled"
        self.change.set_text(texts("returned" if cancelled else "change_paid", amount=money(result.change_paid)))
        self.change.set_visibility(show_change)
        self.tray_text.set_text(texts("take_money" if cancelled else "take_change"))
        self.tray.set_visibility(show_change)
        self.shortfall.set_text(texts("shortfall", amount=money(result.shortfall)))
        self.shortfall.set_visibility(result.shortfall > 0)
        self.shortfall_help.set_text(texts("shortfall_help"))
        self.shortfall_help.set_visibility(result.shortfall > 0)
        self.reference.set_text(texts("card_reference", ref=result.reference) if result.reference else "")
        self.reference.set_visibility(bool(result.reference))
        has_receipt = shows_receipt(result)
        text = receipt_text(result, self.currency, merchant=self.brand_name, lang=texts.lang)
        self.qr.set_content(qr_svg(text) if has_receipt else "")
        self.qr.set_visibility(has_receipt)
        self.receipt.set_visibility(has_receipt)
        self.folio.set_text(folio(result))
        self.render_ways(result, cash_works=cash_works, card_works=card_works)

    def render_ways(self, result: PaymentResult, *, cash_works: bool, card_works: bool) -> None:
        """The ways on from this result, following the devices: both retries are offered after a decline or a
        failed start, each disabled while its method cannot work (the other one still can)."""
        retry = retry_offered(result)
        self.retry_cash.set_visibility(retry)
        self.retry_card.set_visibility(retry)
        self.retry_cash.set_enabled(cash_works)
        self.retry_card.set_enabled(card_works)
        self.help.set_visibility(needs_help(result))
        self.done.set_text(self.texts("cancel" if retry else "done"))
        # "Cancelar" beside the retries is the quiet way out; "Terminar" alone is the way on
        colour = "grey-8" if retry else "primary"
        if self.done.props.get("color") != colour:  # sent only when it changes (this runs on every state)
            self.done.props.update({"color": colour})
            self.done.update()

    def helped(self, sent: bool) -> None:
        """Staff were called (or could not be): say so, and do not offer to call them twice."""
        self.help_note.set_text(self.texts("help_called" if sent else "help_not_sent"))
        self.help_note.set_visibility(True)
        self.help.set_enabled(not sent)

    def clear_help(self) -> None:
        self.help_note.set_visibility(False)
        self.help.set_enabled(True)


def retry_offered(result: PaymentResult) -> bool:
    """A decline or a failed start: nothing was taken, so the same amount may be paid another way."""
    return result.outcome in ("declined", "failed") and result.credit <= 0


def needs_help(result: PaymentResult) -> bool:
    """An error, an unknown outcome or change owed: a person must look at it."""
    return result.outcome in ("failed", "unknown") or result.shortfall > 0 or result.outcome not in KINDS

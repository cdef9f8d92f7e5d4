"""The pure reducer: every incoming message kind, odd spellings, and what must not change."""

from __future__ import annotations

from decimal import Decimal

from kiosk_ui.protocol import decode
from kiosk_ui.protocol import messages as m
from kiosk_ui.state import KioskState, reduce, with_connection


def fold(*frames: str, state: KioskState | None = None) -> KioskState:
    state = state or with_connection(KioskState(), "connected")
    for frame in frames:
        state = reduce(state, decode(frame))
    return state


def test_status_fills_everything() -> None:
    state = fold(
        '{"comando":"status","fecha":"x","conexiones":3,"cobrando":"True","bvError":"Atasco","caError":"0",'
        '"tarjeta":"1","Status":"Cobrando","referenceCC":"R1","Credit":"20","Due":35.5,"changeDispensed":"0",'
        '"tubesSW":{"1":10},"coinCashboxAmount":"12.5","coinCashboxQty":4,"billsCashboxAmount":"200",'
        '"billsCashboxQty":2,"changeBar":"15","inventory":[{"denominacion":"1","cantidad":10}]}'
    )
    assert state.synced and state.connections == 3 and state.charging
    assert (state.bv_error, state.ca_error) == ("Atasco", "")
    assert state.card_available and state.status_text == "Cobrando" and state.reference_cc == "R1"
    assert (state.credit, state.due, state.remaining) == (Decimal(20), Decimal("35.5"), Decimal("15.5"))
    assert state.tubes == (("1", 10),) and state.inventory == (("1", 10),)
    assert state.coin_cashbox_amount == Decimal("12.5") and state.bills_cashbox_qty == 2
    assert state.change_level is not None and state.change_level.is_low


def test_sockets_and_update_credit() -> None:
    state = fold(
        '{"comando":"sockets","fecha":"x","conexiones":"2","cobrando":"true","Due":"40.00","Credit":"0",'
        '"changeBar":0.9,"tarjeta":false,"formaPago":"efectivo"}',
        '{"comando":"updateCredit","fecha":"x","Due":"40.00","Credit":"50.00","Status":"Cobrando","changeBar":88}',
    )
    assert state.connections == 2 and state.charging and not state.card_available
    assert state.payment_method == "efectivo"
    assert state.credit == Decimal(50) and state.remaining == 0
    assert state.change_level is not None and state.change_level.percent == 88


def test_missing_fields_keep_what_was_known() -> None:
    state = fold('{"comando":"status","fecha":"x","cobrando":true,"Due":"10","tarjeta":true,"conexiones":1}')
    state = fold('{"comando":"sockets","fecha":"x","Credit":"5"}', state=state)
    assert state.charging and state.due == Decimal(10) and state.card_available and state.credit == Decimal(5)


def test_screen_settings_and_partial_update() -> None:
    state = fold('{"comando":"screensettings","fecha":"x","showcta":"0","showeyes":"1","showtime":"0",'
                 '"ctamessage":"Hola"}')  # fmt: skip
    assert (state.screen.show_cta, state.screen.show_eyes, state.screen.show_time) == (False, True, False)
    assert state.screen.cta_message == "Hola"
    state = fold('{"comando":"screensettings","fecha":"x","showtime":"1"}', state=state)
    assert state.screen.show_time and state.screen.cta_message == "Hola"


def test_recycler_result() -> None:
    state = fold('{"comando":"checkbrresult","fecha":"x","brempty":"False","maxqtybr":[5,6]}')
    assert state.recycler_empty is False and state.recycler_levels == (("#1", 5), ("#2", 6))


def test_replies_that_carry_no_state_change_nothing() -> None:
    state = fold()
    for message in (m.Access(True, "t"), m.ProductInfo("1", "Pan", Decimal(1), "PZA"), m.SearchResults(()),
                    m.NewProductCode("2"), m.NewProductSaved(), m.ProductDeleted(), m.BvResetFinish(),
                    m.CashCollectFinish(), m.ReportReady()):  # fmt: skip
        assert reduce(state, message) is state


def test_connection_changes() -> None:
    state = fold('{"comando":"status","fecha":"x","cobrando":false}')
    assert state.online and state.synced
    lost = with_connection(state, "disconnected")
    assert not lost.online and not lost.synced
    assert with_connection(lost, "disconnected") is lost
    assert with_connection(lost, "connected").online

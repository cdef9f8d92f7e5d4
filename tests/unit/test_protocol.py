"""The protocol layer: value rules, decode/encode, and property-based checks (hypothesis)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import fields
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_ui.protocol import (
    DOCUMENTED_OUTGOING,
    INCOMING_TYPES,
    OUTGOING_TYPES,
    Codec,
    ProtocolError,
    decode,
    encode,
    format_amount,
    js_date,
    parse_amount,
    parse_bool,
)
from kiosk_ui.protocol import messages as m
from kiosk_ui.protocol.values import parse_change_level, parse_device_error, parse_inventory, parse_levels

# ----------------------------------------------------------------- value rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(35.5, "35.5"), ("35.50", "35.50"), (0, "0"), ("1250.5", "1250.5"), (" 7 ", "7"), (Decimal("0.1"), "0.1")],
)
def test_amounts_parse_to_decimal(raw: object, expected: str) -> None:
    value = parse_amount(raw)
    assert isinstance(value, Decimal) and value == Decimal(expected)


@pytest.mark.parametrize("raw", [True, None, "abc", "", "NaN", "Infinity", "-1", [1], {}, "1e999", "1" * 40])
def test_bad_amounts_are_protocol_errors(raw: object) -> None:
    with pytest.raises(ProtocolError):
        parse_amount(raw)


def test_float_json_never_becomes_float() -> None:
    message = decode('{"comando":"updateCredit","fecha":"x","Credit":0.1,"Due":35.5}')
    assert isinstance(message, m.UpdateCredit)
    assert message.credit == Decimal("0.1") and message.due == Decimal("35.5")


@pytest.mark.parametrize(
    ("amount", "wire"), [("10", "10.00"), ("1250.5", "1250.50"), ("0.005", "0.01"), ("35.555", "35.56")]
)
def test_outgoing_amounts_have_exactly_two_decimals(amount: str, wire: str) -> None:
    assert format_amount(Decimal(amount)) == wire


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("true", True), ("false", False), ("True", True), ("False", False),
     ("1", True), ("0", False), (1, True), (0, False)],
)  # fmt: skip
def test_boolean_spellings(raw: object, expected: bool) -> None:
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["yes", "", 2, None, [], "TRUEISH"])
def test_bad_booleans(raw: object) -> None:
    with pytest.raises(ProtocolError):
        parse_bool(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("", ""), (None, ""), (0, ""), ("0", ""), ("Atasco", "Atasco"), (3, "3")]
)
def test_device_errors(raw: object, expected: str) -> None:
    assert parse_device_error(raw) == expected


def test_change_level_forms() -> None:
    assert parse_change_level(80).percent == 80
    assert parse_change_level(Decimal("0.5")).percent == 50
    assert parse_change_level("0.25").percent == 25
    assert parse_change_level(1).percent == 1
    assert parse_change_level(Decimal("1.0")).percent == 100
    level = parse_change_level("Bajo")
    assert level.percent is None and level.text == "Bajo"
    assert parse_change_level(10).is_low and not parse_change_level(60).is_low


def test_levels_and_inventory_forms() -> None:
    assert parse_levels([3, 4]) == (("#1", 3), ("#2", 4))
    assert parse_levels({"0.5": 10, "1": "12"}) == (("0.5", 10), ("1", 12))
    assert parse_inventory(None) == () and parse_inventory("") == ()
    assert parse_inventory([{"denominacion": "20", "cantidad": 5}]) == (("20", 5),)
    assert parse_inventory({"20": 5, "50": 2}) == (("20", 5), ("50", 2))
    with pytest.raises(ProtocolError):
        parse_inventory([{"denominacion": "20"}])


def test_js_date_matches_json_stringify_new_date() -> None:
    import datetime as dt
    import re

    assert js_date(dt.datetime(2026, 3, 14, 12, 22, 5, 123456, tzinfo=dt.UTC)) == "2026-03-14T12:22:05.123Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", js_date())


# ----------------------------------------------------------------- decode / encode


def test_manual_examples_encode_exactly() -> None:
    fecha = "2026-03-14T18:22:05.123Z"
    assert encode(m.PayCash(Decimal("10")), fecha) == f'{{"fecha":"{fecha}","comando":"paycash","due":"10.00"}}'
    assert encode(m.PayCreditCard(Decimal("10")), fecha) == (
        f'{{"fecha":"{fecha}","comando":"paycreditcard","dueCC":"10.00"}}'
    )
    assert encode(m.Cancel("1"), fecha) == f'{{"fecha":"{fecha}","comando":"cancel","cancelvalue":"1"}}'
    assert encode(m.CashCollect("coin"), fecha) == f'{{"fecha":"{fecha}","comando":"cashcollect","source":"coin"}}'
    assert encode(m.Shutdown("r"), fecha) == f'{{"fecha":"{fecha}","comando":"shutdown","param":"r"}}'
    for bare in (m.OpenDoor(), m.CashRefill(), m.ResetBalance()):
        assert encode(bare, fecha) == f'{{"fecha":"{fecha}","comando":"{bare.COMMAND}"}}'


DOCUMENTED_KEYS = {
    "paycash": {"due"}, "paycreditcard": {"dueCC"}, "cancel": {"cancelvalue"}, "opendoor": set(),
    "cashrefill": set(), "cashcollect": {"source"}, "resetbalance": set(), "shutdown": {"param"},
}  # fmt: skip


def test_documented_commands_carry_exactly_the_documented_keys() -> None:
    samples = {
        m.PayCash: m.PayCash(Decimal(1)), m.PayCreditCard: m.PayCreditCard(Decimal(1)), m.Cancel: m.Cancel("2"),
        m.OpenDoor: m.OpenDoor(), m.CashRefill: m.CashRefill(), m.CashCollect: m.CashCollect("bill"),
        m.ResetBalance: m.ResetBalance(), m.Shutdown: m.Shutdown("s"),
    }  # fmt: skip
    assert set(samples) == set(DOCUMENTED_OUTGOING)
    for message in samples.values():
        obj = json.loads(encode(message))
        assert set(obj) == {"fecha", "comando"} | DOCUMENTED_KEYS[message.COMMAND]


def test_inferred_commands_follow_protocol_md() -> None:
    expected = {
        "checknip": {"nip"}, "getstatus": set(), "arqueo": set(), "bvreset": set(), "checkbr": set(),
        "report": set(), "getscreensettings": set(),
        "savescreensettings": {"showcta", "showeyes", "showtime", "ctamessage"},
        "getproduct": {"codigoproducto"}, "searchproduct": {"search"}, "getnewproductcode": set(),
        "saveproduct": {"codigoproducto", "descripcion", "udm", "precio", "imagen"},
        "deleteproduct": {"codigoproducto"},
    }  # fmt: skip
    for message_type in OUTGOING_TYPES:
        if message_type in DOCUMENTED_OUTGOING:
            continue
        assert {key for _, key, _, _ in message_type.SPEC} == expected[message_type.COMMAND]
    flags = json.loads(encode(m.SaveScreenSettings(True, False, True, "Hola")))
    assert (flags["showcta"], flags["showeyes"], flags["showtime"]) == ("1", "0", "1")
    assert json.loads(encode(m.SaveProduct("1", "Pan", "PZA", Decimal("49"), "")))["precio"] == "49.00"


def test_checknip_repr_hides_the_nip() -> None:
    assert "4321" not in repr(m.CheckNip("4321"))


def test_incoming_status_with_csharp_spellings() -> None:
    text = json.dumps({
        "fecha": "14/03/2026 12:22:05", "comando": "status", "conexiones": "2", "cobrando": "True",
        "bvError": None, "caError": "0", "tarjeta": 1, "Status": "Cobrando", "referenceCC": "",
        "Credit": "20.00", "Due": 35.5, "changeDispensed": 0, "tubesSW": [10, 20, 30],
        "coinCashboxAmount": "12.50", "coinCashboxQty": 5, "billsCashboxAmount": 200, "billsCashboxQty": "2",
        "changeBar": 0.75, "inventory": None, "somethingNew": "ignored",
    })  # fmt: skip
    status = decode(text)
    assert isinstance(status, m.Status)
    assert status.conexiones == 2 and status.cobrando is True and status.tarjeta is True
    assert status.bv_error == "" and status.ca_error == ""
    assert status.credit == Decimal("20.00") and status.due == Decimal("35.5")
    assert status.tubes == (("#1", 10), ("#2", 20), ("#3", 30))
    assert status.change_bar is not None and status.change_bar.percent == 75
    assert status.inventory == ()


def test_missing_fields_are_none() -> None:
    sockets = decode('{"comando":"sockets","fecha":"x","cobrando":false}')
    assert isinstance(sockets, m.Sockets)
    assert sockets.cobrando is False and sockets.credit is None and sockets.due is None


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        "42",
        "null",
        '{"fecha":"x"}',
        '{"comando":5}',
        '{"comando":"nope","fecha":"x"}',
        '{"comando":"status","Credit":NaN}',
        '{"comando":"paycash"}',
        '{"comando":"paycash","due":"-1"}',
    ],
)
def test_junk_frames_raise_only_protocol_error(text: str) -> None:
    with pytest.raises(ProtocolError):
        decode(text)


@pytest.mark.parametrize(
    ("text", "field", "kept"),
    [
        ('{"comando":"status","cobrando":"maybe","Due":"5"}', "status.cobrando", {"due": Decimal(5)}),
        ('{"comando":"updateCredit","Credit":"mucho","Due":"5"}', "updateCredit.Credit", {"due": Decimal(5)}),
        ('{"comando":"access","validNIP":"si","token":"t"}', "access.validNIP", {"token": "t"}),
        ('{"comando":"searchresults","datos":[{"descripcion":"x"}]}', "searchresults.datos", {}),
        ('{"comando":"status","tubesSW":"lots","referenceCC":"9"}', "status.tubesSW", {"reference_cc": "9"}),
        # tubesSW as a list of objects must not cost the final status its referenceCC
        ('{"comando":"status","cobrando":false,"referenceCC":"123456","tubesSW":[{"d":"1","n":3}]}',
         "status.tubesSW", {"reference_cc": "123456", "cobrando": False}),
    ],
)  # fmt: skip
def test_a_field_with_an_unexpected_shape_is_dropped_and_counted(text: str, field: str, kept: dict) -> None:
    from kiosk_ui.protocol.messages import dropped_fields

    before = dropped_fields().get(field, 0)
    message = decode(text)
    assert dropped_fields()[field] == before + 1
    for attr, value in kept.items():
        assert getattr(message, attr) == value
    attr = next(a for a, key, _, _ in type(message).SPEC if f"{message.COMMAND}.{key}" == field)
    assert getattr(message, attr) is None  # dropped reads as "not sent": the state keeps what it knew


def test_three_decimal_prices_are_rounded_half_up_where_they_enter() -> None:
    info = decode('{"comando":"productinfo","codigoproducto":"1","descripcion":"x","precio":"18.505"}')
    assert isinstance(info, m.ProductInfo) and info.price == Decimal("18.51")
    rows = decode('{"comando":"searchresults","datos":[{"codigoproducto":"1","precio":18.504}]}')
    assert isinstance(rows, m.SearchResults) and rows.items and rows.items[0].price == Decimal("18.50")


def test_binary_and_oversized_frames() -> None:
    with pytest.raises(ProtocolError):
        decode(b'{"comando":"status"}')
    with pytest.raises(ProtocolError):
        decode('{"comando":"status","Status":"' + "x" * (5 * 1024 * 1024) + '"}')


def test_command_names_can_be_overridden() -> None:
    codec = Codec({"paycash": "pagarefectivo", "checknip": "validanip"})
    assert json.loads(codec.encode(m.PayCash(Decimal(5))))["comando"] == "pagarefectivo"
    assert codec.decode('{"comando":"pagarefectivo","due":"5.00"}') == m.PayCash(Decimal("5.00"))
    with pytest.raises(ProtocolError):
        codec.decode('{"comando":"paycash","due":"5.00"}')
    with pytest.raises(ValueError):
        Codec({"nosuch": "x"})
    with pytest.raises(ValueError):
        Codec({"paycash": "status"})


# ----------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
commands = st.sampled_from([t.COMMAND for t in (*OUTGOING_TYPES, *INCOMING_TYPES)] + ["x", ""])
wire_keys = st.sampled_from(sorted({key for t in (*OUTGOING_TYPES, *INCOMING_TYPES) for _, key, _, _ in t.SPEC}))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_no_text_makes_decode_raise_anything_else(text: str) -> None:
    with contextlib.suppress(ProtocolError):
        decode(text)


@settings(max_examples=600, deadline=None)
@given(commands, st.dictionaries(wire_keys, json_values, max_size=8))
def test_no_plausible_frame_makes_decode_raise_anything_else(command: str, body: dict[str, object]) -> None:
    text = json.dumps({"fecha": "x", "comando": command, **body}, allow_nan=True)
    with contextlib.suppress(ProtocolError):
        decode(text)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)
short_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=16)

outgoing_messages = st.one_of(
    st.builds(m.PayCash, amounts), st.builds(m.PayCreditCard, amounts),
    st.builds(m.Cancel, st.sampled_from(["1", "2"])), st.builds(m.CashCollect, st.sampled_from(["coin", "bill"])),
    st.builds(m.Shutdown, st.sampled_from(["r", "s"])), st.builds(m.CheckNip, st.text("0123456789", max_size=8)),
    st.builds(m.SaveScreenSettings, st.booleans(), st.booleans(), st.booleans(), short_text),
    st.builds(m.GetProduct, short_text), st.builds(m.SearchProduct, short_text),
    st.builds(m.SaveProduct, short_text, short_text, short_text, amounts, short_text),
    st.builds(m.DeleteProduct, short_text),
    *[st.just(t()) for t in OUTGOING_TYPES if not t.SPEC],
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(outgoing_messages)
def test_every_outgoing_message_round_trips(message: m.Message) -> None:
    text = encode(message)
    obj = json.loads(text)
    assert obj["comando"] == message.COMMAND and isinstance(obj["fecha"], str)
    assert decode(text) == message
    assert list(obj)[:2] == ["fecha", "comando"]
    assert len(fields(message)) == len(obj) - 2  # type: ignore[arg-type]


def test_encode_refuses_fields_past_their_limits() -> None:
    with pytest.raises(ProtocolError):
        encode(m.SaveProduct("1", "Pan", "X" * 17, Decimal(1), ""))
    with pytest.raises(ProtocolError):
        encode(m.PayCash(Decimal("-1")))

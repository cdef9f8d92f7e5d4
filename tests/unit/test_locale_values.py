"""Issue 20 item 1: values in any locale, read once at the codec (decimal comma, unreadable is not absent,
key-case variants, Spanish and numeric "no error" texts, formaPago in any case, configurable lists)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui.config import ConfigError, load
from kiosk_ui.protocol import Codec, ProtocolError
from kiosk_ui.protocol import messages as m
from kiosk_ui.protocol.messages import case_variant_keys, dropped_fields
from kiosk_ui.protocol.values import ValueRules, amount_digits, parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("40,00", "40.00"), ("35,50", "35.50"), ("35,5", "35.5"), ("4,50", "4.50"), ("1.250,50", "1250.50"),
     ("$1,250.00", "1250.00"), ("1,250.5", "1250.5"), ("35.50", "35.50"), ("18.505", "18.505"),
     ("1,250,000", "1250000"), ("1.250.000,00", "1250000.00"), ("$ 35,50", "35.50"), ("7", "7")],
)  # fmt: skip
def test_amount_texts_read_in_auto(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["1,250", "0,500", "40,000", "1,25.0", "35,", ",5", "1.2.3,4", "1,2,3"])
def test_ambiguous_or_broken_amount_texts_are_unreadable_in_auto(raw: str) -> None:
    """Before: ``_GROUPED`` read "40,000" as 40000 and "0,500" as 500."""
    assert amount_digits(raw) is None
    with pytest.raises(ProtocolError):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("separator", "raw", "expected"),
    [(",", "1,250", "1.250"), (",", "1.250", "1250"), (",", "40,000", "40.000"), (".", "1,250", "1250"),
     (".", "40,000", "40000"), (".", "1.250", "1.250")],
)  # fmt: skip
def test_a_pinned_separator_reads_the_ambiguous_forms(separator: str, raw: str, expected: str) -> None:
    assert amount_digits(raw, separator) == expected


@pytest.mark.parametrize(("separator", "raw"), [(".", "40,00"), (",", "35.50"), (",", "1,250.50")])
def test_a_pinned_separator_refuses_the_other_locale(separator: str, raw: str) -> None:
    assert amount_digits(raw, separator) is None


def test_comma_amounts_reach_the_messages() -> None:
    status = Codec().decode('{"comando":"status","Credit":"40,00","Due":"35,50","changeDispensed":"4,50"}')
    assert isinstance(status, m.Status)
    assert (status.credit, status.due, status.change_dispensed) == (Decimal("40"), Decimal("35.5"), Decimal("4.5"))
    assert status.unreadable == frozenset()


def test_an_unreadable_field_is_named_not_dropped_as_absent() -> None:
    before = dropped_fields().get("status.Credit", 0)
    status = Codec().decode('{"comando":"status","Credit":"40,000","Due":"35.50"}')
    assert isinstance(status, m.Status)
    assert status.credit is None and status.unreadable == frozenset({"credit"})
    assert dropped_fields()["status.Credit"] == before + 1
    absent = Codec().decode('{"comando":"status","Due":"35.50"}')
    assert isinstance(absent, m.Status) and absent.unreadable == frozenset()
    update = Codec().decode('{"comando":"updateCredit","Credit":"abc","Due":"x"}')
    assert isinstance(update, m.UpdateCredit) and update.unreadable == frozenset({"credit", "due"})
    sockets = Codec().decode('{"comando":"sockets","cobrando":"maybe","formaPago":"bitcoin"}')
    assert isinstance(sockets, m.Sockets) and sockets.unreadable == frozenset({"cobrando", "forma_pago"})


def test_a_pinned_separator_reaches_the_codec() -> None:
    frame = '{"comando":"status","Credit":"1,250"}'
    assert Codec().decode(frame).unreadable == frozenset({"credit"})
    assert Codec(rules=ValueRules.make(",")).decode(frame).credit == Decimal("1.25")
    assert Codec(rules=ValueRules.make(".")).decode(frame).credit == Decimal("1250")


def test_key_case_variants_are_read_and_counted() -> None:
    before = case_variant_keys().get("status.credit", 0)
    status = Codec().decode('{"comando":"status","credit":"40.00","Cobrando":"True","due":"35.50"}')
    assert isinstance(status, m.Status)
    assert (status.credit, status.cobrando, status.due) == (Decimal("40"), True, Decimal("35.5"))
    assert case_variant_keys()["status.credit"] == before + 1
    exact = Codec().decode('{"comando":"status","Credit":"1.00","credit":"2.00"}')
    assert exact.credit == Decimal("1")  # the documented key wins


@pytest.mark.parametrize("raw", ['"Sin error"', '"NINGUNO"', '"correcto"', "-1", '"-1"', '" ok "', "null", "0"])
def test_spanish_and_numeric_no_error_texts(raw: str) -> None:
    status = Codec().decode(f'{{"comando":"status","bvError":{raw},"caError":{raw}}}')
    assert (status.bv_error, status.ca_error) == ("", "")


def test_real_device_errors_stay_and_the_list_is_configurable() -> None:
    frame = '{"comando":"status","bvError":"Atasco","caError":"Todo bien"}'
    assert Codec().decode(frame).bv_error == "Atasco"
    assert Codec().decode(frame).ca_error == "Todo bien"
    configured = Codec(rules=ValueRules.make(no_error_texts=["TODO BIEN"]))
    assert configured.decode(frame).ca_error == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("TARJETA", "tarjeta"), ("Tarjeta", "tarjeta"), (" efectivo ", "efectivo"), ("EFECTIVO", "efectivo"), ("", "")],
)
def test_forma_pago_is_normalised_at_the_codec(raw: str, expected: str) -> None:
    sockets = Codec().decode(f'{{"comando":"sockets","formaPago":"{raw}"}}')
    assert sockets.forma_pago == expected


def test_forma_pago_names_are_configurable() -> None:
    codec = Codec(rules=ValueRules.make(card_names=["TDC"], cash_names=["Contado"]))
    assert codec.decode('{"comando":"sockets","formaPago":"tdc"}').forma_pago == "tarjeta"
    assert codec.decode('{"comando":"sockets","formaPago":"CONTADO"}').forma_pago == "efectivo"
    with pytest.raises(ValueError, match="distinct"):
        ValueRules.make(card_names=["efectivo"])


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_locale_settings_load_from_the_config(tmp_path: Path) -> None:
    config = load(_config(tmp_path, '[protocol]\ndecimal_separator = ","\ncard_names = ["TDC"]\n'))
    assert config.link.decimal_separator == ","
    assert config.codec().decode('{"comando":"status","Credit":"1,250"}').credit == Decimal("1.25")
    with pytest.raises(ConfigError, match="decimal_separator"):
        load(_config(tmp_path, '[protocol]\ndecimal_separator = ";"\n'))


@pytest.mark.parametrize("value", ["02", " 2", "2.0", "2 ", "2,0", "+2", "002", "two", "1.0", ""])
def test_cancel_payment_must_be_an_integer_other_than_two(tmp_path: Path, value: str) -> None:
    """Issue 20 "smaller": "02" (or " 2", "2.0") passed validation and a C# int.Parse reads it as 2."""
    with pytest.raises(ConfigError) as caught:
        load(_config(tmp_path, f'[protocol]\ncancel_payment = "{value}"\n'))
    assert "\n" not in str(caught.value)


def test_cancel_payment_plain_integers_pass(tmp_path: Path) -> None:
    assert load(_config(tmp_path, '[protocol]\ncancel_payment = "3"\ncancel_refill_end = "2"\n')).cancel_payment == "3"


@pytest.mark.parametrize("raw", ["١٢", "1²", "1_000", "1e3", "-5", "5-", "$$5", "5 $"])
def test_only_plain_ascii_amount_texts_are_read(raw: str) -> None:
    assert amount_digits(raw) is None
    with pytest.raises(ProtocolError):
        parse_amount(raw)


def test_change_bar_with_a_decimal_comma() -> None:
    from kiosk_ui.protocol.values import parse_change_level

    assert parse_change_level("75,5%").percent == Decimal("75.5")
    assert parse_change_level("0,5").percent == Decimal("50.0")
    assert parse_change_level("1,000").percent is None  # ambiguous: shown as text

"""The keypad's amount rules, by example and by fuzzing key sequences (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_ui.amount_entry import KEYS, AmountEntry


def typed(keys: str, maximum: str = "10000") -> AmountEntry:
    entry = AmountEntry(Decimal(maximum))
    for key in keys:
        entry.press("del" if key == "<" else key)
    return entry


def test_examples() -> None:
    assert typed("35.5").value == Decimal("35.5")
    assert typed("35.555").text == "35.55"
    assert typed("0.5").value == Decimal("0.5") and typed(".5").text == "0.5"
    assert typed("007").text == "0"
    assert typed("1..2").text == "1.2"
    assert typed("99999").text == "9999"
    assert typed("12<3").text == "13"
    assert typed("").value == 0 and typed("5.").value == 5


def test_hints() -> None:
    entry = AmountEntry(Decimal("100"))
    assert entry.press("0") is None and entry.press("0") == "hint_leading_zero"
    assert entry.press(".") is None and entry.press(".") == "hint_second_dot"
    assert entry.press("1") is None and entry.press("2") is None and entry.press("3") == "hint_max_decimals"
    assert AmountEntry(Decimal("100"), "99").press("9") == "hint_max_amount"
    assert entry.press("x") == "err_amount"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*KEYS, "x", "", "00"]), max_size=30),
       st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2))  # fmt: skip
def test_no_key_sequence_breaks_the_rules(keys: list[str], maximum: Decimal) -> None:
    entry = AmountEntry(maximum)
    for key in keys:
        entry.press(key)
        value = entry.value
        assert 0 <= value <= maximum
        assert entry.text.count(".") <= 1
        assert len(entry.text.partition(".")[2]) <= 2
        assert not (entry.text.startswith("0") and len(entry.text) > 1 and entry.text[1] != ".")

"""Quick picks storage: validated, at most 12, atomic file, listeners told after the save."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui.quick_picks import MAX_PICKS, Pick, PickError, QuickPicks


def pick(code: str, price: str = "12.5") -> Pick:
    return Pick(code=code, description=f"Producto {code}", price=Decimal(price), udm="pieza", image="")


def test_pin_saves_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / "quick-picks.json"
    picks = QuickPicks(path)
    picks.pin(pick("A1", "12.505"))
    picks.pin(pick("B2"))
    again = QuickPicks(path).items()
    assert [p.code for p in again] == ["A1", "B2"]
    assert again[0].price == Decimal("12.51") and isinstance(again[0].price, Decimal)
    assert json.loads(path.read_text(encoding="utf-8"))["picks"][0]["price"] == "12.51"
    assert not list(tmp_path.glob("*.tmp"))


def test_pin_same_code_updates_in_place(tmp_path: Path) -> None:
    picks = QuickPicks(tmp_path / "q.json")
    picks.pin(pick("A1"))
    picks.pin(pick("B2"))
    picks.pin(pick("A1", "3"))
    assert [(p.code, p.price) for p in picks.items()] == [("A1", Decimal("3.00")), ("B2", Decimal("12.50"))]


def test_at_most_twelve_and_a_full_list_changes_nothing(tmp_path: Path) -> None:
    picks = QuickPicks(tmp_path / "q.json")
    for i in range(MAX_PICKS):
        picks.pin(pick(f"C{i}"))
    heard: list[list[Pick]] = []
    picks.on_change(heard.append)
    with pytest.raises(PickError):
        picks.pin(pick("X"))
    assert len(picks) == MAX_PICKS and "X" not in picks and not heard
    assert len(QuickPicks(tmp_path / "q.json").items()) == MAX_PICKS


@pytest.mark.parametrize(
    "bad",
    [Pick("", "x", Decimal(1)), Pick("A", "", Decimal(1)), Pick("A", "x", Decimal(-1)),
     Pick("A", "x", Decimal("NaN")), Pick("A\n", "x", Decimal("1e9")), Pick("A" * 65, "x", Decimal(1))],
)  # fmt: skip
def test_invalid_pick_is_refused(tmp_path: Path, bad: Pick) -> None:
    picks = QuickPicks(tmp_path / "q.json")
    with pytest.raises(PickError):
        picks.pin(bad)
    assert picks.items() == [] and not (tmp_path / "q.json").exists()


def test_unpin_move_and_listeners(tmp_path: Path) -> None:
    picks = QuickPicks(tmp_path / "q.json")
    heard: list[list[str]] = []
    stop = picks.on_change(lambda items: heard.append([p.code for p in items]))
    picks.pin(pick("A"))
    picks.pin(pick("B"))
    assert picks.move("B", -1) and not picks.move("B", -1)
    assert picks.unpin("A") and not picks.unpin("A")
    stop()
    picks.pin(pick("C"))
    assert heard == [["A"], ["A", "B"], ["B", "A"], ["B"]]
    assert [p.code for p in QuickPicks(tmp_path / "q.json").items()] == ["B", "C"]


def test_damaged_file_shows_valid_entries_only(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    good = {"code": "A", "description": "Agua", "price": "10.00", "udm": "pieza", "image": ""}
    entries = [good, {"code": "B", "description": "x", "price": 1.5}, "junk", dict(good), {"code": "", "price": "1"}]
    path.write_text(json.dumps({"picks": entries}), encoding="utf-8")
    assert [p.code for p in QuickPicks(path).items()] == ["A"]
    path.write_text("{not json", encoding="utf-8")
    assert QuickPicks(path).items() == []
    path.write_text("[]", encoding="utf-8")
    assert QuickPicks(path).items() == []


def test_items_is_a_copy(tmp_path: Path) -> None:
    picks = QuickPicks(tmp_path / "q.json")
    picks.pin(pick("A"))
    picks.items().clear()
    assert len(picks.items()) == 1

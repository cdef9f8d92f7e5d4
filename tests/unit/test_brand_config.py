"""``[brand]``: the shop's name, logo and accent colour, checked when the config is read; the live
figures are hooked in the browser by their own ``data-live`` key, not by test ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk_ui.brand_config import DEFAULT_ACCENT, contrast_with_white
from kiosk_ui.config import ConfigError, load
from kiosk_ui.ui.theme import STATIC_DIR


def write(tmp_path: Path, brand: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[brand]\n{brand}\n", encoding="utf-8")
    return path


def test_defaults_without_a_brand_table(tmp_path: Path) -> None:
    brand = load(None).brand
    assert brand.name == "" and brand.logo is None and brand.accent == DEFAULT_ACCENT


def test_a_good_brand_loads_with_its_logo_beside_the_config(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    config = load(write(tmp_path, 'name = " Abarrotes La Esperanza "\nlogo = "logo.svg"\naccent = "#0F766E"'))
    assert config.brand.name == "Abarrotes La Esperanza"
    assert config.brand.logo == tmp_path / "logo.svg"
    assert config.brand.accent == "#0f766e"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('accent = "#ffd700"', "too light"),
        ('accent = "teal"', "colour like"),
        ('name = "' + "x" * 41 + '"', "at most 40"),
        ('logo = "missing.svg"', "missing.svg"),
        ('logo = "logo.gif"', "must be one of"),
        ('colour = "#000000"', "unknown setting [brand] colour"),
    ],
)
def test_bad_brand_settings_are_refused_in_one_line(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load(write(tmp_path, line))


def test_contrast_figures() -> None:
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white(DEFAULT_ACCENT) >= 4.5


def test_receipt_is_headed_by_the_shop() -> None:
    from decimal import Decimal

    from kiosk_ui.kiosk import PaymentResult
    from kiosk_ui.ui.components.receipt import receipt_text

    result = PaymentResult(id="abc", method="cash", outcome="completed", due=Decimal("10"), credit=Decimal("10"))
    assert receipt_text(result, merchant="Tienda Sol").splitlines()[0] == "TIENDA SOL"
    assert receipt_text(result).splitlines()[0] == "QUICKPAYMINI"


def test_live_figures_are_found_by_data_live_not_by_test_ids() -> None:
    script = (STATIC_DIR / "kiosk.js").read_text(encoding="utf-8")
    live = script.split("window.kioskLive", 1)[1].split("};", 1)[0]
    assert "data-live" in live and "data-testid" not in live


def test_photos_of_the_real_slots_load_beside_the_config(tmp_path: Path) -> None:
    """Issue 21: ``[brand]`` may give photos of this cabinet's bill and coin slots for the payment screen."""
    (tmp_path / "bills.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    config = load(write(tmp_path, 'bill_slot_photo = "bills.jpg"'))
    assert config.brand.bill_slot_photo == tmp_path / "bills.jpg" and config.brand.coin_slot_photo is None
    with pytest.raises(ConfigError, match="coin_slot_photo must be one of"):
        load(write(tmp_path, 'coin_slot_photo = "coins.gif"'))
    with pytest.raises(ConfigError, match=r"coins\.png"):
        load(write(tmp_path, 'coin_slot_photo = "coins.png"'))  # missing

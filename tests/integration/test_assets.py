"""The top-level assets/ (sounds, pictograms): shipped inside the wheel, found at run time, served, usable."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import httpx
import pytest
from nicegui import core, ui

from kiosk_ui.ui import i18n
from kiosk_ui.ui.components.pictogram import PICTOGRAMS, pictogram, pictogram_url
from kiosk_ui.ui.theme import ASSETS_DIR, find_assets_dir

from ..helpers import Env

REPO = Path(__file__).resolve().parents[2]
SOUNDS = sorted(p.name for p in (REPO / "assets" / "sounds").glob("*.wav"))
IMAGES = sorted(p.name for p in (REPO / "assets" / "img").glob("*.svg"))
SVG = "{http://www.w3.org/2000/svg}"


def test_the_layout_is_top_level() -> None:
    assert {"coin.wav", "success.wav", "error.wav", "cancel.wav", "touch.wav"} <= set(SOUNDS)
    assert set(IMAGES) == {f"{name}.svg" for name in PICTOGRAMS}
    assert not (REPO / "kiosk_ui" / "assets").exists(), "assets live at the top level, the build copies them"


def test_the_wheel_holds_the_sounds_and_images(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("kiosk_ui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"kiosk_ui/assets/sounds/{name}" for name in SOUNDS} <= names
    assert {f"kiosk_ui/assets/img/{name}" for name in IMAGES} <= names
    assert {"kiosk_ui/ui/static/kiosk.css", "kiosk_ui/ui/static/kiosk.js"} <= names
    assert not [name for name in names if name.startswith("assets/")], "assets only inside the package"
    # test and benchmark helpers stay in the checkout: nothing of devtools/ (or the tests) ships
    assert not [name for name in names if name.startswith(("devtools/", "tests/", "benchmarks/"))]
    assert not [name for name in names if "devtools" in name]


def test_assets_found_in_the_package_first_then_the_checkout(tmp_path: Path) -> None:
    package = tmp_path / "checkout" / "kiosk_ui"
    (package.parent / "assets" / "sounds").mkdir(parents=True)
    package.mkdir()
    assert find_assets_dir(package) == package.parent / "assets"  # editable install: the checkout's assets/
    (package / "assets" / "sounds").mkdir(parents=True)
    assert find_assets_dir(package) == package / "assets"  # installed wheel: the packaged copy
    with pytest.raises(FileNotFoundError, match="assets not found"):
        find_assets_dir(tmp_path / "elsewhere" / "kiosk_ui")
    assert (ASSETS_DIR / "img" / "bill-slot.svg").is_file()


@pytest.mark.parametrize("name", PICTOGRAMS)
def test_pictograms_are_accessible_and_self_contained(name: str) -> None:
    text = (REPO / "assets" / "img" / f"{name}.svg").read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox") == "0 0 96 96"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text and root.get("aria-labelledby") == title.get("id")
    assert "currentColor" in text
    assert "href" not in text and "<script" not in text and "<text" not in text  # no fetches, scripts or fonts
    es, en = i18n.STRINGS[f"pictogram_{name}"]
    desc = root.find(f"{SVG}desc")
    assert title.text == es and desc is not None and desc.text == en


async def test_pictogram_component(env: Env) -> None:
    user = env.new_user()
    await user.open("/")
    with user, ui.element() as box:
        bill = pictogram("bill-slot", pulse=True, size=160)
        card = pictogram("card-tap", lang="en")
    assert bill.props["src"] == "/kiosk-assets/img/bill-slot.svg" and bill.props["width"] == 160
    assert bill.props["alt"].startswith("Ranura de billetes") and "pulse" in bill.classes
    assert card.props["alt"].startswith("Contactless") and "pulse" not in card.classes
    assert card.props["width"] == 96
    assert bill.tag == "img" and "kiosk-pictogram" in bill.classes
    with pytest.raises(ValueError, match="unknown pictogram"):
        pictogram_url("../journal")
    with user, pytest.raises(ValueError, match="size"):
        pictogram("coin-slot", size=0)
    with user:
        box.delete()


async def test_sounds_and_pictograms_are_served(env: Env) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url="http://test") as http:
        image = await http.get(pictogram_url("change-tray"))
        sound = await http.get("/kiosk-assets/sounds/coin.wav")
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg+xml")
    assert image.content == (REPO / "assets" / "img" / "change-tray.svg").read_bytes()
    assert sound.status_code == 200 and sound.content[:4] == b"RIFF"


def test_pulse_animates_only_transform_and_opacity_and_respects_reduced_motion() -> None:
    css = (REPO / "kiosk_ui" / "ui" / "static" / "kiosk.css").read_text(encoding="utf-8")
    keyframes = css.split("@keyframes kiosk-pulse", 1)[1].split("}\n", 1)[0]
    properties = {part.split(":")[0].strip(" {") for part in keyframes.split(";") if ":" in part}
    assert {p.split("{")[-1].strip() for p in properties} == {"transform", "opacity"}
    reduced = [line for line in css.splitlines() if "prefers-reduced-motion" in line and "pulse" in line]
    assert reduced and "animation: none" in reduced[0]

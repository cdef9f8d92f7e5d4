"""Product images: type and content checks, names that cannot escape the folder, lookup by code."""

from __future__ import annotations

from pathlib import Path

from kiosk_ui import product_images

from ..helpers import tiny_png


def test_check_accepts_real_images_only() -> None:
    assert product_images.check(tiny_png(), "image/png") == ".png"
    assert product_images.check(b"\xff\xd8\xff\xe0rest", "image/jpeg") == ".jpg"
    assert product_images.check(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp") == ".webp"
    assert product_images.check(b"RIFF\x00\x00\x00\x00WAVEfmt ", "image/webp") == ""  # a WAV is not a WebP
    assert product_images.check(tiny_png(), "image/gif") == ""
    assert product_images.check(b"<svg onload=alert(1)>", "image/png") == ""


def test_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    for code in ("../../etc/passwd", "///", "a\\b", "C:x"):
        name = product_images.stem(code)
        assert name.startswith("p-") and name[2:].isalnum() and name.isascii()
    (tmp_path / "secret.png").write_bytes(b"x")
    assert product_images.url(tmp_path, "../secret.png") == ""
    assert product_images.url(tmp_path, "nothing.png") == ""
    assert product_images.url(tmp_path, "https://example.invalid/a.png") == "https://example.invalid/a.png"


def test_find_by_code(tmp_path: Path) -> None:
    folder = product_images.folder(tmp_path)
    folder.mkdir()
    assert product_images.find(tmp_path, "7501") == ""
    (folder / "7501.webp").write_bytes(b"RIFF")  # stored under the older name: still found
    assert product_images.find(tmp_path, "7501") == "7501.webp"
    assert product_images.url(tmp_path, "7501.webp") == "/product-images/7501.webp"
    new = product_images.stem("7501") + ".png"
    (folder / new).write_bytes(b"x")  # the current name wins
    assert product_images.find(tmp_path, "7501") == new


WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def test_names_never_collide_and_are_safe_on_windows(tmp_path: Path) -> None:
    codes = ["A-1", "A1", "a1", "A 1", "CON", "NUL", "con.txt", "LPT1", "ñandú", "x" * 200]
    names = [product_images.stem(code) for code in codes]
    assert len(set(names)) == len(codes)  # A-1 and A1 (and a1) no longer share a file
    for name in names:
        assert name.split(".")[0].upper() not in WINDOWS_DEVICES
        assert len(name) < 64 and all(c.isascii() and (c.isalnum() or c == "-") for c in name)
    folder = product_images.folder(tmp_path)
    folder.mkdir()
    (folder / f"{product_images.stem('A-1')}.png").write_bytes(b"x")
    assert product_images.find(tmp_path, "A-1")
    assert product_images.find(tmp_path, "A1") == ""

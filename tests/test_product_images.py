"""Product images: type and content checks, names that cannot escape the folder, lookup by code."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from kiosk_ui import product_images


def tiny_png() -> bytes:
    """A valid 1×1 PNG, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + \
        chunk(b"IEND", b"")  # fmt: skip


def test_check_accepts_real_images_only() -> None:
    assert product_images.check(tiny_png(), "image/png") == ".png"
    assert product_images.check(b"\xff\xd8\xff\xe0rest", "image/jpeg") == ".jpg"
    assert product_images.check(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp") == ".webp"
    assert product_images.check(b"RIFF\x00\x00\x00\x00WAVEfmt ", "image/webp") == ""  # a WAV is not a WebP
    assert product_images.check(tiny_png(), "image/gif") == ""
    assert product_images.check(b"<svg onload=alert(1)>", "image/png") == ""


def test_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    assert product_images.stem("../../etc/passwd") == "etcpasswd"
    assert product_images.stem("///") == "producto"
    (tmp_path / "secret.png").write_bytes(b"x")
    assert product_images.url(tmp_path, "../secret.png") == ""
    assert product_images.url(tmp_path, "nothing.png") == ""
    assert product_images.url(tmp_path, "https://example.invalid/a.png") == "https://example.invalid/a.png"


def test_find_by_code(tmp_path: Path) -> None:
    folder = product_images.folder(tmp_path)
    folder.mkdir()
    assert product_images.find(tmp_path, "7501") == ""
    (folder / "7501.webp").write_bytes(b"RIFF")
    assert product_images.find(tmp_path, "7501") == "7501.webp"
    assert product_images.url(tmp_path, "7501.webp") == "/product-images/7501.webp"

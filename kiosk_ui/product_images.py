"""Product images uploaded in the staff catalog: checked, stored in the data dir, found by code.

An image is stored as ``p-<hash of the code><ext>`` so that the customer screen finds it from the
product code alone (the engine's ``productinfo`` carries no image). A hash, not the code: ``A-1``
and ``A1`` never share a file, and no code becomes a Windows device name (``CON``, ``NUL``) or a
path. Images stored under the older ``<letters and digits of the code><ext>`` are still found.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

URL_PREFIX = "/product-images"
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
MAX_IMAGE_BYTES = 1024 * 1024
_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".webp": (b"RIFF",)}


def folder(data_dir: Path) -> Path:
    return data_dir / "product-images"


def stem(code: str) -> str:
    """The file name (without extension) for a product code: distinct per code, safe on every OS."""
    return "p-" + hashlib.sha256(code.encode("utf-8")).hexdigest()[:32]


def legacy_stem(code: str) -> str:
    """How images were named before (letters and digits of the code): read, never written."""
    return "".join(c for c in code if c.isalnum())[:64] or "producto"


def check(data: bytes, content_type: str) -> str:
    """The file extension for an acceptable image, or '' when its type or content is wrong."""
    ext = IMAGE_TYPES.get(content_type, "")
    if not ext or not data.startswith(_SIGNATURES[ext]) or (ext == ".webp" and data[8:12] != b"WEBP"):
        return ""
    return ext


def find(data_dir: Path, code: str) -> str:
    """The stored image's file name for ``code``, or ''."""
    base = folder(data_dir)
    for name in (stem(code), legacy_stem(code)):
        for ext in IMAGE_TYPES.values():
            if (base / f"{name}{ext}").is_file():
                return f"{name}{ext}"
    return ""


def url(data_dir: Path, image: str) -> str:
    """Where a browser loads ``imagen`` from: a data URI, an http(s) URL, or a stored file name."""
    if image.startswith(("data:image/", "http://", "https://")):
        return image
    if image and "/" not in image and "\\" not in image and (folder(data_dir) / image).is_file():
        return f"{URL_PREFIX}/{image}"
    return ""

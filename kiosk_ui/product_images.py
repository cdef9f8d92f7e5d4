"""Product images uploaded in the staff catalog: checked, stored in the data dir, found by code.

An image is stored as ``<code><ext>`` so that the customer screen finds it from the product
code alone (the engine's ``productinfo`` carries no image).
"""

from __future__ import annotations

from pathlib import Path

URL_PREFIX = "/product-images"
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
MAX_IMAGE_BYTES = 1024 * 1024
_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".webp": (b"RIFF",)}


def folder(data_dir: Path) -> Path:
    return data_dir / "product-images"


def stem(code: str) -> str:
    """A file name from a product code: letters and digits only, so no path can be smuggled in."""
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
    for ext in IMAGE_TYPES.values():
        if (base / f"{stem(code)}{ext}").is_file():
            return f"{stem(code)}{ext}"
    return ""


def url(data_dir: Path, image: str) -> str:
    """Where a browser loads ``imagen`` from: a data URI, an http(s) URL, or a stored file name."""
    if image.startswith(("data:image/", "http://", "https://")):
        return image
    if image and "/" not in image and "\\" not in image and (folder(data_dir) / image).is_file():
        return f"{URL_PREFIX}/{image}"
    return ""

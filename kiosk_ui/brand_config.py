"""``[brand]``: the shop's name, logo, accent colour and photos of its cabinet's slots, checked when the
config is read (:func:`parse_brand`; :mod:`kiosk_ui.config` calls it for the ``[brand]`` table)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: [brand]: the shop's own name, logo and accent colour on the customer screen and its receipt
BRAND_LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
BRAND_LOGO_MAX_BYTES = 512 * 1024
BRAND_NAME_MAX = 40
DEFAULT_ACCENT = "#0b4fd6"


@dataclass(frozen=True)
class BrandConfig:
    #: shown beside the logo on the idle screen and heading the receipt ('' = no name)
    name: str = ""
    #: a logo file (svg, png, jpg, webp); None = assets/img/logo-default.svg
    logo: Path | None = None
    #: buttons and highlights; white text on it must keep WCAG AA contrast (4.5:1)
    accent: str = DEFAULT_ACCENT
    #: photos of this cabinet's real bill and coin slots, shown on the payment screen in place of the
    #: drawings (``bill_slot_photo``, ``coin_slot_photo``; same file rules as the logo); None = the drawing
    bill_slot_photo: Path | None = None
    coin_slot_photo: Path | None = None


def _luminance(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on ``colour`` (#RRGGBB)."""
    return 1.05 / (_luminance(colour) + 0.05)


def parse_brand(entries: Any, base: Path) -> BrandConfig:
    """``[brand]`` name, logo (relative to the config file's folder), accent: checked, or ConfigError."""
    if not isinstance(entries, dict):
        raise ConfigError("[brand] must be a table")
    unknown = set(entries) - {"name", "logo", "accent", "bill_slot_photo", "coin_slot_photo"}
    if unknown:
        raise ConfigError(f"unknown setting [brand] {sorted(unknown)[0]}")
    name = entries.get("name", "")
    if not isinstance(name, str) or len(name.strip()) > BRAND_NAME_MAX or any(ord(c) < 32 for c in name):
        raise ConfigError(f"[brand] name must be text of at most {BRAND_NAME_MAX} characters")
    accent = entries.get("accent", DEFAULT_ACCENT)
    if not isinstance(accent, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", accent.strip()):
        raise ConfigError(f'[brand] accent must be a colour like "#0b4fd6", got {accent!r}')
    accent = accent.strip().lower()
    if contrast_with_white(accent) < 4.5:
        raise ConfigError(
            f"[brand] accent {accent} is too light: white text on it has contrast "
            f"{contrast_with_white(accent):.1f}:1, at least 4.5:1 is needed (WCAG AA)"
        )
    bill, coin = _brand_image(entries, "bill_slot_photo", base), _brand_image(entries, "coin_slot_photo", base)
    return BrandConfig(name=name.strip(), logo=_brand_image(entries, "logo", base), accent=accent,
                       bill_slot_photo=bill, coin_slot_photo=coin)  # fmt: skip


def _brand_image(entries: dict[str, Any], key: str, base: Path) -> Path | None:
    """``[brand] key``: an image file (relative to the config file's folder), checked; None when not set."""
    if key not in entries:
        return None
    if not isinstance(entries[key], str) or not entries[key].strip():
        raise ConfigError(f"[brand] {key} must be a file path")
    path = Path(entries[key].strip()).expanduser()
    path = path if path.is_absolute() else base / path
    if path.suffix.lower() not in BRAND_LOGO_TYPES:
        raise ConfigError(f"[brand] {key} must be one of {', '.join(BRAND_LOGO_TYPES)}, got {path.name!r}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConfigError(f"[brand] {key} {path}: {exc.strerror or exc}") from None
    if not path.is_file() or size == 0 or size > BRAND_LOGO_MAX_BYTES:
        raise ConfigError(f"[brand] {key} {path} must be a file of 1 byte to {BRAND_LOGO_MAX_BYTES // 1024} KiB")
    return path

"""Who may read the machine-facing routes (/metrics, the full /health): loopback and the configured addresses."""

from __future__ import annotations

import ipaddress

from .config import Config


def trusted(host: str | None, config: Config) -> bool:
    """True for a loopback client or one listed in ``config.allowed_addresses``."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if address.is_loopback or (
        isinstance(address, ipaddress.IPv6Address) and bool(address.ipv4_mapped and address.ipv4_mapped.is_loopback)
    ):
        return True
    for allowed in config.allowed_addresses:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False

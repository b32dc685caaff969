"""Helpers the vendor templates share: comments, masks, names."""

from __future__ import annotations

import ipaddress
import re

__all__ = ["comments", "mask", "safe_name", "split", "wildcard"]


def comments(head: list[str], prefix: str = "#") -> list[str]:
    """``head`` as comment lines."""
    return [f"{prefix} {line}" if line else prefix for line in head]


def split(cidr: str) -> tuple[str, int]:
    """``'198.18.0.0/24'`` -> ``('198.18.0.0', 24)`` (host bits cleared)."""
    net = ipaddress.ip_network(cidr, strict=False)
    return str(net.network_address), net.prefixlen


def mask(cidr: str) -> tuple[str, str]:
    """Network address and dotted netmask."""
    net = ipaddress.ip_network(cidr, strict=False)
    return str(net.network_address), str(net.netmask)


def wildcard(cidr: str) -> tuple[str, str]:
    """Network address and Cisco wildcard (inverse) mask."""
    net = ipaddress.ip_network(cidr, strict=False)
    return str(net.network_address), str(net.hostmask)


def safe_name(name: str, limit: int = 31) -> str:
    """A name made of letters, digits, ``-`` and ``_`` only, cut to ``limit``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)[:limit] or "tunnel"

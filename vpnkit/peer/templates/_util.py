"""Helpers the vendor templates share: comments, masks, names."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["comments", "mask", "safe_name", "split", "wildcard"]


def comments(head: list[str], prefix: str = "#") -> list[str]:
    """``head`` as comment lines."""
    return [f"{prefix} {line}" if line else prefix for line in head]


def _parse(cidr: str) -> tuple[int, int]:
    """``'a.b.c.d/n'`` -> (network as an int, prefix length); host bits cleared."""
    addr, _, plen = cidr.partition("/")
    parts = addr.split(".")
    prefix = int(plen) if plen else 32
    if len(parts) != 4 or not 0 <= prefix <= 32:
        raise ValueError(f"not an IPv4 CIDR: {cidr!r}")
    value = 0
    for part in parts:
        octet = int(part)
        if not 0 <= octet <= 255:
            raise ValueError(f"not an IPv4 CIDR: {cidr!r}")
        value = value << 8 | octet
    netmask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return value & netmask, prefix


def _dotted(value: int) -> str:
    return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


@lru_cache(maxsize=4096)
def split(cidr: str) -> tuple[str, int]:
    """``'198.18.0.0/24'`` -> ``('198.18.0.0', 24)`` (host bits cleared)."""
    net, prefix = _parse(cidr)
    return _dotted(net), prefix


@lru_cache(maxsize=4096)
def mask(cidr: str) -> tuple[str, str]:
    """Network address and dotted netmask."""
    net, prefix = _parse(cidr)
    return _dotted(net), _dotted((0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF)


@lru_cache(maxsize=4096)
def wildcard(cidr: str) -> tuple[str, str]:
    """Network address and Cisco wildcard (inverse) mask."""
    net, prefix = _parse(cidr)
    return _dotted(net), _dotted(0xFFFFFFFF >> prefix)


def safe_name(name: str, limit: int = 31) -> str:
    """A name made of letters, digits, ``-`` and ``_`` only, cut to ``limit``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)[:limit] or "tunnel"

"""IPv4 CIDR parsing with helpful messages, and O(n log n) overlap detection.

Shared by client-side validation and the emulator's own checks (pure, no vpnkit imports).
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, ip_network
from socket import AF_INET, inet_pton
from typing import TypeVar

__all__ = [
    "contains",
    "find_overlaps",
    "find_range_overlaps",
    "overlaps",
    "parse_address",
    "parse_block",
    "parse_network",
]

T = TypeVar("T")

_CACHE_SIZE = 1 << 16
_valid_blocks: dict[str, tuple[int, int]] = {}


def parse_network(text: object) -> IPv4Network:
    """Parse a strict IPv4 network; ``ValueError`` says what is wrong and suggests a fix."""
    if not isinstance(text, str):
        raise ValueError(f"expected a CIDR string such as 10.0.0.0/16, got {text!r}")
    value = text.strip()
    if value != text:
        raise ValueError(f"{text!r} has surrounding whitespace; write {value!r}")
    if "/" not in value:
        raise ValueError(f"{text!r} has no prefix length; write it as CIDR, e.g. {value}/32")
    try:
        net = ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid IPv4 CIDR block") from None
    if not isinstance(net, IPv4Network):
        raise ValueError(f"{text!r} is IPv6; only IPv4 CIDR blocks are supported here")
    if str(net) != value:
        address = value.split("/", 1)[0]
        if IPv4Address(address) != net.network_address:
            raise ValueError(f"{text!r} has host bits set; did you mean {net}?")
        raise ValueError(f"{text!r} is not in canonical form; write {net}")
    return net


def parse_address(text: object) -> IPv4Address:
    """Parse an IPv4 address; ``ValueError`` names the bad value."""
    if not isinstance(text, str):
        raise ValueError(f"expected an IPv4 address, got {text!r}")
    try:
        return IPv4Address(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid IPv4 address") from None


def overlaps(a: IPv4Network, b: IPv4Network) -> bool:
    """True if the two blocks share at least one address."""
    return a.overlaps(b)


def contains(outer: IPv4Network, inner: IPv4Network) -> bool:
    """True if ``inner`` lies entirely inside ``outer``."""
    return inner.subnet_of(outer)


def parse_block(text: object) -> tuple[int, int]:
    """``(first, last)`` address of a strict IPv4 CIDR as integers: the fast path.

    About five times faster than :func:`parse_network` on valid input, and memoised: the
    form re-validates the same few hundred CIDRs on every keystroke. Anything unusual falls
    back to :func:`parse_network` for the explanatory ``ValueError``.
    """
    if isinstance(text, str):
        found = _valid_blocks.get(text)
        if found is not None:
            return found
        addr, sep, plen = text.partition("/")
        if sep and plen.isascii() and plen.isdigit() and (
                len(plen) == 1 or (len(plen) == 2 and plen[0] != "0")):
            try:  # inet_pton is strict: four decimal octets, no leading zeros, no spaces
                start = int.from_bytes(inet_pton(AF_INET, addr), "big")
            except OSError:
                start = -1
            prefix = int(plen)
            size = 1 << (32 - prefix) if prefix <= 32 else 0
            if start >= 0 and size and start & (size - 1) == 0:
                if len(_valid_blocks) >= _CACHE_SIZE:
                    _valid_blocks.clear()
                found = _valid_blocks[text] = (start, start + size - 1)
                return found
    net = parse_network(text)  # raises the explanatory ValueError
    return int(net.network_address), int(net.broadcast_address)


def find_overlaps(items: Iterable[tuple[IPv4Network, T]]) -> list[tuple[T, T]]:
    """Pairs ``(earlier, later)`` of overlapping networks (see :func:`find_range_overlaps`)."""
    return find_range_overlaps(
        (int(n.network_address), int(n.broadcast_address), tag) for n, tag in items
    )


def find_range_overlaps(items: Iterable[tuple[int, int, T]]) -> list[tuple[T, T]]:
    """Pairs ``(earlier, later)`` of overlapping ``(first, last, tag)`` blocks, O(n log n).

    CIDR blocks are either nested or disjoint, so after sorting by (start, -size) a block
    overlaps something before it exactly when it starts before the furthest end seen so far,
    and the block owning that end contains it. Every block that overlaps another is reported
    at least once (paired with its widest container).
    """
    ordered = sorted(items, key=lambda x: (x[0], -x[1]))
    found: list[tuple[T, T]] = []
    widest_end = -1
    widest: T | None = None
    for start, end, tag in ordered:
        if widest is not None and start <= widest_end:
            found.append((widest, tag))
        if end > widest_end:
            widest_end, widest = end, tag
    return found

"""CIDR helpers: the fast parser agrees with ipaddress; the overlap sweep finds every overlap."""

from __future__ import annotations

import ipaddress
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from vpnkit import cidr

texts = st.one_of(
    st.text(alphabet="0123456789./ x", max_size=20),
    st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 33)).map(
        lambda t: f"{ipaddress.IPv4Address(t[0])}/{t[1]}"),
    st.sampled_from(["010.0.0.0/8", "10.0.0.0/08", "10.0.0.0/8 ", "１.0.0.0/8", "1.2.3/8"]),
)


@settings(max_examples=1500)
@given(texts)
def test_parse_block_agrees_with_ipaddress(text: str) -> None:
    """parse_block accepts exactly the canonical strict networks ipaddress accepts."""
    cidr._valid_blocks.clear()
    try:
        net = ipaddress.IPv4Network(text, strict=True)
        expected = (int(net.network_address), int(net.broadcast_address)) \
            if str(net) == text else None
    except ValueError:
        expected = None
    try:
        got: tuple[int, int] | None = cidr.parse_block(text)
    except ValueError:
        got = None
    assert got == expected


def test_overlap_sweep_matches_brute_force() -> None:
    """Every block that overlaps another is reported, as a brute-force pairing confirms."""
    rng = random.Random(3)
    blocks = []
    for i in range(400):
        plen = rng.randint(16, 30)
        start = rng.randrange(0, 2**20) << 12 >> (32 - plen) << (32 - plen)
        blocks.append((start, start + 2 ** (32 - plen) - 1, i))
    reported = {later for _, later in cidr.find_range_overlaps(blocks)} | \
        {earlier for earlier, _ in cidr.find_range_overlaps(blocks)}
    truth = {a[2] for a in blocks for b in blocks
             if a[2] != b[2] and a[0] <= b[1] and b[0] <= a[1]}
    assert reported == truth

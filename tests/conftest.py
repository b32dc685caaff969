"""Shared fixtures: a real emulator on loopback and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vpnkit import VpcClient
from vpnkit.emulator import Emulator, serve

REGION = "ap-guangzhou"
GATEWAY, CGW, VPC = "vpngw-demo0001", "cgw-demo0001", "vpc-demo0001"  # seed: 10.0.0.0/16


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh demo-seeded emulator (tunnels turn AVAILABLE after 0.1 s)."""
    with serve(seed="demo", create_delay=0.1) as server:
        yield server


@pytest.fixture
def client(emu: Emulator) -> Iterator[VpcClient]:
    """A VpcClient talking to ``emu`` over loopback HTTP."""
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential)
    yield c
    c.session.close()

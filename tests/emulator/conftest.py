"""Fixtures for the emulator tests: one loopback server per session, reset for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emu_helpers import DELAY, Signer

from vpnkit.emulator import Emulator, serve
from vpnkit.emulator.backend import (
    TUNNELS_PER_ACCOUNT,
    TUNNELS_PER_CUSTOMER_GATEWAY,
    TUNNELS_PER_GATEWAY,
)
from vpnkit.emulator.seed import build


@pytest.fixture(scope="session")
def _server() -> Iterator[Emulator]:
    with serve(create_delay=DELAY, rate_limit=0) as emu:
        yield emu


@pytest.fixture
def emu(_server: Emulator) -> Emulator:
    """The shared emulator, reset to the demo seed with faults and rate limit off."""
    _server.backend.reset(build("demo"))
    _server.backend.create_delay = DELAY
    _server.backend.tunnels_per_gateway = TUNNELS_PER_GATEWAY
    _server.backend.tunnels_per_customer_gateway = TUNNELS_PER_CUSTOMER_GATEWAY
    _server.backend.tunnels_per_account = TUNNELS_PER_ACCOUNT
    _server.faults.clear()
    _server.app.limiter.rate = 0
    return _server


@pytest.fixture
def signer(emu: Emulator) -> Signer:
    """A hand signer holding the demo key pair."""
    return Signer(emu.url)

"""Form fixture: a VpnForm on the shared emulator/client fixtures (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vpnkit import VpcClient
from vpnkit.widgets import VpnForm, form


@pytest.fixture
def vform(client: VpcClient) -> Iterator[VpnForm]:
    """A form on the demo emulator (gz, vpc-demo0001 preselected), polling quickly."""
    f = form(client, poll_interval=0.05, wait_timeout=10)
    yield f
    f.close()

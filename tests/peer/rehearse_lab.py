"""Skip-or-fail gate for tests that run the rehearsal's real daemons, and tunnel helpers."""

from __future__ import annotations

import os
from typing import Any

import pytest
from peer_helpers import CUSTOMER_IP, GATEWAY_IP, tunnel

from vpnkit.models import VpnConnection
from vpnkit.peer import render
from vpnkit.peer.netns import INSTALL_HINT, requirements

__all__ = ["CUSTOMER_IP", "GATEWAY_IP", "idc_text", "need_lab", "one_pair", "tunnel"]


def need_lab() -> None:
    """Skip unless root and strongSwan are here; under CI=true that is a failure instead."""
    missing = requirements()
    if missing:
        reason = "; ".join(missing) + f". Install: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the rehearsal cannot run: {reason}")
        pytest.skip(reason)


def one_pair(**changes: Any) -> VpnConnection:
    """A tunnel with a single SPD pair 198.18.0.0/24 <-> 198.19.1.0/24."""
    return tunnel(SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "198.18.0.0/24", "RemoteCidrBlock": ["198.19.1.0/24"]}], **changes)


def idc_text(conn: VpnConnection, psk: str) -> str:
    """vpnkit's strongSwan configuration of ``conn``'s IDC side, with ``psk`` in it."""
    return render(conn, "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                  psk=psk).text

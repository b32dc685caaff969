"""Pre-flight of the form's one new tunnel against the tunnels its gateway already has.

The rules are :mod:`vpnkit.gateway_rules` (one copy, shared with the batch pre-flight: the
name unique per gateway, BGP not mixed with non-BGP, BGP tunnel CIDRs apart, SPD conflicts
only when both sides overlap, the 200 mappings per gateway); this module keeps the form's
side: :func:`gateway_tunnels`, the one lookup through the injected client, and
:func:`live_issues`, which names the other tunnels the form's way (``tunnel 'hq' (vpnx-...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vpnkit.gateway_rules import MAX_GATEWAY_MAPPINGS, ROUTE_BASED, Ref, check_gateway
from vpnkit.models import VpnConnection, VpnConnectionSpec
from vpnkit.validate import Issue

__all__ = ["MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "gateway_tunnels", "live_issues"]


def _label(ref: Ref) -> str:
    if isinstance(ref, int):  # the form checks one spec: no earlier candidate to name
        return "this tunnel"
    return f"tunnel {ref.vpn_connection_name!r} ({ref.vpn_connection_id})"


def live_issues(spec: VpnConnectionSpec, existing: Sequence[VpnConnection]) -> list[Issue]:
    """Problems between ``spec`` and its gateway's ``existing`` tunnels (errors and warnings)."""
    return check_gateway(spec.vpn_gateway_id, [spec], existing, label=_label)[0]


def gateway_tunnels(client: Any, vpn_gateway_id: str) -> list[VpnConnection]:
    """The gateway's tunnels (all pages); raises what the client raises."""
    found: list[VpnConnection] = client.describe_vpn_connections(
        filters={"vpn-gateway-id": vpn_gateway_id})
    return found

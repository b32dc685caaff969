"""The batch's side of the rules between the tunnels of one VPN gateway.

The rules themselves are in :mod:`vpnkit.gateway_rules` (one copy, shared with the form);
this adapter feeds it a gateway's rows in row order and its existing tunnels, and names
them the batch's way: ``row 3 (br-01)``, ``tunnel vpnx-... (hq)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vpnkit.batch.io import RowInput
from vpnkit.gateway_rules import MAX_GATEWAY_MAPPINGS, ROUTE_BASED, Ref
from vpnkit.gateway_rules import check_gateway as _check
from vpnkit.models import VpnConnectionSpec
from vpnkit.validate import Issue
from vpnkit.wire import connection_from_wire

__all__ = ["MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "check_gateway"]


def check_gateway(gw: str, rows: Sequence[RowInput], existing: Mapping[str, Mapping[str, Any]],
                  refused: set[int]) -> dict[int, list[Issue]]:
    """Issues per row for the rows of one gateway, in row order.

    ``rows`` are the rows to be sent to ``gw`` (with a spec, name not on the gateway);
    ``existing`` its tunnels by name, as DescribeVpnConnections returns them; ``refused`` the
    rows already refused by their own checks (they do not reach the gateway, so the rows
    after them are not compared with them).
    """
    ordered = sorted((r for r in rows if r.spec is not None), key=lambda x: x.row)
    specs: list[VpnConnectionSpec] = [r.spec for r in ordered if r.spec is not None]

    def label(ref: Ref) -> str:
        if isinstance(ref, int):
            return f"row {ordered[ref].row} ({ordered[ref].name})"
        return f"tunnel {ref.vpn_connection_id} ({ref.vpn_connection_name})"

    tunnels = [connection_from_wire(t) for t in existing.values()]
    skipped = {k for k, r in enumerate(ordered) if r.row in refused}
    found = _check(gw, specs, tunnels, refused=skipped, label=label)
    return {r.row: issues for r, issues in zip(ordered, found, strict=True)}

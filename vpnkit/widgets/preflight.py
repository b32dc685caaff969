"""Pre-flight of one new tunnel against the tunnels its gateway already has (pure).

:func:`live_issues` is a pure function over ``(spec, existing tunnels)``; :func:`gateway_tunnels`
is the one lookup, through the injected client. The rules are those the API applies between the
tunnels of one gateway:

* the name is unique per gateway (``InvalidParameterValue.Duplicate``, ref §1.1 #3);
* dynamic (BGP) and non-dynamic routing cannot be mixed on one gateway
  (``UnsupportedOperation.VpnConnRouteTypeMixed``, ref §6);
* two SPD entries conflict only when their VPC-side ranges AND their IDC-side ranges both
  overlap (ref §2.1 notes: console doc 1037/39635, whose own example reaches one IDC range from
  two VPC ranges) -> ``InvalidParameterValue.VpnConnCidrConflict``. Route-based tunnels
  (``StaticRoute``, ``Bgp``) with no selectors of their own negotiate any-any (ref §2.1
  notes, tccli examples) and are not compared; SPD-based tunnels of the gateway form at most
  200 (VPC range, IDC range) mappings together (``LimitExceeded``).

This could live in :mod:`vpnkit.validate` as a pure check over (spec, existing tunnels); it sits
here until validation grows one, and imports nothing from batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vpnkit.cidr import parse_block
from vpnkit.models import SpdRule, VpnConnection, VpnConnectionSpec
from vpnkit.validate import Issue

__all__ = ["MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "gateway_tunnels", "live_issues"]

ROUTE_BASED = frozenset({"StaticRoute", "Bgp"})
#: "All SPD rules under the same VPN gateway can form up to 200 mappings" (console doc
#: product 1037 doc 39635, ref §2.1), counted as (VPC range, IDC range) pairs.
MAX_GATEWAY_MAPPINGS = 200


def _block(text: Any) -> tuple[int, int] | None:
    try:
        return parse_block(str(text))
    except ValueError:
        return None  # validation reports a malformed CIDR on its own


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def _spd_conflicts(spec: VpnConnectionSpec, other: VpnConnection) -> list[Issue]:
    out = []
    theirs: list[tuple[SpdRule, tuple[int, int] | None]] = [
        (r, _block(r.local_cidr_block)) for r in other.security_policy_databases]
    for i, rule in enumerate(spec.security_policy_databases):
        local = _block(rule.local_cidr_block)
        for j, remote_text in enumerate(rule.remote_cidr_blocks):
            remote = _block(remote_text)
            for their, their_local in theirs:
                if not _overlap(local, their_local):
                    continue
                hit = next((r for r in their.remote_cidr_blocks
                            if _overlap(remote, _block(r))), None)
                if hit is not None:
                    out.append(Issue(
                        f"security_policy_databases[{i}].remote_cidr_blocks[{j}]",
                        "InvalidParameterValue.VpnConnCidrConflict",
                        f"{rule.local_cidr_block} → {remote_text} overlaps tunnel "
                        f"{other.vpn_connection_name!r} ({other.vpn_connection_id}): "
                        f"{their.local_cidr_block} → {hit}"))
                    break
    return out


def live_issues(spec: VpnConnectionSpec, existing: Sequence[VpnConnection]) -> list[Issue]:
    """Problems between ``spec`` and the gateway's ``existing`` tunnels (errors only)."""
    mine = [t for t in existing if t.vpn_gateway_id in ("", spec.vpn_gateway_id)]
    out: list[Issue] = []
    for t in mine:
        if t.vpn_connection_name == spec.vpn_connection_name:
            out.append(Issue("vpn_connection_name", "InvalidParameterValue.Duplicate",
                             f"{spec.vpn_connection_name!r} is already tunnel "
                             f"{t.vpn_connection_id} on {spec.vpn_gateway_id}"))
    bgp = spec.route_type == "Bgp"
    mixed = [t for t in mine if (t.route_type == "Bgp") != bgp]
    if mixed:
        kind = "non-BGP" if bgp else "BGP"
        names = ", ".join(f"{t.vpn_connection_name!r} ({t.vpn_connection_id})"
                          for t in mixed[:3]) + (" …" if len(mixed) > 3 else "")
        out.append(Issue("route_type", "UnsupportedOperation.VpnConnRouteTypeMixed",
                         f"{spec.vpn_gateway_id} already has {kind} tunnels ({names}); BGP "
                         "and non-BGP tunnels cannot share a gateway"))
    if not _any_any(spec):
        spd_based = [t for t in mine if t.route_type not in ROUTE_BASED and not _any_any(t)]
        for t in spd_based:
            out += _spd_conflicts(spec, t)
        total = _mappings(spec) + sum(_mappings(t) for t in spd_based)
        if total > MAX_GATEWAY_MAPPINGS:
            out.append(Issue("security_policy_databases", "LimitExceeded",
                             f"the SPD rules of {spec.vpn_gateway_id} would form {total} "
                             f"(VPC range, IDC range) mappings; the limit is "
                             f"{MAX_GATEWAY_MAPPINGS} (use a route-based tunnel for more)"))
    return out


def _any_any(t: VpnConnectionSpec | VpnConnection) -> bool:
    """A route-based tunnel without selectors of its own (none, or ``0.0.0.0/0`` both ways):
    it negotiates any-any and is never compared (ref §2.1 notes)."""
    rules = t.security_policy_databases
    if t.route_type not in ROUTE_BASED:
        return False
    return not rules or (len(rules) == 1 and rules[0].local_cidr_block == "0.0.0.0/0"
                         and tuple(rules[0].remote_cidr_blocks) == ("0.0.0.0/0",))


def _mappings(t: VpnConnectionSpec | VpnConnection) -> int:
    return sum(len(r.remote_cidr_blocks) for r in t.security_policy_databases)


def gateway_tunnels(client: Any, vpn_gateway_id: str) -> list[VpnConnection]:
    """The gateway's tunnels (all pages); raises what the client raises."""
    found: list[VpnConnection] = client.describe_vpn_connections(
        filters={"vpn-gateway-id": vpn_gateway_id})
    return found

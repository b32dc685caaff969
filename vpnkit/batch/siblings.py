"""The rules between the tunnels of one VPN gateway, run over a batch before anything is sent.

The API checks a new tunnel against the gateway's other tunnels; a batch adds many at once,
so the same rules must hold between its rows and between a row and the tunnels already on
the gateway, or a batch that passed pre-flight fails half-way. The rows are checked the way
the API would see them sent one by one, in row order: a row refused for any reason is not
on the gateway for the rows after it. The rules (and their codes, from the
CreateVpnConnection list, ref §6):

* a name given twice on one gateway -> ``InvalidParameterValue.Duplicate``
* BGP and non-BGP tunnels on one gateway -> ``UnsupportedOperation`` (the SDK defines
  ``UnsupportedOperation.VpnConnRouteTypeMixed``, but no action lists it; the parent is what
  create answers, as the emulator does)
* BGP tunnel CIDRs that overlap -> ``InvalidParameterValue.VpnConnBgpTunnelCidrConflict``
* SPD mappings of SPD-based tunnels whose VPC side AND IDC side both overlap ->
  ``InvalidParameterValue.VpnConnCidrConflict`` (console doc "Creating VPN Tunnel", product
  1037 doc 39635, ref §2.1: one IDC range reached from two VPC ranges is valid). An IDC range
  reached through two tunnels is accepted by the API and reported as a warning. A new
  tunnel's own selectors are compared with the gateway's SPD-based tunnels; route-based
  tunnels (``StaticRoute``, ``Bgp``) and any-any selectors are never compared against (they
  negotiate any-any), and a route-based tunnel without selectors of its own is not checked.
* more than :data:`MAX_GATEWAY_MAPPINGS` (VPC range, IDC range) mappings over the SPD-based
  tunnels of a gateway -> ``LimitExceeded`` (same doc).

There is no documented tunnels-per-gateway number to check: ``MaxConnection`` of a gateway is
its SSL-VPN client count (ref §3.2), not a tunnel quota.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vpnkit.batch.io import RowInput
from vpnkit.cidr import parse_block
from vpnkit.validate import Issue

__all__ = ["MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "check_gateway"]

ROUTE_BASED = frozenset({"StaticRoute", "Bgp"})
MAX_GATEWAY_MAPPINGS = 200  # "up to 200 mappings" per gateway (product 1037 doc 39635)
_DEFAULT_ROUTE_TYPE = "STATIC"  # options.py: the API's default RouteType

Block = tuple[int, int]


def _over(a: Block, b: Block) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


@dataclass
class _Tunnel:
    """What the rules need of one tunnel, existing or a row."""

    label: str
    bgp: bool
    route_based: bool
    #: its own mappings are checked (not a route-based tunnel without selectors of its own)
    checked: bool = True
    #: it counts as an SPD-based tunnel for the tunnels after it (not route-based, not any-any)
    spd_based: bool = True
    #: (VPC side, IDC side, IDC text, path of the IDC range in the row)
    mappings: list[tuple[Block, Block, str, str]] = field(default_factory=list)
    bgp_cidr: Block | None = None
    bgp_text: str = ""


def _is_any_any(pairs: Sequence[tuple[str, Sequence[str]]]) -> bool:
    return len(pairs) == 1 and pairs[0][0] == "0.0.0.0/0" and list(pairs[0][1]) == ["0.0.0.0/0"]


def _block(text: Any) -> Block | None:
    try:
        return parse_block(text)
    except ValueError:
        return None  # malformed: the row's own validation reports it


def _tunnel(label: str, route_type: Any, pairs: Sequence[tuple[Any, Sequence[Any]]],
            bgp_cidr: Any) -> _Tunnel:
    kind = route_type if isinstance(route_type, str) and route_type else _DEFAULT_ROUTE_TYPE
    t = _Tunnel(label, kind == "Bgp", kind in ROUTE_BASED)
    any_any = _is_any_any(pairs)
    t.checked = not (t.route_based and (not pairs or any_any))
    t.spd_based = not t.route_based and not any_any
    if t.checked:
        for i, (local, remotes) in enumerate(pairs):
            lb = _block(local)
            for j, remote in enumerate(remotes):
                rb = _block(remote)
                if lb is not None and rb is not None:
                    t.mappings.append((lb, rb, str(remote),
                                       f"security_policy_databases[{i}].remote_cidr_blocks[{j}]"))
    if t.bgp and bgp_cidr:
        t.bgp_cidr, t.bgp_text = _block(bgp_cidr), str(bgp_cidr)
    return t


def _existing(t: Mapping[str, Any]) -> _Tunnel:
    pairs = [(str(r.get("LocalCidrBlock", "")), list(r.get("RemoteCidrBlock") or ()))
             for r in t.get("SecurityPolicyDatabaseSet") or ()]
    bgp = t.get("BgpConfig") or {}
    return _tunnel(f"tunnel {t.get('VpnConnectionId')} ({t.get('VpnConnectionName')})",
                   t.get("RouteType"), pairs, bgp.get("TunnelCidr"))


def _row(r: RowInput) -> _Tunnel:
    spec = r.spec
    assert spec is not None
    pairs = [(rule.local_cidr_block, rule.remote_cidr_blocks)
             for rule in spec.security_policy_databases]
    bgp = spec.bgp_config.tunnel_cidr if spec.bgp_config is not None else None
    return _tunnel(f"row {r.row} ({r.name})", spec.route_type, pairs, bgp)


def _against(me: _Tunnel, prior: Sequence[_Tunnel], mappings: int, gw: str) -> list[Issue]:
    out: list[Issue] = []
    kinds = {t.bgp for t in prior}
    if kinds and kinds != {me.bgp}:
        other = next(t for t in prior if t.bgp != me.bgp)
        out.append(Issue("route_type", "UnsupportedOperation",
                         f"{'BGP' if me.bgp else 'non-BGP'} tunnel on {gw}, which has the "
                         f"{'non-BGP' if me.bgp else 'BGP'} {other.label}: BGP and non-BGP "
                         "tunnels cannot share a VPN gateway"))
    if me.bgp_cidr is not None:
        for t in prior:
            if t.bgp_cidr is not None and _over(me.bgp_cidr, t.bgp_cidr):
                out.append(Issue("bgp_config.tunnel_cidr",
                                 "InvalidParameterValue.VpnConnBgpTunnelCidrConflict",
                                 f"{me.bgp_text} overlaps {t.bgp_text} of {t.label} on {gw}"))
                break
    if not me.checked:
        return out
    spd_prior = [t for t in prior if t.spd_based]
    for local, remote, text, path in me.mappings:
        warned = False
        for t in spd_prior:
            for o_local, o_remote, o_text, _ in t.mappings:
                if not _over(remote, o_remote):
                    continue
                if _over(local, o_local):
                    out.append(Issue(path, "InvalidParameterValue.VpnConnCidrConflict",
                                     f"{text} overlaps {o_text} of {t.label} on {gw}, and so "
                                     "do their VPC-side ranges"))
                    break
                if not warned:
                    warned = True
                    out.append(Issue(path, "IdcRangeReachedTwice",
                                     f"{text} is also reached through {t.label} on {gw} "
                                     f"({o_text}, another VPC-side range): accepted, but "
                                     "traffic to it depends on the VPC-side source",
                                     "warning"))
            else:
                continue
            break
    if mappings + len(me.mappings) > MAX_GATEWAY_MAPPINGS:
        out.append(Issue("security_policy_databases", "LimitExceeded",
                         f"{gw} would hold {mappings + len(me.mappings)} (VPC range, IDC "
                         f"range) mappings over its SPD-based tunnels; the limit is "
                         f"{MAX_GATEWAY_MAPPINGS} (a route-based tunnel has none)"))
    return out


def check_gateway(gw: str, rows: Sequence[RowInput], existing: Mapping[str, Mapping[str, Any]],
                  refused: set[int]) -> dict[int, list[Issue]]:
    """Issues per row for the rows of one gateway, in row order (see the module docstring).

    ``rows`` are the rows to be sent to ``gw`` (with a spec, name not on the gateway);
    ``existing`` its tunnels by name; ``refused`` the rows already refused by their own checks
    (they do not reach the gateway, so the rows after them are not compared with them).
    """
    prior = [_existing(t) for t in existing.values()]
    mappings = sum(len(t.mappings) for t in prior if t.spd_based)
    found: dict[int, list[Issue]] = {}
    seen: dict[str, RowInput] = {}
    for r in sorted(rows, key=lambda x: x.row):
        if r.name in seen:
            found[r.row] = [Issue("name", "InvalidParameterValue.Duplicate",
                                  f"{r.name!r} on {gw} is already row {seen[r.name].row} of "
                                  "this batch")]
            continue
        seen[r.name] = r
        me = _row(r)
        issues = _against(me, prior, mappings, gw)
        found[r.row] = issues
        if r.row not in refused and not any(i.severity == "error" for i in issues):
            prior.append(me)
            mappings += len(me.mappings) if me.spd_based else 0
    return found

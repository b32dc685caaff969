"""The rules between the tunnels of one VPN gateway: one copy, for the batch and the form.

The API checks a new tunnel against the gateway's other tunnels. :func:`check_gateway` applies
the same rules to candidate specs, in order, as the API would see them sent one by one: each
candidate against the gateway's existing tunnels and the candidates before it. A candidate
refused (by its own checks, passed as ``refused``, or by an error here) is not on the gateway
for the candidates after it. The batch pre-flight (:mod:`vpnkit.batch.preflight`) passes its
rows; the form (:mod:`vpnkit.widgets.preflight`) passes its one spec. Each names the tunnels
in its own words through ``label``.

The rules (and their codes, from the CreateVpnConnection list, ref §6):

* a name already on the gateway, or given twice -> ``InvalidParameterValue.Duplicate``
  (ref §1.1 #3);
* BGP and non-BGP tunnels on one gateway -> ``UnsupportedOperation`` (the SDK defines
  ``UnsupportedOperation.VpnConnRouteTypeMixed``, but no action lists it; the parent is what
  create answers, as the emulator does);
* BGP tunnel CIDRs that overlap -> ``InvalidParameterValue.VpnConnBgpTunnelCidrConflict``;
* SPD mappings of SPD-based tunnels whose VPC side AND IDC side both overlap ->
  ``InvalidParameterValue.VpnConnCidrConflict`` (console doc "Creating VPN Tunnel", product
  1037 doc 39635, ref §2.1: one IDC range reached from two VPC ranges is valid). An IDC range
  reached through two tunnels is accepted by the API and reported as the warning
  ``IdcRangeReachedTwice``. A candidate's own selectors are compared with the gateway's
  SPD-based tunnels; route-based tunnels (``StaticRoute``, ``Bgp``) and any-any selectors are
  never compared against (they negotiate any-any), and a route-based candidate without
  selectors of its own is not checked;
* more than :data:`MAX_GATEWAY_MAPPINGS` (VPC range, IDC range) mappings over the SPD-based
  tunnels of a gateway -> ``LimitExceeded`` (same doc).

There is no documented tunnels-per-gateway number to check: ``MaxConnection`` of a gateway is
its SSL-VPN client count (ref §3.2), not a tunnel quota. The account's quota is read per
pre-flight with DescribeVpcLimits and counted by :mod:`vpnkit.quotas`.

Pure: depends on :mod:`vpnkit.models`, :mod:`vpnkit.cidr` and :class:`vpnkit.issue.Issue`
only (no I/O, no pandas, no batch or widgets). The emulator keeps its own implementation of
these rules over raw JSON (DESIGN.md: it never imports models), and ``tests/test_agreement.py``
and ``tests/widgets/test_form_checks.py`` check that both answer the same.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from vpnkit.cidr import parse_block
from vpnkit.issue import Issue
from vpnkit.models import VpnConnection, VpnConnectionSpec, is_any_any
from vpnkit.options import ROUTE_BASED

__all__ = ["MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "Ref", "check_gateway"]

#: "All SPD rules under the same VPN gateway can form up to 200 mappings" (console doc
#: product 1037 doc 39635, ref §2.1), counted as (VPC range, IDC range) pairs.
MAX_GATEWAY_MAPPINGS = 200
_DEFAULT_ROUTE_TYPE = "STATIC"  # options.py: the API's default RouteType

#: a tunnel a message names: an existing tunnel, or the index of an earlier candidate
Ref = VpnConnection | int
Block = tuple[int, int]


@dataclass(frozen=True)
class _Mapping:
    local: Block
    remote: Block
    text: str  # "VPC range → IDC range" as given
    path: str  # of the IDC range in the spec


@dataclass
class _Tunnel:
    """What the rules need of one tunnel, existing or a candidate."""

    ref: Ref
    name: str
    bgp: bool
    route_based: bool
    #: its own mappings are checked (not a route-based tunnel without selectors of its own)
    checked: bool = True
    #: it counts as an SPD-based tunnel for the tunnels after it (not route-based, not any-any)
    spd_based: bool = True
    mappings: list[_Mapping] = field(default_factory=list)
    bgp_cidr: Block | None = None
    bgp_text: str = ""


def _over(a: Block, b: Block) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _block(text: Any) -> Block | None:
    try:
        return parse_block(text)
    except ValueError:
        return None  # malformed: the spec's own validation reports it


def _tunnel(ref: Ref, t: VpnConnectionSpec | VpnConnection) -> _Tunnel:
    kind = t.route_type if isinstance(t.route_type, str) and t.route_type else \
        _DEFAULT_ROUTE_TYPE
    rules = t.security_policy_databases
    me = _Tunnel(ref, t.vpn_connection_name, kind == "Bgp", kind in ROUTE_BASED)
    any_any = is_any_any(rules)
    me.checked = not (me.route_based and (not rules or any_any))
    me.spd_based = not me.route_based and not any_any
    if me.checked:
        for i, rule in enumerate(rules):
            local = _block(rule.local_cidr_block)
            for j, remote_text in enumerate(rule.remote_cidr_blocks):
                remote = _block(remote_text)
                if local is not None and remote is not None:
                    me.mappings.append(_Mapping(
                        local, remote, f"{rule.local_cidr_block} → {remote_text}",
                        f"security_policy_databases[{i}].remote_cidr_blocks[{j}]"))
    if me.bgp:
        if isinstance(t, VpnConnectionSpec):
            cidr: Any = t.bgp_config.tunnel_cidr if t.bgp_config is not None else None
        else:  # a described tunnel keeps the API's BgpConfig keys (ref §2.4)
            cidr = (t.bgp_config or {}).get("TunnelCidr")
        if cidr:
            me.bgp_cidr, me.bgp_text = _block(cidr), str(cidr)
    return me


class _Checker:
    def __init__(self, gateway: str, label: Callable[[Ref], str]) -> None:
        self.gw = gateway
        self.label = label

    def name(self, me: _Tunnel, prior: Sequence[_Tunnel]) -> list[Issue]:
        same = next((t for t in prior if t.name == me.name), None)
        if same is None:
            return []
        return [Issue("vpn_connection_name", "InvalidParameterValue.Duplicate",
                      f"{me.name!r} is already {self.label(same.ref)} on {self.gw}")]

    def route_type(self, me: _Tunnel, prior: Sequence[_Tunnel]) -> list[Issue]:
        others = [t for t in prior if t.bgp != me.bgp]
        if not others:
            return []
        names = ", ".join(self.label(t.ref) for t in others[:3]) + \
            (" …" if len(others) > 3 else "")
        return [Issue("route_type", "UnsupportedOperation",
                      f"a {'BGP' if me.bgp else 'non-BGP'} tunnel on {self.gw}, which has the "
                      f"{'non-BGP' if me.bgp else 'BGP'} {names}: BGP and non-BGP tunnels "
                      "cannot share a VPN gateway")]

    def bgp_cidr(self, me: _Tunnel, prior: Sequence[_Tunnel]) -> list[Issue]:
        if me.bgp_cidr is None:
            return []
        for t in prior:
            if t.bgp_cidr is not None and _over(me.bgp_cidr, t.bgp_cidr):
                return [Issue("bgp_config.tunnel_cidr",
                              "InvalidParameterValue.VpnConnBgpTunnelCidrConflict",
                              f"{me.bgp_text} overlaps {t.bgp_text} of {self.label(t.ref)} "
                              f"on {self.gw}")]
        return []

    def spd(self, me: _Tunnel, prior: Sequence[_Tunnel]) -> list[Issue]:
        """Per mapping: at most one conflict (both sides overlap) and one warning (IDC only)."""
        out: list[Issue] = []
        spd_prior = [t for t in prior if t.spd_based]
        for m in me.mappings:
            warned = False
            hit = None
            for t in spd_prior:
                for o in t.mappings:
                    if not _over(m.remote, o.remote):
                        continue
                    if _over(m.local, o.local):
                        hit = (t, o)
                        break
                    if not warned:
                        warned = True
                        out.append(Issue(
                            m.path, "IdcRangeReachedTwice",
                            f"{m.text}: the IDC range is also reached through "
                            f"{self.label(t.ref)} on {self.gw} ({o.text}, another VPC-side "
                            "range): accepted, but traffic to it depends on the VPC-side "
                            "source", "warning"))
                if hit is not None:
                    break
            if hit is not None:
                t, o = hit
                out.append(Issue(m.path, "InvalidParameterValue.VpnConnCidrConflict",
                                 f"{m.text} overlaps {self.label(t.ref)} on {self.gw} on both "
                                 f"sides: its {o.text}"))
        return out

    def limit(self, me: _Tunnel, held: int) -> list[Issue]:
        total = held + len(me.mappings)
        if total <= MAX_GATEWAY_MAPPINGS:
            return []
        return [Issue("security_policy_databases", "LimitExceeded",
                      f"{self.gw} would hold {total} (VPC range, IDC range) mappings over its "
                      f"SPD-based tunnels; the limit is {MAX_GATEWAY_MAPPINGS} (use a "
                      "route-based tunnel for more: it has none)")]


def _default_label(candidates: Sequence[VpnConnectionSpec]) -> Callable[[Ref], str]:
    def label(ref: Ref) -> str:
        if isinstance(ref, int):
            return f"the new tunnel {candidates[ref].vpn_connection_name!r}"
        return f"tunnel {ref.vpn_connection_name!r} ({ref.vpn_connection_id})"
    return label


def check_gateway(gateway: str, candidates: Sequence[VpnConnectionSpec],
                  existing: Sequence[VpnConnection], *, refused: Collection[int] = (),
                  label: Callable[[Ref], str] | None = None) -> list[list[Issue]]:
    """The issues of each candidate for ``gateway``, in order (see the module docstring).

    ``existing``: the gateway's tunnels (those of another gateway are ignored).
    ``refused``: indexes of candidates refused by their own checks (they do not reach the
    gateway, so the candidates after them are not compared with them). ``label`` names a
    tunnel in messages: an existing :class:`~vpnkit.models.VpnConnection`, or the index of
    an earlier candidate. The result holds one list per candidate (empty: none).
    """
    check = _Checker(gateway, label or _default_label(candidates))
    prior = [_tunnel(t, t) for t in existing if t.vpn_gateway_id in ("", gateway)]
    held = sum(len(t.mappings) for t in prior if t.spd_based)
    found: list[list[Issue]] = []
    for k, spec in enumerate(candidates):
        me = _tunnel(k, spec)
        issues = check.name(me, prior) + check.route_type(me, prior) + \
            check.bgp_cidr(me, prior)
        if me.checked:
            issues += check.spd(me, prior) + check.limit(me, held)
        found.append(issues)
        if k not in refused and not any(i.severity == "error" for i in issues):
            prior.append(me)
            held += len(me.mappings) if me.spd_based else 0
    return found

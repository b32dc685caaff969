"""Pre-flight of a batch: look up the targets once, then check every row before anything is sent.

Per row: :func:`vpnkit.validate.issues` with the VPC's CIDR and the gateway's version, plus
references (gateway, customer gateway and VPC exist; the gateway belongs to that VPC; a CCN
gateway takes no VPC; the gateway is AVAILABLE; a BGP tunnel's gateways have BGP ASNs).
Across rows: a (gateway, name) pair given twice, and every rule the API applies between the
tunnels of one gateway, between the rows and with the gateway's existing tunnels
(:mod:`vpnkit.gateway_rules`, the form's rules too; :func:`_gateway_issues` feeds it).
The lookup also lists the tunnels that already exist on every involved gateway (paged
describes filtered by up to 5 gateways each), which resume relies on, and reads the account's
tunnel quotas (one DescribeVpcLimits call, :mod:`vpnkit.quotas`): the tunnels on a gateway,
on a customer gateway (its ``VpnConnNum``) and in the account, plus the rows to create, in
row order, may not pass them (``LimitExceeded`` on the rows past a quota). Quotas that could
not be read are a warning (``QuotaNotChecked``), never "no limit".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vpnkit.batch.io import RowInput
from vpnkit.client import VpcClient
from vpnkit.errors import ApiError, TransportError
from vpnkit.gateway_rules import Ref, check_gateway
from vpnkit.quotas import Quota, customer_gateway_counts, read_limits
from vpnkit.validate import Issue, errors, issues
from vpnkit.wire import connection_from_wire

__all__ = ["Targets", "check_quota", "check_rows", "lookup_targets", "tunnels_by_gateway"]


@dataclass
class Targets:
    """What the account holds for a batch: VPC CIDRs, gateways, customer gateways, tunnels."""

    vpcs: dict[str, str] = field(default_factory=dict)
    gateways: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    #: customer gateway id -> the customer gateway as DescribeCustomerGateways returns it
    customer_gateways: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    #: gateway -> tunnel name -> the tunnel as DescribeVpnConnections returns it
    tunnels: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=dict)
    known: bool = False  # False: no client, or the lookups failed (references unchecked)
    #: the account's tunnel quotas (DescribeVpcLimits); None: not read (quotas unchecked)
    limits: dict[str, int] | None = None


def lookup_targets(client: VpcClient | None, gateway_ids: Sequence[str],
                   workers: int = 8) -> tuple[Targets, list[Issue]]:
    """Fetch the targets (a few paged describes); failures become warnings, not errors."""
    t = Targets()
    if client is None:
        return t, []
    try:
        t.vpcs = {str(v["VpcId"]): str(v.get("CidrBlock", "")) for v in client.describe_vpcs()}
        t.gateways = {str(g["VpnGatewayId"]): g for g in client.describe_vpn_gateways()}
        t.customer_gateways = {str(c["CustomerGatewayId"]): c
                               for c in client.describe_customer_gateways()}
        involved = sorted(set(gateway_ids) & t.gateways.keys())
        t.tunnels = tunnels_by_gateway(client, involved, workers)
        t.known = True
    except (ApiError, TransportError) as exc:
        return Targets(), [Issue("", "LookupFailed", f"could not read the live state ({exc}): "
                                 "references, quotas and conflicts with existing tunnels are "
                                 "not checked, and nothing is sent until a lookup succeeds",
                                 "warning")]
    t.limits, warnings = read_limits(client)  # one call; unread is a warning, never "no limit"
    return t, warnings


def tunnels_by_gateway(client: VpcClient, gateway_ids: Sequence[str],
                       workers: int = 8) -> dict[str, dict[str, Mapping[str, Any]]]:
    """The tunnels of many gateways, as ``{gateway: {name: the raw tunnel dict}}`` (what the
    API describes): paged describes filtered by up to 5 gateways each (§3.4), in parallel.
    ApiError/TransportError propagate: a failed listing is never an empty gateway. (The
    form's one gateway, as models: :func:`vpnkit.widgets.preflight.gateway_tunnels`.)"""
    gws = sorted(set(gateway_ids))
    chunks = [gws[i:i + 5] for i in range(0, len(gws), 5)]

    def listing(chunk: list[str]) -> list[dict[str, Any]]:
        return client.describe_vpn_connections_raw(filters={"vpn-gateway-id": chunk})

    out: dict[str, dict[str, Mapping[str, Any]]] = {gw: {} for gw in gws}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(chunks) or 1))) as pool:
        for found in pool.map(listing, chunks):
            for c in found:
                out.setdefault(str(c["VpnGatewayId"]), {})[str(c["VpnConnectionName"])] = c
    return out


def _text(value: Any) -> str:
    """A spec field used as a lookup key ("" for a wrongly typed one: validation names it)."""
    return value if isinstance(value, str) else ""


def _references(r: RowInput, t: Targets) -> list[Issue]:
    spec = r.spec
    if spec is None or not t.known:
        return []
    out = []
    gw = t.gateways.get(_text(spec.vpn_gateway_id))
    if gw is None:
        out.append(Issue("vpn_gateway_id", "ResourceNotFound",
                         f"{spec.vpn_gateway_id} does not exist in this region"))
    if _text(spec.customer_gateway_id) not in t.customer_gateways:
        out.append(Issue("customer_gateway_id", "ResourceNotFound",
                         f"{spec.customer_gateway_id} does not exist in this region"))
    if spec.vpc_id and _text(spec.vpc_id) not in t.vpcs:
        out.append(Issue("vpc_id", "ResourceNotFound",
                         f"{spec.vpc_id} does not exist in this region"))
    if gw is not None and gw.get("State", "AVAILABLE") != "AVAILABLE":
        # §3.2: only an AVAILABLE gateway's tunnels change (code: create's list, ref §6)
        out.append(Issue("vpn_gateway_id", "UnsupportedOperation.InvalidState",
                         f"{spec.vpn_gateway_id} is {gw.get('State')}, not AVAILABLE"))
    if spec.route_type == "Bgp":
        cgw = t.customer_gateways.get(_text(spec.customer_gateway_id))
        if gw is not None and not gw.get("BgpAsn"):
            out.append(Issue("route_type", "UnsupportedOperation.VpnUnsupportedNotExistBgpAsn",
                             f"gateway {spec.vpn_gateway_id} has no BGP ASN"))
        if cgw is not None and not cgw.get("BgpAsn"):
            # the SDK's ...VpnUnsupportedUsrGwNotExistBgpAsn is listed for no action (ref §6):
            # create answers the listed parent
            out.append(Issue("customer_gateway_id", "UnsupportedOperation",
                             f"customer gateway {spec.customer_gateway_id} has no BGP ASN, "
                             "which a BGP tunnel needs"))
    if gw is not None:
        ccn = str(gw.get("Type", "")) in ("CCN", "SSL_CCN")
        if ccn and spec.vpc_id:
            out.append(Issue("vpc_id", "InvalidParameterValue",
                             f"must be empty for the CCN-type gateway {spec.vpn_gateway_id}"))
        elif not ccn and not spec.vpc_id:
            out.append(Issue("vpc_id", "MissingParameter",
                             f"is required for the {gw.get('Type')} gateway "
                             f"{spec.vpn_gateway_id}"))
        elif not ccn and gw.get("VpcId") != spec.vpc_id:
            out.append(Issue("vpc_id", "InvalidParameterValue",
                             f"gateway {spec.vpn_gateway_id} belongs to {gw.get('VpcId')}, "
                             f"not {spec.vpc_id}"))
    return out


def _gateway_issues(gw: str, rows: Sequence[RowInput],
                    existing: Mapping[str, Mapping[str, Any]],
                    refused: set[int]) -> dict[int, list[Issue]]:
    """:func:`vpnkit.gateway_rules.check_gateway` for the rows of one gateway, in row order.

    ``rows`` are the rows to be sent to ``gw`` (with a spec, name not on the gateway);
    ``existing`` its tunnels by name, as DescribeVpnConnections returns them; ``refused`` the
    rows already refused by their own checks (they do not reach the gateway, so the rows
    after them are not compared with them). Tunnels are named the batch's way:
    ``row 3 (br-01)``, ``tunnel vpnx-... (hq)``.
    """
    ordered = sorted((r for r in rows if r.spec is not None), key=lambda x: x.row)
    specs = [r.spec for r in ordered if r.spec is not None]

    def label(ref: Ref) -> str:
        if isinstance(ref, int):
            return f"row {ordered[ref].row} ({ordered[ref].name})"
        return f"tunnel {ref.vpn_connection_id} ({ref.vpn_connection_name})"

    tunnels = [connection_from_wire(t) for t in existing.values()]
    skipped = {k for k, r in enumerate(ordered) if r.row in refused}
    found = check_gateway(gw, specs, tunnels, refused=skipped, label=label)
    return {r.row: problems for r, problems in zip(ordered, found, strict=True)}


def _cross_rows(rows: Sequence[RowInput], t: Targets) -> dict[int, list[Issue]]:
    """A (gateway, name) given twice, then the rules between the tunnels of each gateway."""
    found: dict[int, list[Issue]] = defaultdict(list)
    first_of: dict[tuple[str, str], RowInput] = {}
    by_gateway: dict[str, list[RowInput]] = defaultdict(list)
    for r in rows:
        if r.key in first_of:
            found[r.row].append(Issue("name", "InvalidParameterValue.Duplicate",
                                      f"{r.name!r} on {r.vpn_gateway_id} is already row "
                                      f"{first_of[r.key].row} of this batch"))
            continue
        first_of[r.key] = r
        if r.spec is not None:
            by_gateway[r.vpn_gateway_id].append(r)
    for gw, members in by_gateway.items():
        existing = t.tunnels.get(gw, {})
        new = [r for r in members if r.name not in existing]  # the rest are not sent
        refused = {r.row for r in new if errors(r.issues)}
        for row, problems in _gateway_issues(gw, new, existing, refused).items():
            found[row] += problems
    return found


def check_quota(rows: Sequence[RowInput], t: Targets, *, moves: bool = False) -> None:
    """Add ``LimitExceeded`` to the rows to create that pass a tunnel quota (in place).

    ``moves`` (the plan): a row whose tunnel exists with another customer gateway moves it
    there (Modify, or delete and re-create): counted first, against the customer gateway's
    quota only, in the state after the moves (each tunnel off its old customer gateway). The
    way there is the plan's: it orders the Modifies so that none passes the quota on the
    way, and refuses the moves no order fits (:func:`vpnkit.quotas.move_waves`).

    The rows to create are those with a spec whose name is not a tunnel of their gateway in
    ``t.tunnels`` (the live tunnels); they are counted in row order after the tunnels that
    exist (per gateway: ``t.tunnels``; per customer gateway and account: the customer
    gateways' ``VpnConnNum``). A row refused by another error is not sent, so it does not
    count (it still gets the quota error when the quota is full before it, as the API checks
    the quota first). Nothing when ``t.limits`` is None (not read: :func:`lookup_targets`
    warned) or the targets are unknown.
    """
    if t.limits is None or not t.known:
        return
    live = t.tunnels
    per_cgw = customer_gateway_counts(t.customer_gateways.values())
    quota = Quota(t.limits, {gw: len(tunnels) for gw, tunnels in live.items()}, per_cgw,
                  sum(per_cgw.values()))
    seen: set[tuple[str, str]] = set()
    ordered = sorted(rows, key=lambda x: x.row)
    moving = []
    for r in ordered if moves else ():
        have = live.get(r.vpn_gateway_id, {}).get(r.name)
        cgw = _text(r.spec.customer_gateway_id) if r.spec is not None else ""
        if have is not None and cgw in t.customer_gateways and \
                cgw != have.get("CustomerGatewayId") and not errors(r.issues):
            quota.on_customer_gateway[str(have.get("CustomerGatewayId"))] -= 1
            moving.append((r, cgw))
    for r, cgw in moving:
        problem = quota.move(cgw)
        if problem is not None:
            r.issues.append(problem)
    for r in ordered:
        spec = r.spec
        if spec is None or r.key in seen or r.name in live.get(r.vpn_gateway_id, {}):
            continue
        seen.add(r.key)
        gw, cgw = _text(spec.vpn_gateway_id), _text(spec.customer_gateway_id)
        if gw not in t.gateways or cgw not in t.customer_gateways:
            continue  # ResourceNotFound already
        problem = quota.check(gw, cgw) if errors(r.issues) else quota.take(gw, cgw)
        if problem is not None:
            r.issues.append(problem)


def check_rows(rows: Sequence[RowInput], t: Targets) -> None:
    """Add every row's issues to ``row.issues`` (in place): its own, then the batch's, then
    the quotas (:func:`check_quota`)."""
    for r in rows:
        if r.spec is not None:
            gw = t.gateways.get(_text(r.spec.vpn_gateway_id), {})
            vpc_cidr = t.vpcs.get(_text(r.spec.vpc_id)) or None
            r.issues += issues(r.spec, vpc_cidr=vpc_cidr,
                               gateway_version=str(gw["Version"]) if "Version" in gw else None)
            r.issues += _references(r, t)
    cross = _cross_rows(rows, t)
    for r in rows:
        r.issues += cross.get(r.row, [])
    check_quota(rows, t)

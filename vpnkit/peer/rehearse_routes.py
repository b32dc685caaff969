"""Route-based (``RouteType`` StaticRoute) rehearsals: destinations, not SPD pairs, decide.

The Tencent side of a route-based tunnel negotiates any-any traffic selectors (0.0.0.0/0 <->
0.0.0.0/0, ref §2.1 notes) and sends into the tunnel what its VPN gateway's destination routes
(DescribeVpnGatewayRoutes, ``InstanceType`` VPNCONN, ``InstanceId`` the tunnel) point at it.
The IDC side routes the VPC's ranges into its end. strongSwan does that with an XFRM interface
(``if_id_in``/``if_id_out``); this machine's userspace ESP (kernel-libipsec) has none, so the
rehearsal translates: the ``if_id`` lines are dropped, and each namespace routes exactly those
ranges into libipsec's TUN device (:class:`~vpnkit.peer.netns.Lab` with ``routes=``), the
peer's address staying on the veth. So routing, not the selectors, decides what is carried.

One row per (VPC range, destination route). Each enabled route must carry a UDP echo from a
VPC address to an address in its destination range, the VPC side's kernel must route that
destination into the TUN device (``ip route get``) and the CHILD_SA's ESP counters must move.
A disabled route is down (``ROUTE_DISABLED``): its range exists on the IDC side, but traffic to
it is checked to stay out of the tunnel; so is traffic to a control address no route covers.
BGP tunnels (routes learned over a BGP session) are not rehearsed.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vpnkit.peer.netns import TUN, Lab, Side
from vpnkit.peer.rehearse_probe import ECHOED, UNREACHABLE, probe
from vpnkit.peer.rehearse_reasons import Diagnosis, Status
from vpnkit.peer.rehearse_run import Child, Setup, carried_by_sa, missing_sas, parse_sas

__all__ = ["check_routes", "control_address", "disabled_outcome", "strip_if_id",
           "tunnel_routes"]

_IF_ID = re.compile(r"^\s*if_id_(?:in|out)\s*=.*$\n?", re.M)
#: candidates for the control address (documentation ranges, last hosts)
_CONTROL = ("192.0.2.254", "198.51.100.254", "203.0.113.254", "198.19.255.254")


def strip_if_id(text: str) -> tuple[str, bool]:
    """``text`` without its ``if_id_in``/``if_id_out`` lines, and whether it had any."""
    out, n = _IF_ID.subn("", text)
    return out, n > 0


def _get(row: Any, key: str, attr: str) -> Any:
    return row.get(key) if isinstance(row, Mapping) else getattr(row, attr, None)


def tunnel_routes(rows: Iterable[Any], vpn_connection_id: str
                  ) -> tuple[list[str], list[str], list[str]]:
    """The destination routes that point at the tunnel: (enabled, disabled, notes).

    ``rows``: DescribeVpnGatewayRoutes ``Routes`` (dicts) or :class:`~vpnkit.models.GatewayRoute`;
    a plain CIDR string is an enabled route. Routes to other next hops are left out; a
    destination that also goes elsewhere is noted (which copy wins is the gateway's priority).
    """
    enabled: list[str] = []
    disabled: list[str] = []
    elsewhere: dict[str, list[str]] = {}
    for row in rows:
        if isinstance(row, str):
            enabled.append(str(ipaddress.ip_network(row, strict=False)))
            continue
        dest = str(_get(row, "DestinationCidrBlock", "destination_cidr_block") or "")
        hop = str(_get(row, "InstanceId", "instance_id") or "")
        kind = str(_get(row, "InstanceType", "instance_type") or "VPNCONN")
        status = str(_get(row, "Status", "status") or "ENABLE")
        if not dest:
            continue
        dest = str(ipaddress.ip_network(dest, strict=False))
        if kind != "VPNCONN" or hop != vpn_connection_id:
            elsewhere.setdefault(dest, []).append(hop or kind)
        elif status == "DISABLE":
            disabled.append(dest)
        else:
            enabled.append(dest)
    enabled = list(dict.fromkeys(enabled))
    disabled = [d for d in dict.fromkeys(disabled) if d not in enabled]
    notes = [f"the gateway also routes {d} to {', '.join(elsewhere[d])}; which one carries it "
             "depends on the routes' priority, not rehearsed" for d in enabled if d in elsewhere]
    return enabled, disabled, notes


def control_address(taken: Sequence[str]) -> str:
    """A documentation-range host (/32) outside every CIDR or address in ``taken``; "" if none."""
    nets = [ipaddress.ip_network(t, strict=False) for t in taken]
    for cand in _CONTROL:
        addr = ipaddress.ip_address(cand)
        if not any(addr in n for n in nets):
            return f"{cand}/32"
    return ""


def disabled_outcome(setup: Setup) -> dict[int, Diagnosis]:
    """The rows of disabled routes: down before anything is negotiated."""
    return {i: Diagnosis(Status.NO_TRAFFIC, "ROUTE_DISABLED",
                         f"the gateway's route to {setup.pairs[i][1]} is disabled (Status "
                         "DISABLE): the VPC side does not send that range into the tunnel")
            for i in sorted(setup.disabled)}


def _route_devices(side: Side, flows: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The device ``side``'s kernel routes each (source, destination) through."""
    if not flows:
        return {}
    lines = [f"route get {dst} from {src}" for src, dst in flows]
    try:
        proc = subprocess.run(["ip", "-force", "-n", side.ns, "-batch", "-"],
                              input="\n".join(lines) + "\n", capture_output=True, text=True,
                              timeout=10.0, check=False)
    except subprocess.TimeoutExpired:
        return {}
    return {m.group(1): m.group(2)
            for m in re.finditer(r"^(\S+) from \S+ dev (\S+)", proc.stdout, re.M)}


def check_routes(lab: Lab, setup: Setup, outcome: dict[int, Diagnosis],
                 by: dict[int, Child], mirrored: bool) -> list[str]:
    """Send traffic per enabled route (VPC side to IDC side) and prove what stays out; notes."""
    todo = missing_sas(lab, setup, outcome, by, mirrored)
    if not todo:
        return []
    t, i_ = lab.tencent, lab.idc
    flows = [(t.addresses[setup.pairs[i][0]], i_.addresses[setup.pairs[i][1]]) for i in todo]
    src = flows[0][0]
    outside = [(src, i_.addresses[setup.pairs[i][1]]) for i in sorted(setup.disabled)]
    if setup.control:
        outside.append((src, i_.addresses[setup.control]))
    states = probe(lab, flows + outside, client=t, server=i_)
    devices = _route_devices(t, flows)
    after = parse_sas(t.swanctl("--list-sas")[1])
    for n, i in enumerate(todo):
        local, remote = setup.pairs[i]
        s, d = flows[n]
        if states[n] != ECHOED:
            why = "the VPC side has no route to it" if states[n] == UNREACHABLE \
                else "no UDP echo came back"
            outcome[i] = Diagnosis(Status.NO_TRAFFIC, "NO_TRAFFIC",
                                   f"the SA is up but traffic from {s} to {d} failed: {why}")
        elif devices.get(d) != TUN:
            outcome[i] = Diagnosis(Status.NO_TRAFFIC, "NOT_THROUGH_THE_SA",
                                   f"the echo from {s} to {d} came back, but the VPC side routes "
                                   f"{d} via {devices.get(d) or 'no device'}, not the tunnel")
        elif not carried_by_sa(after, local, remote):
            outcome[i] = Diagnosis(Status.NO_TRAFFIC, "NOT_THROUGH_THE_SA",
                                   f"the echo from {s} to {d} came back, but not through the "
                                   "tunnel's SA (its ESP counters did not move)")
    leaked = [dst for (_, dst), st in zip(outside, states[len(flows):], strict=True)
              if st == ECHOED]
    if leaked:
        for i in todo:
            if i not in outcome:
                outcome[i] = Diagnosis(
                    Status.NO_TRAFFIC, "UNROUTED_TRAFFIC_CARRIED",
                    f"traffic to {', '.join(leaked)}, which no enabled route covers, crossed "
                    "too: the lab did not route by destination, so this proves nothing")
        return []
    return [f"traffic from {src} to {dst} (no enabled route) stayed out of the tunnel "
            f"({st})" for (_, dst), st in zip(outside, states[len(flows):], strict=True)]

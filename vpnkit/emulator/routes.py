"""Destination routes of a VPN gateway (Create/Describe/DeleteVpnGatewayRoutes).

Shapes: PYSDK ``VpnGatewayRoute`` and tccli 3.1.189.1 ``examples.json`` (a created route
answers ``RouteId`` ``vpnr-...``, ``Type: "Static"``, ``Status`` and create/update times).
"创建路由型VPN网关的目的路由" (APIJSON): routes serve route-based tunnels, so a route may
point at a tunnel of the same gateway (``InstanceType: VPNCONN``) or at the gateway's CCN
(``CCN``). The docs leave open what happens to a route whose tunnel is deleted; the
emulator keeps it, as the rows of a route table are independent of their next hop.

Rules and codes (GOINTL client.go lists; unlisted specifics answer their parent, codes.py):

* ``DestinationCidrBlock`` not a CIDR -> ``InvalidParameterValue.Malformed``; an all-0,
  all-255, multicast or loopback range -> ``InvalidParameterValue`` ("SPD or route IP
  ranges ... cannot be", Use Limits, tencentcloud.com product 1037 doc 32682)
* ``InstanceType`` not VPNCONN/CCN, ``Priority`` not 0/100, ``Status`` not ENABLE/DISABLE
  (PYSDK field docs) -> ``InvalidParameterValue``
* next hop not a tunnel of the gateway / not its CCN -> ``ResourceNotFound``; a Policy or
  Bgp tunnel (not destination-routed) -> ``UnsupportedOperation``
* the same destination and next hop twice -> ``InvalidParameterValue`` (no code is listed)
* unknown RouteIds on delete -> ``ResourceNotFound``
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vpnkit.cidr import parse_network
from vpnkit.emulator.codes import EmulatorError
from vpnkit.emulator.query import check_id, exact
from vpnkit.emulator.rules import reserved_range

__all__ = ["ROUTE_FILTERS", "create_routes", "delete_routes", "view"]

_CHOICES = {"InstanceType": ("VPNCONN", "CCN"), "Priority": (0, 100),
            "Status": ("ENABLE", "DISABLE")}
_OUTPUT_ONLY = ("RouteId", "Type", "CreateTime", "UpdateTime")


#: DescribeVpnGatewayRoutes filter names, as the SDK field doc spells them
#: ("DestinationCidr, InstanceId, InstanceType").
ROUTE_FILTERS = {"DestinationCidr": exact("DestinationCidrBlock"),
                 "InstanceId": exact("InstanceId"), "InstanceType": exact("InstanceType")}


def _check(i: int, route: Mapping[str, Any], gw: Mapping[str, Any],
           tunnels: Mapping[str, Mapping[str, Any]]) -> None:
    path = f"Routes.{i}"
    try:
        net = parse_network(route["DestinationCidrBlock"])
    except ValueError as exc:
        raise EmulatorError("InvalidParameterValue.Malformed",
                            f"`{path}.DestinationCidrBlock`: {exc}") from None
    if reserved_range(net):
        raise EmulatorError("InvalidParameterValue", f"`{path}.DestinationCidrBlock`={net} "
                            "is an all-0, all-255, multicast or loopback range.")
    for key, allowed in _CHOICES.items():
        if route[key] not in allowed:
            raise EmulatorError("InvalidParameterValue", f"`{path}.{key}`={route[key]!r} is "
                                f"not one of {', '.join(map(str, allowed))}.")
    target = route["InstanceId"]
    if route["InstanceType"] == "CCN":
        if target != gw.get("NetworkInstanceId") or not target:
            raise EmulatorError("ResourceNotFound", f"{target} is not the CCN of VPN gateway "
                                f"{gw['VpnGatewayId']}.")
        return
    check_id(target, "vpnx", f"{path}.InstanceId")
    tunnel = tunnels.get(target)
    if tunnel is None or tunnel["VpnGatewayId"] != gw["VpnGatewayId"] or \
            tunnel["_gone"] is not None:
        raise EmulatorError("ResourceNotFound", f"The tunnel {target} does not exist on VPN "
                            f"gateway {gw['VpnGatewayId']}.")
    if tunnel["RouteType"] in ("Policy", "Bgp"):
        raise EmulatorError("UnsupportedOperation", f"The tunnel {target} is "
                            f"{tunnel['RouteType']}-routed; destination routes need a "
                            "route-based (StaticRoute) tunnel.")


def create_routes(routes: dict[str, dict[str, Any]], gw: Mapping[str, Any],
                  tunnels: Mapping[str, Mapping[str, Any]], wanted: Sequence[Mapping[str, Any]],
                  new_id: Callable[[], str], now: str) -> list[dict[str, Any]]:
    """Check every requested route, then add them all (none on any error)."""
    if not wanted:
        raise EmulatorError("MissingParameter", "`Routes` must list at least one route.")
    mine = [r for r in routes.values() if r["VpnGatewayId"] == gw["VpnGatewayId"]]
    seen = {(r["DestinationCidrBlock"], r["InstanceId"]) for r in mine}
    for i, route in enumerate(wanted):
        _check(i, route, gw, tunnels)
        key = (route["DestinationCidrBlock"], route["InstanceId"])
        if key in seen:
            raise EmulatorError("InvalidParameterValue", f"`Routes.{i}`: a route to {key[0]} "
                                f"via {key[1]} already exists.")
        seen.add(key)
    created = []
    for route in wanted:
        rid = new_id()
        record = {k: v for k, v in route.items() if k not in _OUTPUT_ONLY}
        record.update(RouteId=rid, Type="Static", CreateTime=now, UpdateTime=now,
                      VpnGatewayId=gw["VpnGatewayId"])
        record.setdefault("Description", "")
        routes[rid] = record
        created.append(view(record))
    return created


def view(record: Mapping[str, Any]) -> dict[str, Any]:
    """A route as the API answers it (without the emulator's gateway back-reference)."""
    return {k: copy.deepcopy(v) for k, v in record.items() if k != "VpnGatewayId"}


def delete_routes(routes: dict[str, dict[str, Any]], gw: Mapping[str, Any],
                  ids: Sequence[str]) -> None:
    """Delete the routes ``ids`` of ``gw``; all must exist (none deleted otherwise)."""
    if not ids:
        raise EmulatorError("MissingParameter", "`RouteIds` must list at least one route.")
    for i, rid in enumerate(ids):
        check_id(rid, "vpnr", f"RouteIds.{i}")
        found = routes.get(rid)
        if found is None or found["VpnGatewayId"] != gw["VpnGatewayId"]:
            raise EmulatorError("ResourceNotFound", f"The route {rid} does not exist on VPN "
                                f"gateway {gw['VpnGatewayId']}.")
    for rid in ids:
        routes.pop(rid, None)

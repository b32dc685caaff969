"""Request shapes per action, and a reader that checks raw JSON (or GET/v1 form) against them.

The emulator parses requests on its own (never through ``vpnkit.wire``) so a serialisation
bug in a client shows up instead of being mirrored. Field types of the option-bearing objects
come from :mod:`vpnkit.options`; the rest follow §1.1, §2 and §3 of ``tencent-vpc-api.md``.

Reader errors (§10): a missing required field -> ``MissingParameter``; a field the action does
not define -> ``UnknownParameter``; a value of the wrong JSON type -> ``InvalidParameter``.
Form requests (GET, v1) carry every scalar as a string (§7.6): ``"True"``/``"False"`` for
booleans, decimal text for integers; flattened keys ``A.0.B`` are rebuilt by :func:`unflatten`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from vpnkit.emulator.codes import EmulatorError
from vpnkit.options import by_section

__all__ = ["SCHEMAS", "ListOf", "Obj", "read", "unflatten"]

STR, INT, BOOL = "str", "int", "bool"
#: an integer that the wire may carry as a string (DescribeVpcs Offset/Limit are str, §3.1)
INTSTR = "intstr"
_INT_RE = re.compile(r"-?[0-9]{1,30}")
_MAX_DEPTH = 8  # deeper than any request shape (e.g. SecurityPolicyDatabases.0.RemoteCidrBlock.1)
_INDEX_RE = re.compile(r"0|[1-9][0-9]{0,5}")  # canonical list indexes only


@dataclass(frozen=True, slots=True)
class ListOf:
    """A JSON array of ``item``."""

    item: Node


@dataclass(frozen=True, slots=True)
class Obj:
    """A JSON object with known ``fields``, some ``required``."""

    fields: Mapping[str, Node]
    required: frozenset[str] = frozenset()


Node = Union[str, ListOf, Obj]  # noqa: UP007 - a runtime alias over a forward reference


def _bad(path: str, what: str) -> EmulatorError:
    return EmulatorError("InvalidParameter", f"The parameter `{path}` must be {what}.")


def _scalar(value: Any, kind: str, path: str, form: bool) -> Any:
    if kind == STR:
        if isinstance(value, str):
            return value
        raise _bad(path, "a string")
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if form and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _bad(path, "a boolean")
    # INT / INTSTR
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (form or kind == INTSTR):
        if _INT_RE.fullmatch(value.strip()):
            return int(value)
        if kind == INTSTR:
            raise EmulatorError("InvalidParameterValue.Malformed",
                                f"The value `{value}` of `{path}` is not an integer.")
    raise _bad(path, "an integer")


def read(value: Any, node: Node, path: str = "", *, form: bool = False) -> Any:
    """Check ``value`` against ``node`` and return it with form strings converted."""
    if isinstance(node, str):
        return _scalar(value, node, path, form)
    if isinstance(node, ListOf):
        if not isinstance(value, list):
            raise _bad(path, "an array")
        return [read(v, node.item, f"{path}.{i}", form=form) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise _bad(path or "body", "an object")
    prefix = f"{path}." if path else ""
    for key in value:
        if key not in node.fields:
            raise EmulatorError("UnknownParameter",
                                f"The parameter `{prefix}{key}` is not recognized.")
    for key in sorted(node.required):
        if key not in value:
            raise EmulatorError("MissingParameter",
                                f"The request is missing a required parameter `{prefix}{key}`.")
    return {k: read(v, node.fields[k], f"{prefix}{k}", form=form) for k, v in value.items()}


def unflatten(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild nested params from ``A.0.B=v`` pairs (§7.6); indexes must run 0..n-1."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.split(".")
        if not all(parts) or len(parts) > _MAX_DEPTH:
            raise EmulatorError("InvalidParameter", f"The parameter name `{key}` is malformed.")
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise EmulatorError("InvalidParameter", f"The parameter `{key}` conflicts.")
            node = child
        if parts[-1] in node:
            raise EmulatorError("InvalidParameter", f"The parameter `{key}` is repeated.")
        node[parts[-1]] = value
    return _lists(root, "")  # type: ignore[no-any-return]


def _lists(node: Any, path: str) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(_INDEX_RE.fullmatch(k) for k in node):
        if sorted(int(k) for k in node) != list(range(len(node))):
            raise EmulatorError("InvalidParameter",
                                f"The indexes of `{path}` must start at 0 and be contiguous.")
        return [_lists(node[str(i)], f"{path}.{i}") for i in range(len(node))]
    return {k: _lists(v, f"{path}.{k}" if path else k) for k, v in node.items()}


# --- shapes ------------------------------------------------------------------------------

def _options(section: str) -> dict[str, Node]:
    """Field types of an options-table section (DpdTimeout is a string on the wire)."""
    return {o.wire: INT if o.kind == "int" and not o.wire_str else BOOL if o.kind == "bool"
            else STR for o in by_section(section)}


def _all_required(fields: Mapping[str, Node]) -> Obj:
    return Obj(fields, frozenset(fields))


TAG = Obj({"Key": STR, "Value": STR}, frozenset({"Key"}))
FILTER = _all_required({"Name": STR, "Values": ListOf(STR)})
SPD = _all_required({"LocalCidrBlock": STR, "RemoteCidrBlock": ListOf(STR)})
# §2.3: both spellings of the integrity algorithm are accepted on input.
_TUNNEL: dict[str, Node] = {
    **_options("spec"),
    "SecurityPolicyDatabases": ListOf(SPD),
    "IKEOptionsSpecification": Obj(_options("ike")),
    "IPSECOptionsSpecification": Obj({**_options("ipsec"), "IntegrityAlgorithm": STR}),
    "BgpConfig": _all_required(_options("bgp")),
    "HealthCheckConfig": Obj(_options("health_check_config")),
}
# §1.1 #18: Route is deprecated but still accepted (CreateVpnConnRoute).
_ROUTE = Obj({"DestinationCidrBlock": STR, "Priority": INT, "Description": STR})


def _describe(ids: str, paging: str = INT) -> Obj:
    return Obj({ids: ListOf(STR), "Filters": ListOf(FILTER), "Offset": paging, "Limit": paging})


SCHEMAS: dict[str, Obj] = {
    "CreateVpnConnection": Obj(
        {"VpnGatewayId": STR, "CustomerGatewayId": STR, "VpnConnectionName": STR, "VpcId": STR,
         **_TUNNEL, "Tags": ListOf(TAG), "Route": _ROUTE},
        frozenset({"VpnGatewayId", "CustomerGatewayId", "VpnConnectionName", "PreShareKey"}),
    ),
    # §3.6: every tunnel field except RouteType (and the create-only ids, tags, route).
    "ModifyVpnConnectionAttribute": Obj(
        {"VpnConnectionId": STR, "VpnConnectionName": STR, "CustomerGatewayId": STR,
         **{k: v for k, v in _TUNNEL.items() if k != "RouteType"}},
        frozenset({"VpnConnectionId"}),
    ),
    "DeleteVpnConnection": _all_required({"VpnGatewayId": STR, "VpnConnectionId": STR}),
    "DescribeVpnConnections": _describe("VpnConnectionIds"),
    "DescribeVpcs": _describe("VpcIds", INTSTR),
    "DescribeVpnGateways": _describe("VpnGatewayIds"),
    "DescribeCustomerGateways": _describe("CustomerGatewayIds"),
    "DescribeVpcTaskResult": _all_required({"TaskId": STR}),
    # APIJSON: LimitTypes (list of str) is required (limits.py)
    "DescribeVpcLimits": _all_required({"LimitTypes": ListOf(STR)}),
    # PYSDK VpnGatewayRoute / APIJSON required flags; RouteId, Type and the times are
    # output fields of the same model, accepted on input and ignored.
    "DescribeVpnGatewayRoutes": Obj({"VpnGatewayId": STR, "Filters": ListOf(FILTER),
                                     "Offset": INT, "Limit": INT}, frozenset({"VpnGatewayId"})),
    "CreateVpnGatewayRoutes": _all_required({"VpnGatewayId": STR, "Routes": ListOf(Obj(
        {"DestinationCidrBlock": STR, "InstanceType": STR, "InstanceId": STR, "Priority": INT,
         "Status": STR, "RouteId": STR, "Type": STR, "CreateTime": STR, "UpdateTime": STR,
         "Description": STR},
        frozenset({"DestinationCidrBlock", "InstanceType", "InstanceId", "Priority",
                   "Status"})))}),
    "DeleteVpnGatewayRoutes": _all_required({"VpnGatewayId": STR, "RouteIds": ListOf(STR)}),
    "DescribeCustomerGatewayVendors": Obj({}),
    "DownloadCustomerGatewayConfiguration": _all_required({
        "VpnGatewayId": STR, "VpnConnectionId": STR, "InterfaceName": STR,
        "CustomerGatewayVendor": _all_required({"Platform": STR, "SoftwareVersion": STR,
                                                "VendorName": STR})}),
    # ref §3.10 and tccli examples.json: the gateway and the tunnel, both required.
    "ResetVpnConnection": _all_required({"VpnGatewayId": STR, "VpnConnectionId": STR}),
    "GenerateVpnConnectionDefaultHealthCheckIp": _all_required({"VpnGatewayId": STR}),
    "CreateCustomerGateway": Obj(
        {"CustomerGatewayName": STR, "IpAddress": STR, "Tags": ListOf(TAG), "BgpAsn": INT},
        frozenset({"CustomerGatewayName", "IpAddress"}),
    ),
}

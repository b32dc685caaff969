"""The only module that knows Tencent field names and JSON shapes.

``spec_to_wire`` gives the exact request body (fields in the official SDK's order, ``None``
dropped, §7.5); ``spec_from_wire`` reads the same shape strictly (unknown fields are an
error, as the live API says ``UnknownParameter``); ``connection_from_wire`` reads response
objects leniently (old responses carry some integers as strings, §2.4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from typing import Any

from vpnkit import options
from vpnkit.errors import SpecError
from vpnkit.models import (
    BgpConfig,
    HealthCheckConfig,
    IkeOptions,
    IpsecOptions,
    SpdRule,
    Tag,
    VpnConnection,
    VpnConnectionSpec,
    VpnConnRoute,
)
from vpnkit.validate import Issue

__all__ = [
    "MODIFY_FIELDS",
    "SPEC_FIELDS",
    "connection_from_wire",
    "modify_to_wire",
    "spec_from_wire",
    "spec_to_wire",
]

#: Top-level request fields, wire name -> spec attribute, in the SDK's order (§1.1).
SPEC_FIELDS: dict[str, str] = {
    "VpnGatewayId": "vpn_gateway_id",
    "CustomerGatewayId": "customer_gateway_id",
    "VpnConnectionName": "vpn_connection_name",
    "PreShareKey": "pre_share_key",
    "VpcId": "vpc_id",
    "SecurityPolicyDatabases": "security_policy_databases",
    "IKEOptionsSpecification": "ike_options",
    "IPSECOptionsSpecification": "ipsec_options",
    "Tags": "tags",
    "EnableHealthCheck": "enable_health_check",
    "HealthCheckLocalIp": "health_check_local_ip",
    "HealthCheckRemoteIp": "health_check_remote_ip",
    "RouteType": "route_type",
    "NegotiationType": "negotiation_type",
    "DpdEnable": "dpd_enable",
    "DpdTimeout": "dpd_timeout",
    "DpdAction": "dpd_action",
    "Route": "route",
    "BgpConfig": "bgp_config",
    "HealthCheckConfig": "health_check_config",
}
_NESTED: dict[str, tuple[str, type[Any]]] = {
    "ike_options": ("ike", IkeOptions),
    "ipsec_options": ("ipsec", IpsecOptions),
    "bgp_config": ("bgp", BgpConfig),
    "health_check_config": ("health_check_config", HealthCheckConfig),
}
_ROUTE = {"DestinationCidrBlock": "destination_cidr_block", "Priority": "priority",
          "Description": "description"}
# §2.3: the correctly spelled field documents only these values; the others exist only under
# the deprecated "IntegrityAlgorith" spelling, which responses still use.
_NEW_INTEGRITY = ("IntegrityAlgorithm", frozenset({"MD5", "SHA1", "SHA-256"}))
_OLD_INTEGRITY = "IntegrityAlgorith"


# --- spec -> wire ----------------------------------------------------------------------

def _section_to_wire(section: str, obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for opt in options.by_section(section):
        value = getattr(obj, opt.name)
        if value is None:
            continue
        wire = opt.wire
        if section == "ipsec" and opt.name == "integrity_algorithm" and \
                value in _NEW_INTEGRITY[1]:
            wire = _NEW_INTEGRITY[0]
        out[wire] = str(value) if opt.wire_str and isinstance(value, int) else value
    return out


def spec_to_wire(spec: VpnConnectionSpec) -> dict[str, Any]:
    """The JSON body of ``CreateVpnConnection`` for ``spec`` (``None`` fields omitted)."""
    body: dict[str, Any] = {}
    for wire, attr in SPEC_FIELDS.items():
        value = getattr(spec, attr)
        if value is None or (value == () and attr in ("security_policy_databases", "tags")):
            continue
        if attr == "security_policy_databases":
            value = [{"LocalCidrBlock": r.local_cidr_block,
                      "RemoteCidrBlock": list(r.remote_cidr_blocks)} for r in value]
        elif attr == "tags":
            value = [{"Key": t.key, "Value": t.value} for t in value]
        elif attr in _NESTED:
            value = _section_to_wire(_NESTED[attr][0], value)
        elif attr == "route":
            value = {w: getattr(value, a) for w, a in _ROUTE.items()
                     if getattr(value, a) is not None}
        elif attr == "dpd_timeout" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # §1.1 #16: a string on the wire
        body[wire] = value
    return body


#: ModifyVpnConnectionAttribute's changeable fields (§3.6; PYSDK
#: ``ModifyVpnConnectionAttributeRequest``), wire name -> spec attribute, in the SDK's order.
MODIFY_FIELDS: dict[str, str] = {
    wire: SPEC_FIELDS[wire] for wire in (
        "VpnConnectionName", "PreShareKey", "SecurityPolicyDatabases",
        "IKEOptionsSpecification", "IPSECOptionsSpecification", "EnableHealthCheck",
        "HealthCheckLocalIp", "HealthCheckRemoteIp", "NegotiationType", "DpdEnable",
        "DpdTimeout", "DpdAction", "CustomerGatewayId", "HealthCheckConfig", "BgpConfig")
}


def modify_to_wire(vpn_connection_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of ``ModifyVpnConnectionAttribute`` for a partial change.

    ``changes`` maps spec attribute names (``vpn_connection_name``, ``ike_options``, ...) to
    model values; only the given fields are sent, and inside an option section only the
    options that are not ``None`` (the API keeps the others, §3.6). ``SpecError`` names any
    attribute Modify cannot change.
    """
    by_attr = {attr: wire for wire, attr in MODIFY_FIELDS.items()}
    unknown = [k for k in changes if k not in by_attr]
    if unknown:
        raise SpecError([Issue(k, "UnknownParameter",
                               f"{k!r} cannot be changed by ModifyVpnConnectionAttribute")
                         for k in unknown])
    body: dict[str, Any] = {"VpnConnectionId": vpn_connection_id}
    for wire, attr in MODIFY_FIELDS.items():
        if attr not in changes or changes[attr] is None:
            continue
        value = changes[attr]
        if attr == "security_policy_databases":
            value = [{"LocalCidrBlock": r.local_cidr_block,
                      "RemoteCidrBlock": list(r.remote_cidr_blocks)} for r in value]
        elif attr in _NESTED:
            value = _section_to_wire(_NESTED[attr][0], value)
        elif attr == "dpd_timeout" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # §1.1 #16: a string on the wire
        body[wire] = value
    return body


# --- wire -> spec (strict) -------------------------------------------------------------

class _Reader:
    """Collects every shape problem of a wire dict, so one SpecError lists them all."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def problem(self, path: str, code: str, message: str) -> None:
        self.issues.append(Issue(path, code, message))

    def obj(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(path, "InvalidParameter", f"must be an object, got {value!r:.80}")
        return None

    def array(self, value: Any, path: str) -> list[Any]:
        if isinstance(value, list | tuple):
            return list(value)
        self.problem(path, "InvalidParameter", f"must be an array, got {value!r:.80}")
        return []

    def section(self, value: Any, path: str, section: str, cls: type[Any]) -> Any:
        data = self.obj(value, path)
        if data is None:
            return None
        kwargs: dict[str, Any] = {}
        for key, item in data.items():
            opt = options.by_wire(section, key)
            if section == "ipsec" and key in (_NEW_INTEGRITY[0], _OLD_INTEGRITY):
                opt = options.get("ipsec", "integrity_algorithm")
                other = kwargs.get(opt.name)
                if other is not None and other != item:
                    self.problem(f"{path}.{key}", "InvalidParameter.Coexist",
                                 f"IntegrityAlgorith={other!r} and IntegrityAlgorithm={item!r} "
                                 "disagree; give one")
            if opt is None:
                self.problem(f"{path}.{key}", "UnknownParameter",
                             f"{key!r} is not a field of {path}")
                continue
            if opt.wire_str and isinstance(item, str) and item.strip().isdigit():
                item = int(item)
            kwargs[opt.name] = item
        missing = [f.name for f in fields(cls)
                   if f.default is MISSING and f.default_factory is MISSING
                   and f.name not in kwargs]
        for name in missing:
            self.problem(f"{path}.{options.get(section, name).wire}", "MissingParameter",
                         "is required")
        return None if missing else cls(**kwargs)

    def spd(self, value: Any, path: str) -> list[SpdRule]:
        rules = []
        for i, item in enumerate(self.array(value, path)):
            data = self.obj(item, f"{path}[{i}]")
            if data is None:
                continue
            for key in data.keys() - {"LocalCidrBlock", "RemoteCidrBlock"}:
                self.problem(f"{path}[{i}].{key}", "UnknownParameter", f"unknown field {key!r}")
            remote = data.get("RemoteCidrBlock", [])
            remotes = self.array(remote, f"{path}[{i}].RemoteCidrBlock")
            rules.append(SpdRule(data.get("LocalCidrBlock", ""), tuple(remotes)))
        return rules

    def tags(self, value: Any, path: str) -> list[Tag]:
        out = []
        for i, item in enumerate(self.array(value, path)):
            data = self.obj(item, f"{path}[{i}]")
            if data is not None:
                out.append(Tag(data.get("Key", ""), data.get("Value", "")))
        return out

    def route(self, value: Any, path: str) -> VpnConnRoute | None:
        data = self.obj(value, path)
        if data is None:
            return None
        for key in data.keys() - _ROUTE.keys():
            self.problem(f"{path}.{key}", "UnknownParameter", f"unknown field {key!r}")
        if "DestinationCidrBlock" not in data:
            self.problem(f"{path}.DestinationCidrBlock", "MissingParameter", "is required")
            return None
        return VpnConnRoute(**{_ROUTE[k]: v for k, v in data.items() if k in _ROUTE})


def spec_from_wire(params: Mapping[str, Any]) -> VpnConnectionSpec:
    """Read a ``CreateVpnConnection`` body; ``SpecError`` lists every shape problem.

    Only the shape is checked here (objects, arrays, known names, required fields); values
    are checked by :func:`vpnkit.validate.check`.
    """
    r = _Reader()
    if not isinstance(params, Mapping):
        raise SpecError([Issue("", "InvalidParameter",
                               f"the request must be a JSON object, got {params!r:.80}")])
    kwargs: dict[str, Any] = {}
    readers: dict[str, Callable[[Any, str], Any]] = {
        "security_policy_databases": r.spd, "tags": r.tags, "route": r.route}
    for key, value in params.items():
        attr = SPEC_FIELDS.get(key)
        if attr is None:
            r.problem(key, "UnknownParameter", f"{key!r} is not a CreateVpnConnection field")
        elif value is None:
            continue
        elif attr in _NESTED:
            kwargs[attr] = r.section(value, key, *_NESTED[attr])
        elif attr in readers:
            kwargs[attr] = readers[attr](value, key)
        elif attr == "dpd_timeout" and isinstance(value, str) and value.strip().isdigit():
            kwargs[attr] = int(value)
        else:
            kwargs[attr] = value
    for wire in ("VpnGatewayId", "CustomerGatewayId", "VpnConnectionName", "PreShareKey"):
        if wire not in params:
            r.problem(wire, "MissingParameter", "is required")
    if r.issues:
        raise SpecError(r.issues)
    return VpnConnectionSpec(**{k: v for k, v in kwargs.items() if v is not None})


# --- wire -> VpnConnection (lenient) ---------------------------------------------------

def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _lenient_section(section: str, cls: type[Any], data: Any) -> Any:
    if not isinstance(data, Mapping):
        return None
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        opt = options.by_wire(section, key)
        if section == "ipsec" and key == _NEW_INTEGRITY[0]:
            opt = options.get("ipsec", "integrity_algorithm")
            if kwargs.get(opt.name) is not None:
                continue
        if opt is not None and value is not None:
            kwargs[opt.name] = _int(value) if opt.kind == "int" else value
    try:
        return cls(**kwargs)
    except TypeError:  # a required nested field missing in an odd response
        return None


def connection_from_wire(data: Mapping[str, Any]) -> VpnConnection:
    """A ``VpnConnection`` from one element of ``VpnConnectionSet`` (unknown keys ignored)."""
    g = data.get
    spd = tuple(
        SpdRule(str(s.get("LocalCidrBlock", "")), tuple(s.get("RemoteCidrBlock") or ()))
        for s in (g("SecurityPolicyDatabaseSet") or ()) if isinstance(s, Mapping)
    )
    tags = tuple(Tag(str(t.get("Key", "")), str(t.get("Value", "")))
                 for t in (g("TagSet") or ()) if isinstance(t, Mapping))
    bgp = g("BgpConfig")
    return VpnConnection(
        vpn_connection_id=str(g("VpnConnectionId") or ""),
        vpn_connection_name=str(g("VpnConnectionName") or ""),
        vpc_id=str(g("VpcId") or ""),
        vpn_gateway_id=str(g("VpnGatewayId") or ""),
        customer_gateway_id=str(g("CustomerGatewayId") or ""),
        pre_share_key=g("PreShareKey"),
        vpn_proto=g("VpnProto"),
        encrypt_proto=g("EncryptProto"),
        route_type=g("RouteType"),
        created_time=g("CreatedTime"),
        state=g("State"),
        net_status=g("NetStatus"),
        security_policy_databases=spd,
        ike_options=_lenient_section("ike", IkeOptions, g("IKEOptionsSpecification")),
        ipsec_options=_lenient_section("ipsec", IpsecOptions, g("IPSECOptionsSpecification")),
        enable_health_check=g("EnableHealthCheck"),
        health_check_local_ip=g("HealthCheckLocalIp"),
        health_check_remote_ip=g("HealthCheckRemoteIp"),
        health_check_status=g("HealthCheckStatus"),
        dpd_enable=_int(g("DpdEnable")),
        dpd_timeout=_int(g("DpdTimeout")),
        dpd_action=g("DpdAction"),
        tags=tags,
        negotiation_type=g("NegotiationType"),
        bgp_config=dict(bgp) if isinstance(bgp, Mapping) else None,
        health_check_config=_lenient_section("health_check_config", HealthCheckConfig,
                                             g("HealthCheckConfig")),
    )

"""The wire codec: Tencent field names and JSON shapes <-> model fields.

With :mod:`vpnkit.wire` (the public face: it adds the lenient reader of responses and binds
the model classes) this is the only place that knows Tencent field names. It imports none of
:mod:`vpnkit.models`, so the models' ``to_wire``/``from_wire`` conveniences can use it with
the import arrow pointing one way (models -> codec; wire -> codec, models): objects are read
by attribute, and the strict reader builds them from the classes it is given
(:class:`ModelTypes`).

``spec_to_wire`` gives the exact request body (fields in the official SDK's order, ``None``
dropped, §7.5); ``decode_spec`` reads the same shape strictly (unknown fields are an error,
as the live API says ``UnknownParameter``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

from vpnkit import options
from vpnkit.errors import SpecError
from vpnkit.integers import int_issue
from vpnkit.issue import Issue
from vpnkit.redact import remember, shown

__all__ = [
    "MODIFY_FIELDS",
    "ROUTE_FIELDS",
    "SPEC_FIELDS",
    "ModelTypes",
    "decode_spec",
    "modify_to_wire",
    "route_to_wire",
    "spec_to_wire",
]


@dataclass(frozen=True)
class ModelTypes:
    """The model classes the strict reader builds (see :func:`vpnkit.models.codec_types`)."""

    spec: type[Any]
    spd_rule: type[Any]
    tag: type[Any]
    route: type[Any]
    ike: type[Any]
    ipsec: type[Any]
    bgp: type[Any]
    health_check_config: type[Any]


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
#: nested spec attribute -> its options section, which is also its ModelTypes field
_NESTED: dict[str, str] = {
    "ike_options": "ike",
    "ipsec_options": "ipsec",
    "bgp_config": "bgp",
    "health_check_config": "health_check_config",
}
_ROUTE = {"DestinationCidrBlock": "destination_cidr_block", "Priority": "priority",
          "Description": "description"}
# §2.3: two spellings of the IPsec integrity field. "IntegrityAlgorith" (sic) takes all six
# values and is the one every response example and Terraform use, so it is what vpnkit sends
# unless the caller chose the other (IpsecOptions.integrity_field, kept by from_wire). The
# correctly spelled field documents only MD5/SHA1/SHA-256.
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
                getattr(obj, "integrity_field", None) == _NEW_INTEGRITY[0]:
            wire = _NEW_INTEGRITY[0]
        out[wire] = str(value) if opt.wire_str and isinstance(value, int) else value
    return out


def _value_to_wire(attr: str, value: Any) -> Any:
    """One spec attribute's value in its wire shape (shared by Create and Modify bodies)."""
    if attr == "security_policy_databases":
        return [{"LocalCidrBlock": r.local_cidr_block,
                 "RemoteCidrBlock": list(r.remote_cidr_blocks)} for r in value]
    if attr == "tags":
        return [{"Key": t.key, "Value": t.value} for t in value]
    if attr in _NESTED:
        return _section_to_wire(_NESTED[attr], value)
    if attr == "route":
        return {w: getattr(value, a) for w, a in _ROUTE.items() if getattr(value, a) is not None}
    if attr == "dpd_timeout" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # §1.1 #16: a string on the wire
    return value


def spec_to_wire(spec: Any) -> dict[str, Any]:
    """The JSON body of ``CreateVpnConnection`` for ``spec`` (``None`` fields omitted)."""
    body: dict[str, Any] = {}
    for wire, attr in SPEC_FIELDS.items():
        value = getattr(spec, attr)
        if value is None or (value == () and attr in ("security_policy_databases", "tags")):
            continue
        body[wire] = _value_to_wire(attr, value)
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
        if changes.get(attr) is not None:
            body[wire] = _value_to_wire(attr, changes[attr])
    return body


#: VpnGatewayRoute request fields (PYSDK models, APIJSON), wire name -> GatewayRoute attribute.
ROUTE_FIELDS: dict[str, str] = {
    "DestinationCidrBlock": "destination_cidr_block", "InstanceType": "instance_type",
    "InstanceId": "instance_id", "Priority": "priority", "Status": "status",
    "Description": "description",
}


def route_to_wire(route: Any) -> dict[str, Any]:
    """One ``VpnGatewayRoute`` of a CreateVpnGatewayRoutes body (``None`` fields omitted)."""
    return {wire: getattr(route, attr) for wire, attr in ROUTE_FIELDS.items()
            if getattr(route, attr) is not None}


# --- wire -> spec (strict) -------------------------------------------------------------

def _kind(value: Any) -> str:
    """A JSON type name for messages: never the value itself (it may hold the key)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


class _Reader:
    """Collects every shape problem of a wire dict, so one SpecError lists them all."""

    def __init__(self, types: ModelTypes) -> None:
        self.types = types
        self.issues: list[Issue] = []

    def problem(self, path: str, code: str, message: str) -> None:
        self.issues.append(Issue(path, code, message))

    def obj(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(path, "InvalidParameter", f"must be an object, got {_kind(value)}")
        return None

    def array(self, value: Any, path: str) -> list[Any]:
        if isinstance(value, list | tuple):
            return list(value)
        self.problem(path, "InvalidParameter", f"must be an array, got {_kind(value)}")
        return []

    def unknown(self, path: str, key: Any, where: str) -> None:
        self.problem(path if is_plain_name(key) else where, "UnknownParameter",
                     f"{_name(key)} is not a field of {where or 'CreateVpnConnection'}")

    def integer(self, value: Any, path: str) -> Any:
        """An int-typed option: ints pass, decimal strings become ints (the API sends some
        as strings, §2.4), anything else is an issue naming the field and value."""
        if isinstance(value, bool) or not isinstance(value, int | str):
            return value  # validation names the wrong type
        number, issue = int_issue(value, path)
        if issue is not None:
            self.issues.append(issue)
        return number

    def section(self, value: Any, path: str, section: str, cls: type[Any]) -> Any:
        data = self.obj(value, path)
        if data is None:
            return None
        kwargs: dict[str, Any] = {}
        required = {f.name for f in fields(cls)
                    if f.default is MISSING and f.default_factory is MISSING}
        for key, item in data.items():
            opt = options.by_wire(section, key)
            if section == "ipsec" and key in (_NEW_INTEGRITY[0], _OLD_INTEGRITY):
                opt = options.get("ipsec", "integrity_algorithm")
                other = kwargs.get(opt.name)
                if other is not None and other != item:
                    self.problem(f"{path}.{key}", "InvalidParameter.Coexist",
                                 f"IntegrityAlgorith={shown(other)} and IntegrityAlgorithm="
                                 f"{shown(item)} disagree; give one")
                if item is not None:
                    kwargs["integrity_field"] = key
            if opt is None:
                self.unknown(f"{path}.{key}", key, path)
                continue
            if item is None:
                continue  # null is "not given"; a required field is reported below
            if opt.kind == "int":
                item = self.integer(item, f"{path}.{key}")
                if item is None:
                    continue
            kwargs[opt.name] = item
        if "integrity_field" in kwargs and "integrity_algorithm" not in kwargs:
            del kwargs["integrity_field"]
        missing = sorted(required - kwargs.keys())
        for name in missing:
            self.problem(f"{path}.{options.get(section, name).wire}", "MissingParameter",
                         "is required")
        return None if missing else cls(**kwargs)

    def spd(self, value: Any, path: str) -> list[Any]:
        rules = []
        for i, item in enumerate(self.array(value, path)):
            data = self.obj(item, f"{path}[{i}]")
            if data is None:
                continue
            for key in data.keys() - {"LocalCidrBlock", "RemoteCidrBlock"}:
                self.unknown(f"{path}[{i}].{key}", key, f"{path}[{i}]")
            local, remote = data.get("LocalCidrBlock"), data.get("RemoteCidrBlock")
            for name, given in (("LocalCidrBlock", local), ("RemoteCidrBlock", remote)):
                if given is None:  # §2.1: both required
                    self.problem(f"{path}[{i}].{name}", "MissingParameter", "is required")
            if local is None or remote is None:
                continue
            remotes = self.array(remote, f"{path}[{i}].RemoteCidrBlock")
            rules.append(self.types.spd_rule(local, tuple(remotes)))
        return rules

    def tags(self, value: Any, path: str) -> list[Any]:
        out = []
        for i, item in enumerate(self.array(value, path)):
            data = self.obj(item, f"{path}[{i}]")
            if data is None:
                continue
            for key in data.keys() - {"Key", "Value"}:
                self.unknown(f"{path}[{i}].{key}", key, f"{path}[{i}]")
            if data.get("Key") is None:  # §2.5: Key is required on input
                self.problem(f"{path}[{i}].Key", "MissingParameter", "is required")
                continue
            value_ = data.get("Value")
            out.append(self.types.tag(data["Key"], "" if value_ is None else value_))
        return out

    def route(self, value: Any, path: str) -> Any:
        data = self.obj(value, path)
        if data is None:
            return None
        for key in data.keys() - _ROUTE.keys():
            self.unknown(f"{path}.{key}", key, path)
        if data.get("DestinationCidrBlock") is None:
            self.problem(f"{path}.DestinationCidrBlock", "MissingParameter", "is required")
            return None
        kwargs = {_ROUTE[k]: v for k, v in data.items() if k in _ROUTE and v is not None}
        if "priority" in kwargs:
            kwargs["priority"] = self.integer(kwargs["priority"], f"{path}.Priority")
        return self.types.route(**kwargs)


#: Required top-level fields of CreateVpnConnection (APIJSON, §1.1).
_REQUIRED = ("VpnGatewayId", "CustomerGatewayId", "VpnConnectionName", "PreShareKey")


def decode_spec(params: Mapping[str, Any], *, types: ModelTypes,
                profile: str | None = None) -> Any:
    """Read a ``CreateVpnConnection`` body; ``SpecError`` lists every shape problem.

    Only the shape is checked here (objects, arrays, known names, required fields, integer
    syntax); values are checked by :func:`vpnkit.validate.check`. A required field given as
    ``null`` is ``MissingParameter``. Messages name the type of a bad value, never the value
    of a whole body (which would hold the key). ``profile`` (default none) names a profile
    of :data:`vpnkit.options.PROFILES` to fill the options the body leaves out.
    """
    r = _Reader(types)
    if isinstance(params, Mapping) and isinstance(params.get("PreShareKey"), str):
        remember(params["PreShareKey"])  # so a message echoing it anywhere is scrubbed
    if not isinstance(params, Mapping):
        raise SpecError([Issue("", "InvalidParameter",
                               f"the request must be a JSON object, got {_kind(params)}")])
    kwargs: dict[str, Any] = {}
    readers: dict[str, Callable[[Any, str], Any]] = {
        "security_policy_databases": r.spd, "tags": r.tags, "route": r.route}
    for key, value in params.items():
        attr = SPEC_FIELDS.get(key)
        if attr is None:
            r.unknown(str(key), key, "")
        elif value is None:
            continue
        elif attr in _NESTED:
            section = _NESTED[attr]
            kwargs[attr] = r.section(value, key, section, getattr(types, section))
        elif attr in readers:
            kwargs[attr] = readers[attr](value, key)
        elif attr in _INT_FIELDS:
            kwargs[attr] = r.integer(value, key)
        else:
            kwargs[attr] = value
    for wire in _REQUIRED:
        if params.get(wire) is None:
            r.problem(wire, "MissingParameter", "is required")
    if r.issues:
        raise SpecError(r.issues)
    # By default no profile: what the body says is exactly what is sent back (round trip).
    # ``profile="strong"`` fills what the body leaves out (e.g. a skeleton a user filled in).
    return types.spec(**{k: v for k, v in kwargs.items() if v is not None}, profile=profile)


_INT_FIELDS = frozenset(o.name for o in options.by_section("spec") if o.kind == "int")


def is_plain_name(key: Any) -> bool:
    """True for a key that can be shown as a path (short ASCII identifier)."""
    return isinstance(key, str) and key.isascii() and key.isidentifier() and len(key) <= 64


def _name(key: Any) -> str:
    """An unknown field's name for a message: only identifier-like names are echoed (a
    pasted key is not a name)."""
    if is_plain_name(key):
        return shown(key)
    return f"a field name of {len(key)} characters" if isinstance(key, str) else \
        f"a {type(key).__name__} field name"

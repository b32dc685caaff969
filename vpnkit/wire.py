"""Tencent field names and JSON shapes: the public face of the wire codec.

Encoding and the strict reader live in :mod:`vpnkit.codec` (which imports no models, so
``VpnConnectionSpec.to_wire``/``from_wire`` can use it one-way); this module re-exports them,
binds the model classes (``spec_from_wire``) and reads responses leniently
(``connection_from_wire``: old responses carry some integers as strings, §2.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from vpnkit import options
from vpnkit.codec import (
    _NEW_INTEGRITY,
    MODIFY_FIELDS,
    ROUTE_FIELDS,
    SPEC_FIELDS,
    modify_to_wire,
    route_to_wire,
    spec_to_wire,
)
from vpnkit.codec import decode_spec as _decode_spec
from vpnkit.integers import NotAnInteger, strict_int
from vpnkit.models import (
    HealthCheckConfig,
    IkeOptions,
    IpsecOptions,
    SpdRule,
    Tag,
    VpnConnection,
    VpnConnectionSpec,
    codec_types,
)

__all__ = [
    "MODIFY_FIELDS",
    "ROUTE_FIELDS",
    "SPEC_FIELDS",
    "connection_from_wire",
    "modify_to_wire",
    "route_to_wire",
    "spec_from_wire",
    "spec_to_wire",
]


def spec_from_wire(params: Mapping[str, Any], *, profile: str | None = None
                   ) -> VpnConnectionSpec:
    """Read a ``CreateVpnConnection`` body; ``SpecError`` lists every shape problem.

    See :func:`vpnkit.codec.decode_spec`: shape, names, required fields (``null`` is
    ``MissingParameter``) and integer syntax; values are checked by validation. The body is
    kept exactly (no profile) unless ``profile`` names one to fill what it leaves out.
    """
    return cast(VpnConnectionSpec, _decode_spec(params, types=codec_types(), profile=profile))


# --- wire -> VpnConnection (lenient) ---------------------------------------------------

def _int(value: Any) -> int | None:
    """A response integer: ints and decimal strings (old responses, §2.4); else not set."""
    try:
        return strict_int(value.strip() if isinstance(value, str) else value)
    except NotAnInteger:
        return None


def _text(value: Any) -> Any:
    """``""`` is the responses' placeholder for "not set" (NegotiationType, DpdAction, ...)."""
    return None if value == "" else value


def _in_range(opt: options.Option, value: int | None) -> int | None:
    """Out-of-range response integers are placeholders (an example answers lifetimes of 1
    beside all-empty strings; tccli examples.json, CreateVpnConnection, 2021): not set."""
    if value is None or opt.minimum is None or opt.maximum is None:
        return value
    return value if opt.minimum <= value <= opt.maximum else None


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
        if opt is None:
            continue
        value = _in_range(opt, _int(value)) if opt.kind == "int" else _text(value)
        if value is not None:
            kwargs[opt.name] = value
            if section == "ipsec" and opt.name == "integrity_algorithm":
                kwargs["integrity_field"] = key
    try:
        return cls(**kwargs)
    except TypeError:  # a required nested field missing in an odd response
        return None


def connection_from_wire(data: Mapping[str, Any]) -> VpnConnection:
    """A ``VpnConnection`` from one element of ``VpnConnectionSet`` (unknown keys ignored).

    Placeholders mean "not set" (None): ``DpdEnable: -1``, ``""`` strings, out-of-range
    integers; integers given as strings are read as ints (§1.2, §2.1 notes, §2.4).
    """
    g = data.get
    dpd = _int(g("DpdEnable"))
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
        net_status=_text(g("NetStatus")),
        security_policy_databases=spd,
        ike_options=_lenient_section("ike", IkeOptions, g("IKEOptionsSpecification")),
        ipsec_options=_lenient_section("ipsec", IpsecOptions, g("IPSECOptionsSpecification")),
        enable_health_check=g("EnableHealthCheck"),
        health_check_local_ip=_text(g("HealthCheckLocalIp")),
        health_check_remote_ip=_text(g("HealthCheckRemoteIp")),
        health_check_status=_text(g("HealthCheckStatus")),
        dpd_enable=dpd if dpd in (0, 1) else None,  # -1 in examples means "not set" (§1.2)
        dpd_timeout=_in_range(options.get("spec", "dpd_timeout"), _int(g("DpdTimeout"))),
        dpd_action=_text(g("DpdAction")),
        tags=tags,
        negotiation_type=_text(g("NegotiationType")),
        bgp_config=dict(bgp) if isinstance(bgp, Mapping) else None,
        health_check_config=_lenient_section("health_check_config", HealthCheckConfig,
                                             g("HealthCheckConfig")),
    )

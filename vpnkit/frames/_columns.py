"""The connections frame's columns: names, wire paths, kinds, categories (from options)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta, timezone
from types import MappingProxyType
from typing import Any

import pandas as pd

from vpnkit import options

#: The API's "YYYY-MM-DD HH:MM:SS" times are China Standard Time (UTC+8; no DST since 1991)
#: in every region. We attach that fixed offset (exact, and needs no tz database); use
#: ``.dt.tz_convert(...)`` for another zone. Comparisons with UTC columns just work.
API_TZ = timezone(timedelta(hours=8), "UTC+08:00")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

#: section of options.py -> column prefix
PREFIXES = {"ike": "ike_", "ipsec": "ipsec_", "bgp": "bgp_", "health_check_config": "hc_"}

# (column, wire path, kind, categories). Kinds: str, cat, int, bool, time, obj.
_Col = tuple[str, tuple[str, ...], str, tuple[Any, ...]]

# VpnConnection fields that are output-only (§2.4), hence not in the options table.
_OUTPUT_ONLY: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "vpn_connection_id": ("VpnConnectionId", "str", ()),
    "vpn_connection_name": ("VpnConnectionName", "str", ()),
    "vpc_id": ("VpcId", "str", ()),
    "vpn_gateway_id": ("VpnGatewayId", "str", ()),
    "customer_gateway_id": ("CustomerGatewayId", "str", ()),
    "vpn_proto": ("VpnProto", "cat", ("IPSEC",)),
    "encrypt_proto": ("EncryptProto", "cat", ("IKE",)),
    "created_time": ("CreatedTime", "time", ()),
    "state": ("State", "cat", ("PENDING", "AVAILABLE", "DELETING")),
    "net_status": ("NetStatus", "cat", ("AVAILABLE", "UNAVAILABLE")),
    "health_check_status": ("HealthCheckStatus", "cat", ("AVAILABLE", "UNAVAILABLE")),
}
# §2.4 order; names not in _OUTPUT_ONLY are tunnel-level rows of options.py.
_ORDER = ("vpn_connection_id", "vpn_connection_name", "vpc_id", "vpn_gateway_id",
          "customer_gateway_id", "vpn_proto", "encrypt_proto", "route_type", "created_time",
          "state", "net_status", "enable_health_check", "health_check_local_ip",
          "health_check_remote_ip", "health_check_status", "dpd_enable", "dpd_timeout",
          "dpd_action", "negotiation_type")
# BgpConfigAndAsn (output) adds two ASNs to the request's BgpConfig (§2.5); strings on the wire.
_BGP_ASNS = (("bgp_local_bgp_asn", ("BgpConfig", "LocalBgpAsn"), "int", ()),
             ("bgp_remote_bgp_asn", ("BgpConfig", "RemoteBgpAsn"), "int", ()))
# Responses use the deprecated spelling; the new one is read when the old is absent (§2.3).
_ALIASES = {("IPSECOptionsSpecification", "IntegrityAlgorith"): "IntegrityAlgorithm"}


def _option_col(opt: options.Option, column: str, path: tuple[str, ...]) -> _Col:
    kind = {"int": "int", "bool": "bool"}.get(opt.kind, "cat" if opt.choices else "str")
    return column, path, kind, opt.choices


def _connection_schema() -> tuple[_Col, ...]:
    cols: list[_Col] = []
    for name in _ORDER:
        if name in _OUTPUT_ONLY:
            wire, kind, cats = _OUTPUT_ONLY[name]
            cols.append((name, (wire,), kind, cats))
        else:
            opt = options.get("spec", name)
            cols.append(_option_col(opt, name, (opt.wire,)))
    for section, prefix in PREFIXES.items():
        parent = options.SECTIONS[section][1]
        cols += [_option_col(o, prefix + o.name, (parent, o.wire))
                 for o in options.by_section(section) if not o.secret]
        if section == "bgp":
            cols += _BGP_ASNS
    return tuple(cols)


_CONN = _connection_schema()
# per-tunnel values (ids, times, addresses): converted row by row, never de-duplicated
_DIRECT = frozenset(("vpn_connection_id", "vpn_connection_name", "vpc_id", "vpn_gateway_id",
                     "customer_gateway_id", "created_time", "health_check_local_ip",
                     "health_check_remote_ip"))
_EXTRA = {"spd_count": "len(SecurityPolicyDatabaseSet)",
          "tags": "TagSet as {Key: Value}", "tag:<key>": "TagSet[Key=<key>].Value"}

#: connections_frame column -> where it comes from in a VpnConnectionSet element.
COLUMNS: Mapping[str, str] = MappingProxyType(
    {c[0]: ".".join(c[1]) for c in _CONN} | _EXTRA)


def column_map() -> pd.DataFrame:
    """The documented mapping: column, wire path, dtype kind and help text (from options.py)."""
    helps = {prefix_col: o.help for o in options.OPTIONS
             for prefix_col in (PREFIXES.get(o.section, "") + o.name,)}
    rows = [{"column": c, "wire": ".".join(p), "kind": k, "help": helps.get(c, "")}
            for c, p, k, _ in _CONN]
    rows += [{"column": c, "wire": w, "kind": "int" if c.startswith("spd") else "obj",
              "help": ""} for c, w in _EXTRA.items()]
    return pd.DataFrame(rows, columns=["column", "wire", "kind", "help"])


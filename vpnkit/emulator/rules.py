"""The rules of a tunnel's configuration: one request in, one ``VpnConnection`` body out.

Pure functions over already-typed params (see :mod:`vpnkit.emulator.schema`); the backend
passes the gateway, customer gateway, VPC CIDR and the gateway's other tunnels in a
:class:`Context`. Enums, ranges and defaults come from :mod:`vpnkit.options` only.

Codes (§6 CreateVpnConnection list, §10 checklist; Modify answers the listed parent of a
code its own list lacks, see codes.for_action):

* enum or range -> ``InvalidParameterValue``; bad IP/CIDR/number text -> ``.Malformed``;
  name over 60 characters -> ``.TooLong``; empty name or key -> ``.Empty``
* SPD VPC side outside the VPC CIDR, or IDC side overlapping it -> ``.VpcCidrConflict``;
  IDC side overlapping its own VPC side -> ``.VpnConnCidrConflict``; two mappings of the
  gateway overlapping on both sides (console doc 1037/39635) -> ``.VpnConnCidrConflict``
  (Modify: ``UnsupportedOperation.VpnConnSPDOverlap``); more than 200 mappings on the
  gateway -> ``LimitExceeded``; an all-0/all-255/multicast/loopback range ->
  ``InvalidParameterValue`` (1037/32682); route-based tunnels take no SPD or any-any
* duplicate tunnel name on the gateway -> ``.Duplicate``
* BGP: TunnelCidr not a /30 -> ``.VpnConnBgpTunnelCidrMask``; BGP IPs not hosts of it ->
  ``.VpnConnBgpTunnelCidrNotSupported``; overlapping another tunnel's -> ``...Conflict``;
  BGP mixed with static tunnels on one gateway, or a customer gateway without an ASN ->
  ``UnsupportedOperation`` (the specific PYSDK codes are listed for no action)
* health-check IP inside the VPC CIDR -> ``.VpnConnHealthCheckIpConflict``
* GCM algorithms on a gateway whose Version is below 4.0 (or unreadable; compared by
  :mod:`vpnkit.gateway_version`) -> ``UnsupportedOperation`` (§2.2, §2.3)
"""

from __future__ import annotations

import copy
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from vpnkit import options
from vpnkit.cidr import parse_address, parse_network
from vpnkit.emulator.codes import EmulatorError
from vpnkit.gateway_version import GCM, at_least
from vpnkit.options import ROUTE_BASED

__all__ = ["ANY_ANY", "MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "Context", "check_name", "check_tags",
           "default_health_ips", "is_any_any", "reserved_range", "tunnel_config"]

MAX_NAME = 60  # §1.1 #3
_HEALTH_POOL = IPv4Network("169.254.128.0/17")  # §1.1 #11-12 default probe IPs


@dataclass(frozen=True, slots=True)
class Context:
    """What a tunnel's rules need to know about the world around it."""

    gateway: Mapping[str, Any]
    customer_gateway: Mapping[str, Any]
    vpc_cidr: IPv4Network | None
    siblings: Sequence[Mapping[str, Any]]  # the gateway's other tunnels (output shape)
    rng: random.Random
    action: str = "CreateVpnConnection"
    #: False when a Modify leaves the SPD as it is (state loaded into the emulator may hold
    #: SPDs that create would refuse, ref §2.1)
    check_spd: bool = True


def _err(code: str, message: str) -> EmulatorError:
    return EmulatorError(code, message)


def _net(value: str, path: str) -> IPv4Network:
    try:
        return parse_network(value)
    except ValueError as exc:
        raise _err("InvalidParameterValue.Malformed", f"`{path}`: {exc}") from None


def _ip(value: str, path: str) -> IPv4Address:
    try:
        return parse_address(value)
    except ValueError as exc:
        raise _err("InvalidParameterValue.Malformed", f"`{path}`: {exc}") from None


def check_name(name: str, path: str) -> None:
    """Names are 1-60 characters (§1.1 #3, §3.8)."""
    if not name.strip():
        raise _err("InvalidParameterValue.Empty", f"`{path}` must not be empty.")
    if len(name) > MAX_NAME:
        raise _err("InvalidParameterValue.TooLong",
                   f"`{path}` is {len(name)} characters long; the limit is {MAX_NAME}.")


def check_option(o: options.Option, value: Any, path: str) -> None:
    """One value against its row of the options table."""
    if o.kind == "ip":
        _ip(value, path)
        return
    if o.kind == "cidr":
        _net(value, path)
        return
    number = value
    if o.wire_str:  # DpdTimeout: an integer carried as a string (§1.1 #16)
        if not re.fullmatch(r"[0-9]{1,9}", value.strip()):
            raise _err("InvalidParameterValue.Malformed", f"`{path}`={value!r} is not a number.")
        number = int(value)
    if o.choices and number not in o.choices:
        allowed = ", ".join(str(c) for c in o.choices)
        raise _err("InvalidParameterValue", f"`{path}`={value!r} is not one of: {allowed}.")
    if o.minimum is not None and o.maximum is not None and not (
            o.minimum <= number <= o.maximum):
        raise _err("InvalidParameterValue",
                   f"`{path}`={value!r} is outside [{o.minimum}, {o.maximum}].")


def _section(section: str, given: Mapping[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = options.defaults(section, wire=True)
    for key, value in given.items():
        o = options.by_wire(section, key)
        if o is not None:
            check_option(o, value, f"{path}{key}")
        out[key] = value
    return out


def _control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def check_key(psk: str) -> None:
    """PreShareKey: no surrounding whitespace or control characters (the docs state no
    length or character set; official examples use 6-character keys)."""
    if psk != psk.strip() or _control(psk):
        raise _err("InvalidParameterValue.Malformed", "`PreShareKey` has surrounding "
                   "whitespace or a control character.")


def check_tags(tags: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Tags (§2.5): Key required, non-empty, unique; lengths as the Tag service allows."""
    seen: set[str] = set()
    for i, tag in enumerate(tags):
        key, value = tag["Key"], tag.get("Value", "")
        if not key.strip():
            raise _err("InvalidParameterValue.TagInvalidKey", f"`Tags.{i}.Key` is empty.")
        if len(key) > 127:
            raise _err("InvalidParameterValue.TagInvalidKeyLen", f"`Tags.{i}.Key` is too long.")
        if len(value) > 255:
            raise _err("InvalidParameterValue.TagInvalidVal", f"`Tags.{i}.Value` is too long.")
        # Tag service limits (tencentcloud.com/document/product/651/13354): no leading or
        # trailing spaces; qcs:/project/项目 prefixes are reserved for the system.
        if key != key.strip() or _control(key):
            raise _err("InvalidParameterValue.TagInvalidKey", f"`Tags.{i}.Key` is malformed.")
        if value != value.strip() or _control(value):
            raise _err("InvalidParameterValue.TagInvalidVal", f"`Tags.{i}.Value` is malformed.")
        if key.startswith(("qcs:", "project", "项目")):
            raise _err("UnsupportedOperation.TagSystemReservedTagKey",
                       f"`Tags.{i}.Key` uses a reserved prefix.")
        if key in seen:
            raise _err("InvalidParameterValue.TagDuplicateKey", f"Tag key {key!r} repeats.")
        seen.add(key)
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]


def _ike(p: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    given = p.get("IKEOptionsSpecification", {})
    ike = _section("ike", given, "IKEOptionsSpecification.")
    # §2.2: RemoteAddress is required with RemoteIdentity=ADDRESS. When the identity is left
    # to its default, the customer gateway's IP stands in (the documented requests omit both).
    if given.get("RemoteIdentity") == "ADDRESS" and not given.get("RemoteAddress"):
        raise _err("MissingParameter", "`IKEOptionsSpecification.RemoteAddress` is required "
                   "when RemoteIdentity is ADDRESS.")
    for side, default in (("Local", ctx.gateway["PublicIpAddress"]),
                          ("Remote", ctx.customer_gateway["IpAddress"])):
        if ike[f"{side}Identity"] == "FQDN" and not ike.get(f"{side}FqdnName"):
            raise _err("MissingParameter", f"`IKEOptionsSpecification.{side}FqdnName` is "
                       f"required when {side}Identity is FQDN.")
        ike.setdefault(f"{side}Address", default)
        ike.setdefault(f"{side}FqdnName", "")
    return ike


def _ipsec(p: Mapping[str, Any]) -> dict[str, Any]:
    given = dict(p.get("IPSECOptionsSpecification", {}))
    new = given.pop("IntegrityAlgorithm", None)
    old = given.get("IntegrityAlgorith")
    if new is not None and old is not None and new != old:
        raise _err("InvalidParameter.Coexist", "IntegrityAlgorith and IntegrityAlgorithm "
                   "disagree; send one of them.")
    if new is not None:
        given["IntegrityAlgorith"] = new
    ipsec = _section("ipsec", given, "IPSECOptionsSpecification.")
    ipsec["IntegrityAlgorithm"] = ipsec["IntegrityAlgorith"]  # §2.3: emit both spellings
    return ipsec


def _gcm(ike: Mapping[str, Any], ipsec: Mapping[str, Any], ctx: Context) -> None:
    if at_least(ctx.gateway.get("Version"), GCM):  # 4.0 or later (ref §2.2, §2.3)
        return
    for path, value in (("IKEOptionsSpecification.PropoEncryAlgorithm",
                         ike["PropoEncryAlgorithm"]),
                        ("IPSECOptionsSpecification.EncryptAlgorithm",
                         ipsec["EncryptAlgorithm"])):
        if "GCM" in value:
            raise _err("UnsupportedOperation", f"`{path}`={value} needs a {GCM} or later VPN "
                       f"gateway; {ctx.gateway['VpnGatewayId']} is version "
                       f"{ctx.gateway.get('Version')}.")


#: Route-based tunnels (options.ROUTE_BASED): the API reports their selectors as any-any
#: (ref §2.1 notes, tccli 3.1.189.1 examples.json DescribeVpnConnections: two StaticRoute
#: tunnels of one gateway, both ``0.0.0.0/0 -> 0.0.0.0/0``). The SPD rules below apply to the
#: SPD-based types only.
ANY = IPv4Network("0.0.0.0/0")
ANY_ANY = [{"LocalCidrBlock": "0.0.0.0/0", "RemoteCidrBlock": ["0.0.0.0/0"]}]
#: "All SPD rules under the same VPN gateway can form up to 200 mappings" (console doc
#: "Creating VPN Tunnel", tencentcloud.com product 1037 doc 39635; ref §2.1).
MAX_GATEWAY_MAPPINGS = 200
# "SPD or route IP ranges of the VPN connection cannot be specified as: all 0, all 255 or
# multicast addresses starting with 224; loopback 127.x.x.x/8" (Use Limits, tencentcloud.com
# product 1037 doc 32682; cloud.tencent.com product 554 doc 18982). No code is documented for
# it: InvalidParameterValue (listed for every action).
_RESERVED = (IPv4Network("0.0.0.0/8"), IPv4Network("127.0.0.0/8"), IPv4Network("224.0.0.0/4"),
             IPv4Network("255.255.255.255/32"))

Mapping_ = tuple[IPv4Network, IPv4Network, str]  # (VPC side, IDC side, where)


def is_any_any(rules: Sequence[Mapping[str, Any]]) -> bool:
    """True for the single ``0.0.0.0/0 -> [0.0.0.0/0]`` selector of a route-based tunnel."""
    return len(rules) == 1 and rules[0]["LocalCidrBlock"] == "0.0.0.0/0" and \
        list(rules[0]["RemoteCidrBlock"]) == ["0.0.0.0/0"]


def reserved_range(net: IPv4Network) -> bool:
    """True if ``net`` overlaps an all-0, all-255, multicast or loopback range (1037/32682)."""
    return any(net.overlaps(bad) for bad in _RESERVED)


def _reserved(net: IPv4Network, path: str) -> None:
    if reserved_range(net):
        raise _err("InvalidParameterValue", f"`{path}`={net} overlaps an all-0, all-255, "
                   "multicast or loopback range, which an SPD range cannot use.")


def _mappings(rules: Sequence[Mapping[str, Any]], where: str) -> list[Mapping_]:
    return [(parse_network(r["LocalCidrBlock"]), parse_network(remote), where)
            for r in rules for remote in r["RemoteCidrBlock"]]


def _spd(p: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    rules = p.get("SecurityPolicyDatabases", [])
    route_based = p["RouteType"] in ROUTE_BASED
    if route_based and (not rules or is_any_any(rules)):
        return copy.deepcopy(ANY_ANY)  # what the API reports for them (ref §2.1)
    if p["RouteType"] == "Policy" and not rules:
        raise _err("MissingParameter", "`SecurityPolicyDatabases` is required for a Policy "
                   "tunnel.")
    mine: list[Mapping_] = []
    seen_locals: dict[IPv4Network, int] = {}
    for i, rule in enumerate(rules):
        path = f"SecurityPolicyDatabases.{i}"
        local = _net(rule["LocalCidrBlock"], f"{path}.LocalCidrBlock")
        if local in seen_locals:
            raise _err("InvalidParameterValue.Duplicate",
                       f"`{path}.LocalCidrBlock` {local} repeats "
                       f"SecurityPolicyDatabases.{seen_locals[local]}.")
        seen_locals[local] = i
        if ctx.vpc_cidr is not None and not local.subnet_of(ctx.vpc_cidr):
            raise _err("InvalidParameterValue.VpcCidrConflict",
                       f"VPC-side range {local} is not inside the VPC CIDR {ctx.vpc_cidr}.")
        _reserved(local, f"{path}.LocalCidrBlock")
        if not rule["RemoteCidrBlock"]:
            raise _err("InvalidParameterValue.Empty", f"`{path}.RemoteCidrBlock` is empty.")
        for j, text in enumerate(rule["RemoteCidrBlock"]):
            remote = _net(text, f"{path}.RemoteCidrBlock.{j}")
            if ctx.vpc_cidr is not None and remote.overlaps(ctx.vpc_cidr):
                raise _err("InvalidParameterValue.VpcCidrConflict",
                           f"IDC-side range {remote} overlaps the VPC CIDR {ctx.vpc_cidr}.")
            _reserved(remote, f"{path}.RemoteCidrBlock.{j}")
            if remote.overlaps(local):
                raise _err("InvalidParameterValue.VpnConnCidrConflict",
                           f"IDC-side range {remote} overlaps its VPC-side range {local}.")
            mine.append((local, remote, f"SecurityPolicyDatabases.{i}"))
    _spd_conflicts(mine, ctx)
    return [{"LocalCidrBlock": r["LocalCidrBlock"], "RemoteCidrBlock": list(r["RemoteCidrBlock"])}
            for r in rules]


def _spd_conflicts(mine: Sequence[Mapping_], ctx: Context) -> None:
    """Two mappings of one gateway conflict only when their VPC sides AND IDC sides overlap.

    Console doc "Creating VPN Tunnel" (product 1037 doc 39635, ref §2.1): "本端网段和对端网段不能
    同时重叠"; its own example keeps 10.0.1.0/24 -> 192.168.2.0/24 and 10.0.2.0/24 ->
    192.168.2.0/24 side by side. Checked within the new SPD and against the SPD-based tunnels
    of the gateway (route-based ones negotiate any-any and are not compared). The code: create
    lists ``InvalidParameterValue.VpnConnCidrConflict``; Modify lists
    ``UnsupportedOperation.VpnConnSPDOverlap`` besides it, used here for an overlap.
    """
    theirs: list[Mapping_] = []
    for other in ctx.siblings:
        if other["RouteType"] not in ROUTE_BASED and not is_any_any(
                other["SecurityPolicyDatabaseSet"]):
            theirs += _mappings(other["SecurityPolicyDatabaseSet"],
                                f"tunnel {other['VpnConnectionId']}")
    if len(mine) + len(theirs) > MAX_GATEWAY_MAPPINGS:
        raise _err("LimitExceeded", f"The SPD rules of VPN gateway "
                   f"{ctx.gateway['VpnGatewayId']} would form {len(mine) + len(theirs)} "
                   f"(VPC range, IDC range) mappings; the limit is {MAX_GATEWAY_MAPPINGS} "
                   "(use a route-based tunnel for more).")
    code = ("UnsupportedOperation.VpnConnSPDOverlap" if ctx.action ==
            "ModifyVpnConnectionAttribute" else "InvalidParameterValue.VpnConnCidrConflict")
    for k, (local, remote, where) in enumerate(mine):
        for o_local, o_remote, o_where in [*mine[k + 1:], *theirs]:
            if where == o_where and local == o_local:
                if remote.overlaps(o_remote):
                    raise _err(code, f"IDC-side ranges {remote} and {o_remote} of {where} "
                               "overlap.")
            elif local.overlaps(o_local) and remote.overlaps(o_remote):
                raise _err(code, f"The mapping {local} -> {remote} of {where} overlaps "
                           f"{o_local} -> {o_remote} of {o_where} on both sides.")


def _bgp(p: Mapping[str, Any], ctx: Context) -> dict[str, str] | None:
    bgp_siblings = [s for s in ctx.siblings if s["RouteType"] == "Bgp"]
    kinds = {s["RouteType"] == "Bgp" for s in ctx.siblings}
    if kinds and kinds != {p["RouteType"] == "Bgp"}:
        # PYSDK errorcodes.py defines UnsupportedOperation.VpnConnRouteTypeMixed, but no
        # action lists it (GOINTL client.go); the listed parent is answered.
        raise _err("UnsupportedOperation",
                   "BGP and non-BGP tunnels cannot share a VPN gateway.")
    conf = p.get("BgpConfig")
    if p["RouteType"] != "Bgp":
        if conf is not None:
            raise _err("InvalidParameterValue", "`BgpConfig` needs RouteType=Bgp.")
        return None
    if conf is None:
        raise _err("MissingParameter", "`BgpConfig` is required when RouteType is Bgp.")
    for o in options.by_section("bgp"):
        check_option(o, conf[o.wire], f"BgpConfig.{o.wire}")
    cidr = parse_network(conf["TunnelCidr"])
    if cidr.prefixlen != 30:
        raise _err("InvalidParameterValue.VpnConnBgpTunnelCidrMask",
                   f"BGP tunnel CIDR {cidr} must be a /30.")
    hosts = set(cidr.hosts())
    for key in ("LocalBgpIp", "RemoteBgpIp"):
        if parse_address(conf[key]) not in hosts:
            raise _err("InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported",
                       f"BGP IP {conf[key]} must lie within tunnel CIDR {cidr}.")
    if conf["LocalBgpIp"] == conf["RemoteBgpIp"]:
        raise _err("InvalidParameterValue", "LocalBgpIp and RemoteBgpIp must differ.")
    for other in bgp_siblings:
        theirs = other.get("BgpConfig") or {}
        if theirs and parse_network(theirs["TunnelCidr"]).overlaps(cidr):
            raise _err("InvalidParameterValue.VpnConnBgpTunnelCidrConflict",
                       f"BGP tunnel CIDR {cidr} overlaps {theirs['TunnelCidr']} of "
                       f"{other['VpnConnectionId']}.")
    if not ctx.gateway.get("BgpAsn"):
        raise _err("UnsupportedOperation.VpnUnsupportedNotExistBgpAsn",
                   f"VPN gateway {ctx.gateway['VpnGatewayId']} has no BGP ASN.")
    if not ctx.customer_gateway.get("BgpAsn"):
        # ...VpnUnsupportedUsrGwNotExistBgpAsn (PYSDK) is listed for no action (GOINTL).
        raise _err("UnsupportedOperation",
                   f"Customer gateway {ctx.customer_gateway['CustomerGatewayId']} has no BGP ASN.")
    return {**{k: conf[k] for k in ("TunnelCidr", "LocalBgpIp", "RemoteBgpIp")},
            "LocalBgpAsn": str(ctx.gateway["BgpAsn"]),
            "RemoteBgpAsn": str(ctx.customer_gateway["BgpAsn"])}


def default_health_ips(rng: random.Random,
                       avoid: set[IPv4Address] | None = None) -> tuple[IPv4Address, IPv4Address]:
    """Two distinct random probe IPs in 169.254.128.0/17 (§1.1 #11-12), none in ``avoid``.

    The second is drawn from the pool minus the first (and ``avoid``), so the two are never
    equal (the old draw-then-refuse failed about 1 valid create in 32,000).
    """
    taken = {int(a) for a in avoid or set() if a in _HEALTH_POOL}
    taken -= {int(_HEALTH_POOL.network_address), int(_HEALTH_POOL.broadcast_address)}
    size = _HEALTH_POOL.num_addresses - 2  # host addresses only
    base = int(_HEALTH_POOL.network_address) + 1
    picked: list[IPv4Address] = []
    while len(picked) < 2:
        free = size - len(taken)
        n = rng.randrange(free)
        for t in sorted(taken):  # map the n-th free address past the taken ones
            if base + n >= t:
                n += 1
        value = base + n
        taken.add(value)
        picked.append(IPv4Address(value))
    return picked[0], picked[1]


def _health(p: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    given = {key: _ip(p[key], key) for key in ("HealthCheckLocalIp", "HealthCheckRemoteIp")
             if key in p}
    drawn = default_health_ips(ctx.rng, avoid=set(given.values()))
    for key, default in zip(("HealthCheckLocalIp", "HealthCheckRemoteIp"), drawn, strict=True):
        ip = given.get(key, default)
        if ctx.vpc_cidr is not None and ip in ctx.vpc_cidr:
            raise _err("InvalidParameterValue.VpnConnHealthCheckIpConflict",
                       f"Probe IP {ip} cannot be within the VPC CIDR {ctx.vpc_cidr}.")
        out[key] = str(ip)
    if out["HealthCheckLocalIp"] == out["HealthCheckRemoteIp"]:
        raise _err("InvalidParameterValue", "The two health-check IPs must differ.")
    if "HealthCheckConfig" in p or p["EnableHealthCheck"]:
        out["HealthCheckConfig"] = _section("health_check_config",
                                            p.get("HealthCheckConfig", {}), "HealthCheckConfig.")
    return out


def tunnel_config(p: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The configuration part of a ``VpnConnection`` (§2.4), or the first rule broken."""
    check_name(p["VpnConnectionName"], "VpnConnectionName")
    # create requires the key (schema); a loaded tunnel may lack one (an old example does),
    # and a Modify that does not set it has nothing to check
    if "PreShareKey" in p or ctx.action != "ModifyVpnConnectionAttribute":
        if not p["PreShareKey"].strip():
            raise _err("InvalidParameterValue.Empty", "`PreShareKey` must not be empty.")
        check_key(p["PreShareKey"])
    top = _section("spec", {k: v for k, v in p.items()
                            if options.by_wire("spec", k) is not None}, "")
    top.pop("HealthCheckLocalIp", None)
    top.pop("HealthCheckRemoteIp", None)
    name = p["VpnConnectionName"]
    for other in ctx.siblings:
        if other["VpnConnectionName"] == name:
            raise _err("InvalidParameterValue.Duplicate", f"VPN gateway "
                       f"{ctx.gateway['VpnGatewayId']} already has a tunnel named {name!r}.")
    if "Route" in p and "DestinationCidrBlock" in p["Route"]:
        _net(p["Route"]["DestinationCidrBlock"], "Route.DestinationCidrBlock")
    if "Route" in p and p["Route"].get("Priority") not in (None, 0, 100):  # §2.5: 0 or 100
        raise _err("InvalidParameterValue", "`Route.Priority` must be 0 or 100.")
    ike, ipsec = _ike(p, ctx), _ipsec(p)
    _gcm(ike, ipsec, ctx)
    out: dict[str, Any] = {"VpnConnectionName": name, **top,
                           "SecurityPolicyDatabaseSet": _spd(top | dict(p), ctx)
                           if ctx.check_spd else copy.deepcopy(p["SecurityPolicyDatabases"]),
                           "IKEOptionsSpecification": ike, "IPSECOptionsSpecification": ipsec,
                           **_health(top | dict(p), ctx)}
    bgp = _bgp(top | dict(p), ctx)
    if bgp is not None:
        out["BgpConfig"] = bgp
    return out

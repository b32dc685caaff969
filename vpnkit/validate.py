"""Pure checks of a ``VpnConnectionSpec``: every problem at once, each with a path and code.

``issues(spec)`` never raises on any input, however malformed; ``check(spec)`` raises
:class:`~vpnkit.errors.SpecError` holding every error-level issue. Each issue carries the
Tencent error code the live API would answer (§6 of the reference), a path such as
``security_policy_databases[1].remote_cidr_blocks[0]``, and a message naming the bad value.

Context the spec alone cannot know is optional: ``vpc_cidr`` (checks SPD and health-check
IPs against the VPC) and ``gateway_version`` (GCM algorithms need a 4.0 or later gateway,
compared by :mod:`vpnkit.gateway_version`).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, cast

from vpnkit import options
from vpnkit.cidr import find_range_overlaps, parse_address, parse_block
from vpnkit.gateway_version import GCM, at_least
from vpnkit.issue import Issue
from vpnkit.redact import scrub
from vpnkit.redact import shown as _show  # scrubbed: a pasted secret is still a secret

__all__ = ["Issue", "check", "issues", "route_issues"]

_ID = {
    "vpn_gateway_id": re.compile(r"vpngw-[a-z0-9]{8}\Z"),
    "customer_gateway_id": re.compile(r"cgw-[a-z0-9]{8}\Z"),
    "vpc_id": re.compile(r"vpc-[a-z0-9]{8}\Z"),
}
_NAME_MAX = 60  # §1.1 #3, TF validates 1..60
_GCM = ("AES128GCM128", "AES192GCM128", "AES256GCM128")
# Tag service limits (tencentcloud.com/document/product/651/13354, "Use Limits": key 1-127,
# value 1-255 Unicode characters; qcs:/project prefixes reserved for the system).
_TAG_KEY_MAX = 127
_TAG_VALUE_MAX = 255
_TAG_RESERVED = ("qcs:", "project", "项目")
_ROUTE_PRIORITIES = (0, 100)  # §2.5 CreateVpnConnRoute.Priority
# Route-based tunnels report (and may be given) the any-any selector 0.0.0.0/0 -> 0.0.0.0/0
# (ref §2.1 notes: tccli examples.json); the SPD rules apply to SPD-based tunnels only.
# SPD ranges may not be all-0, all-255, multicast (224/4) or loopback (127/8): "Use Limits",
# tencentcloud.com product 1037 doc 32682. No specific code is documented.
_RESERVED = tuple(parse_block(b) for b in ("0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/4",
                                            "255.255.255.255/32"))


def _is_int(value: Any) -> bool:
    """An integer field's value: an ``int`` that is not a ``bool`` (``bool`` subclasses
    ``int``; :func:`vpnkit.integers.strict_int` refuses it too, and the wire would send
    ``true``/``false``, which the API answers with ``InvalidParameter``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _reserved(block: tuple[int, int]) -> bool:
    return any(block[0] <= last and first <= block[1] for first, last in _RESERVED)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


class _Checker:
    def __init__(self, vpc_cidr: str | None, gateway_version: str | None) -> None:
        self.found: list[Issue] = []
        self.vpc: tuple[int, int] | None = None
        self.gateway_version = gateway_version
        if vpc_cidr:
            try:
                self.vpc = parse_block(vpc_cidr)
            except ValueError as exc:
                self.add("vpc_cidr", "InvalidParameterValue.Malformed", scrub(str(exc)))

    def add(self, path: str, code: str, message: str, severity: str = "error") -> None:
        self.found.append(Issue(path, code, message, severity))  # type: ignore[arg-type]

    # --- scalars ---------------------------------------------------------------------

    def required_str(self, path: str, value: Any) -> bool:
        if value is None:
            self.add(path, "MissingParameter", "is required")
        elif not isinstance(value, str):
            self.add(path, "InvalidParameter", f"must be a string, got {_show(value)}")
        elif not value.strip():
            self.add(path, "InvalidParameterValue.Empty", "must not be empty")
        else:
            return True
        return False

    def resource_id(self, name: str, value: Any, required: bool) -> None:
        if value is None and not required:
            return
        if name == "vpc_id" and value == "":
            return  # CCN-type gateways take an empty VpcId (§1.1 #5)
        if self.required_str(name, value) and not _ID[name].match(value):
            prefix = _ID[name].pattern.split("-")[0]
            self.add(name, "InvalidParameterValue.Malformed",
                     f"{_show(value)} is not a {prefix}-xxxxxxxx id")

    def option(self, opt: options.Option, value: Any, path: str) -> None:
        if value is None:
            return
        if opt.kind == "bool":
            if not isinstance(value, bool):
                self.add(path, "InvalidParameter", f"must be true or false, got {_show(value)}")
            return
        if opt.kind == "int":
            if not self.integer(path, value):
                return
        elif not isinstance(value, str):
            self.add(path, "InvalidParameter", f"must be a string, got {_show(value)}")
            return
        if opt.choices and value not in opt.choices:
            allowed = ", ".join(map(str, opt.choices))
            self.add(path, "InvalidParameterValue", f"{_show(value)} is not one of {allowed}")
        elif opt.minimum is not None and opt.maximum is not None and \
                not opt.minimum <= value <= opt.maximum:
            self.add(path, "InvalidParameterValue",
                     f"{value} is outside {opt.minimum}..{opt.maximum}")
        elif opt.kind == "ip":
            self.address(path, value)
        elif opt.kind == "cidr":
            self.block(path, value)

    def integer(self, path: str, value: Any) -> bool:
        """True for an integer; else an ``InvalidParameter`` issue naming the value."""
        if _is_int(value):
            return True
        self.add(path, "InvalidParameter", f"must be an integer, got {_show(value)}")
        return False

    def address(self, path: str, value: Any) -> int | None:
        try:
            return int(parse_address(value))
        except ValueError as exc:
            self.add(path, "InvalidParameterValue.Malformed", scrub(str(exc)))
            return None

    def block(self, path: str, value: Any) -> tuple[int, int] | None:
        try:
            return parse_block(value)
        except ValueError as exc:
            self.add(path, "InvalidParameterValue.Malformed", scrub(str(exc)))
            return None

    def section(self, section: str, obj: Any, cls: type) -> None:
        attr = options.SECTIONS[section][0]
        if obj is None:
            return
        if not isinstance(obj, cls):
            self.add(attr, "InvalidParameter", f"must be {cls.__name__}, got {_show(obj)}")
            return
        required = {f.name for f in dataclasses.fields(cast(Any, obj))
                    if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING}
        for opt in options.by_section(section):
            value = getattr(obj, opt.name)
            if value is None and opt.name in required:
                self.add(opt.path, "MissingParameter", "is required")
            self.option(opt, value, opt.path)

    # --- the spec --------------------------------------------------------------------

    def spec(self, spec: Any) -> None:
        from vpnkit.models import (
            BgpConfig,
            HealthCheckConfig,
            IkeOptions,
            IpsecOptions,
            VpnConnectionSpec,
            is_any_any,
        )

        if not isinstance(spec, VpnConnectionSpec):
            self.add("", "InvalidParameter", f"expected a VpnConnectionSpec, got {_show(spec)}")
            return
        spec = cast(Any, spec)  # fields may hold anything; every check below is defensive
        self.resource_id("vpn_gateway_id", spec.vpn_gateway_id, True)
        self.resource_id("customer_gateway_id", spec.customer_gateway_id, True)
        self.resource_id("vpc_id", spec.vpc_id, False)
        name = spec.vpn_connection_name
        if self.required_str("vpn_connection_name", name) and len(name) > _NAME_MAX:
            self.add("vpn_connection_name", "InvalidParameterValue.TooLong",
                     f"is {len(name)} characters; the limit is {_NAME_MAX}")
        self.psk(spec.pre_share_key)
        for opt in options.by_section("spec"):
            if opt.name != "pre_share_key":
                self.option(opt, getattr(spec, opt.name), opt.path)
        self.section("ike", spec.ike_options, IkeOptions)
        self.section("ipsec", spec.ipsec_options, IpsecOptions)
        self.section("bgp", spec.bgp_config, BgpConfig)
        self.section("health_check_config", spec.health_check_config, HealthCheckConfig)
        self.profile(spec.profile)
        self.crypto(spec)
        self.identities(spec.ike_options if isinstance(spec.ike_options, IkeOptions) else None)
        self.gcm(spec)
        self.dpd(spec)
        self.bgp(spec, spec.bgp_config if isinstance(spec.bgp_config, BgpConfig) else None)
        self.health_check(spec)
        self.tags(spec.tags)
        routed = spec.route_type in options.ROUTE_BASED
        if not (routed and is_any_any(spec.security_policy_databases)):
            self.spd(spec.security_policy_databases)
        if spec.route_type == "Policy" and not spec.security_policy_databases:
            self.add("security_policy_databases", "MissingParameter",
                     "is required when route_type is Policy")
        self.route(spec.route)

    def profile(self, name: Any) -> None:
        if name is not None and name not in options.PROFILES:
            self.add("profile", "InvalidParameterValue",
                     f"{_show(name)} is not one of {', '.join(options.PROFILES)}")

    def crypto(self, spec: Any) -> None:
        """One warning per weak choice (options.WEAK), explicit or left to a weak API
        default: the API accepts them, so they never block a request."""
        version = getattr(spec.ike_options, "version", None) or \
            options.get("ike", "version").default
        for section, attr in (("ike", "ike_options"), ("ipsec", "ipsec_options")):
            obj = getattr(spec, attr)
            for opt in options.by_section(section):
                if opt.path not in options.WEAK:
                    continue
                if opt.name == "exchange_mode" and version != "IKEV1":
                    continue  # IKEv2 has no exchange mode
                value = getattr(obj, opt.name, None)
                given = value is not None
                effective = value if given else opt.default
                why = options.weakness(opt.path, effective)
                if why is None:
                    continue
                self.add(opt.path, "WeakCrypto",
                         f"{effective} is weak: {why}" + ("" if given else
                         " (not set, so the API default applies; vpnkit's 'strong' "
                         "profile sets it)"), "warning")

    def psk(self, psk: Any) -> None:
        """The key's own rules; messages never show the key (not even scrubbed)."""
        # The API docs state no length or character set for PreShareKey (API 215/17522:
        # "The pre-shared key."; console doc 1037/39635: both peers must use the same key),
        # and the official examples create tunnels with 6-character keys ("654321",
        # "6325ac"; tccli examples.json). So only what no IKE peer can use is refused:
        # empty, surrounding whitespace (a copy-paste slip the peer will not share) and
        # control characters, with the codes the emulator answers for them.
        path = "pre_share_key"
        if psk is None:
            self.add(path, "MissingParameter", "is required")
        elif not isinstance(psk, str):
            self.add(path, "InvalidParameter", f"must be a string, not {type(psk).__name__}")
        elif not psk.strip():
            self.add(path, "InvalidParameterValue.Empty",
                     "must not be empty" if not psk else "must not be only whitespace")
        elif psk != psk.strip():
            self.add(path, "InvalidParameterValue.Malformed",
                     "has leading or trailing whitespace; copy it again without it")
        elif _has_control(psk):
            self.add(path, "InvalidParameterValue.Malformed",
                     "contains a control character (newline, tab, NUL, ...)")

    def identities(self, ike: Any) -> None:
        if ike is None:
            return
        for side in ("local", "remote"):
            kind = getattr(ike, f"{side}_identity")
            fqdn, addr = getattr(ike, f"{side}_fqdn_name"), getattr(ike, f"{side}_address")
            if kind == "FQDN" and not fqdn:
                self.add(f"ike_options.{side}_fqdn_name", "MissingParameter",
                         f"is required when {side}_identity is FQDN")
            # §2.2: LocalAddress defaults to the gateway's public IP; RemoteAddress has none.
            if kind == "ADDRESS" and side == "remote" and not addr:
                self.add("ike_options.remote_address", "MissingParameter",
                         "is required when remote_identity is ADDRESS")

    def gcm(self, spec: Any) -> None:
        """GCM algorithms need a gateway of version 4.0 or later (ref §2.2, §2.3)."""
        if self.gateway_version is None or at_least(self.gateway_version, GCM):
            return
        for path, obj in (("ike_options", spec.ike_options), ("ipsec_options", spec.ipsec_options)):
            algo = getattr(obj, "encryption_algorithm", None)
            if algo in _GCM:
                self.add(f"{path}.encryption_algorithm", "UnsupportedOperation",
                         f"{algo} needs a {GCM} or later VPN gateway; this one is "
                         f"{self.gateway_version}")

    def dpd(self, spec: Any) -> None:
        if spec.dpd_enable != 1:
            for name in ("dpd_timeout", "dpd_action"):
                if getattr(spec, name) is not None:
                    self.add(name, "InvalidParameterValue",
                             "has no effect unless dpd_enable is 1", "warning")

    def bgp(self, spec: Any, bgp: Any) -> None:
        if spec.route_type == "Bgp" and spec.bgp_config is None:
            self.add("bgp_config", "MissingParameter", "is required when route_type is Bgp")
        if bgp is None:
            return
        if spec.route_type != "Bgp":
            self.add("bgp_config", "InvalidParameterValue",
                     f"needs route_type Bgp, not {_show(spec.route_type)}")
        try:
            first, last = parse_block(bgp.tunnel_cidr)
        except ValueError:
            return  # already reported by the option check
        if last - first != 3:
            self.add("bgp_config.tunnel_cidr", "InvalidParameterValue.VpnConnBgpTunnelCidrMask",
                     f"{bgp.tunnel_cidr} must be a /30")
            return
        ips = {}
        for side in ("local_bgp_ip", "remote_bgp_ip"):
            try:
                ip = int(parse_address(getattr(bgp, side)))
            except ValueError:
                continue
            ips[side] = ip
            if not first < ip < last:
                self.add(f"bgp_config.{side}",
                         "InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported",
                         f"{getattr(bgp, side)} is not a host address of {bgp.tunnel_cidr}")
        if len(ips) == 2 and ips["local_bgp_ip"] == ips["remote_bgp_ip"]:
            self.add("bgp_config.remote_bgp_ip", "InvalidParameterValue",
                     "must differ from local_bgp_ip")

    def health_check(self, spec: Any) -> None:
        if spec.health_check_config is not None and spec.enable_health_check is not True:
            self.add("health_check_config", "InvalidParameterValue",
                     "has no effect unless enable_health_check is true", "warning")
        if self.vpc is None:
            return
        for name in ("health_check_local_ip", "health_check_remote_ip"):
            value = getattr(spec, name)
            if value is None:
                continue
            try:
                ip = int(parse_address(value))
            except ValueError:
                continue
            if self.vpc[0] <= ip <= self.vpc[1]:
                self.add(name, "InvalidParameterValue.VpnConnHealthCheckIpConflict",
                         f"{value} lies inside the VPC CIDR; probe IPs must not")

    def tags(self, tags: Any) -> None:
        """Tag rules of the Tag service (tencentcloud.com/document/product/651/13354): a key
        is 1-127 and a value 1-255 Unicode characters, neither starts or ends with a space,
        keys starting with ``qcs:`` or ``project`` are reserved; codes from §6."""
        from vpnkit.models import Tag

        if not isinstance(tags, tuple):
            self.add("tags", "InvalidParameter", f"must be a list of tags, got {_show(tags)}")
            return
        seen: set[str] = set()
        for i, tag in enumerate(tags):
            path = f"tags[{i}]"
            if not isinstance(tag, Tag):
                self.add(path, "InvalidParameter", f"must be a Tag, got {_show(tag)}")
                continue
            tag = cast(Any, tag)
            key, value = tag.key, tag.value
            if key is None:
                self.add(f"{path}.key", "MissingParameter", "is required")
            elif not isinstance(key, str):
                self.add(f"{path}.key", "InvalidParameter", f"must be a string, got {_show(key)}")
            elif not key.strip():
                self.add(f"{path}.key", "InvalidParameterValue.TagInvalidKey",
                         "tag key must not be empty")
            elif len(key) > _TAG_KEY_MAX:
                self.add(f"{path}.key", "InvalidParameterValue.TagInvalidKeyLen",
                         f"tag key is {len(key)} characters; the limit is {_TAG_KEY_MAX}")
            elif key != key.strip() or _has_control(key):
                self.add(f"{path}.key", "InvalidParameterValue.TagInvalidKey",
                         f"tag key {_show(key)} starts or ends with a space or holds a "
                         "control character")
            elif key.startswith(_TAG_RESERVED):
                self.add(f"{path}.key", "UnsupportedOperation.TagSystemReservedTagKey",
                         f"tag key {_show(key)} starts with a reserved prefix "
                         "(qcs:, project, 项目)")
            elif key in seen:
                self.add(f"{path}.key", "InvalidParameterValue.TagDuplicateKey",
                         f"tag key {_show(key)} is given twice")
            if isinstance(key, str):
                seen.add(key)
            if value is None:
                continue  # the Tag model leaves Value optional (§2.5)
            if not isinstance(value, str):
                self.add(f"{path}.value", "InvalidParameter",
                         f"must be a string, got {_show(value)}")
            elif len(value) > _TAG_VALUE_MAX:
                self.add(f"{path}.value", "InvalidParameterValue.TagInvalidVal",
                         f"tag value is {len(value)} characters; the limit is {_TAG_VALUE_MAX}")
            elif value != value.strip() or _has_control(value):
                self.add(f"{path}.value", "InvalidParameterValue.TagInvalidVal",
                         f"tag value {_show(value)} starts or ends with a space or holds a "
                         "control character")

    def route(self, route: Any) -> None:
        """The deprecated ``Route`` (§1.1 #18, §2.5): a warning, plus its own field rules."""
        from vpnkit.models import VpnConnRoute

        if route is None:
            return
        self.add("route", "InvalidParameter",
                 "Route is deprecated by the API (§1.1 #18); use SPD or route tables",
                 "warning")
        if not isinstance(route, VpnConnRoute):
            self.add("route", "InvalidParameter", f"must be VpnConnRoute, got {_show(route)}")
            return
        route = cast(Any, route)
        dest = route.destination_cidr_block
        if dest is None:
            self.add("route.destination_cidr_block", "MissingParameter", "is required")
        else:
            self.block("route.destination_cidr_block", dest)
        prio = route.priority
        if prio is not None and self.integer("route.priority", prio) and \
                prio not in _ROUTE_PRIORITIES:
            self.add("route.priority", "InvalidParameterValue",
                     f"{_show(prio)} is not one of 0, 100")
        desc = route.description
        if desc is not None and not isinstance(desc, str):
            self.add("route.description", "InvalidParameter",
                     f"must be a string, got {_show(desc)}")

    def spd(self, rules: Any) -> None:
        from vpnkit.models import SpdRule

        if not isinstance(rules, tuple):
            self.add("security_policy_databases", "InvalidParameter",
                     f"must be a list of SPD rules, got {_show(rules)}")
            return
        vpc = self.vpc
        # Blocks are tagged (rule, index) with index -1 for the local side; paths are only
        # formatted for the few blocks that have a problem (10,000 pairs validate cold).
        locals_: list[tuple[int, int, tuple[int, int]]] = []
        remotes: list[tuple[int, int, tuple[int, int]]] = []
        seen_local: dict[tuple[int, int], int] = {}
        for i, rule in enumerate(rules):
            if not isinstance(rule, SpdRule):
                self.add(_spd_path(i), "InvalidParameter",
                         f"must be an SpdRule, got {_show(rule)}")
                continue
            local: tuple[int, int] | None = None
            if cast(Any, rule).local_cidr_block is None:  # typed str, may hold anything
                self.add(_spd_path(i, -1), "MissingParameter", "is required")
            else:
                try:
                    local = parse_block(rule.local_cidr_block)
                except ValueError as exc:
                    self.add(_spd_path(i, -1), "InvalidParameterValue.Malformed",
                             scrub(str(exc)))
            if local is not None and _reserved(local):
                self.add(_spd_path(i, -1), "InvalidParameterValue",
                         f"{rule.local_cidr_block} overlaps an all-0, all-255, multicast or "
                         "loopback range, which an SPD cannot use")
            if local is not None:
                if local in seen_local:
                    self.add(_spd_path(i, -1), "InvalidParameterValue.Duplicate",
                             f"{rule.local_cidr_block} is already the local side of "
                             f"{_spd_path(seen_local[local])}")
                else:
                    seen_local[local] = i
                    locals_.append((local[0], local[1], (i, -1)))
                if vpc and not (vpc[0] <= local[0] and local[1] <= vpc[1]):
                    self.add(_spd_path(i, -1), "InvalidParameterValue.VpcCidrConflict",
                             f"{rule.local_cidr_block} is not inside the VPC CIDR")
            blocks = rule.remote_cidr_blocks
            if not isinstance(blocks, tuple) or not blocks:
                self.add(f"{_spd_path(i)}.remote_cidr_blocks", "InvalidParameterValue.Empty",
                         "needs at least one IDC-side CIDR")
                continue
            for j, text in enumerate(blocks):
                try:
                    first, last = parse_block(text)
                except ValueError as exc:
                    self.add(_spd_path(i, j), "InvalidParameterValue.Malformed", scrub(str(exc)))
                    continue
                remotes.append((first, last, (i, j)))
                if _reserved((first, last)):
                    self.add(_spd_path(i, j), "InvalidParameterValue",
                             f"{text} overlaps an all-0, all-255, multicast or loopback range, "
                             "which an SPD cannot use")
                if vpc and first <= vpc[1] and vpc[0] <= last:
                    self.add(_spd_path(i, j), "InvalidParameterValue.VpcCidrConflict",
                             f"{text} overlaps the VPC CIDR")
        # Two mappings conflict only when the VPC sides AND the IDC sides overlap (console
        # doc product 1037 doc 39635, ref §2.1): one IDC range from two VPC ranges is valid.
        local_of = {tag[0]: (first, last) for first, last, tag in locals_}
        ordered = sorted(remotes, key=lambda x: (x[0], -x[1]))
        for k, (_, end, earlier) in enumerate(ordered):
            for n in range(k + 1, len(ordered)):  # indices: no copy of the tail per range
                start, _, later = ordered[n]
                if start > end:
                    break
                a, b = local_of.get(earlier[0]), local_of.get(later[0])
                if earlier[0] == later[0] or (a and b and a[0] <= b[1] and b[0] <= a[1]):
                    self.add(_spd_path(*later), "InvalidParameterValue.VpnConnCidrConflict",
                             f"overlaps the IDC-side range at {_spd_path(*earlier)}")
                elif a and b:  # the stricter reading, kept as a warning (issue 11 §5)
                    self.add(_spd_path(*later), "SpdIdcRangeShared",
                             f"this IDC range is also reached from another VPC range, at "
                             f"{_spd_path(*earlier)} (accepted by the API; the peer must "
                             "negotiate each pair separately)", "warning")
        for earlier, later in find_range_overlaps(locals_ + remotes):
            if (earlier[1] < 0) != (later[1] < 0):  # one local, one remote
                remote, local_tag = (later, earlier) if earlier[1] < 0 else (earlier, later)
                self.add(_spd_path(*remote), "InvalidParameterValue.VpnConnCidrConflict",
                         f"overlaps the VPC-side range at {_spd_path(*local_tag)}")


def _spd_path(rule: int, index: int | None = None) -> str:
    """``security_policy_databases[i]``, its ``.local_cidr_block`` (index -1) or a remote."""
    base = f"security_policy_databases[{rule}]"
    if index is None:
        return base
    return f"{base}.local_cidr_block" if index < 0 else f"{base}.remote_cidr_blocks[{index}]"


def issues(
    spec: Any, *, vpc_cidr: str | None = None, gateway_version: str | None = None
) -> list[Issue]:
    """Every problem with ``spec`` (errors and warnings); never raises."""
    checker = _Checker(vpc_cidr, gateway_version)
    checker.spec(spec)
    return checker.found


def errors(found: Iterable[Issue]) -> list[Issue]:
    """Only the error-level issues (warnings never block a request)."""
    return [i for i in found if i.severity == "error"]


def check(spec: Any, *, vpc_cidr: str | None = None, gateway_version: str | None = None) -> None:
    """Raise ``SpecError`` listing every error-level issue; warnings do not raise."""
    from vpnkit.errors import SpecError

    bad = errors(issues(spec, vpc_cidr=vpc_cidr, gateway_version=gateway_version))
    if bad:
        raise SpecError(bad)


_ROUTE_CHOICES = {"instance_type": ("VPNCONN", "CCN"), "priority": _ROUTE_PRIORITIES,
                  "status": ("ENABLE", "DISABLE")}


def route_issues(routes: Any) -> list[Issue]:
    """Problems with the routes of a CreateVpnGatewayRoutes request (PYSDK VpnGatewayRoute:
    InstanceType VPNCONN/CCN, Priority 0/100, Status ENABLE/DISABLE; the destination is a
    CIDR that is not all-0, all-255, multicast or loopback, Use Limits 1037/32682)."""
    from vpnkit.models import GatewayRoute

    checker = _Checker(None, None)
    if not isinstance(routes, list | tuple) or not routes:
        checker.add("routes", "MissingParameter", "give at least one GatewayRoute")
        return checker.found
    for i, route in enumerate(routes):
        path = f"routes[{i}]"
        if not isinstance(route, GatewayRoute):
            checker.add(path, "InvalidParameter", f"must be a GatewayRoute, got {_show(route)}")
            continue
        block = checker.block(f"{path}.destination_cidr_block", route.destination_cidr_block)
        if block is not None and _reserved(block):
            checker.add(f"{path}.destination_cidr_block", "InvalidParameterValue",
                        f"{route.destination_cidr_block} overlaps an all-0, all-255, "
                        "multicast or loopback range")
        for name, allowed in _ROUTE_CHOICES.items():
            value = getattr(route, name)
            if name == "priority" and not checker.integer(f"{path}.{name}", value):
                continue
            if value not in allowed:
                checker.add(f"{path}.{name}", "InvalidParameterValue",
                            f"{_show(value)} is not one of {', '.join(map(str, allowed))}")
        if route.instance_type == "VPNCONN" and not re.fullmatch(
                r"vpnx-[a-z0-9]{8}", str(route.instance_id)):
            checker.add(f"{path}.instance_id", "InvalidParameterValue.Malformed",
                        f"{_show(route.instance_id)} is not a vpnx-xxxxxxxx id")
    return checker.found

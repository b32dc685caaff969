"""Frozen, typed value objects for a VPN tunnel request and the tunnel the API returns.

No I/O and no Tencent field names here (those live in :mod:`vpnkit.wire`). Values are held
as given so that :mod:`vpnkit.validate` can report every problem at once; the SPD is
normalised on construction from any of its three documented shapes (see :func:`spd_rules`).
The classes are frozen but not ``slots=True``: a slotted dataclass costs three times as
much to create, and these are created on every import of the client (about 20 ms).
Secrets (the pre-shared key) never appear in a ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, cast

from vpnkit import options
from vpnkit.redact import remember, shown

if TYPE_CHECKING:
    from vpnkit.codec import ModelTypes

__all__ = [
    "BgpConfig",
    "GatewayRoute",
    "HealthCheckConfig",
    "IkeOptions",
    "IpsecOptions",
    "SpdRule",
    "Tag",
    "VpnConnRoute",
    "VpnConnection",
    "VpnConnectionSpec",
    "codec_types",
    "is_any_any",
    "spd_rules",
]


@dataclass(frozen=True)
class SpdRule:
    """One Security Policy Database entry: a VPC-side CIDR and the IDC-side CIDRs it reaches."""

    local_cidr_block: str
    remote_cidr_blocks: tuple[str, ...]

    def __post_init__(self) -> None:
        remotes: Any = self.remote_cidr_blocks
        if isinstance(remotes, str):
            remotes = (remotes,)
        elif isinstance(remotes, Iterable):
            remotes = tuple(remotes)
        object.__setattr__(self, "remote_cidr_blocks", remotes)


def _row_pair(row: Mapping[str, Any]) -> tuple[Any, Any]:
    for local_key, remote_key in (
        ("local_cidr_block", "remote_cidr_block"),
        ("local_cidr_block", "remote_cidr_blocks"),
        ("LocalCidrBlock", "RemoteCidrBlock"),
        ("local", "remote"),
    ):
        if local_key in row and remote_key in row:
            return row[local_key], row[remote_key]
    raise ValueError(
        f"an SPD row needs local/remote columns (e.g. local_cidr_block, remote_cidr_block); "
        f"got columns {sorted(map(str, row))}"
    )


def spd_rules(spd: Any) -> tuple[SpdRule, ...]:
    """Normalise an SPD given as a mapping, pairs, rows or a DataFrame to ``SpdRule``s.

    * mapping ``{"10.0.0.0/24": ["192.168.0.0/24", ...]}`` (the API docs' illustration);
    * pairs ``[("10.0.0.0/24", "192.168.0.0/24"), ...]`` (a remote may also be a list);
    * rows ``[{"local_cidr_block": ..., "remote_cidr_block": ...}]`` or a pandas DataFrame
      with such columns (one row per pair).

    Pairs and rows sharing a local CIDR are grouped, keeping first-seen order.
    """
    if spd is None:
        return ()
    if hasattr(spd, "to_dict") and hasattr(spd, "columns"):  # a DataFrame, without pandas
        spd = spd.to_dict("records")
    if isinstance(spd, Mapping):
        return tuple(SpdRule(k, v) for k, v in spd.items())
    if isinstance(spd, str | bytes) or not isinstance(spd, Iterable):
        raise ValueError(f"cannot read an SPD from {type(spd).__name__} {shown(spd)}")
    out: list[SpdRule | tuple[Any, list[Any]]] = []
    index: dict[str, list[Any]] = {}
    for item in spd:
        if isinstance(item, SpdRule):
            out.append(item)
            continue
        if isinstance(item, Mapping):
            local, remote = _row_pair(item)
        elif isinstance(item, list | tuple) and len(item) == 2:
            local, remote = item
        else:
            raise ValueError("an SPD entry must be a (local, remote) pair or a row, not "
                             f"{shown(item)}")
        remotes = [remote] if isinstance(remote, str) or not isinstance(remote, Iterable) \
            else list(remote)
        key = repr(local)
        if key in index:
            index[key].extend(remotes)
        else:
            index[key] = remotes
            out.append((local, remotes))
    return tuple(r if isinstance(r, SpdRule) else SpdRule(r[0], tuple(r[1])) for r in out)


_ANY = "0.0.0.0/0"


def is_any_any(rules: Any) -> bool:
    """True for the any-any selector, exactly one rule ``0.0.0.0/0 -> [0.0.0.0/0]``: what
    route-based tunnels report and may be given (ref §2.1 notes, tccli examples.json
    DescribeVpnConnections). The one test of it (validate, gateway_rules, :meth:`to_spec`);
    never raises, whatever ``rules`` holds."""
    if isinstance(rules, str | bytes) or not isinstance(rules, Sequence) or len(rules) != 1:
        return False
    rule = rules[0]
    return isinstance(rule, SpdRule) and rule.local_cidr_block == _ANY and \
        rule.remote_cidr_blocks == (_ANY,)


@dataclass(frozen=True)
class IkeOptions:
    """IKE (phase 1) options; ``None`` means "not sent" (the API applies its default)."""

    encryption_algorithm: str | None = None
    authentication_algorithm: str | None = None
    exchange_mode: str | None = None
    local_identity: str | None = None
    remote_identity: str | None = None
    local_address: str | None = None
    remote_address: str | None = None
    local_fqdn_name: str | None = None
    remote_fqdn_name: str | None = None
    dh_group: str | None = None
    sa_lifetime_seconds: int | None = None
    version: str | None = None

    @classmethod
    def from_profile(cls, name: str = options.DEFAULT_PROFILE, **changes: Any) -> IkeOptions:
        """The IKE options of a named profile (:data:`vpnkit.options.PROFILES`), changed."""
        return cls(**{**options.profile(name).ike, **changes})


@dataclass(frozen=True)
class IpsecOptions:
    """IPsec (phase 2) options; ``None`` means "not sent".

    ``integrity_field`` picks the wire spelling of the integrity option (§2.3):
    ``"IntegrityAlgorith"`` (the default, used by every response and Terraform) or
    ``"IntegrityAlgorithm"``; :meth:`VpnConnectionSpec.from_wire` keeps the one it read.
    It is a detail of the wire, so it takes no part in equality.
    """

    encryption_algorithm: str | None = None
    integrity_algorithm: str | None = None
    sa_lifetime_seconds: int | None = None
    pfs_dh_group: str | None = None
    sa_lifetime_traffic: int | None = None
    integrity_field: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_profile(cls, name: str = options.DEFAULT_PROFILE, **changes: Any) -> IpsecOptions:
        """The IPsec options of a named profile (:data:`vpnkit.options.PROFILES`), changed."""
        return cls(**{**options.profile(name).ipsec, **changes})


@dataclass(frozen=True)
class Tag:
    """A resource tag."""

    key: str
    value: str = ""


@dataclass(frozen=True)
class BgpConfig:
    """BGP tunnel settings (RouteType=Bgp): a /30 and an IP on each side inside it."""

    tunnel_cidr: str
    local_bgp_ip: str
    remote_bgp_ip: str


@dataclass(frozen=True)
class HealthCheckConfig:
    """NQA health-check settings."""

    probe_type: str | None = None
    probe_interval: int | None = None
    probe_threshold: int | None = None
    probe_timeout: int | None = None


@dataclass(frozen=True)
class VpnConnRoute:
    """Deprecated ``Route`` of a create request (kept for completeness, §1.1 #18)."""

    destination_cidr_block: str
    priority: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class VpnConnectionSpec:
    """Everything a ``CreateVpnConnection`` request can carry (all 20 fields, §1.1).

    ``security_policy_databases`` accepts any shape :func:`spd_rules` reads; ``tags`` accepts
    a ``{key: value}`` mapping or ``Tag``s.

    Secure by default: ``profile`` names a set of IKE, IPsec and DPD values
    (:data:`vpnkit.options.PROFILES`; default ``"strong"``: IKEv2 AES-CBC-256/SHA-256/
    GROUP14, IPsec AES-CBC-256/SHA-256 with PFS DH-GROUP14, DPD on, lifetimes set). Every
    option the caller leaves ``None`` is filled from it on construction, so each one is sent
    explicitly and is visible on the spec; values the caller gives always win. Use
    ``profile="api-defaults"`` for an old peer (the API's defaults, sent explicitly), or
    ``profile=None`` to send only what is given (``from_wire`` and ``to_spec`` do that).
    Weak choices are accepted with a warning from :func:`vpnkit.validate.issues`.
    """

    vpn_gateway_id: str
    customer_gateway_id: str
    vpn_connection_name: str
    pre_share_key: str = field(repr=False)
    vpc_id: str | None = None
    security_policy_databases: tuple[SpdRule, ...] = ()
    ike_options: IkeOptions | None = None
    ipsec_options: IpsecOptions | None = None
    tags: tuple[Tag, ...] = ()
    enable_health_check: bool | None = None
    health_check_local_ip: str | None = None
    health_check_remote_ip: str | None = None
    route_type: str | None = None
    negotiation_type: str | None = None
    dpd_enable: int | None = None
    dpd_timeout: int | None = None
    dpd_action: str | None = None
    route: VpnConnRoute | None = None
    bgp_config: BgpConfig | None = None
    health_check_config: HealthCheckConfig | None = None
    profile: str | None = field(default=options.DEFAULT_PROFILE, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "security_policy_databases",
                           spd_rules(self.security_policy_databases))
        self._apply_profile()
        tags: Any = self.tags
        if isinstance(tags, Mapping):
            tags = tuple(Tag(k, v) for k, v in tags.items())
        elif isinstance(tags, Iterable) and not isinstance(tags, str):
            tags = tuple(t if isinstance(t, Tag) else Tag(*t) if isinstance(t, list | tuple)
                         else t for t in tags)
        object.__setattr__(self, "tags", tags)
        remember(self.pre_share_key)

    def _apply_profile(self) -> None:
        chosen = options.PROFILES.get(self.profile) if isinstance(self.profile, str) else None
        if chosen is None:
            return  # no profile, or an unknown name (validation reports it)
        for attr, cls in (("ike_options", IkeOptions), ("ipsec_options", IpsecOptions)):
            given: Any = getattr(self, attr)
            if given is None:
                given = cls()
            if isinstance(given, cls):
                fill: dict[str, Any] = {k: v for k, v in
                                        chosen.section(attr.split("_")[0]).items()
                                        if getattr(given, k) is None}
                object.__setattr__(self, attr, replace(given, **fill) if fill else given)
        for name in ("dpd_enable", "dpd_timeout", "dpd_action"):
            value = chosen.spec.get(name)
            if getattr(self, name) is None and value is not None and (
                    name == "dpd_enable" or self.dpd_enable == 1):
                object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> VpnConnectionSpec:
        """A copy with some fields changed (the profile fills what is left unset)."""
        return replace(self, **changes)

    def to_wire(self) -> dict[str, Any]:
        """The API's JSON request body (see :func:`vpnkit.wire.spec_to_wire`)."""
        from vpnkit.codec import spec_to_wire  # one-way: the codec imports no models

        return spec_to_wire(self)

    @classmethod
    def from_wire(cls, params: Mapping[str, Any], *, profile: str | None = None
                  ) -> VpnConnectionSpec:
        """Build from the API's own JSON shape (SDK, tccli ``--cli-input-json``, docs);
        exactly as given unless ``profile`` names one to fill what the body leaves out."""
        from vpnkit.codec import decode_spec  # one-way: the codec imports no models

        return cast(VpnConnectionSpec, decode_spec(params, types=codec_types(),
                                                   profile=profile))

    def _repr_html_(self) -> str:
        from vpnkit.display import spec_html

        return spec_html(self)


@dataclass(frozen=True)
class VpnConnection:
    """A tunnel as the API describes it (§2.4). The pre-shared key is never shown."""

    vpn_connection_id: str
    vpn_connection_name: str = ""
    vpc_id: str = ""
    vpn_gateway_id: str = ""
    customer_gateway_id: str = ""
    pre_share_key: str | None = field(default=None, repr=False)
    vpn_proto: str | None = None
    encrypt_proto: str | None = None
    route_type: str | None = None
    created_time: str | None = None
    state: str | None = None
    net_status: str | None = None
    security_policy_databases: tuple[SpdRule, ...] = ()
    ike_options: IkeOptions | None = None
    ipsec_options: IpsecOptions | None = None
    enable_health_check: bool | None = None
    health_check_local_ip: str | None = None
    health_check_remote_ip: str | None = None
    health_check_status: str | None = None
    dpd_enable: int | None = None
    dpd_timeout: int | None = None
    dpd_action: str | None = None
    tags: tuple[Tag, ...] = ()
    negotiation_type: str | None = None
    bgp_config: dict[str, str] | None = None
    health_check_config: HealthCheckConfig | None = None

    def __post_init__(self) -> None:
        remember(self.pre_share_key)

    def to_spec(self, **changes: Any) -> VpnConnectionSpec:
        """A create spec that would rebuild this tunnel (to clone it); PSK must be given.

        It carries exactly the options the tunnel reports (``profile=None``; pass
        ``profile=...`` to fill what it leaves unset).
        """
        names = {f.name for f in fields(VpnConnectionSpec)}
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name in names}
        bgp = self.bgp_config
        if bgp:
            values["bgp_config"] = BgpConfig(
                bgp.get("TunnelCidr", ""), bgp.get("LocalBgpIp", ""), bgp.get("RemoteBgpIp", "")
            )
        values["pre_share_key"] = self.pre_share_key or ""
        if self.route_type in options.ROUTE_BASED and is_any_any(self.security_policy_databases):
            # Route-based tunnels report an any-any selector they negotiate (ref §2.1 notes,
            # tccli examples.json DescribeVpnConnections); it is not a configured SPD, and
            # the console doc (1037/39635) asks for an SPD only on policy-based tunnels.
            values["security_policy_databases"] = ()
        values["profile"] = None  # a clone copies what the tunnel reports, nothing more
        values.update(changes)
        return VpnConnectionSpec(**values)

    def _repr_html_(self) -> str:
        from vpnkit.display import connection_html

        return connection_html(self)


@dataclass(frozen=True)
class GatewayRoute:
    """A destination route of a VPN gateway (CreateVpnGatewayRoutes): traffic for
    ``destination_cidr_block`` goes to ``instance_id``, a route-based tunnel (``VPNCONN``) of
    the gateway or its CCN (``CCN``)."""

    destination_cidr_block: str
    instance_id: str
    instance_type: str = "VPNCONN"
    priority: int = 0
    status: str = "ENABLE"
    description: str | None = None


def codec_types() -> ModelTypes:
    """These classes, for the wire codec's strict reader (:mod:`vpnkit.codec`)."""
    from vpnkit.codec import ModelTypes

    return ModelTypes(spec=VpnConnectionSpec, spd_rule=SpdRule, tag=Tag, route=VpnConnRoute,
                      ike=IkeOptions, ipsec=IpsecOptions, bgp=BgpConfig,
                      health_check_config=HealthCheckConfig)

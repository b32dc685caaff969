"""The IDC side of a tunnel as a frozen, typed, symmetric value: :class:`PeerConfig`.

:func:`from_connection` reads a :class:`~vpnkit.models.VpnConnection` (as DescribeVpnConnections
returns it) plus the two outer addresses and describes the *customer gateway's* side: ``local``
is the IDC device, ``remote`` is the Tencent VPN gateway. :meth:`PeerConfig.mirrored` turns it
around (``local`` = Tencent), so one renderer draws either side.

Algorithm values stay Tencent's own option values (``AES-CBC-128``, ``GROUP14``, ``SHA-256``);
:mod:`vpnkit.peer.vendors` turns them into each vendor's tokens. Options the tunnel leaves unset
take the API default from :mod:`vpnkit.options`; where the sources disagree on that default
(ref §1.1 #17, §2.3) the choice is recorded as an :class:`Issue` in :attr:`PeerConfig.notes`.
No I/O, and no pre-shared key: the key is passed to the renderer, never stored here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from vpnkit import options
from vpnkit.issue import Issue
from vpnkit.models import VpnConnection

__all__ = [
    "ANY",
    "DISPUTED_DEFAULTS",
    "Bgp",
    "Dpd",
    "Endpoint",
    "EspProposal",
    "IkeProposal",
    "Issue",
    "PeerConfig",
    "TrafficSelector",
    "from_connection",
]

ANY = "0.0.0.0/0"
Initiation = Literal["start", "trap", "none"]
IdKind = Literal["ADDRESS", "FQDN"]


@dataclass(frozen=True)
class Endpoint:
    """One side: outer address, how it identifies itself, and whether it starts IKE.

    ``initiation``: ``start`` (bring the tunnel up at once), ``trap`` (on matching traffic),
    ``none`` (only answer).
    """

    address: str
    id_kind: IdKind
    id_value: str
    initiation: Initiation = "trap"


@dataclass(frozen=True)
class IkeProposal:
    """Phase 1 algorithms (Tencent option values)."""

    encryption: str
    integrity: str
    dh_group: str


@dataclass(frozen=True)
class EspProposal:
    """Phase 2 algorithms (Tencent option values); ``pfs_group`` None means no PFS."""

    encryption: str
    integrity: str
    pfs_group: str | None


@dataclass(frozen=True)
class TrafficSelector:
    """One SPD pair as this side sees it: its own range and the far side's."""

    local: str
    remote: str

    def mirrored(self) -> TrafficSelector:
        """The same pair seen from the other side."""
        return TrafficSelector(self.remote, self.local)


@dataclass(frozen=True)
class Dpd:
    """Dead peer detection: on/off, seconds until the peer counts as dead, and what then."""

    enabled: bool
    timeout: int
    action: str


@dataclass(frozen=True)
class Bgp:
    """BGP over the tunnel (RouteType=Bgp): the /30 and each side's address and ASN."""

    tunnel_cidr: str
    local_ip: str
    remote_ip: str
    local_asn: str = ""
    remote_asn: str = ""

    def mirrored(self) -> Bgp:
        """The same session seen from the other side."""
        return Bgp(self.tunnel_cidr, self.remote_ip, self.local_ip, self.remote_asn,
                   self.local_asn)


@dataclass(frozen=True)
class PeerConfig:
    """Everything one IKE/IPsec peer needs, seen from ``local``.

    ``selectors`` has one entry per (VPC range, IDC range) pair for policy tunnels (the Tencent
    gateway negotiates each pair as its own SA, ref §2.1) and a single any-any selector for
    route-based and BGP tunnels (``route_based`` True).
    """

    name: str
    local: Endpoint
    remote: Endpoint
    ike_version: Literal["IKEV1", "IKEV2"]
    exchange_mode: Literal["MAIN", "AGGRESSIVE"]
    ike: IkeProposal
    ike_lifetime: int
    esp: EspProposal
    ipsec_lifetime: int
    ipsec_lifetime_kb: int
    dpd: Dpd
    route_type: str
    route_based: bool
    selectors: tuple[TrafficSelector, ...]
    bgp: Bgp | None = None
    #: options left to the API default where sources disagree (Issue per option)
    notes: tuple[Issue, ...] = ()
    #: which side this describes: "idc" (customer gateway) or "tencent"
    side: Literal["idc", "tencent"] = "idc"
    #: every proposal a parsed peer configuration accepts (empty: just ``ike`` / ``esp``)
    ike_offers: tuple[IkeProposal, ...] = ()
    esp_offers: tuple[EspProposal, ...] = ()

    def ike_accepts(self) -> tuple[IkeProposal, ...]:
        """The phase 1 proposals this side accepts."""
        return self.ike_offers or (self.ike,)

    def esp_accepts(self) -> tuple[EspProposal, ...]:
        """The phase 2 proposals this side accepts."""
        return self.esp_offers or (self.esp,)

    def mirrored(self) -> PeerConfig:
        """The other side of the same tunnel (endpoints, selectors and BGP swapped)."""
        return replace(
            self, local=self.remote, remote=self.local,
            selectors=tuple(s.mirrored() for s in self.selectors),
            bgp=self.bgp.mirrored() if self.bgp else None,
            side="tencent" if self.side == "idc" else "idc",
        )

    def selector_set(self) -> frozenset[tuple[str, str]]:
        """The selectors as a set of (local, remote) pairs (order carries no meaning)."""
        return frozenset((s.local, s.remote) for s in self.selectors)


#: options whose API default the sources disagree on: path -> (default used, what others say)
DISPUTED_DEFAULTS: dict[str, tuple[str, str]] = {
    "ipsec_options.sa_lifetime_seconds": ("14400 (API doc)",
                                          "3600 (Terraform, examples); ref §2.3"),
    "ipsec_options.sa_lifetime_traffic": ("4096000000 KB (API doc)",
                                          "1843200 KB (Terraform, examples); ref §2.3"),
    "ipsec_options.encryption_algorithm": ("AES-CBC-128 (API doc)",
                                           "3DES-CBC (Terraform); ref §2.3"),
    "ipsec_options.integrity_algorithm": ("SHA1 (API doc)", "MD5 (Terraform); ref §2.3"),
    "ike_options.authentication_algorithm": ("SHA (API doc)", "MD5 (Go SDK, Terraform); ref §2.2"),
    "dpd_action": ("clear (output doc, examples)", "restart (request doc); ref §1.1 #17"),
}

_INITIATION: dict[str, Initiation] = {"active": "start", "flowTrigger": "trap", "passive": "none"}


class _Defaults:
    """Reads optional values, falling back to the API default and noting disputed ones."""

    def __init__(self) -> None:
        self.notes: list[Issue] = []

    def take(self, section: str, name: str, value: object, *, applies: bool = True) -> object:
        if value not in (None, "", -1):
            return value
        opt = options.get(section, name)
        where = opt.path
        if applies and where in DISPUTED_DEFAULTS:
            used, others = DISPUTED_DEFAULTS[where]
            self.notes.append(Issue(
                where, "DisputedDefault",
                f"the tunnel does not state {opt.wire}; assumed the API default {used}, but "
                f"other sources say {others}. Set it explicitly on the tunnel "
                f"(ModifyVpnConnectionAttribute) so both sides agree", "warning"))
        return opt.default


def _str(v: object) -> str:
    return str(v)


def _int(v: object) -> int:
    return int(str(v))


def from_connection(conn: VpnConnection, *, gateway_ip: str, customer_ip: str) -> PeerConfig:
    """The IDC side of ``conn``: ``local`` is the customer gateway, ``remote`` the VPN gateway.

    ``gateway_ip`` is the VPN gateway's ``PublicIpAddress``, ``customer_ip`` the customer
    gateway's ``IpAddress``. Identities follow the tunnel exactly: Tencent's ``Local*`` fields
    describe the Tencent side (our ``remote``), ``Remote*`` the IDC side (our ``local``).
    """
    d = _Defaults()
    ike = conn.ike_options
    ips = conn.ipsec_options

    def g_ike(name: str) -> Any:
        return getattr(ike, name) if ike else None

    def g_ips(name: str) -> Any:
        return getattr(ips, name) if ips else None

    tencent_kind = _str(d.take("ike", "local_identity", g_ike("local_identity")))
    idc_kind = _str(d.take("ike", "remote_identity", g_ike("remote_identity")))
    tencent_id = (g_ike("local_fqdn_name") or "") if tencent_kind == "FQDN" \
        else (g_ike("local_address") or gateway_ip)
    idc_id = (g_ike("remote_fqdn_name") or "") if idc_kind == "FQDN" \
        else (g_ike("remote_address") or customer_ip)
    negotiation = _str(d.take("spec", "negotiation_type", conn.negotiation_type))
    tencent_init = _INITIATION.get(negotiation, "start")
    # The IDC side must start when Tencent only answers; otherwise it also starts on traffic.
    idc_init: Initiation = "start" if tencent_init == "none" else "trap"

    route_type = _str(d.take("spec", "route_type", conn.route_type))
    pairs = [(r.local_cidr_block, remote) for r in conn.security_policy_databases
             for remote in r.remote_cidr_blocks]
    # no SPD at all (a STATIC tunnel still PENDING answers []): nothing to select on but any-any
    route_based = route_type in ("StaticRoute", "Bgp") or all(p == (ANY, ANY) for p in pairs)
    selectors = (TrafficSelector(ANY, ANY),) if route_based else tuple(
        TrafficSelector(idc, vpc) for vpc, idc in dict.fromkeys(pairs))

    dpd_on = _int(d.take("spec", "dpd_enable", conn.dpd_enable)) == 1
    dpd = Dpd(dpd_on, _int(d.take("spec", "dpd_timeout", conn.dpd_timeout)),
              _str(d.take("spec", "dpd_action", conn.dpd_action, applies=dpd_on)))
    pfs = _str(d.take("ipsec", "pfs_dh_group", g_ips("pfs_dh_group")))
    bgp = None
    if conn.bgp_config:
        b = conn.bgp_config
        # Tencent's Local* is the cloud side, so the IDC side's own address is RemoteBgpIp.
        bgp = Bgp(b.get("TunnelCidr", ""), b.get("RemoteBgpIp", ""), b.get("LocalBgpIp", ""),
                  str(b.get("RemoteBgpAsn", "") or ""), str(b.get("LocalBgpAsn", "") or ""))
    version = _str(d.take("ike", "version", g_ike("version")))
    return PeerConfig(
        name=conn.vpn_connection_id or "tunnel",
        local=Endpoint(customer_ip, "FQDN" if idc_kind == "FQDN" else "ADDRESS", idc_id, idc_init),
        remote=Endpoint(gateway_ip, "FQDN" if tencent_kind == "FQDN" else "ADDRESS", tencent_id,
                        tencent_init),
        ike_version="IKEV2" if version == "IKEV2" else "IKEV1",
        exchange_mode="AGGRESSIVE" if d.take("ike", "exchange_mode", g_ike("exchange_mode"))
        == "AGGRESSIVE" else "MAIN",
        ike=IkeProposal(
            _str(d.take("ike", "encryption_algorithm", g_ike("encryption_algorithm"))),
            _str(d.take("ike", "authentication_algorithm", g_ike("authentication_algorithm"))),
            _str(d.take("ike", "dh_group", g_ike("dh_group")))),
        ike_lifetime=_int(d.take("ike", "sa_lifetime_seconds", g_ike("sa_lifetime_seconds"))),
        esp=EspProposal(
            _str(d.take("ipsec", "encryption_algorithm", g_ips("encryption_algorithm"))),
            _str(d.take("ipsec", "integrity_algorithm", g_ips("integrity_algorithm"))),
            None if pfs == "NULL" else pfs.removeprefix("DH-")),
        ipsec_lifetime=_int(d.take("ipsec", "sa_lifetime_seconds", g_ips("sa_lifetime_seconds"))),
        ipsec_lifetime_kb=_int(d.take("ipsec", "sa_lifetime_traffic",
                                      g_ips("sa_lifetime_traffic"))),
        dpd=dpd,
        route_type=route_type,
        route_based=route_based,
        selectors=selectors,
        bgp=bgp,
        notes=tuple(d.notes),
    )

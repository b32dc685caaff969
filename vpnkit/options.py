"""The single table of CreateVpnConnection options.

Every IKE, IPsec, DPD, routing, negotiation and health-check option appears here once, with
its snake_case name, its Tencent wire name, its type, allowed values, numeric range, API
default and a one-line help text. Validation, the widget panels, the docs and the emulator's
defaults are all generated from :data:`OPTIONS`; nothing else retypes an enum or a range.

Sources are sections of the API reference (``tencent-vpc-api.md``): §1.1 request fields,
§2.2 IKE, §2.3 IPsec, §2.5 small models. Where sources disagree the live API's documented
behaviour wins (the PYSDK request docs and the published response examples), noted per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "OPTIONS",
    "SECRET_WIRE_NAMES",
    "SECTIONS",
    "Option",
    "by_section",
    "by_wire",
    "defaults",
    "get",
]

Kind = Literal["str", "int", "bool", "ip", "cidr"]
Section = Literal["spec", "ike", "ipsec", "bgp", "health_check_config"]

#: section -> (attribute on VpnConnectionSpec, wire name of the nested object)
SECTIONS: dict[str, tuple[str, str]] = {
    "spec": ("", ""),
    "ike": ("ike_options", "IKEOptionsSpecification"),
    "ipsec": ("ipsec_options", "IPSECOptionsSpecification"),
    "bgp": ("bgp_config", "BgpConfig"),
    "health_check_config": ("health_check_config", "HealthCheckConfig"),
}


@dataclass(frozen=True)
class Option:
    """One request option: how it is named, typed, bounded and defaulted."""

    section: Section
    name: str
    wire: str
    kind: Kind
    help: str
    choices: tuple[str | int, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: str | int | bool | None = None
    #: the wire carries this integer as a string (DpdTimeout, §1.1 #16)
    wire_str: bool = False
    secret: bool = False

    @property
    def path(self) -> str:
        """Attribute path from a spec, e.g. ``ike_options.dh_group``."""
        attr = SECTIONS[self.section][0]
        return f"{attr}.{self.name}" if attr else self.name

    @property
    def label(self) -> str:
        """Human label for forms and tables, e.g. ``SA lifetime seconds``, ``DH group``."""
        words = [_ACRONYMS.get(w, w) for w in self.name.split("_")]
        return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


_ACRONYMS = {"sa": "SA", "dh": "DH", "ip": "IP", "dpd": "DPD", "pfs": "PFS", "bgp": "BGP",
             "fqdn": "FQDN", "ike": "IKE", "ipsec": "IPsec", "cidr": "CIDR"}
_ENCRY = ("3DES-CBC", "AES-CBC-128", "AES-CBC-192", "AES-CBC-256", "DES-CBC", "SM4",
          "AES128GCM128", "AES192GCM128", "AES256GCM128")
_DH = ("GROUP1", "GROUP2", "GROUP5", "GROUP14", "GROUP15", "GROUP16", "GROUP19", "GROUP20",
       "GROUP21", "GROUP24")

OPTIONS: tuple[Option, ...] = (
    # --- tunnel-level fields (§1.1) ---
    Option("spec", "pre_share_key", "PreShareKey", "str", "Pre-shared key (IKE PSK)",
           secret=True),
    Option("spec", "route_type", "RouteType", "str",
           "Tunnel type: destination routes, SPD policy or BGP",
           choices=("STATIC", "StaticRoute", "Policy", "Bgp"), default="STATIC"),
    Option("spec", "negotiation_type", "NegotiationType", "str",
           "Who starts IKE negotiation: active, passive, or on matching traffic",
           choices=("active", "passive", "flowTrigger"), default="active"),
    Option("spec", "dpd_enable", "DpdEnable", "int", "Dead peer detection: 0 off, 1 on",
           choices=(0, 1), default=0),
    # §1.1 #16: a string on the wire; TF validates the integer range [30, 60].
    Option("spec", "dpd_timeout", "DpdTimeout", "int",
           "DPD timeout in seconds (only with DPD on)", minimum=30, maximum=60, default=30,
           wire_str=True),
    # §1.1 #17 / §2.4: the request doc says restart, the output doc and every live example
    # say clear; we follow what the live API returns.
    Option("spec", "dpd_action", "DpdAction", "str",
           "On DPD timeout: clear (disconnect) or restart (renegotiate)",
           choices=("clear", "restart"), default="clear"),
    Option("spec", "enable_health_check", "EnableHealthCheck", "bool",
           "Probe the tunnel from inside (NQA)", default=False),
    Option("spec", "health_check_local_ip", "HealthCheckLocalIp", "ip",
           "Cloud-side probe IP (default: random in 169.254.128.0/17)"),
    Option("spec", "health_check_remote_ip", "HealthCheckRemoteIp", "ip",
           "IDC-side probe IP (default: random in 169.254.128.0/17)"),
    # --- IKE, phase 1 (§2.2) ---
    Option("ike", "encryption_algorithm", "PropoEncryAlgorithm", "str",
           "IKE encryption (GCM needs a 4.0 gateway)", choices=_ENCRY, default="3DES-CBC"),
    # §2.2: PYSDK default SHA; GOINTL/TF say MD5. The API doc wins.
    Option("ike", "authentication_algorithm", "PropoAuthenAlgorithm", "str",
           "IKE authentication (integrity) algorithm",
           choices=("MD5", "SHA", "SHA-256", "SHA-512"), default="SHA"),
    Option("ike", "exchange_mode", "ExchangeMode", "str", "IKEv1 exchange mode",
           choices=("AGGRESSIVE", "MAIN"), default="MAIN"),
    Option("ike", "local_identity", "LocalIdentity", "str",
           "How the cloud side identifies itself", choices=("ADDRESS", "FQDN"),
           default="ADDRESS"),
    Option("ike", "remote_identity", "RemoteIdentity", "str",
           "How the IDC side identifies itself", choices=("ADDRESS", "FQDN"),
           default="ADDRESS"),
    Option("ike", "local_address", "LocalAddress", "ip",
           "Cloud-side identity address (default: the gateway's public IP)"),
    Option("ike", "remote_address", "RemoteAddress", "ip",
           "IDC-side identity address (with ADDRESS identity)"),
    Option("ike", "local_fqdn_name", "LocalFqdnName", "str",
           "Cloud-side identity name (with FQDN identity)"),
    Option("ike", "remote_fqdn_name", "RemoteFqdnName", "str",
           "IDC-side identity name (with FQDN identity)"),
    Option("ike", "dh_group", "DhGroupName", "str", "Diffie-Hellman group for phase 1",
           choices=_DH, default="GROUP1"),
    Option("ike", "sa_lifetime_seconds", "IKESaLifetimeSeconds", "int",
           "IKE SA lifetime, seconds", minimum=60, maximum=604800, default=86400),
    Option("ike", "version", "IKEVersion", "str", "IKE protocol version",
           choices=("IKEV1", "IKEV2"), default="IKEV1"),
    # --- IPsec, phase 2 (§2.3) ---
    Option("ipsec", "encryption_algorithm", "EncryptAlgorithm", "str",
           "IPsec encryption (GCM needs a 4.0 gateway)", choices=(*_ENCRY[:6], "NULL",
                                                                   *_ENCRY[6:]),
           default="AES-CBC-128"),
    # §2.3: two spellings exist. IntegrityAlgorith (sic, deprecated) allows all six values and
    # is what every response uses; IntegrityAlgorithm (new) documents MD5/SHA1/SHA-256.
    # wire.py chooses the spelling; this row holds the union.
    Option("ipsec", "integrity_algorithm", "IntegrityAlgorith", "str",
           "IPsec integrity algorithm",
           choices=("MD5", "SHA1", "SHA-256", "SHA-512", "SHA-384", "SM3"), default="SHA1"),
    Option("ipsec", "sa_lifetime_seconds", "IPSECSaLifetimeSeconds", "int",
           "IPsec SA lifetime, seconds", minimum=180, maximum=604800, default=14400),
    Option("ipsec", "pfs_dh_group", "PfsDhGroup", "str", "Perfect forward secrecy DH group",
           choices=("NULL", *(f"DH-{g}" for g in _DH)), default="NULL"),
    # §2.3: GOINTL's "2560-604800" is a doc error; the type is uint64 and the default 4096000000.
    Option("ipsec", "sa_lifetime_traffic", "IPSECSaLifetimeTraffic", "int",
           "IPsec SA lifetime, kilobytes", minimum=2560, maximum=4294967295,
           default=4096000000),
    # --- BGP tunnel (§2.5) ---
    Option("bgp", "tunnel_cidr", "TunnelCidr", "cidr", "BGP tunnel CIDR, a /30"),
    Option("bgp", "local_bgp_ip", "LocalBgpIp", "ip", "Cloud-side BGP IP inside the tunnel CIDR"),
    Option("bgp", "remote_bgp_ip", "RemoteBgpIp", "ip", "IDC-side BGP IP inside the tunnel CIDR"),
    # --- NQA health check (§2.5) ---
    Option("health_check_config", "probe_type", "ProbeType", "str", "Probe type (fixed)",
           choices=("NQA",), default="NQA"),
    Option("health_check_config", "probe_interval", "ProbeInterval", "int",
           "Probe interval, ms", minimum=1000, maximum=5000),
    Option("health_check_config", "probe_threshold", "ProbeThreshold", "int",
           "Failed probes before the tunnel counts as down", minimum=3, maximum=8),
    Option("health_check_config", "probe_timeout", "ProbeTimeout", "int",
           "Probe timeout, ms", minimum=10, maximum=5000),
)

_BY_KEY: dict[tuple[str, str], Option] = {(o.section, o.name): o for o in OPTIONS}
_BY_WIRE: dict[tuple[str, str], Option] = {(o.section, o.wire): o for o in OPTIONS}

SECRET_WIRE_NAMES: frozenset[str] = frozenset(o.wire for o in OPTIONS if o.secret)


def get(section: str, name: str) -> Option:
    """The option called ``name`` in ``section`` (KeyError if there is none)."""
    return _BY_KEY[(section, name)]


def by_wire(section: str, wire: str) -> Option | None:
    """The option whose wire name is ``wire`` within ``section``, if any."""
    return _BY_WIRE.get((section, wire))


def by_section(section: str) -> Iterator[Option]:
    """Options of one section, in table order."""
    return (o for o in OPTIONS if o.section == section)


def defaults(section: str, *, wire: bool = False) -> dict[str, str | int | bool]:
    """The API defaults of one section, keyed by snake name (or wire name), wire-typed."""
    out: dict[str, str | int | bool] = {}
    for o in by_section(section):
        if o.default is None:
            continue
        key = o.wire if wire else o.name
        out[key] = str(o.default) if (wire and o.wire_str) else o.default
    return out

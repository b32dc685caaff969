"""The single table of CreateVpnConnection options.

Every IKE, IPsec, DPD, routing, negotiation and health-check option appears here once, with
its snake_case name, its Tencent wire name, its type, allowed values, numeric range, API
default and a one-line help text. Validation, the widget panels, the docs and the emulator's
defaults are all generated from :data:`OPTIONS`; nothing else retypes an enum or a range.

Sources are sections of the API reference (``tencent-vpc-api.md``): §1.1 request fields,
§2.2 IKE, §2.3 IPsec, §2.5 small models. Where sources disagree the live API's documented
behaviour wins (the PYSDK request docs and the published response examples), noted per row;
every disagreement is also kept, with both values and their sources, in
:data:`DISPUTED_DEFAULTS`.

``Option.default`` is the **API's** default (what the gateway does when a field is not
sent; the emulator applies these). vpnkit itself does not rely on them: a new
``VpnConnectionSpec`` gets the named profile :data:`DEFAULT_PROFILE` (``"strong"``), which
sets every IKE, IPsec and DPD option explicitly, so what the gateway runs never depends on
which source is right. :data:`PROFILES` holds the named profiles, including
``"api-defaults"`` (the API's defaults, sent explicitly) for old peers; :data:`WEAK` lists
the values that are accepted but weak (each choice of one is a validation warning).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_PROFILE",
    "DISPUTED_DEFAULTS",
    "OPTIONS",
    "PROFILES",
    "ROUTE_BASED",
    "SECRET_WIRE_NAMES",
    "SECTIONS",
    "WEAK",
    "Option",
    "Profile",
    "by_section",
    "by_wire",
    "defaults",
    "get",
    "profile",
    "weakness",
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

#: RouteType values of route-based tunnels (destination routes or BGP, no SPD policy), §1.1.
#: A tuple, not a set: ``x in ROUTE_BASED`` must answer False for an unhashable odd value.
ROUTE_BASED: tuple[str, ...] = ("StaticRoute", "Bgp")

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


# --- where the sources disagree on a default -------------------------------------------------

#: option path -> ((value, source), ...): every default the sources disagree on (ref §2.2,
#: §2.3, §1.1 #17). The first entry is what ``Option.default`` (the API default) holds.
DISPUTED_DEFAULTS: dict[str, tuple[tuple[str | int, str], ...]] = {
    "ipsec_options.sa_lifetime_seconds": (
        (14400, "PYSDK/APIJSON IPSECOptionsSpecification doc (ref §2.3)"),
        (3600, "every official response example (tccli examples.json) and Terraform's "
               "default (ref §2.3)"),
    ),
    "ipsec_options.sa_lifetime_traffic": (
        (4096000000, "PYSDK/APIJSON doc (ref §2.3)"),
        (1843200, "official response examples and Terraform's default (ref §2.3)"),
    ),
    "dpd_action": (
        ("clear", "VpnConnection output doc and Modify doc ('默认为clear'); every example "
                  "returns clear (ref §1.1 #17, §2.4)"),
        ("restart", "CreateVpnConnection request doc (PYSDK) and Modify's '默认值：restart' "
                    "(ref §1.1 #17, §3.6)"),
    ),
    "ike_options.authentication_algorithm": (
        ("SHA", "PYSDK/APIJSON doc (ref §2.2)"),
        ("MD5", "GOINTL doc and Terraform's default (ref §2.2)"),
    ),
    "ipsec_options.encryption_algorithm": (
        ("AES-CBC-128", "PYSDK/APIJSON doc (ref §2.3)"),
        ("3DES-CBC", "Terraform's default (ref §2.3)"),
    ),
    "ipsec_options.integrity_algorithm": (
        ("SHA1", "PYSDK/APIJSON doc (ref §2.3)"),
        ("MD5", "Terraform's default (ref §2.3)"),
    ),
}


# --- accepted but weak -------------------------------------------------------------------------

#: option path -> {weak value: why}. The API accepts these; validation warns once per weak
#: choice (RFC 8247 for IKEv2, RFC 8221 for ESP: DES, 3DES, MD5, SHA-1 for IKE, DH groups
#: 1/2/5 are deprecated or "MUST NOT"). IPsec HMAC-SHA1 is still allowed there, so not listed.
WEAK: dict[str, dict[str | int, str]] = {
    "ike_options.encryption_algorithm": {
        "DES-CBC": "DES has a 56-bit key (RFC 8247: MUST NOT)",
        "3DES-CBC": "3DES has a 64-bit block and is deprecated (RFC 8247: SHOULD NOT)"},
    "ike_options.authentication_algorithm": {
        "MD5": "MD5 is broken (RFC 8247: MUST NOT)",
        "SHA": "SHA-1 is deprecated for IKE (RFC 8247)"},
    "ike_options.dh_group": {
        "GROUP1": "768-bit MODP group 1 is breakable (RFC 8247: MUST NOT)",
        "GROUP2": "1024-bit MODP group 2 is too small (RFC 8247: SHOULD NOT)",
        "GROUP5": "1536-bit MODP group 5 is too small (RFC 8247: SHOULD NOT)"},
    "ike_options.exchange_mode": {
        "AGGRESSIVE": "IKEv1 aggressive mode exposes a hash of the pre-shared key to "
                      "offline guessing"},
    "ipsec_options.encryption_algorithm": {
        "DES-CBC": "DES has a 56-bit key (RFC 8221: MUST NOT)",
        "3DES-CBC": "3DES has a 64-bit block and is deprecated (RFC 8221: SHOULD NOT)",
        "NULL": "NULL encryption sends the traffic in clear"},
    "ipsec_options.integrity_algorithm": {
        "MD5": "HMAC-MD5 is deprecated (RFC 8221: MUST NOT)"},
    "ipsec_options.pfs_dh_group": {
        "NULL": "PFS is off: one leaked IKE key exposes every IPsec key derived from it",
        "DH-GROUP1": "768-bit MODP group 1 is breakable",
        "DH-GROUP2": "1024-bit MODP group 2 is too small",
        "DH-GROUP5": "1536-bit MODP group 5 is too small"},
}


def weakness(path: str, value: object) -> str | None:
    """Why ``value`` is weak for the option at ``path`` (e.g. ``ike_options.dh_group``)."""
    reasons = WEAK.get(path)
    return None if reasons is None or not isinstance(value, str | int) else reasons.get(value)


# --- named profiles ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """A named set of IKE, IPsec and DPD values, every one sent explicitly on the wire.

    ``ike``/``ipsec``/``spec`` map option names of that section to values; identity
    options (which describe the peers) are never part of a profile, nor is the IKEv1-only
    exchange mode in an IKEv2 profile (IKEv2 has none). ``gateway`` names the
    gateway version a profile needs (GCM: "4.0").
    """

    name: str
    summary: str
    ike: dict[str, str | int]
    ipsec: dict[str, str | int]
    spec: dict[str, str | int]
    gateway: str | None = None

    def section(self, section: str) -> dict[str, str | int]:
        """The values for ``ike``, ``ipsec`` or ``spec``."""
        return {"ike": self.ike, "ipsec": self.ipsec, "spec": self.spec}[section]


_DPD_ON: dict[str, str | int] = {"dpd_enable": 1, "dpd_timeout": 30, "dpd_action": "restart"}

PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("strong",
            "IKEv2 AES-CBC-256/SHA-256/GROUP14, IPsec AES-CBC-256/SHA-256 with PFS "
            "DH-GROUP14, DPD on (30 s, restart), IKE SA 86400 s, IPsec SA 3600 s / 1843200 KB",
            ike={"version": "IKEV2", "encryption_algorithm": "AES-CBC-256",
                 "authentication_algorithm": "SHA-256", "dh_group": "GROUP14",
                 "sa_lifetime_seconds": 86400},
            ipsec={"encryption_algorithm": "AES-CBC-256", "integrity_algorithm": "SHA-256",
                   "pfs_dh_group": "DH-GROUP14", "sa_lifetime_seconds": 3600,
                   "sa_lifetime_traffic": 1843200},
            spec=_DPD_ON),
    Profile("strong-gcm",
            "4.0 gateways: IKEv2 AES256GCM128/SHA-256/GROUP20, IPsec AES256GCM128 with PFS "
            "DH-GROUP20, DPD on (30 s, restart), IKE SA 86400 s, IPsec SA 3600 s / 1843200 KB",
            ike={"version": "IKEV2", "encryption_algorithm": "AES256GCM128",
                 "authentication_algorithm": "SHA-256", "dh_group": "GROUP20",
                 "sa_lifetime_seconds": 86400},
            ipsec={"encryption_algorithm": "AES256GCM128", "integrity_algorithm": "SHA-256",
                   "pfs_dh_group": "DH-GROUP20", "sa_lifetime_seconds": 3600,
                   "sa_lifetime_traffic": 1843200},
            spec=_DPD_ON, gateway="4.0"),
    Profile("api-defaults",
            "the API's documented defaults, sent explicitly, for old peers: IKEv1 MAIN "
            "3DES-CBC/SHA/GROUP1, IPsec AES-CBC-128/SHA1, PFS off, DPD off (weak: warns)",
            ike={o.name: o.default for o in OPTIONS
                 if o.section == "ike" and o.default is not None
                 and not o.name.endswith("_identity")},
            ipsec={o.name: o.default for o in OPTIONS
                   if o.section == "ipsec" and o.default is not None},
            spec={"dpd_enable": 0}),
)}

#: The profile a new VpnConnectionSpec gets when none is named.
DEFAULT_PROFILE = "strong"


def profile(name: str) -> Profile:
    """The profile called ``name``; ``KeyError`` lists the known names."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"no profile {name!r}; known: {', '.join(PROFILES)}") from None

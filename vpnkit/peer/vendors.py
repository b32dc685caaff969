"""One declarative table: each Tencent option value -> each vendor's token (like options.py).

``None`` (or a missing key) means the vendor cannot express the value; :func:`resolve` turns
that into an :class:`~vpnkit.peer.model.Issue` instead of a silently wrong token. Renderers
never spell an algorithm themselves: they take the tokens :func:`resolve` returns.

Keys are the allowed values of :mod:`vpnkit.options` (ref §2.2, §2.3). Sources per vendor are
cited in the headers of ``tests/peer/golden/*``: strongSwan swanctl.conf and proposal keywords,
Libreswan ipsec.conf(5), Cisco IOS-XE and ASA command references, Junos SRX ``security ike`` /
``security ipsec``, FortiOS ``vpn ipsec phase1-interface``, PAN-OS crypto profiles, Huawei/H3C
``ike proposal`` / ``ipsec proposal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from vpnkit.peer.model import Issue, PeerConfig

__all__ = ["GCM", "VENDORS", "Tokens", "Vendor", "resolve"]

GCM = frozenset({"AES128GCM128", "AES192GCM128", "AES256GCM128"})
_DH_NUM = {f"GROUP{n}": str(n) for n in (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)}


@dataclass(frozen=True)
class Vendor:
    """What one vendor can say and how: token maps plus lifetime ranges in its own units."""

    name: str
    title: str
    #: file names this vendor's output is made of (the first holds the configuration)
    files: tuple[str, ...]
    ike_encryption: Mapping[str, str | None]
    ike_integrity: Mapping[str, str | None]
    esp_encryption: Mapping[str, str | None]
    esp_integrity: Mapping[str, str | None]
    dh: Mapping[str, str | None]
    #: IKEv1-only restrictions of phase-1 integrity (e.g. ASA IKEv1 hashes)
    ike1_integrity: Mapping[str, str | None] | None = None
    #: IKEv1-only restrictions of ESP tokens (e.g. ASA's IKEv1 transform sets)
    esp1_encryption: Mapping[str, str | None] | None = None
    esp1_integrity: Mapping[str, str | None] | None = None
    #: PRF token for an AEAD (GCM) IKE proposal, keyed by the Tencent integrity value
    prf: Mapping[str, str | None] = field(default_factory=dict)
    ike_lifetime: tuple[int, int] = (0, 2**32)
    ipsec_lifetime: tuple[int, int] = (0, 2**32)
    ipsec_kb: tuple[int, int] = (0, 2**64)
    sm: bool = False
    #: how a comment line starts in this vendor's configuration
    comment: str = "#"
    #: how the pre-shared key is written: by the template itself (``own``), in double quotes
    #: with ``\\`` and ``"`` escaped (``quoted``), or as one bare word (``word``: no
    #: whitespace, no ``?``, which Cisco's CLI reads as a help request)
    psk_style: Literal["own", "quoted", "word"] = "own"


def _dh(tokens: Mapping[str, str | None] | None = None, prefix: str = "",
        skip: tuple[str, ...] = ()) -> dict[str, str | None]:
    base = {k: (None if k in skip else f"{prefix}{v}") for k, v in _DH_NUM.items()}
    base.update(tokens or {})
    return base


_SWAN_DH = {"GROUP1": "modp768", "GROUP2": "modp1024", "GROUP5": "modp1536",
            "GROUP14": "modp2048", "GROUP15": "modp3072", "GROUP16": "modp4096",
            "GROUP19": "ecp256", "GROUP20": "ecp384", "GROUP21": "ecp521",
            "GROUP24": "modp2048s256"}
_SWAN_ENC = {"3DES-CBC": "3des", "AES-CBC-128": "aes128", "AES-CBC-192": "aes192",
             "AES-CBC-256": "aes256", "DES-CBC": "des", "SM4": None,
             "AES128GCM128": "aes128gcm16", "AES192GCM128": "aes192gcm16",
             "AES256GCM128": "aes256gcm16"}
_SWAN_INT = {"MD5": "md5", "SHA": "sha1", "SHA1": "sha1", "SHA-256": "sha256",
             "SHA-384": "sha384", "SHA-512": "sha512", "SM3": None}
_SWAN_PRF = {k: (f"prf{v}" if v else None) for k, v in _SWAN_INT.items()}

_LIBRE_ENC = {**_SWAN_ENC, "DES-CBC": None,  # Libreswan dropped single DES (ipsec.conf(5))
              "AES128GCM128": "aes_gcm128", "AES192GCM128": "aes_gcm192",
              "AES256GCM128": "aes_gcm256"}
_LIBRE_INT = {"MD5": "md5", "SHA": "sha1", "SHA1": "sha1", "SHA-256": "sha2_256",
              "SHA-384": "sha2_384", "SHA-512": "sha2_512", "SM3": None}
# Libreswan 4.x (``ipsec algparse``): modp768/modp1024 are not supported, modp2048s256 is
# not known
_LIBRE_DH = {**_SWAN_DH, "GROUP1": None, "GROUP2": None, "GROUP24": None,
             "GROUP19": "dh19", "GROUP20": "dh20", "GROUP21": "dh21"}

VENDORS: dict[str, Vendor] = {v.name: v for v in (
    Vendor(
        "strongswan", "strongSwan (swanctl.conf)", ("swanctl.conf",),
        ike_encryption=_SWAN_ENC, ike_integrity=_SWAN_INT,
        esp_encryption={**_SWAN_ENC, "NULL": "null"}, esp_integrity=_SWAN_INT,
        dh=_SWAN_DH, prf=_SWAN_PRF),
    Vendor(
        "libreswan", "Libreswan (ipsec.conf)", ("ipsec.conf", "ipsec.secrets"),
        ike_encryption=_LIBRE_ENC, ike_integrity=_LIBRE_INT,
        esp_encryption={**_LIBRE_ENC, "NULL": "null"}, esp_integrity=_LIBRE_INT,
        dh=_LIBRE_DH, prf={k: v for k, v in _LIBRE_INT.items()},
        # ipsec.conf(5): ikelifetime and salifetime have a maximum of 24h.
        ike_lifetime=(60, 86400), ipsec_lifetime=(60, 86400)),
    Vendor(
        "cisco-ios", "Cisco IOS-XE", ("running-config",),
        ike_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes-cbc-128",
                        "AES-CBC-192": "aes-cbc-192", "AES-CBC-256": "aes-cbc-256",
                        "DES-CBC": "des", "SM4": None, "AES128GCM128": "aes-gcm-128",
                        "AES192GCM128": None, "AES256GCM128": "aes-gcm-256"},
        ike_integrity={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"},
        # IKEv1 ISAKMP policy "encryption"/"hash" keywords
        ike1_integrity={"MD5": "md5", "SHA": "sha", "SHA-256": "sha256", "SHA-512": "sha512"},
        esp_encryption={"3DES-CBC": "esp-3des", "AES-CBC-128": "esp-aes 128",
                        "AES-CBC-192": "esp-aes 192", "AES-CBC-256": "esp-aes 256",
                        "DES-CBC": "esp-des", "SM4": None, "NULL": "esp-null",
                        "AES128GCM128": "esp-gcm 128", "AES192GCM128": "esp-gcm 192",
                        "AES256GCM128": "esp-gcm 256"},
        esp_integrity={"MD5": "esp-md5-hmac", "SHA1": "esp-sha-hmac",
                       "SHA-256": "esp-sha256-hmac", "SHA-384": "esp-sha384-hmac",
                       "SHA-512": "esp-sha512-hmac", "SM3": None},
        dh=_dh(), prf={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"},
        ike_lifetime=(120, 86400), ipsec_lifetime=(120, 86400),
        ipsec_kb=(2560, 4294967295), comment="!", psk_style="word"),
    Vendor(
        "cisco-asa", "Cisco ASA", ("running-config",),
        ike_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes", "AES-CBC-192": "aes-192",
                        "AES-CBC-256": "aes-256", "DES-CBC": "des", "SM4": None,
                        "AES128GCM128": "aes-gcm", "AES192GCM128": "aes-gcm-192",
                        "AES256GCM128": "aes-gcm-256"},
        ike_integrity={"MD5": "md5", "SHA": "sha", "SHA-256": "sha256", "SHA-512": "sha512"},
        # ASA "crypto ikev1 policy" hash: md5 | sha only
        ike1_integrity={"MD5": "md5", "SHA": "sha", "SHA-256": None, "SHA-512": None},
        esp_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes", "AES-CBC-192": "aes-192",
                        "AES-CBC-256": "aes-256", "DES-CBC": "des", "SM4": None,
                        "NULL": "null", "AES128GCM128": "aes-gcm",
                        "AES192GCM128": "aes-gcm-192", "AES256GCM128": "aes-gcm-256"},
        esp_integrity={"MD5": "md5", "SHA1": "sha-1", "SHA-256": "sha-256",
                       "SHA-384": "sha-384", "SHA-512": "sha-512", "SM3": None},
        # ASA "crypto ipsec ikev1 transform-set": esp-{des,3des,aes,aes-192,aes-256,null},
        # esp-{md5,sha}-hmac only
        esp1_encryption={"3DES-CBC": "esp-3des", "AES-CBC-128": "esp-aes",
                         "AES-CBC-192": "esp-aes-192", "AES-CBC-256": "esp-aes-256",
                         "DES-CBC": "esp-des", "NULL": "esp-null"},
        esp1_integrity={"MD5": "esp-md5-hmac", "SHA1": "esp-sha-hmac"},
        dh=_dh(),
        prf={"MD5": "md5", "SHA": "sha", "SHA-256": "sha256", "SHA-512": "sha512"},
        ike_lifetime=(120, 2147483647), ipsec_lifetime=(120, 2147483647),
        ipsec_kb=(10, 2147483647), comment="!", psk_style="word"),
    Vendor(
        "junos", "Juniper SRX (Junos set commands)", ("set-commands",),
        ike_encryption={"3DES-CBC": "3des-cbc", "AES-CBC-128": "aes-128-cbc",
                        "AES-CBC-192": "aes-192-cbc", "AES-CBC-256": "aes-256-cbc",
                        "DES-CBC": "des-cbc", "SM4": None, "AES128GCM128": "aes-128-gcm",
                        "AES192GCM128": None, "AES256GCM128": "aes-256-gcm"},
        # Junos CLI reference, proposal (Security IKE): md5 | sha1 | sha-256 | sha-384 | sha-512
        ike_integrity={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha-256", "SHA-512": "sha-512"},
        esp_encryption={"3DES-CBC": "3des-cbc", "AES-CBC-128": "aes-128-cbc",
                        "AES-CBC-192": "aes-192-cbc", "AES-CBC-256": "aes-256-cbc",
                        "DES-CBC": "des-cbc", "SM4": None, "NULL": None,
                        "AES128GCM128": "aes-128-gcm", "AES192GCM128": "aes-192-gcm",
                        "AES256GCM128": "aes-256-gcm"},
        esp_integrity={"MD5": "hmac-md5-96", "SHA1": "hmac-sha1-96",
                       "SHA-256": "hmac-sha-256-128", "SHA-384": "hmac-sha-384",
                       "SHA-512": "hmac-sha-512", "SM3": None},
        # dh-group: group1 | 2 | 5 | 14 | 15 | 16 | 19 | 20 | 21 | 24 (same reference)
        dh=_dh(prefix="group"),
        prf={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha-256", "SHA-512": "sha-512"},
        # lifetime-seconds: 180 through 86,400 (Junos security ike/ipsec proposal)
        ike_lifetime=(180, 86400), ipsec_lifetime=(180, 86400), ipsec_kb=(64, 4294967294),
        psk_style="quoted"),
    Vendor(
        "fortios", "FortiGate (FortiOS CLI)", ("cli",),
        ike_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes128", "AES-CBC-192": "aes192",
                        "AES-CBC-256": "aes256", "DES-CBC": "des", "SM4": None,
                        "AES128GCM128": "aes128gcm", "AES192GCM128": None,
                        "AES256GCM128": "aes256gcm"},
        ike_integrity={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"},
        esp_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes128", "AES-CBC-192": "aes192",
                        "AES-CBC-256": "aes256", "DES-CBC": "des", "SM4": None,
                        "NULL": "null", "AES128GCM128": "aes128gcm", "AES192GCM128": None,
                        "AES256GCM128": "aes256gcm"},
        esp_integrity={"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha256",
                       "SHA-384": "sha384", "SHA-512": "sha512", "SM3": None},
        dh=_dh(), prf={"MD5": "prfmd5", "SHA": "prfsha1", "SHA-256": "prfsha256",
                       "SHA-512": "prfsha512"},
        # keylife 120-172800 s; keylifekbs 5120-4294967295
        ike_lifetime=(120, 172800), ipsec_lifetime=(120, 172800), ipsec_kb=(5120, 4294967295),
        psk_style="quoted"),
    Vendor(
        "panos", "Palo Alto PAN-OS (set commands)", ("set-commands",),
        ike_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes-128-cbc",
                        "AES-CBC-192": "aes-192-cbc", "AES-CBC-256": "aes-256-cbc",
                        "DES-CBC": "des", "SM4": None, "AES128GCM128": "aes-128-gcm",
                        "AES192GCM128": None, "AES256GCM128": "aes-256-gcm"},
        ike_integrity={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"},
        esp_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes-128-cbc",
                        "AES-CBC-192": "aes-192-cbc", "AES-CBC-256": "aes-256-cbc",
                        "DES-CBC": "des", "SM4": None, "NULL": "null",
                        "AES128GCM128": "aes-128-gcm", "AES192GCM128": None,
                        "AES256GCM128": "aes-256-gcm"},
        esp_integrity={"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha256",
                       "SHA-384": "sha384", "SHA-512": "sha512", "SM3": None},
        # PAN-OS "IKE Phase 1": groups 1, 2, 5, 14, 19, 20, and 15, 16, 21 from PAN-OS 10.2
        dh=_dh(prefix="group", skip=("GROUP24",)),
        prf={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"},
        # lifetime: seconds 180-65535 or minutes/hours/days; lifesize 1-65535 kb/mb/gb/tb
        ike_lifetime=(180, 65535 * 86400), ipsec_lifetime=(180, 65535 * 86400),
        ipsec_kb=(1, 65535 * 1024**3), psk_style="quoted"),
    Vendor(
        "huawei", "Huawei (VRP)", ("config",),
        # Huawei USG/AR "Configuring an IKE Proposal" / "Configuring an IPSec Proposal":
        # encryption-algorithm { des | 3des | aes-128 | aes-192 | aes-256 | sm4 }, ESP also
        # aes-128-gcm-128 | aes-192-gcm-128 | aes-256-gcm-128; authentication-algorithm
        # { md5 | sha1 | sha2-256 | sha2-384 | sha2-512 | sm3 }. H3C Comware spells some
        # differently (aes-cbc-128, sm4-cbc): check before pasting on an H3C device.
        ike_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes-128", "AES-CBC-192": "aes-192",
                        "AES-CBC-256": "aes-256", "DES-CBC": "des", "SM4": "sm4",
                        "AES128GCM128": None, "AES192GCM128": None, "AES256GCM128": None},
        ike_integrity={"MD5": "md5", "SHA": "sha1", "SHA-256": "sha2-256",
                       "SHA-512": "sha2-512"},
        esp_encryption={"3DES-CBC": "3des", "AES-CBC-128": "aes-128", "AES-CBC-192": "aes-192",
                        "AES-CBC-256": "aes-256", "DES-CBC": "des", "SM4": "sm4", "NULL": None,
                        "AES128GCM128": "aes-128-gcm-128", "AES192GCM128": "aes-192-gcm-128",
                        "AES256GCM128": "aes-256-gcm-128"},
        esp_integrity={"MD5": "md5", "SHA1": "sha1", "SHA-256": "sha2-256",
                       "SHA-384": "sha2-384", "SHA-512": "sha2-512", "SM3": "sm3"},
        dh=_dh(prefix="group"), prf={"MD5": "hmac-md5", "SHA": "hmac-sha1",
                                     "SHA-256": "hmac-sha2-256", "SHA-512": "hmac-sha2-512"},
        # sa duration: IKE 60-604800 s; IPsec time-based 180-604800 s, traffic-based
        # 2560-4294967295 KB (H3C MSR command reference; Huawei's ranges are model-specific)
        ike_lifetime=(60, 604800), ipsec_lifetime=(180, 604800), ipsec_kb=(2560, 4294967295),
        psk_style="word",
        sm=True),
)}


@dataclass(frozen=True)
class Tokens:
    """One tunnel's values in one vendor's words.

    A value the vendor cannot express comes out as ``UNSUPPORTED-<value>`` (with an error
    issue), so the device refuses the line instead of silently using something else.
    """

    ike_encryption: str
    ike_integrity: str
    ike_prf: str
    ike_aead: bool
    dh: str
    esp_encryption: str
    esp_integrity: str
    esp_aead: bool
    pfs: str | None
    ike_lifetime: int
    ipsec_lifetime: int
    ipsec_kb: int


def _token(vendor: Vendor, table: Mapping[str, str | None], value: str, path: str,
           what: str, found: list[Issue]) -> str:
    token = table.get(value)
    if token is None:
        found.append(Issue(path, "UnsupportedByVendor",
                           f"{vendor.title} cannot express {what} {value!r}; choose another "
                           f"value on the tunnel (and the peer) that both support"))
        return f"UNSUPPORTED-{value}"
    return token


def _bounded(vendor: Vendor, value: int, bounds: tuple[int, int], path: str, unit: str,
             found: list[Issue]) -> int:
    low, high = bounds
    if low <= value <= high:
        return value
    near = min(max(value, low), high)
    found.append(Issue(path, "OutOfVendorRange",
                       f"{vendor.title} accepts {low}..{high} {unit}, the tunnel has {value}; "
                       f"rendered {near}: the two sides rekey at different times (IKEv1 "
                       f"responders may refuse the proposal); set the tunnel to {near}",
                       "warning"))
    return near


def resolve(cfg: PeerConfig, vendor: Vendor) -> tuple[Tokens, list[Issue]]:
    """The vendor's tokens for ``cfg``, and an issue for each value it cannot express."""
    found: list[Issue] = []
    ike1 = cfg.ike_version == "IKEV1"
    ike_aead = cfg.ike.encryption in GCM
    if ike_aead and ike1:
        found.append(Issue("ike_options.encryption_algorithm", "UnsupportedByVendor",
                           f"IKEv1 has no AEAD (GCM) cipher for phase 1 ({cfg.ike.encryption}); "
                           f"use IKEv2 or a CBC cipher with an integrity algorithm"))
    enc = _token(vendor, vendor.ike_encryption, cfg.ike.encryption,
                 "ike_options.encryption_algorithm", "IKE encryption", found)
    int_table = vendor.ike1_integrity if (ike1 and vendor.ike1_integrity) else vendor.ike_integrity
    integ = _token(vendor, int_table, cfg.ike.integrity, "ike_options.authentication_algorithm",
                   "IKE integrity", found)
    prf = ""
    if ike_aead and not ike1:
        prf = _token(vendor, vendor.prf, cfg.ike.integrity,
                     "ike_options.authentication_algorithm", "PRF", found)
    dh = _token(vendor, vendor.dh, cfg.ike.dh_group, "ike_options.dh_group", "DH group", found)
    esp_aead = cfg.esp.encryption in GCM
    esp_enc_table = (vendor.esp1_encryption if ike1 and vendor.esp1_encryption
                     else vendor.esp_encryption)
    esp_int_table = (vendor.esp1_integrity if ike1 and vendor.esp1_integrity
                     else vendor.esp_integrity)
    esp_enc = _token(vendor, esp_enc_table, cfg.esp.encryption,
                     "ipsec_options.encryption_algorithm", "ESP encryption", found)
    esp_int = "" if esp_aead else _token(vendor, esp_int_table, cfg.esp.integrity,
                                         "ipsec_options.integrity_algorithm",
                                         "ESP integrity", found)
    if cfg.esp.encryption == "NULL" and cfg.esp.integrity in ("", None):
        found.append(Issue("ipsec_options", "UnsupportedByVendor",
                           "ESP with NULL encryption needs an integrity algorithm"))
    pfs = None if cfg.esp.pfs_group is None else _token(
        vendor, vendor.dh, cfg.esp.pfs_group, "ipsec_options.pfs_dh_group", "PFS group", found)
    national = "SM4" in (cfg.esp.encryption, cfg.ike.encryption) or cfg.esp.integrity == "SM3"
    if national and vendor.sm:
        found.append(Issue("ipsec_options", "VendorModelDependent",
                           "SM4/SM3 need a device licensed for the Chinese national "
                           "algorithms; check the model", "warning"))
    ike_life = _bounded(vendor, cfg.ike_lifetime, vendor.ike_lifetime,
                        "ike_options.sa_lifetime_seconds", "s", found)
    ipsec_life = _bounded(vendor, cfg.ipsec_lifetime, vendor.ipsec_lifetime,
                          "ipsec_options.sa_lifetime_seconds", "s", found)
    kb = _bounded(vendor, cfg.ipsec_lifetime_kb, vendor.ipsec_kb,
                  "ipsec_options.sa_lifetime_traffic", "KB", found)
    return Tokens(enc, integ, prf, ike_aead, dh, esp_enc, esp_int, esp_aead, pfs,
                  ike_life, ipsec_life, kb), found

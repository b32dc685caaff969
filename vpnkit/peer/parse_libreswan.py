"""Libreswan ``ipsec.conf`` -> :class:`PeerConfig` (one per loadable conn).

Reads ``conn`` sections (indented ``key=value``), resolves ``also=`` and ``conn %default``,
skips conns without ``auto=`` (they are only included by others). The side whose address
is the VPN gateway is the remote one (left/right are swapped when needed). Values left out
take Libreswan's defaults (ipsec.conf(5): ikelifetime 8h, salifetime 8h, pfs=yes, IKEv2,
DPD off).
"""

from __future__ import annotations

from vpnkit.peer._parse import duration, expand_esp, expand_ike
from vpnkit.peer.model import ANY, Dpd, Endpoint, Initiation, PeerConfig, TrafficSelector

__all__ = ["conns", "parse_libreswan"]

ALIASES = {"aes": "aes128", "sha": "sha1", "sha2": "sha2_256", "sha256": "sha2_256",
           "sha384": "sha2_384", "sha512": "sha2_512", "aes_gcm": "aes_gcm128",
           "aes_gcm_c": "aes_gcm128", "aes_gcm16_128": "aes_gcm128",
           "aes_gcm16_256": "aes_gcm256", "modp2048": "modp2048", "ecp256": "dh19",
           "ecp384": "dh20", "ecp521": "dh21", "aes256gcm16": "aes_gcm256",
           "aes128gcm16": "aes_gcm128"}
_AUTO: dict[str, Initiation] = {"start": "start", "route": "trap", "ondemand": "trap"}


def conns(text: str) -> dict[str, dict[str, str]]:
    """Every ``conn`` section, with ``also=`` and ``%default`` merged in."""
    raw: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0].rstrip()
        if not body.strip():
            continue
        if not body[0].isspace():
            words = body.split()
            current = raw.setdefault(words[1], {}) if words[0] == "conn" and len(words) > 1 \
                else None
            continue
        if current is None:
            continue
        if "=" not in body:
            raise ValueError(f"line {lineno}: expected key=value")  # not echoed: may be a key
        key, value = (p.strip() for p in body.split("=", 1))
        current[key] = value.strip('"')

    def merged(name: str, seen: tuple[str, ...] = ()) -> dict[str, str]:
        if name in seen:
            raise ValueError(f"also= loop through conn {name}")
        if name not in raw:
            raise ValueError(f"also={name}: no such conn")
        out: dict[str, str] = {}
        for base in raw[name].get("also", "").split():
            out.update(merged(base, (*seen, name)))
        out.update({k: v for k, v in raw[name].items() if k != "also"})
        return out

    default = raw.pop("%default", {})
    return {name: {**default, **merged(name)} for name in raw}


def _split(value: str) -> list[list[str]]:
    return [[a.strip() for a in p.strip().replace(";", "-").split("-")]
            for p in value.split(",") if p.strip()]


def _id(value: str | None, address: str) -> tuple[str, str]:
    if not value or value.startswith("%"):
        return "ADDRESS", address
    if value.startswith("@"):
        return "FQDN", value.lstrip("@")
    return "ADDRESS", value


def _conn(name: str, c: dict[str, str], gateway_ip: str | None) -> PeerConfig:
    me, peer = ("left", "right")
    if gateway_ip and c.get("left") == gateway_ip:
        me, peer = peer, me
    v1 = c.get("ikev2", "yes") in ("no", "never")
    ike = expand_ike(_split(c.get("ike", "aes_gcm256-sha2_512-dh19")), "libreswan", ALIASES)
    pfs_on = c.get("pfs", "yes") == "yes"
    esp = expand_esp(_split(c.get("esp", c.get("phase2alg", "aes_gcm256"))), "libreswan",
                     ALIASES, pfs_default=ike[0].dh_group if pfs_on else None)
    if not pfs_on:  # pfs=no: a DH group in esp= is ignored (ipsec algparse says so)
        esp = tuple(dict.fromkeys(e.__class__(e.encryption, e.integrity, None) for e in esp))
    lk, lv = _id(c.get(f"{me}id"), c.get(me, ""))
    rk, rv = _id(c.get(f"{peer}id"), c.get(peer, ""))
    local_nets = c.get(f"{me}subnet", c.get(f"{me}subnets", c.get(me, ""))).strip("{} ")
    remote_nets = c.get(f"{peer}subnet", c.get(f"{peer}subnets", c.get(peer, ""))).strip("{} ")
    selectors = tuple(TrafficSelector(a, b) for a in local_nets.replace(",", " ").split()
                      for b in remote_nets.replace(",", " ").split())
    max_bytes = int(c.get("ipsec-max-bytes", "0") or 0)
    return PeerConfig(
        name=name,
        local=Endpoint(c.get(me, ""), "FQDN" if lk == "FQDN" else "ADDRESS", lv,
                       _AUTO.get(c.get("auto", "add"), "none")),
        remote=Endpoint(c.get(peer, ""), "FQDN" if rk == "FQDN" else "ADDRESS", rv),
        ike_version="IKEV1" if v1 else "IKEV2",
        exchange_mode="AGGRESSIVE" if c.get("aggressive", c.get("aggrmode")) == "yes"
        else "MAIN",
        ike=ike[0], ike_lifetime=duration(c.get("ikelifetime", "8h")),
        esp=esp[0], ipsec_lifetime=duration(c.get("salifetime", c.get("keylife", "8h"))),
        ipsec_lifetime_kb=max_bytes // 1024,
        dpd=Dpd("dpddelay" in c,
                duration(c.get("dpdtimeout", "0") if v1 else c.get("retransmit-timeout", "60s")),
                c.get("dpdaction", "hold")),
        route_type="", route_based=all((s.local, s.remote) == (ANY, ANY) for s in selectors),
        selectors=selectors, ike_offers=ike, esp_offers=esp)


def parse_libreswan(text: str, gateway_ip: str | None = None) -> list[PeerConfig]:
    """Every conn of an ipsec.conf that is loaded (``auto=`` set), as seen from this device."""
    found = [_conn(name, c, gateway_ip) for name, c in conns(text).items() if "auto" in c
             and c["auto"] != "ignore"]
    if not found:
        raise ValueError("no conn with auto=add|start|route in this ipsec.conf")
    return found

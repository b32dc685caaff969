"""Palo Alto PAN-OS ``set`` commands: IKE and IPsec crypto profiles, an IKE gateway, an IPsec
tunnel on ``tunnel.N`` with one ``proxy-id`` per SPD pair (PAN-OS negotiates one SA per
proxy ID; route-based tunnels need none).

Keywords: PAN-OS CLI / Networking Administrator's Guide ("Set Up an IPSec Tunnel", IKE crypto
profile encryption/hash/dh-group/lifetime, IPSec crypto profile esp/dh-group/lifetime/lifesize,
ike gateway protocol ikev1 exchange-mode / dpd, local-id / peer-id, proxy-id).
"""

from __future__ import annotations

from vpnkit.peer.model import Endpoint, PeerConfig
from vpnkit.peer.templates._util import comments, safe_name
from vpnkit.peer.vendors import Tokens

__all__ = ["lifetime", "render"]


def lifetime(seconds: int) -> str:
    """PAN-OS lifetimes count 1-65535 of seconds, minutes, hours or days."""
    for unit, size in (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400)):
        if seconds % size == 0 and seconds // size <= 65535:
            return f"{unit} {seconds // size}"
    return f"minutes {min(65535, seconds // 60)}"


def lifesize(kb: int) -> str:
    """PAN-OS lifesize counts 1-65535 of kb, mb, gb or tb (largest exact unit, else rounded)."""
    for unit, size in (("kb", 1), ("mb", 1024), ("gb", 1024**2), ("tb", 1024**3)):
        if kb % size == 0 and kb // size <= 65535:
            return f"{unit} {kb // size}"
    for unit, size in (("mb", 1024), ("gb", 1024**2), ("tb", 1024**3)):
        if kb // size <= 65535:
            return f"{unit} {kb // size}"
    return "tb 65535"


def _ident(end: Endpoint) -> str:
    return f"type {'fqdn' if end.id_kind == 'FQDN' else 'ipaddr'} id {end.id_value}"


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"set-commands": text}``."""
    n = "tc-" + safe_name(cfg.name, 28)
    v = "ikev1" if cfg.ike_version == "IKEV1" else "ikev2"
    ikep = f"set network ike crypto-profiles ike-crypto-profiles {n}"
    ipsp = f"set network ike crypto-profiles ipsec-crypto-profiles {n}"
    gw = f"set network ike gateway {n}"
    tun = f"set network tunnel ipsec {n}"
    out = comments(head)
    out += [f"{ikep} encryption {tok.ike_encryption}",
            f"{ikep} hash {tok.ike_prf if tok.ike_aead else tok.ike_integrity}",
            f"{ikep} dh-group {tok.dh}",
            f"{ikep} lifetime {lifetime(tok.ike_lifetime)}",
            f"{ipsp} esp encryption {tok.esp_encryption}",
            f"{ipsp} esp authentication {'none' if tok.esp_aead else tok.esp_integrity}",
            f"{ipsp} dh-group {tok.pfs or 'no-pfs'}",
            f"{ipsp} lifetime {lifetime(tok.ipsec_lifetime)}",
            f"{ipsp} lifesize {lifesize(tok.ipsec_kb)}",
            f"{gw} authentication pre-shared-key key {psk}",
            f"{gw} protocol version {v}",
            f"{gw} protocol {v} ike-crypto-profile {n}"]
    if v == "ikev1":
        out.append(f"{gw} protocol ikev1 exchange-mode {cfg.exchange_mode.lower()}")
    if cfg.dpd.enabled:
        out += [f"{gw} protocol {v} dpd enable yes", f"{gw} protocol {v} dpd interval 10"]
        if v == "ikev1":
            out.append(f"{gw} protocol ikev1 dpd retry {max(2, cfg.dpd.timeout // 10)}")
    out += [f"{gw} local-address interface <wan-interface> ip {cfg.local.address}/32",
            f"{gw} peer-address ip {cfg.remote.address}",
            f"{gw} local-id {_ident(cfg.local)}",
            f"{gw} peer-id {_ident(cfg.remote)}",
            "set network interface tunnel units tunnel.100",
            f"{tun} auto-key ike-gateway {n}",
            f"{tun} auto-key ipsec-crypto-profile {n}",
            f"{tun} tunnel-interface tunnel.100"]
    if not cfg.route_based:
        for i, ts in enumerate(cfg.selectors, 1):
            out += [f"{tun} auto-key proxy-id pair{i} local {ts.local}",
                    f"{tun} auto-key proxy-id pair{i} remote {ts.remote}",
                    f"{tun} auto-key proxy-id pair{i} protocol any"]
    if cfg.bgp:
        vr = "set network virtual-router default protocol bgp"
        out += [f"set network interface tunnel units tunnel.100 ip {cfg.bgp.local_ip}/30",
                f"{vr} enable yes", f"{vr} local-as {cfg.bgp.local_asn or '<your ASN>'}",
                f"{vr} peer-group tencent peer tencent peer-as {cfg.bgp.remote_asn or '<ASN>'}",
                f"{vr} peer-group tencent peer tencent peer-address ip {cfg.bgp.remote_ip}",
                f"{vr} peer-group tencent peer tencent local-address interface tunnel.100 "
                f"ip {cfg.bgp.local_ip}/30"]
    out.append("# route the VPC ranges via tunnel.100 (virtual router static route) and allow "
               "them with security policies; put tunnel.100 in a zone")
    return {"set-commands": "\n".join([*out, ""])}

"""Cisco IOS-XE: IKEv2 (proposal/policy/keyring/profile) or IKEv1 (ISAKMP policy/profile),
a transform set, and a crypto map with one ACL line per SPD pair (IOS builds one SA pair per
ACL entry) or, route-based, a VTI with ``tunnel protection``.

Keywords: Cisco IOS-XE "Security for VPNs with IPsec Configuration Guide" and "FlexVPN and
Internet Key Exchange Version 2 Configuration Guide" (crypto ikev2 proposal, crypto ipsec
transform-set, set pfs, set security-association lifetime).
"""

from __future__ import annotations

from vpnkit.peer.model import PeerConfig
from vpnkit.peer.templates._util import comments, safe_name, wildcard
from vpnkit.peer.vendors import Tokens

__all__ = ["render"]


#: seconds between DPD retries; IOS sends five before it declares the peer dead ("IPsec Dead
#: Peer Detection Periodic Message Option"), so the interval is the tunnel's timeout minus 10
DPD_RETRY = 2


def _dpd_interval(timeout: int) -> int:
    """The DPD interval after which, with five retries, IOS declares the peer dead at
    ``timeout`` (DpdTimeout 30..60 s; IOS takes 10..3600)."""
    return max(10, timeout - 5 * DPD_RETRY)


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"running-config": text}``."""
    n = "TC-" + safe_name(cfg.name, 24)
    me, peer = cfg.local, cfg.remote
    out = comments(head, "!")
    transform = tok.esp_encryption if tok.esp_aead else f"{tok.esp_encryption} {tok.esp_integrity}"
    if cfg.ike_version == "IKEV2":
        out += [f"crypto ikev2 proposal {n}",
                f" encryption {tok.ike_encryption}",
                f" {'prf' if tok.ike_aead else 'integrity'} "
                f"{tok.ike_prf if tok.ike_aead else tok.ike_integrity}",
                f" group {tok.dh}",
                f"crypto ikev2 policy {n}",
                f" match address local {me.address}",
                f" proposal {n}",
                f"crypto ikev2 keyring {n}",
                " peer tencent",
                f"  address {peer.address}",
                f"  pre-shared-key {psk}",
                f"crypto ikev2 profile {n}"]
        if peer.id_kind == "FQDN":
            out.append(f" match identity remote fqdn {peer.id_value}")
        else:
            out.append(f" match identity remote address {peer.id_value} 255.255.255.255")
        out += [f" identity local {'fqdn' if me.id_kind == 'FQDN' else 'address'} {me.id_value}",
                " authentication remote pre-share",
                " authentication local pre-share",
                f" keyring local {n}",
                f" lifetime {tok.ike_lifetime}"]
        if cfg.dpd.enabled:
            out.append(f" dpd {_dpd_interval(cfg.dpd.timeout)} {DPD_RETRY} periodic")
    else:
        out += ["crypto isakmp policy 10",
                f" encryption {tok.ike_encryption.replace('aes-cbc-', 'aes ')}",
                f" hash {tok.ike_integrity}",
                " authentication pre-share",
                f" group {tok.dh}",
                f" lifetime {tok.ike_lifetime}",
                f"crypto keyring {n}",
                f"  pre-shared-key address {peer.address} key {psk}",
                f"crypto isakmp profile {n}",
                f" keyring {n}"]
        if peer.id_kind == "FQDN":
            out.append(f" match identity host {peer.id_value}")
        else:
            out.append(f" match identity address {peer.id_value} 255.255.255.255")
        out.append(f" self-identity {'fqdn' if me.id_kind == 'FQDN' else 'address'}")
        if cfg.exchange_mode == "AGGRESSIVE":
            out.append(" initiate mode aggressive")
        if cfg.dpd.enabled:
            out.append(f" keepalive {_dpd_interval(cfg.dpd.timeout)} retry {DPD_RETRY}")
    out += [f"crypto ipsec transform-set {n} {transform}", " mode tunnel"]
    life = [f" set security-association lifetime seconds {tok.ipsec_lifetime}",
            f" set security-association lifetime kilobytes {tok.ipsec_kb}"]
    pfs = [f" set pfs group{tok.pfs}"] if tok.pfs else []
    profile = (f" set ikev2-profile {n}" if cfg.ike_version == "IKEV2"
               else f" set isakmp-profile {n}")
    if cfg.route_based:
        out += [f"crypto ipsec profile {n}", f" set transform-set {n}", *pfs, *life, profile,
                "interface Tunnel100",
                " description Tencent Cloud VPN (route-based)"]
        if cfg.bgp:
            out.append(f" ip address {cfg.bgp.local_ip} 255.255.255.252")
        else:
            out.append(" ip unnumbered <wan-interface>")
        out += [f" tunnel source {me.address}", " tunnel mode ipsec ipv4",
                f" tunnel destination {peer.address}", f" tunnel protection ipsec profile {n}",
                "! route the VPC ranges into Tunnel100 (ip route <vpc> <mask> Tunnel100)"]
        if cfg.bgp:
            out += [f"router bgp {cfg.bgp.local_asn or '<your ASN>'}",
                    f" neighbor {cfg.bgp.remote_ip} remote-as {cfg.bgp.remote_asn or '<ASN>'}"]
    else:
        out.append(f"ip access-list extended {n}")
        for ts in cfg.selectors:
            src, dst = wildcard(ts.local), wildcard(ts.remote)
            out.append(f" permit ip {src[0]} {src[1]} {dst[0]} {dst[1]}")
        out += [f"crypto map {n} 10 ipsec-isakmp", f" set peer {peer.address}",
                f" set transform-set {n}", *pfs, *life, profile, f" match address {n}",
                "! apply to the WAN interface: interface <wan> / crypto map " + n]
    if cfg.dpd.enabled and cfg.dpd.action == "restart":
        out.append("! DpdAction restart: IOS clears the SA on DPD; traffic (or the crypto map "
                   "/ VTI) brings it up again.")
    out.append("end")
    return {"running-config": "\n".join([*out, ""])}

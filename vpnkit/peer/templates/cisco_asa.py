"""Cisco ASA: crypto ikev1/ikev2 policy, IPsec transform set / proposal, tunnel-group
(l2l) with the pre-shared key, and a crypto map with one ACL line per SPD pair; route-based
tunnels use a VTI (``interface Tunnel``, ``tunnel protection ipsec profile``).

Keywords: Cisco ASA Series VPN CLI Configuration Guide ("LAN-to-LAN IPsec VPNs", "Virtual
Tunnel Interface") and the ASA command reference (crypto ikev2 policy, crypto ipsec ikev2
ipsec-proposal, crypto map set pfs / security-association lifetime).
"""

from __future__ import annotations

from vpnkit.peer.model import PeerConfig
from vpnkit.peer.templates._util import comments, mask, safe_name
from vpnkit.peer.vendors import Tokens

__all__ = ["render"]


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"running-config": text}``."""
    n = "TC-" + safe_name(cfg.name, 24)
    me, peer = cfg.local, cfg.remote
    v2 = cfg.ike_version == "IKEV2"
    out = comments(head, "!")
    if v2:
        out += ["crypto ikev2 policy 10",
                f" encryption {tok.ike_encryption}",
                f" integrity {'null' if tok.ike_aead else tok.ike_integrity}",
                f" group {tok.dh}",
                f" prf {tok.ike_prf if tok.ike_aead else tok.ike_integrity}",
                f" lifetime seconds {tok.ike_lifetime}",
                "crypto ikev2 enable outside",
                f"crypto ipsec ikev2 ipsec-proposal {n}",
                f" protocol esp encryption {tok.esp_encryption}",
                f" protocol esp integrity {'null' if tok.esp_aead else tok.esp_integrity}"]
    else:
        out += ["crypto ikev1 policy 10",
                " authentication pre-share",
                f" encryption {tok.ike_encryption}",
                f" hash {tok.ike_integrity}",
                f" group {tok.dh}",
                f" lifetime {tok.ike_lifetime}",
                "crypto ikev1 enable outside",
                f"crypto ipsec ikev1 transform-set {n} {tok.esp_encryption} "
                f"{tok.esp_integrity}"]
    out.append(f"crypto isakmp identity {'hostname' if me.id_kind == 'FQDN' else 'address'}")
    if me.id_kind == "FQDN":
        out.append(f"! the ASA sends its hostname.domain as FQDN: it must be {me.id_value}")
    out += [f"tunnel-group {peer.address} type ipsec-l2l",
            f"tunnel-group {peer.address} ipsec-attributes"]
    if v2:
        out += [f" ikev2 remote-authentication pre-shared-key {psk}",
                f" ikev2 local-authentication pre-shared-key {psk}"]
    else:
        out.append(f" ikev1 pre-shared-key {psk}")
    if peer.id_kind == "FQDN":
        out += [f"! the peer identifies as FQDN {peer.id_value}; with a pre-shared key the ASA "
                "cannot validate a name, so it does not check it", " peer-id-validate nocheck"]
    if cfg.dpd.enabled:
        # the ASA retransmits three times, ``retry`` apart, before it declares the peer dead
        out.append(f" isakmp keepalive threshold {max(10, cfg.dpd.timeout - 3 * 2)} retry 2")
    else:
        out.append(" isakmp keepalive disable")  # on by default for L2L tunnel groups
    sets = [f"set ikev2 ipsec-proposal {n}" if v2 else f"set ikev1 transform-set {n}",
            *([f"set pfs group{tok.pfs}"] if tok.pfs else []),
            f"set security-association lifetime seconds {tok.ipsec_lifetime}",
            f"set security-association lifetime kilobytes {tok.ipsec_kb}"]
    if cfg.route_based:
        out += [f"crypto ipsec profile {n}", *(f" {s}" for s in sets),
                "interface Tunnel100", " nameif tencent"]
        if cfg.bgp:
            out.append(f" ip address {cfg.bgp.local_ip} 255.255.255.252")
        out += [" tunnel source interface outside", f" tunnel destination {peer.address}",
                " tunnel mode ipsec ipv4", f" tunnel protection ipsec profile {n}",
                "! route the VPC ranges via the tunnel: route tencent <vpc> <mask> <peer-ip>"]
        if cfg.bgp:
            out += [f"router bgp {cfg.bgp.local_asn or '<your ASN>'}",
                    " address-family ipv4 unicast",
                    f"  neighbor {cfg.bgp.remote_ip} remote-as {cfg.bgp.remote_asn or '<ASN>'}",
                    f"  neighbor {cfg.bgp.remote_ip} activate", " exit-address-family"]
    else:
        for ts in cfg.selectors:
            src, dst = mask(ts.local), mask(ts.remote)
            out.append(f"access-list {n} extended permit ip {src[0]} {src[1]} {dst[0]} {dst[1]}")
        out += [f"crypto map outside_map 10 match address {n}",
                f"crypto map outside_map 10 set peer {peer.address}",
                *(f"crypto map outside_map 10 {s}" for s in sets)]
        if not v2 and cfg.exchange_mode == "AGGRESSIVE":
            out.append("crypto map outside_map 10 set phase1-mode aggressive")
        out += ["crypto map outside_map interface outside",
                "! exempt the SPD pairs from NAT (nat (inside,outside) source static ... "
                "no-proxy-arp route-lookup)"]
    return {"running-config": "\n".join([*out, ""])}

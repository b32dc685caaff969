"""FortiGate, FortiOS CLI: ``vpn ipsec phase1-interface`` and one ``phase2-interface`` per
SPD pair (FortiOS negotiates one SA per phase 2 selector); route-based tunnels get a single
0.0.0.0/0 phase 2 and a static route into the tunnel interface.

Keywords: FortiOS CLI reference, ``config vpn ipsec phase1-interface`` (ike-version, mode,
proposal, dhgrp, keylife 120-172800, localid, peertype/peerid, dpd) and
``phase2-interface`` (proposal, pfs, dhgrp, keylifeseconds, keylifekbs, src/dst-subnet).
"""

from __future__ import annotations

from vpnkit.peer.model import PeerConfig
from vpnkit.peer.templates._util import comments, mask, safe_name
from vpnkit.peer.vendors import Tokens

__all__ = ["render"]


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"cli": text}``."""
    n = safe_name(cfg.name, 15)  # FortiOS phase1 names are at most 15 characters
    v1 = cfg.ike_version == "IKEV1"
    ike = (f"{tok.ike_encryption}-{tok.ike_prf}" if tok.ike_aead
           else f"{tok.ike_encryption}-{tok.ike_integrity}")
    esp = tok.esp_encryption if tok.esp_aead else f"{tok.esp_encryption}-{tok.esp_integrity}"
    auto = "enable" if cfg.local.initiation == "start" else "disable"
    out = comments(head)
    out += ["config vpn ipsec phase1-interface", f'    edit "{n}"',
            '        set interface "<wan-interface>"',
            f"        set ike-version {1 if v1 else 2}"]
    if v1:
        out.append(f"        set mode {cfg.exchange_mode.lower()}")
    out += ["        set authmethod psk",
            f"        set proposal {ike}",
            f"        set dhgrp {tok.dh}",
            f"        set keylife {tok.ike_lifetime}",
            f"        set remote-gw {cfg.remote.address}",
            f"        set local-gw {cfg.local.address}"]
    if cfg.local.id_kind == "FQDN":
        out += ["        set localid-type fqdn", f'        set localid "{cfg.local.id_value}"']
    else:
        out.append("        set localid-type address")
    if cfg.remote.id_kind == "FQDN":
        out += ["        set peertype one", f'        set peerid "{cfg.remote.id_value}"']
    else:
        out.append("        set peertype any")
    if cfg.dpd.enabled:
        out += ["        set dpd on-idle", "        set dpd-retryinterval 10",
                f"        set dpd-retrycount {max(2, cfg.dpd.timeout // 10)}"]
    else:
        out.append("        set dpd disable")
    out += ["        set net-device disable", f"        set psksecret {psk}", "    next", "end",
            "config vpn ipsec phase2-interface"]
    for i, ts in enumerate(cfg.selectors, 1):
        src, dst = mask(ts.local), mask(ts.remote)
        out += [f'    edit "{n}-{i}"', f'        set phase1name "{n}"',
                f"        set proposal {esp}",
                f"        set pfs {'enable' if tok.pfs else 'disable'}"]
        if tok.pfs:
            out.append(f"        set dhgrp {tok.pfs}")
        out += ["        set keylife-type both",
                f"        set keylifeseconds {tok.ipsec_lifetime}",
                f"        set keylifekbs {tok.ipsec_kb}",
                f"        set src-subnet {src[0]} {src[1]}",
                f"        set dst-subnet {dst[0]} {dst[1]}",
                f"        set auto-negotiate {auto}",
                "    next"]
    out.append("end")
    if cfg.bgp:
        out += ["config system interface", f'    edit "{n}"',
                f"        set ip {cfg.bgp.local_ip} 255.255.255.255",
                f"        set remote-ip {cfg.bgp.remote_ip} 255.255.255.252", "    next", "end",
                "config router bgp", f"    set as {cfg.bgp.local_asn or '<your ASN>'}",
                "    config neighbor", f'        edit "{cfg.bgp.remote_ip}"',
                f"            set remote-as {cfg.bgp.remote_asn or '<ASN>'}", "        next",
                "    end", "end"]
    if cfg.route_based:
        out += ["# route the VPC ranges into the tunnel interface:",
                f'# config router static / edit 0 / set dst <vpc> / set device "{n}" / end']
    out.append("# allow the SPD pairs with firewall policies between the LAN and the tunnel "
               "interface, both ways")
    return {"cli": "\n".join([*out, ""])}

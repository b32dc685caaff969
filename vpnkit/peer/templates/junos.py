"""Juniper SRX, Junos ``set`` commands: ike proposal/policy/gateway, ipsec proposal/policy,
and a route-based ``ipsec vpn`` bound to ``st0.N``; policy tunnels add one
``traffic-selector`` per SPD pair (Junos negotiates one SA per traffic selector).

Keywords: Junos OS "IPsec VPN User Guide" (security ike proposal, security ike gateway
local-identity/remote-identity/version/dead-peer-detection, security ipsec vpn
traffic-selector, lifetime-seconds 180 through 86,400).
"""

from __future__ import annotations

from vpnkit.peer.model import Endpoint, PeerConfig
from vpnkit.peer.templates._util import comments, safe_name
from vpnkit.peer.vendors import Tokens

__all__ = ["render"]


def _ident(end: Endpoint) -> str:
    return f"hostname {end.id_value}" if end.id_kind == "FQDN" else f"inet {end.id_value}"


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"set-commands": text}``."""
    n = "tc-" + safe_name(cfg.name, 28)
    ike, ips = "set security ike", "set security ipsec"
    out = comments(head)
    out += [f"{ike} proposal {n} authentication-method pre-shared-keys",
            f"{ike} proposal {n} dh-group {tok.dh}",
            f"{ike} proposal {n} encryption-algorithm {tok.ike_encryption}"]
    if not tok.ike_aead:
        out.append(f"{ike} proposal {n} authentication-algorithm {tok.ike_integrity}")
    out += [f"{ike} proposal {n} lifetime-seconds {tok.ike_lifetime}",
            f"{ike} policy {n} proposals {n}",
            f"{ike} policy {n} pre-shared-key ascii-text {psk}"]
    if cfg.ike_version == "IKEV1":
        out.append(f"{ike} policy {n} mode {cfg.exchange_mode.lower()}")
    out += [f"{ike} gateway {n} ike-policy {n}",
            f"{ike} gateway {n} address {cfg.remote.address}",
            f"{ike} gateway {n} external-interface <wan-interface>",
            f"{ike} gateway {n} local-address {cfg.local.address}",
            f"{ike} gateway {n} local-identity {_ident(cfg.local)}",
            f"{ike} gateway {n} remote-identity {_ident(cfg.remote)}",
            f"{ike} gateway {n} version {'v1-only' if cfg.ike_version == 'IKEV1' else 'v2-only'}"]
    if cfg.dpd.enabled:
        out += [f"{ike} gateway {n} dead-peer-detection optimized",
                f"{ike} gateway {n} dead-peer-detection interval 10",
                f"{ike} gateway {n} dead-peer-detection threshold "
                f"{max(2, cfg.dpd.timeout // 10)}"]
    out += [f"{ips} proposal {n} protocol esp",
            f"{ips} proposal {n} encryption-algorithm {tok.esp_encryption}"]
    if not tok.esp_aead:
        out.append(f"{ips} proposal {n} authentication-algorithm {tok.esp_integrity}")
    out += [f"{ips} proposal {n} lifetime-seconds {tok.ipsec_lifetime}",
            f"{ips} proposal {n} lifetime-kilobytes {tok.ipsec_kb}",
            f"{ips} policy {n} proposals {n}"]
    if tok.pfs:
        out.append(f"{ips} policy {n} perfect-forward-secrecy keys {tok.pfs}")
    out += [f"{ips} vpn {n} bind-interface st0.100",
            f"{ips} vpn {n} ike gateway {n}",
            f"{ips} vpn {n} ike ipsec-policy {n}"]
    if cfg.local.initiation == "start":
        out.append(f"{ips} vpn {n} establish-tunnels immediately")
    if cfg.route_based:
        out.append("# route the VPC ranges into st0.100: set routing-options static route "
                   "<vpc> next-hop st0.100")
    else:
        for i, ts in enumerate(cfg.selectors, 1):
            out += [f"{ips} vpn {n} traffic-selector ts{i} local-ip {ts.local}",
                    f"{ips} vpn {n} traffic-selector ts{i} remote-ip {ts.remote}"]
    out += ["set interfaces st0 unit 100 family inet",
            "set security zones security-zone vpn interfaces st0.100",
            "# host-inbound-traffic on the WAN zone: set security zones security-zone untrust "
            "host-inbound-traffic system-services ike"]
    if cfg.bgp:
        out += [f"set interfaces st0 unit 100 family inet address {cfg.bgp.local_ip}/30",
                f"set protocols bgp group tencent neighbor {cfg.bgp.remote_ip} peer-as "
                f"{cfg.bgp.remote_asn or '<ASN>'}"]
    return {"set-commands": "\n".join([*out, ""])}

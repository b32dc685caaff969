"""Huawei VRP: ``ike proposal``, ``ike peer``, ``ipsec proposal``, an advanced ACL with one
rule per SPD pair and an ``ipsec policy`` (the device negotiates one SA per ACL rule);
route-based tunnels use ``interface Tunnel`` with ``tunnel-protocol ipsec`` and an
``ipsec profile``.

Keywords: Huawei AR/USG "IPSec Configuration" (ike proposal encryption-algorithm/
authentication-algorithm/dh/sa duration, ike peer exchange-mode/local-id-type/remote-address,
ipsec proposal esp ..., ipsec policy pfs / sa duration time-based/traffic-based) and the H3C
MSR command reference (sa duration 180-604800 s, 2560-4294967295 KB). H3C Comware is close
but spells some tokens differently (``aes-cbc-128``, ``sm4-cbc``).
"""

from __future__ import annotations

from vpnkit.peer.model import PeerConfig
from vpnkit.peer.templates._util import comments, safe_name, wildcard
from vpnkit.peer.vendors import Tokens

__all__ = ["render"]


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"config": text}``."""
    n = "tc-" + safe_name(cfg.name, 12)
    me, peer = cfg.local, cfg.remote
    out = comments(head)
    out += ["ike proposal 10",
            f" encryption-algorithm {tok.ike_encryption}",
            f" authentication-algorithm {tok.ike_integrity}",
            " authentication-method pre-share",
            f" dh {tok.dh}",
            f" sa duration {tok.ike_lifetime}"]
    if cfg.ike_version == "IKEV2":
        v2_int = {"md5": "hmac-md5-96", "sha1": "hmac-sha1-96"}.get(
            tok.ike_integrity, f"hmac-{tok.ike_integrity}")
        out += [f" integrity-algorithm {v2_int}", f" prf hmac-{tok.ike_integrity}"]
    out += ["#", f"ike peer {n}",
            f" version {1 if cfg.ike_version == 'IKEV1' else 2}"]
    if cfg.ike_version == "IKEV1":
        out.append(f" exchange-mode {cfg.exchange_mode.lower()}")
    out += [f" pre-shared-key cipher {psk}", " ike-proposal 10",
            f" local-id-type {'fqdn' if me.id_kind == 'FQDN' else 'ip'}"]
    if me.id_kind == "FQDN":
        out.append(f" local-id {me.id_value}")
    if peer.id_kind == "FQDN":
        out += [" remote-id-type fqdn", f" remote-id {peer.id_value}"]
    else:
        out.append(" remote-id-type ip")
    out.append(f" remote-address {peer.address}")
    if cfg.dpd.enabled:
        out += [" dpd type periodic", " dpd idle-time 10",
                f" dpd retransmit-interval {max(2, cfg.dpd.timeout // 10)}"]
    out += ["#", f"ipsec proposal {n}", " transform esp",
            f" esp encryption-algorithm {tok.esp_encryption}"]
    if not tok.esp_aead:
        out.append(f" esp authentication-algorithm {tok.esp_integrity}")
    body = [f" ike-peer {n}", f" proposal {n}",
            *([f" pfs dh-{tok.pfs}"] if tok.pfs else []),
            f" sa duration time-based {tok.ipsec_lifetime}",
            f" sa duration traffic-based {tok.ipsec_kb}"]
    if cfg.route_based:
        out += ["#", f"ipsec profile {n}", *body, "#", "interface Tunnel0/0/100",
                f" ip address {cfg.bgp.local_ip if cfg.bgp else '<address>'} 30",
                " tunnel-protocol ipsec", f" source {me.address}",
                f" destination {peer.address}", f" ipsec profile {n}",
                "# route the VPC ranges into Tunnel0/0/100 (ip route-static <vpc> <mask> "
                "Tunnel0/0/100)"]
        if cfg.bgp:
            out += ["#", f"bgp {cfg.bgp.local_asn or '<your ASN>'}",
                    f" peer {cfg.bgp.remote_ip} as-number {cfg.bgp.remote_asn or '<ASN>'}",
                    f" peer {cfg.bgp.remote_ip} connect-interface Tunnel0/0/100"]
    else:
        out += ["#", "acl number 3100"]
        for i, ts in enumerate(cfg.selectors, 1):
            src, dst = wildcard(ts.local), wildcard(ts.remote)
            out.append(f" rule {i * 5} permit ip source {src[0]} {src[1]} destination "
                       f"{dst[0]} {dst[1]}")
        out += ["#", f"ipsec policy {n} 10 isakmp", " security acl 3100", *body,
                "#", "interface <wan-interface>", f" ipsec policy {n}"]
    out.append("#")
    return {"config": "\n".join([*out, ""])}

"""strongSwan ``swanctl.conf`` (IKEv1 and IKEv2), one ``key = value`` per line.

Keywords: strongSwan docs, swanctl.conf(5) and "IKEv2/IKEv1 Cipher Suites" (proposal keywords
such as ``aes128-sha256-modp2048``, ``aes128gcm16-prfsha256-ecp256``). Route-based tunnels
use an XFRM interface (``if_id_in``/``if_id_out``, strongSwan "Route-based VPN").
"""

from __future__ import annotations

import base64

from vpnkit.peer.model import PeerConfig
from vpnkit.peer.templates._util import comments
from vpnkit.peer.vendors import Tokens

__all__ = ["IF_ID", "proposals", "render"]

#: XFRM interface id used for route-based tunnels
IF_ID = 42


def proposals(tok: Tokens) -> tuple[str, str]:
    """The IKE and ESP proposal strings."""
    second = tok.ike_prf if tok.ike_aead else tok.ike_integrity
    ike = f"{tok.ike_encryption}-{second}-{tok.dh}"
    esp = tok.esp_encryption if tok.esp_aead else f"{tok.esp_encryption}-{tok.esp_integrity}"
    if tok.pfs:
        esp += f"-{tok.pfs}"
    return ike, esp


def _secret(psk: str) -> str:
    if all(c.isprintable() and c not in '"\\' for c in psk):
        return f'"{psk}"'
    return "0s" + base64.b64encode(psk.encode()).decode()  # swanctl's base64 form


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"swanctl.conf": text}``."""
    ike, esp = proposals(tok)
    v1 = cfg.ike_version == "IKEV1"
    ike_rekey = tok.ike_lifetime * 9 // 10
    child_rekey = tok.ipsec_lifetime * 9 // 10
    life_bytes = tok.ipsec_kb * 1024
    out = comments(head)
    out += [
        "# Lifetimes: rekey at 90%, hard limit at the tunnel's value (rekey_time + over_time,",
        "# life_time, life_bytes); the traffic lifetime is the tunnel's kilobytes x 1024.",
    ]
    if cfg.dpd.enabled and not v1:
        out.append("# IKEv2 DPD: the peer counts as dead when retransmissions time out "
                   "(charon.retransmit_*), not after dpd_timeout.")
    if v1 and cfg.exchange_mode == "AGGRESSIVE":
        out.append("# IKEv1 aggressive mode with a PSK: strongSwan answers it only with "
                   "charon.i_dont_care_about_security_and_use_aggressive_mode_psk = yes in "
                   "strongswan.conf.")
    if cfg.route_based:
        out += ["# Route-based: create the XFRM interface and route the far side's ranges "
                "into it,",
                f"#   ip link add ipsec{IF_ID} type xfrm dev <wan> if_id {IF_ID}",
                f"#   ip route add <far-side range> dev ipsec{IF_ID}"]
        if cfg.bgp:
            out += [f"#   ip addr add {cfg.bgp.local_ip}/30 dev ipsec{IF_ID}",
                    f"# BGP (e.g. FRR, BIRD): neighbor {cfg.bgp.remote_ip} remote-as "
                    f"{cfg.bgp.remote_asn or '<ASN>'} from {cfg.bgp.local_ip} "
                    f"(local AS {cfg.bgp.local_asn or '<your ASN>'})"]
    out += ["connections {", f"  {cfg.name} {{", f"    version = {1 if v1 else 2}"]
    if v1 and cfg.exchange_mode == "AGGRESSIVE":
        out.append("    aggressive = yes")
    out += [f"    local_addrs = {cfg.local.address}",
            f"    remote_addrs = {cfg.remote.address}",
            f"    proposals = {ike}",
            f"    rekey_time = {ike_rekey}s",
            f"    over_time = {tok.ike_lifetime - ike_rekey}s"]
    if cfg.dpd.enabled:
        out.append("    dpd_delay = 10s")
        if v1:
            out.append(f"    dpd_timeout = {cfg.dpd.timeout}s")
    if cfg.route_based:
        out += [f"    if_id_in = {IF_ID}", f"    if_id_out = {IF_ID}"]
    out += ["    local {", "      auth = psk", f"      id = {cfg.local.id_value}", "    }",
            "    remote {", "      auth = psk", f"      id = {cfg.remote.id_value}", "    }",
            "    children {"]
    for i, ts in enumerate(cfg.selectors, 1):
        out += [f"      {cfg.name}-{i} {{",
                f"        local_ts = {ts.local}",
                f"        remote_ts = {ts.remote}",
                f"        esp_proposals = {esp}",
                f"        rekey_time = {child_rekey}s",
                f"        life_time = {tok.ipsec_lifetime}s",
                f"        rekey_bytes = {life_bytes * 9 // 10}",
                f"        life_bytes = {life_bytes}",
                "        mode = tunnel",
                f"        start_action = {cfg.local.initiation}"]
        if cfg.dpd.enabled:
            out.append(f"        dpd_action = {cfg.dpd.action}")
        out.append("      }")
    out += ["    }", "  }", "}", "secrets {", f"  ike-{cfg.name} {{",
            f"    id-1 = {cfg.local.id_value}", f"    id-2 = {cfg.remote.id_value}",
            f"    secret = {_secret(psk)}", "  }", "}", ""]
    return {"swanctl.conf": "\n".join(out)}

"""Libreswan ``ipsec.conf`` + ``ipsec.secrets`` (ipsec.conf(5), ipsec.secrets(5), 4.x).

The output holds ``conn`` sections only (for ``/etc/ipsec.d/``, included by the main
ipsec.conf); IKEv1 tunnels also need ``ikev1-policy=accept`` in its ``config setup``.

One ``conn`` per SPD pair, each ``also=`` a shared base conn (which has no ``auto=`` and so is
not loaded itself); route-based tunnels use an XFRM interface (``ipsec-interface=``).
"""

from __future__ import annotations

from vpnkit.peer.model import Endpoint, PeerConfig
from vpnkit.peer.templates._util import comments
from vpnkit.peer.vendors import Tokens

__all__ = ["IF_ID", "render"]

IF_ID = 42
_AUTO = {"start": "start", "trap": "route", "none": "add"}


def ident(end: Endpoint) -> str:
    """Libreswan's spelling of an identity: an address, or ``@fqdn``."""
    return f"@{end.id_value}" if end.id_kind == "FQDN" else end.id_value


def _psk(psk: str) -> str:
    if all(c.isprintable() and c not in '"\\' for c in psk):
        return f'"{psk}"'
    return "0x" + psk.encode().hex()


def render(cfg: PeerConfig, tok: Tokens, psk: str, head: list[str]) -> dict[str, str]:
    """``{"ipsec.conf": ..., "ipsec.secrets": ...}``."""
    v1 = cfg.ike_version == "IKEV1"
    second = tok.ike_prf if tok.ike_aead else tok.ike_integrity
    ike = f"{tok.ike_encryption}-{second}-{tok.dh}"
    esp = tok.esp_encryption if tok.esp_aead else f"{tok.esp_encryption}-{tok.esp_integrity}"
    if tok.pfs:
        esp += f"-{tok.pfs}"
    base = f"{cfg.name}-base"
    out = [
        *comments(head),
        f"# ipsec-max-bytes is the tunnel's traffic lifetime, {tok.ipsec_kb} KB x 1024.",
        *(["# IKEv1: Libreswan 4.10 and later refuse IKEv1 conns unless 'config setup' in "
           "/etc/ipsec.conf has ikev1-policy=accept (pluto: global ikev1-policy does not "
           "allow IKEv1 connections)."] if v1 else []),
        f"conn {base}",
        "    type=tunnel",
        "    authby=secret",
        f"    left={cfg.local.address}",
        f"    leftid={ident(cfg.local)}",
        f"    right={cfg.remote.address}",
        f"    rightid={ident(cfg.remote)}",
        f"    ikev2={'no' if v1 else 'yes'}",
    ]
    if v1 and cfg.exchange_mode == "AGGRESSIVE":
        out.append("    aggressive=yes")
    out += [f"    ike={ike}", f"    esp={esp}", f"    pfs={'yes' if tok.pfs else 'no'}",
            f"    ikelifetime={tok.ike_lifetime}s", f"    salifetime={tok.ipsec_lifetime}s",
            f"    ipsec-max-bytes={tok.ipsec_kb * 1024}"]
    if cfg.dpd.enabled:
        # IKEv2 liveness ignores dpdtimeout= and gives up after retransmit-timeout= (pluto
        # says so when the conn is added)
        timeout = (f"    dpdtimeout={cfg.dpd.timeout}" if v1
                   else f"    retransmit-timeout={cfg.dpd.timeout}s")
        out += ["    dpddelay=10", timeout, f"    dpdaction={cfg.dpd.action}"]
    if cfg.route_based:
        out += [f"    ipsec-interface={IF_ID}",
                f"# route the far side's ranges into ipsec{IF_ID}: "
                f"ip route add <range> dev ipsec{IF_ID}"]
        if cfg.bgp:
            out += [f"# BGP: ip addr add {cfg.bgp.local_ip}/30 dev ipsec{IF_ID}; neighbor "
                    f"{cfg.bgp.remote_ip} remote-as {cfg.bgp.remote_asn or '<ASN>'} (FRR, BIRD)"]
    for i, ts in enumerate(cfg.selectors, 1):
        out += ["", f"conn {cfg.name}-{i}", f"    also={base}",
                f"    leftsubnet={ts.local}", f"    rightsubnet={ts.remote}",
                f"    auto={_AUTO[cfg.local.initiation]}"]
    secrets = [f"# {cfg.name}: pre-shared key for this device and the peer",
               f"{ident(cfg.local)} {ident(cfg.remote)} : PSK {_psk(psk)}", ""]
    return {"ipsec.conf": "\n".join([*out, ""]), "ipsec.secrets": "\n".join(secrets)}

"""Cisco IOS / IOS-XE running-config -> :class:`PeerConfig` (one per tunnel it configures).

A tunnel is a ``crypto map NAME SEQ ipsec-isakmp`` entry (policy-based: one IPsec SA per
``permit`` line of its ``match address`` ACL) or an ``interface Tunnel`` with ``tunnel
protection ipsec profile`` (route-based, any-any selectors). ``set ikev2-profile`` makes it
IKEv2 (``crypto ikev2 proposal/policy/keyring/profile``), otherwise IKEv1 (``crypto isakmp
policy``, ``crypto isakmp profile``, ``crypto keyring`` / ``crypto isakmp key``).

Values the file leaves out take IOS's defaults (Cisco IOS Security Command Reference):
``crypto isakmp policy`` des / sha / rsa-sig / group 1 / 86400 s; IKEv2 profile lifetime
86400 s; IPsec SA lifetime 3600 s and 4608000 KB (``crypto ipsec security-association
lifetime``); ``set pfs`` without a group is group 1; DPD off; ``crypto isakmp keepalive``
retry 2 s. A dead peer is declared after the interval and five retries ("IPsec Dead Peer
Detection Periodic Message Option"). On a dead peer a crypto map clears its SAs and waits for
traffic (``clear``); a tunnel interface renegotiates at once (``restart``).

A statement that matters but is not read, or a name that is used but not defined (an ACL, a
transform set, a profile, a keyring), is an :class:`Issue` in the tunnel's ``notes``. The
pre-shared key is never kept: only whether one is configured for the gateway's address.
"""

from __future__ import annotations

from vpnkit.peer._cisco import (
    Node,
    Notes,
    esp_product,
    is_ip,
    lookup,
    lowered,
    map_peer_and_selectors,
    value_map,
)
from vpnkit.peer._ios_config import IosConfig
from vpnkit.peer._ios_ike import DH, ikev1, ikev2
from vpnkit.peer.model import (
    ANY,
    Dpd,
    Endpoint,
    EspProposal,
    Initiation,
    PeerConfig,
    TrafficSelector,
)

__all__ = ["parse_cisco_ios"]

VENDOR = "cisco-ios"
_ESP_ENC = value_map(VENDOR, "esp_encryption", {"esp-aes": "esp-aes 128",
                                                  "esp-gcm": "esp-gcm 128"})
_ESP_INT = value_map(VENDOR, "esp_integrity")
_DEFAULT_LIFE, _DEFAULT_KB = 3600, 4608000


def _dpd(interval: str, retry: str, action: str) -> Dpd:
    """IOS declares the peer dead after ``interval`` and five retries ``retry`` apart."""
    return Dpd(True, int(interval) + 5 * int(retry), action)


def _esp(cfg: IosConfig, sets: Node) -> list[EspProposal]:
    pfs_args = sets.args("set", "pfs")
    pfs = None if pfs_args is None else lookup(
        DH, (pfs_args[0] if pfs_args else "group1").lower().removeprefix("group"),
        sets.first("set", "pfs") or sets, cfg.notes, "PFS group")
    names = sets.args("set", "transform-set")
    if not names:
        cfg.notes.add(sets, "IncompleteCryptoMap", "no 'set transform-set': IOS does not "
                      "negotiate this tunnel")
        return [EspProposal("?", "?", pfs)]
    out: list[EspProposal] = []
    for name in names:
        ts = cfg.named["transform-set"].get(name)
        if ts is None:
            cfg.notes.add(sets.first("set", "transform-set"), "UndefinedReference",
                          f"transform set {name} is used here but not defined")
            continue
        encs: list[str] = []
        integs: list[str] = []
        words = [x.lower() for x in ts.words[4:]]
        for i, word in enumerate(words):
            if word.isdigit():
                continue
            token = f"{word} {words[i + 1]}" if i + 1 < len(words) and words[i + 1].isdigit() \
                else word
            if token in _ESP_INT:
                integs.append(_ESP_INT[token])
            elif token in _ESP_ENC:
                encs.append(_ESP_ENC[token])
            elif word.startswith("ah-"):
                cfg.notes.add(ts, "AhTransform", f"{word}: the Tencent gateway uses ESP only "
                              "(no AH): NO_PROPOSAL_CHOSEN")
            elif word.startswith("comp-"):
                cfg.notes.add(ts, "Compression", f"{word}: IPComp is not negotiated by the "
                              "Tencent gateway (ignored by it)", "warning")
            else:
                value = lookup({}, word, ts, cfg.notes, "ESP transform")
                (integs if word.endswith("-hmac") else encs).append(value)
        if lowered(ts.args("mode")) == ("transport",):
            cfg.notes.add(ts, "TransportMode", "mode transport: the Tencent gateway uses "
                          "tunnel mode", "warning")
        out += esp_product(encs, integs, pfs)
    return list(dict.fromkeys(out)) or [EspProposal("?", "?", pfs)]


def _lifetimes(cfg: IosConfig, sets: Node) -> tuple[int, int]:
    def one(unit: str, default: int) -> int:
        own = sets.args("set", "security-association", "lifetime", unit)
        glob = cfg.globals.get(f"lifetime {unit}")
        value = own[0] if own else glob.words[5] if glob else str(default)
        return int(value) if value.isdigit() else default

    return one("seconds", _DEFAULT_LIFE), one("kilobytes", _DEFAULT_KB)


def _tunnel(cfg: IosConfig, name: str, sets: Node, local: str | None, peer: str, *,
            route_based: bool, selectors: list[TrafficSelector]) -> PeerConfig:
    v2 = sets.args("set", "ikev2-profile")
    v1 = sets.args("set", "isakmp-profile")
    if v2:
        if local is None:
            policy_locals = {m.words[3] for p in cfg.ikev2_policies
                             for m in p.all("match", "address", "local") if len(m.words) > 3}
            local = next(iter(policy_locals)) if len(policy_locals) == 1 else None
        ike = ikev2(cfg, v2[0], sets, local, peer)
    else:
        ike = ikev1(cfg, v1[0] if v1 else None, sets, local, peer)
    if local is None and ike.local[0] == "ADDRESS" and ike.local[1]:
        local = ike.local[1]
    if local is None:
        cfg.notes.add(sets, "UnknownLocalAddress", "this device's own address is not in the "
                      "file (the interface the crypto map is applied to, or the tunnel "
                      "source): its identity is not compared", "warning")
    esp = _esp(cfg, sets)
    life, kb = _lifetimes(cfg, sets)
    action = "restart" if route_based else "clear"
    dpd = _dpd(*ike.dpd, action) if ike.dpd else Dpd(False, 0, action)
    init: Initiation = "start" if route_based else "trap"
    notes = (*cfg.general, *cfg.notes)
    return PeerConfig(
        name=name, local=Endpoint(local or "", ike.local[0], ike.local[1], init),
        remote=Endpoint(peer, ike.remote[0], ike.remote[1]),
        ike_version="IKEV2" if ike.version == "IKEV2" else "IKEV1",
        exchange_mode="AGGRESSIVE" if ike.mode == "AGGRESSIVE" else "MAIN",
        ike=ike.offers[0], ike_lifetime=ike.lifetime, esp=esp[0], ipsec_lifetime=life,
        ipsec_lifetime_kb=kb, dpd=dpd, route_type="", route_based=route_based,
        selectors=tuple(dict.fromkeys(selectors)), notes=notes,
        ike_offers=tuple(ike.offers), esp_offers=tuple(esp))


def _map_entry(cfg: IosConfig, entry: Node, gateway_ip: str | None) -> PeerConfig:
    map_name, seq = entry.words[2], entry.words[3]
    peers = [n.words[2] for n in entry.all("set", "peer") if len(n.words) > 2]
    peer, selectors = map_peer_and_selectors(cfg, entry, peers, gateway_ip, "IOS")
    on = [name for name, node in cfg.named["interface"].items()
          if any(c.words[2:3] == (map_name,) for c in node.all("crypto", "map"))]
    if not on:
        cfg.notes.add(entry, "CryptoMapNotApplied", f"crypto map {map_name} is applied to no "
                      "interface in this file ('crypto map NAME' under the WAN interface): "
                      "IOS never uses it until it is", "warning")
    where = cfg.map_local.get(map_name) or (on[0] if on else "")
    local = cfg.iface_ip(where) if where else None
    return _tunnel(cfg, f"crypto map {map_name} {seq}", entry, local, peer, route_based=False,
                   selectors=selectors)


def _vti(cfg: IosConfig, name: str, iface: Node) -> PeerConfig | None:
    prot = iface.args("tunnel", "protection", "ipsec", "profile")
    if not prot:
        return None
    prof = cfg.named["ipsec profile"].get(prot[0])
    if prof is None:
        cfg.notes.add(iface.first("tunnel", "protection"), "UndefinedReference",
                      f"crypto ipsec profile {prot[0]} is used here but not defined: the "
                      "tunnel interface never brings up an SA")
        prof = Node(("crypto", "ipsec", "profile", prot[0]), iface.line)
    mode = iface.args("tunnel", "mode")
    if mode is None or [x.lower() for x in mode[:2]] != ["ipsec", "ipv4"]:
        cfg.notes.add(iface, "NotAVti", "tunnel mode is not 'ipsec ipv4' (GRE over IPsec "
                      "protects only GRE between the two addresses): the gateway's any-any "
                      "selectors are refused: TS_UNACCEPTABLE")
    dest = iface.args("tunnel", "destination")
    src = iface.args("tunnel", "source")
    local = (src[0] if is_ip(src[0]) else cfg.iface_ip(src[0])) if src else None
    if not dest:
        cfg.notes.add(iface, "IncompleteTunnel", "no 'tunnel destination': the tunnel never "
                      "comes up")
    return _tunnel(cfg, f"interface {name}", prof, local, dest[0] if dest else "",
                   route_based=True, selectors=[TrafficSelector(ANY, ANY)])


def parse_cisco_ios(text: str, gateway_ip: str | None = None) -> list[PeerConfig]:
    """Every tunnel of an IOS / IOS-XE configuration, as seen from this router.

    ``gateway_ip`` picks the right ``set peer`` when an entry lists several.
    """
    cfg = IosConfig(text)
    found: list[PeerConfig] = []
    for entry in cfg.maps:
        cfg.notes = Notes()
        found.append(_map_entry(cfg, entry, gateway_ip))
    for name, iface in cfg.named["interface"].items():
        cfg.notes = Notes()
        vti = _vti(cfg, name, iface)
        if vti is not None:
            found.append(vti)
    if not found:
        raise ValueError("no tunnel in this Cisco IOS configuration: neither a 'crypto map "
                         "NAME SEQ ipsec-isakmp' entry nor an 'interface Tunnel' with "
                         "'tunnel protection ipsec profile'")
    return found

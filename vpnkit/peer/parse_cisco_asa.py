"""Cisco ASA running-config -> :class:`PeerConfig` (one per tunnel it configures).

A tunnel is a crypto map entry (``crypto map MAP SEQ match address ACL`` / ``set peer`` /
``set ikev2 ipsec-proposal`` / ``set ikev1 transform-set``, one IPsec SA per ``permit`` line of
the ACL) or an ``interface Tunnel`` with ``tunnel protection ipsec profile`` (route-based).
Phase 1 comes from ``crypto ikev2 policy`` / ``crypto ikev1 policy`` (which must be enabled on
the interface: ``crypto ikev2 enable outside``), the key and DPD from ``tunnel-group PEER
ipsec-attributes``, the allowed protocols from the tunnel group's ``group-policy``
(``vpn-tunnel-protocol``).

Values the file leaves out take the ASA's defaults (Cisco ASA Series VPN CLI Configuration
Guide, "IPsec and ISAKMP", "Connection Profiles"): IKEv1 policy pre-share / 3des / sha /
group 2 / 86400 s, IKEv2 policy lifetime 86400 s; IPsec SA lifetime 28800 s and 4608000 KB;
``isakmp keepalive threshold 10 retry 2`` for L2L tunnel groups, the peer declared dead after
three retries; ``crypto isakmp identity auto`` (the address, with a pre-shared key). A crypto
map entry offering both IKEv2 and IKEv1 starts with IKEv2.

As for IOS, what matters but is not read, and names used but not defined, are issues in the
tunnel's ``notes``; the pre-shared key is never kept.
"""

from __future__ import annotations

from vpnkit.peer._asa_config import AsaConfig
from vpnkit.peer._cisco import (
    Node,
    Notes,
    esp_product,
    ike_product,
    is_ip,
    lookup,
    lowered,
    map_peer_and_selectors,
    value_map,
)
from vpnkit.peer.model import (
    ANY,
    Dpd,
    Endpoint,
    EspProposal,
    IdKind,
    IkeProposal,
    Issue,
    PeerConfig,
    TrafficSelector,
)

__all__ = ["parse_cisco_asa"]

VENDOR = "cisco-asa"
_IKE_ENC = value_map(VENDOR, "ike_encryption")
_IKE_INT = value_map(VENDOR, "ike_integrity")
_PRF = value_map(VENDOR, "prf")
_DH = value_map(VENDOR, "dh")
_ESP_ENC = value_map(VENDOR, "esp_encryption")
_ESP_INT = value_map(VENDOR, "esp_integrity")
_ESP1_ENC = value_map(VENDOR, "esp1_encryption")
_ESP1_INT = value_map(VENDOR, "esp1_integrity")
_DEFAULT_LIFE, _DEFAULT_KB = 28800, 4608000


def _words(node: Node, key: tuple[str, ...], table: dict[str, str], what: str,
           notes: Notes) -> list[str]:
    return [lookup(table, x, c, notes, what) for c in node.all(*key)
            for x in c.words[len(key):] if x.lower() != "null"]


def _phase1(cfg: AsaConfig, version: str) -> tuple[list[IkeProposal], int]:
    """The proposals of every enabled IKEv2 or IKEv1 policy, and the first one's lifetime."""
    policies = [n for _, n in sorted(cfg.v2_policies if version == "ikev2" else
                                     cfg.v1_policies, key=lambda p: p[0])]
    out: list[IkeProposal] = []
    for pol in policies:
        if version == "ikev2":
            out += ike_product(_words(pol, ("encryption",), _IKE_ENC, "IKE encryption",
                                      cfg.notes),
                               _words(pol, ("integrity",), _IKE_INT, "IKE integrity", cfg.notes),
                               _words(pol, ("prf",), _PRF, "PRF", cfg.notes),
                               _words(pol, ("group",), _DH, "DH group", cfg.notes))
            continue
        if (pol.args("authentication") or ("pre-share",))[0].lower() != "pre-share":
            continue
        out.append(IkeProposal(
            lookup(_IKE_ENC, (pol.args("encryption") or ("3des",))[0], pol, cfg.notes,
                   "IKE encryption"),
            lookup(_IKE_INT, (pol.args("hash") or ("sha",))[0], pol, cfg.notes, "hash"),
            lookup(_DH, (pol.args("group") or ("2",))[0], pol, cfg.notes, "DH group")))
    life = [x for x in (policies[0].args("lifetime") or ()) if x.isdigit()] if policies else []
    return list(dict.fromkeys(out)), int(life[0]) if life else 86400


def _esp(cfg: AsaConfig, sets: Node, v2: bool) -> list[EspProposal]:
    pfs_args = sets.args("set", "pfs")
    pfs: str | None = None
    if pfs_args is not None:
        if pfs_args:
            pfs = lookup(_DH, pfs_args[0].lower().removeprefix("group"),
                         sets.first("set", "pfs") or sets, cfg.notes, "PFS group")
        else:
            cfg.notes.add(sets.first("set", "pfs"), "PfsGroupNotStated", "'set pfs' without a "
                          "group: the group depends on the ASA release; state it", "warning")
            pfs = "?default"
    key = ("set", "ikev2", "ipsec-proposal") if v2 else ("set", "ikev1", "transform-set")
    names = sets.args(*key) or ()
    out: list[EspProposal] = []
    for name in names:
        node = cfg.named["ipsec-proposal" if v2 else "transform-set"].get(name)
        if node is None:
            cfg.notes.add(sets.first(*key), "UndefinedReference", f"{' '.join(key[1:])} "
                          f"{name} is used here but not defined")
            continue
        if v2:
            encs = _words(node, ("protocol", "esp", "encryption"), _ESP_ENC, "ESP encryption",
                          cfg.notes)
            integs = _words(node, ("protocol", "esp", "integrity"), _ESP_INT, "ESP integrity",
                            cfg.notes)
        else:
            tokens = [x.lower() for x in node.words[5:]]
            encs = [lookup(_ESP1_ENC, t, node, cfg.notes, "ESP encryption") for t in tokens
                    if not t.endswith(("-hmac", "-none"))]
            integs = [lookup(_ESP1_INT, t, node, cfg.notes, "ESP integrity") for t in tokens
                      if t.endswith("-hmac")]
        out += esp_product(encs, integs, pfs)
    return list(dict.fromkeys(out))


def _lifetimes(cfg: AsaConfig, sets: Node) -> tuple[int, int]:
    found: dict[str, int] = {}
    for node in [*cfg.lifetimes, *sets.all("set", "security-association", "lifetime")]:
        words = list(node.words)
        for i, word in enumerate(words[:-1]):
            if word.lower() in ("seconds", "kilobytes") and words[i + 1].isdigit():
                found[word.lower()] = int(words[i + 1])
    return found.get("seconds", _DEFAULT_LIFE), found.get("kilobytes", _DEFAULT_KB)


def _group(cfg: AsaConfig, peer: str, v2: bool, v1: bool, ref: Node
           ) -> tuple[tuple[IdKind, str], Dpd | None]:
    """The tunnel group of ``peer``: the identity it accepts, DPD, and key/protocol checks."""
    name = peer if peer in cfg.groups else next(
        (g for g, parts in cfg.groups.items() if not is_ip(g) and "ipsec-attributes" in parts
         and lowered(parts.get("type", Node((), 0)).words[3:4]) == ("ipsec-l2l",)), None)
    if name is None:
        cfg.notes.add(ref, "NoTunnelGroup", f"no 'tunnel-group {peer} type ipsec-l2l': the ASA "
                      "uses DefaultL2LGroup, which holds no key: AUTHENTICATION_FAILED")
        return ("ADDRESS", peer), Dpd(True, 10 + 3 * 2, "")
    parts = cfg.groups[name]
    attrs = parts.get("ipsec-attributes", Node((), 0))
    for need, what in ((v2, ("ikev2", "remote-authentication", "pre-shared-key")),
                       (v2, ("ikev2", "local-authentication", "pre-shared-key")),
                       (v1 and not v2, ("ikev1", "pre-shared-key"))):
        if need and attrs.first(*what) is None:
            other = attrs.first(*what[:2])
            cfg.notes.add(other or attrs if attrs.words else ref,
                          "NotPreShared" if other else "NoPreSharedKey",
                          f"tunnel-group {name}: no '{' '.join(what)}': the Tencent gateway "
                          "authenticates with a pre-shared key: AUTHENTICATION_FAILED")
    gp = (parts.get("general-attributes") or Node((), 0)).args("default-group-policy")
    policy = cfg.named["group-policy"].get(gp[0] if gp else "DfltGrpPolicy")
    if gp and policy is None and gp[0] != "DfltGrpPolicy":
        cfg.notes.add(parts["general-attributes"], "UndefinedReference", f"group-policy "
                      f"{gp[0]} is used here but not defined")
    protocols = policy.args("vpn-tunnel-protocol") if policy else None
    if protocols is not None:
        allowed = {x.lower() for x in protocols}
        wanted = "ikev2" if v2 else "ikev1"
        if wanted not in allowed:
            cfg.notes.add(policy.first("vpn-tunnel-protocol") if policy else ref,
                          "ProtocolNotAllowed", f"the group policy allows "
                          f"{' '.join(protocols)}, not {wanted}: the ASA tears the tunnel "
                          "down right after authentication")
    # A group named by the peer's address is found by that address; with a pre-shared key
    # the ASA then checks no identity. One named by a name is found by the identity sent.
    validate = attrs.args("peer-id-validate")
    remote: tuple[IdKind, str] = ("ADDRESS", "%any") if is_ip(name) or (
        validate and validate[0].lower() == "nocheck") else ("FQDN", name)
    keep = attrs.args("isakmp", "keepalive")
    if keep and keep[0].lower() == "disable":
        return remote, Dpd(False, 0, "")
    if keep and len(keep) >= 4 and keep[1].isdigit() and keep[3].isdigit():
        return remote, Dpd(True, int(keep[1]) + 3 * int(keep[3]), "")
    if keep and lowered(keep[1:2]) == ("infinite",):
        return remote, Dpd(False, 0, "")  # answers DPD, never sends it
    return remote, Dpd(True, 10 + 3 * 2, "")


def _tunnel(cfg: AsaConfig, name: str, sets: Node, nameif: str | None, peer: str, *,
            route_based: bool, selectors: list[TrafficSelector]) -> PeerConfig:
    v2 = sets.first("set", "ikev2", "ipsec-proposal") is not None
    v1 = sets.first("set", "ikev1", "transform-set") is not None
    if not (v1 or v2):
        cfg.notes.add(sets, "IncompleteCryptoMap", "no 'set ikev2 ipsec-proposal' nor 'set "
                      "ikev1 transform-set': the ASA does not negotiate this tunnel")
    extra: list[Issue] = []
    if v1 and v2:
        extra.append(Issue(name, "AnyIkeVersion", "offers IKEv2 and IKEv1: starts with IKEv2",
                           "warning"))
    for version, used in (("ikev2", v2), ("ikev1", v1 and not v2)):
        if used and nameif and nameif not in cfg.enabled[version]:
            cfg.notes.add(sets, "IkeNotEnabled", f"'crypto {version} enable {nameif}' is "
                          f"missing: the ASA neither answers nor starts {version.upper()} on "
                          "that interface (no answer to the first message)")
    ike, life = _phase1(cfg, "ikev2" if v2 or not v1 else "ikev1")
    if v1 and v2:
        ike += _phase1(cfg, "ikev1")[0]
    if not ike:
        cfg.notes.add(sets, "NoIkePolicy", f"no crypto {'ikev2' if v2 else 'ikev1'} policy "
                      "(with pre-share): NO_PROPOSAL_CHOSEN")
        ike = [IkeProposal("?", "?", "?")]
    esp = _esp(cfg, sets, v2) + (_esp(cfg, sets, False) if v1 and v2 else [])
    local = cfg.nameif_ip(nameif) if nameif else None
    if local is None:
        cfg.notes.add(sets, "UnknownLocalAddress", "this device's own address is not in the "
                      "file (the interface the crypto map is applied to, or the tunnel "
                      "source): its identity is not compared", "warning")
    ident = cfg.globals.get("identity")
    kind = ident.words[3].lower() if ident else "auto"
    local_id: tuple[IdKind, str] = ("ADDRESS", local or "")
    if kind == "hostname":
        if cfg.hostname and cfg.domain:
            local_id = ("FQDN", f"{cfg.hostname}.{cfg.domain}")
        else:
            local_id = ("FQDN", "")
            cfg.notes.add(ident, "FqdnNotInFile", "the FQDN the ASA sends is hostname.domain, "
                          "and this file has no 'hostname' and 'domain-name': the identity is "
                          "not compared", "warning")
    elif kind not in ("address", "auto"):
        cfg.notes.add(ident, "UnsupportedIdentity", f"identity {kind}: the Tencent gateway "
                      "expects ADDRESS or FQDN")
    remote_id, dpd = _group(cfg, peer, v2, v1, sets)
    action = "restart" if route_based else "clear"
    dpd = Dpd(dpd.enabled, dpd.timeout, action) if dpd else Dpd(False, 0, action)
    secs, kb = _lifetimes(cfg, sets)
    aggressive = any(lowered(c.words[-1:]) == ("aggressive",) for c in sets.all("set")
                     if "phase1-mode" in lowered(c.words))
    return PeerConfig(
        name=name, local=Endpoint(local or "", local_id[0], local_id[1],
                                  "start" if route_based else "trap"),
        remote=Endpoint(peer, remote_id[0], remote_id[1]),
        ike_version="IKEV2" if v2 or not v1 else "IKEV1",
        exchange_mode="AGGRESSIVE" if aggressive else "MAIN",
        ike=ike[0], ike_lifetime=life,
        esp=esp[0] if esp else EspProposal("?", "?", None), ipsec_lifetime=secs,
        ipsec_lifetime_kb=kb, dpd=dpd, route_type="", route_based=route_based,
        selectors=tuple(dict.fromkeys(selectors)),
        notes=(*cfg.general, *extra, *cfg.notes), ike_offers=tuple(ike),
        esp_offers=tuple(esp) or (EspProposal("?", "?", None),))


def parse_cisco_asa(text: str, gateway_ip: str | None = None) -> list[PeerConfig]:
    """Every tunnel of an ASA configuration, as seen from this firewall."""
    cfg = AsaConfig(text)
    found: list[PeerConfig] = []
    for (map_name, seq), entry in cfg.maps.items():
        cfg.notes = Notes()
        peers = [x for c in entry.all("set", "peer") for x in c.words[2:]]
        peer, selectors = map_peer_and_selectors(cfg, entry, peers, gateway_ip, "the ASA")
        nameif = cfg.map_iface.get(map_name)
        if nameif is None:
            cfg.notes.add(entry, "CryptoMapNotApplied", f"'crypto map {map_name} interface "
                          "IFACE' is missing: the ASA never uses this map", "warning")
        found.append(_tunnel(cfg, f"crypto map {map_name} {seq}", entry, nameif, peer,
                             route_based=False, selectors=selectors))
    for name, iface in cfg.named["interface"].items():
        prot = iface.args("tunnel", "protection", "ipsec", "profile")
        if not prot:
            continue
        cfg.notes = Notes()
        prof = cfg.named["ipsec profile"].get(prot[0])
        if prof is None:
            cfg.notes.add(iface.first("tunnel", "protection"), "UndefinedReference",
                          f"crypto ipsec profile {prot[0]} is used here but not defined")
            prof = Node(("crypto", "ipsec", "profile", prot[0]), iface.line)
        src = iface.args("tunnel", "source", "interface")
        dest = iface.args("tunnel", "destination")
        if iface.args("tunnel", "mode") is None or [
                x.lower() for x in (iface.args("tunnel", "mode") or ())[:2]] != ["ipsec", "ipv4"]:
            cfg.notes.add(iface, "NotAVti", "tunnel mode is not 'ipsec ipv4': the gateway's "
                          "any-any selectors are refused: TS_UNACCEPTABLE")
        found.append(_tunnel(cfg, f"interface {name}", prof, src[0] if src else None,
                             dest[0] if dest else "", route_based=True,
                             selectors=[TrafficSelector(ANY, ANY)]))
    if not found:
        raise ValueError("no tunnel in this Cisco ASA configuration: neither a 'crypto map "
                         "MAP SEQ match address' entry nor an 'interface Tunnel' with "
                         "'tunnel protection ipsec profile'")
    return found

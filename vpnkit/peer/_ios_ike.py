"""Cisco IOS / IOS-XE: the IKE half of one tunnel.

IKEv2 from the crypto map's ``set ikev2-profile`` (identities, authentication, keyring,
lifetime, DPD) and the ``crypto ikev2 policy`` that applies to this device's address (its
proposals); IKEv1 from the ``crypto isakmp policy`` entries with ``authentication pre-share``
and the ISAKMP profile (named, or the one matching the gateway), or the global settings.
Defaults: see :mod:`vpnkit.peer.parse_cisco_ios`.
"""

from __future__ import annotations

from vpnkit.peer._cisco import Node, covers, ike_product, is_ip, lookup, lowered, value_map
from vpnkit.peer._ios_config import IosConfig
from vpnkit.peer.model import IdKind, IkeProposal

__all__ = ["DH", "Ike", "ikev1", "ikev2"]

VENDOR = "cisco-ios"
_IKE_ENC = value_map(VENDOR, "ike_encryption")
_IKE_INT = value_map(VENDOR, "ike_integrity", {"sha": "sha1"})
_PRF = value_map(VENDOR, "prf", {"sha": "sha1"})
DH = value_map(VENDOR, "dh")


class Ike:
    """The IKE half of one tunnel, read from its profile (IKEv2) or policies (IKEv1)."""

    def __init__(self) -> None:
        self.version = "IKEV1"
        self.mode = "MAIN"
        self.offers: list[IkeProposal] = []
        self.lifetime = 86400
        self.local: tuple[IdKind, str] = ("ADDRESS", "")
        self.remote: tuple[IdKind, str] = ("ADDRESS", "%any")
        self.dpd: tuple[str, str] | None = None


def _remote_id(matches: list[Node], at: int, peer: str, cfg: IosConfig) -> tuple[IdKind, str]:
    """The identity a ``match identity [remote]`` list accepts from ``peer``."""
    found: list[tuple[IdKind, str]] = []
    for m in matches:
        rest = [x.lower() for x in m.words[at:]]
        if rest[:1] == ["address"] and len(rest) > 1:
            mask = m.words[at + 2] if len(rest) > 2 and is_ip(m.words[at + 2]) else None
            wide = mask not in (None, "255.255.255.255")
            found.append(("ADDRESS", peer if wide and covers(m.words[at + 1], mask, peer)
                          else m.words[at + 1]))
        elif rest[:1] in (["fqdn"], ["host"]) and len(rest) > 1:
            if rest[1] == "domain":
                cfg.notes.add(m, "DomainIdentity", "matches any name in a domain: the "
                              "gateway's FQDN is not compared", "warning")
                found.append(("FQDN", "%any"))
            else:
                found.append(("FQDN", m.words[at + 1]))
        elif rest[:1] == ["any"]:
            found.append(("ADDRESS", "%any"))
        else:
            cfg.notes.add(m, "UnsupportedIdentity", "this identity type is not one the "
                          "Tencent gateway sends (ADDRESS or FQDN)")
    if not found:
        return "ADDRESS", "%any"
    return next((f for f in found if f[1] == peer), found[0])


def _local_fqdn(cfg: IosConfig, node: Node) -> tuple[IdKind, str]:
    if cfg.hostname and cfg.domain:
        return "FQDN", f"{cfg.hostname}.{cfg.domain}"
    cfg.notes.add(node, "FqdnNotInFile", "the FQDN IOS sends is hostname.domain, and this "
                  "file has no 'hostname' and 'ip domain name': the identity is not compared",
                  "warning")
    return "FQDN", ""


def ikev2(cfg: IosConfig, name: str, ref: Node, local: str | None, peer: str) -> Ike:
    ike = Ike()
    ike.version = "IKEV2"
    prof = cfg.named["ikev2 profile"].get(name)
    if prof is None:
        cfg.notes.add(ref, "UndefinedReference", f"crypto ikev2 profile {name} is used here "
                      "but not defined: IOS does not negotiate this tunnel")
        ike.offers = [IkeProposal("?", "?", "?")]
        return ike
    matches = prof.all("match", "identity", "remote")
    if not matches:
        cfg.notes.add(prof, "IncompleteProfile", "no 'match identity remote': IOS never "
                      "selects this profile for the gateway: AUTHENTICATION_FAILED")
    ike.remote = _remote_id(matches, 3, peer, cfg)
    ident = prof.args("identity", "local")
    if ident and ident[0].lower() == "fqdn" and len(ident) > 1:
        ike.local = ("FQDN", ident[1])
    elif ident and ident[0].lower() == "address" and len(ident) > 1:
        ike.local = ("ADDRESS", ident[1])
    elif ident:
        cfg.notes.add(prof.first("identity", "local"), "UnsupportedIdentity",
                      f"identity local {ident[0]}: the Tencent gateway expects ADDRESS or FQDN")
    else:
        ike.local = ("ADDRESS", local or "")
    inline = 0
    for side in ("remote", "local"):
        auth = prof.args("authentication", side)
        if auth is None:
            cfg.notes.add(prof, "IncompleteProfile", f"no 'authentication {side}': IOS does "
                          "not use this profile")
        elif not auth or auth[0].lower() != "pre-share":
            cfg.notes.add(prof.first("authentication", side), "NotPreShared",
                          f"authentication {side} {auth[0] if auth else '(no method)'}: the "
                          "Tencent gateway "
                          "authenticates with a pre-shared key only: AUTHENTICATION_FAILED")
        else:
            inline += len(auth) > 1 and auth[1].lower() == "key"
    ring = prof.args("keyring", "local") or prof.args("keyring")
    if inline < 2:
        rings = [cfg.named["ikev2 keyring"][ring[-1]]] if ring and ring[-1] in \
            cfg.named["ikev2 keyring"] else []
        if ring and not rings:
            cfg.notes.add(prof.first("keyring"), "UndefinedReference", f"crypto ikev2 keyring "
                          f"{ring[-1]} is used here but not defined")
        elif not cfg.has_key(rings, peer, ike.remote):
            cfg.notes.add(prof, "NoPreSharedKey", f"no keyring peer of this profile holds a "
                          f"key for {peer} (by 'address', or by 'identity' for "
                          f"{ike.remote[0]} {ike.remote[1]}): AUTHENTICATION_FAILED")
    life = prof.args("lifetime")
    ike.lifetime = int(life[0]) if life and life[0].isdigit() else 86400
    dpd = prof.args("dpd") or (cfg.globals["ikev2 dpd"].words[3:]
                               if "ikev2 dpd" in cfg.globals else None)
    if dpd and len(dpd) >= 2 and dpd[0].isdigit() and dpd[1].isdigit():
        ike.dpd = (dpd[0], dpd[1])
    policies = [p for p in cfg.ikev2_policies
                if local is None or not p.all("match", "address", "local")
                or any(m.words[3:4] == (local,) for m in p.all("match", "address", "local"))]
    if not policies:
        cfg.notes.add(ref, "NoIkev2Policy", "no crypto ikev2 policy applies to this device's "
                      f"address {local or ''}: IOS would offer its default proposal, which "
                      "differs between releases; state the proposal in a policy")
        ike.offers = [IkeProposal("?default", "?default", "?default")]
        return ike
    for pol in policies:
        for ref_p in pol.all("proposal"):
            for pname in ref_p.words[1:]:
                p = cfg.named["ikev2 proposal"].get(pname)
                if p is None:
                    cfg.notes.add(ref_p, "UndefinedReference", f"crypto ikev2 proposal "
                                  f"{pname} is used here but not defined")
                    continue
                ike.offers += _ikev2_proposal(cfg, p)
    ike.offers = list(dict.fromkeys(ike.offers)) or [IkeProposal("?", "?", "?")]
    return ike


def _ikev2_proposal(cfg: IosConfig, p: Node) -> list[IkeProposal]:
    def words(key: str, table: dict[str, str], what: str) -> list[str]:
        return [lookup(table, x, n, cfg.notes, what) for n in p.all(key) for x in n.words[1:]]

    encs = words("encryption", _IKE_ENC, "IKE encryption")
    integs = words("integrity", _IKE_INT, "IKE integrity")
    prfs = words("prf", _PRF, "PRF")
    dhs = words("group", DH, "DH group")
    if not encs or not dhs or not (integs or prfs):
        cfg.notes.add(p, "IncompleteProposal", "a proposal needs encryption, integrity (or "
                      "prf with GCM) and group: IOS marks it incomplete and does not use it")
    return ike_product(encs, integs, prfs, dhs)


def _profile_for(cfg: IosConfig, peer: str) -> Node | None:
    """The ISAKMP profile IOS picks for ``peer`` when the crypto map names none: the one
    whose ``match identity address`` covers it, else the only one matching a host name."""
    for prof in cfg.named["isakmp profile"].values():
        for m in prof.all("match", "identity", "address"):
            mask = m.words[4] if len(m.words) > 4 and is_ip(m.words[4]) else None
            if len(m.words) > 3 and covers(m.words[3], mask, peer):
                return prof
    # matched by the name the gateway sends (match identity host): the check compares it
    by_name = [p for p in cfg.named["isakmp profile"].values()
               if p.first("match", "identity", "host")]
    return by_name[0] if len(by_name) == 1 else None


def ikev1(cfg: IosConfig, name: str | None, ref: Node, local: str | None, peer: str) -> Ike:
    ike = Ike()
    usable = [n for _, n in sorted(cfg.isakmp_policies, key=lambda p: p[0])
              if (n.args("authentication") or ("rsa-sig",))[0].lower() == "pre-share"]
    if not usable:
        cfg.notes.add(ref, "NoPreShareIsakmpPolicy", "no crypto isakmp policy has "
                      "'authentication pre-share' (the default is rsa-sig): NO_PROPOSAL_CHOSEN")
    for pol in usable:
        # running-config abbreviates it to "encr"; the default (des) is not shown at all
        enc = [x.lower() for x in pol.args("encryption") or pol.args("encr") or ("des",)]
        token = f"aes-cbc-{enc[1] if len(enc) > 1 else '128'}" if enc[0] == "aes" else enc[0]
        ike.offers.append(IkeProposal(
            lookup(_IKE_ENC, token, pol, cfg.notes, "IKE encryption"),
            lookup(_IKE_INT, (pol.args("hash") or ("sha",))[0], pol, cfg.notes, "hash"),
            lookup(DH, (pol.args("group") or ("1",))[0], pol, cfg.notes, "DH group")))
    ike.offers = list(dict.fromkeys(ike.offers)) or [IkeProposal("?", "?", "?")]
    life = usable[0].args("lifetime") if usable else None
    ike.lifetime = int(life[0]) if life and life[0].isdigit() else 86400
    prof = cfg.named["isakmp profile"].get(name) if name else _profile_for(cfg, peer)
    if name and prof is None:
        cfg.notes.add(ref, "UndefinedReference", f"crypto isakmp profile {name} is used here "
                      "but not defined: IOS does not negotiate this tunnel")
    rings: list[Node] = []
    if prof is not None:
        matches = prof.all("match", "identity")
        if not matches:
            cfg.notes.add(prof, "IncompleteProfile", "no 'match identity': IOS never selects "
                          "this profile for the gateway")
        ike.remote = _remote_id(matches, 2, peer, cfg)
        if lowered(prof.args("initiate", "mode")) == ("aggressive",):
            ike.mode = "AGGRESSIVE"
        keep = prof.args("keepalive")
        if keep and len(keep) >= 3 and keep[0].isdigit() and keep[2].isdigit():
            ike.dpd = (keep[0], keep[2])
        for k in prof.all("keyring"):
            ring = cfg.named["keyring"].get(k.words[1]) if len(k.words) > 1 else None
            if ring is None:
                cfg.notes.add(k, "UndefinedReference", "this keyring is used here but not "
                              "defined")
            else:
                rings.append(ring)
    if prof is None or not prof.all("keyring"):
        rings = cfg.isakmp_keys + list(cfg.named["keyring"].values())
    if not cfg.has_key(rings, peer):
        cfg.notes.add(prof or ref, "NoPreSharedKey", f"no pre-shared key for {peer} (crypto "
                      "isakmp key / crypto keyring pre-shared-key address): "
                      "AUTHENTICATION_FAILED")
    self_id = prof.args("self-identity") if prof is not None else None
    glob = cfg.globals.get("isakmp identity")
    kind = (self_id[0] if self_id else glob.words[3] if glob and len(glob.words) > 3
            else "address").lower()
    if kind == "fqdn" and self_id and len(self_id) > 1:
        ike.local = ("FQDN", self_id[1])  # a name given: it is the one sent
    elif kind in ("fqdn", "hostname"):
        ike.local = _local_fqdn(cfg, prof or ref)
    elif kind == "address":
        ike.local = ("ADDRESS", local or "")
    else:
        cfg.notes.add(prof or glob, "UnsupportedIdentity", f"identity {kind}: the Tencent "
                      "gateway expects ADDRESS or FQDN")
    if ike.dpd is None and "isakmp keepalive" in cfg.globals:
        keep = cfg.globals["isakmp keepalive"].words[3:]
        if keep and keep[0].isdigit():
            ike.dpd = (keep[0], keep[1] if len(keep) > 1 and keep[1].isdigit() else "2")
    return ike

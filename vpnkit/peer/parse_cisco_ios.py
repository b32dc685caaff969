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
    acl_operand,
    covers,
    esp_product,
    ike_product,
    is_ip,
    lookup,
    tree,
    value_map,
)
from vpnkit.peer.model import (
    ANY,
    Dpd,
    Endpoint,
    EspProposal,
    IdKind,
    IkeProposal,
    Initiation,
    PeerConfig,
    TrafficSelector,
)

__all__ = ["parse_cisco_ios"]

VENDOR = "cisco-ios"
_IKE_ENC = value_map(VENDOR, "ike_encryption")
_IKE_INT = value_map(VENDOR, "ike_integrity", {"sha": "sha1"})
_PRF = value_map(VENDOR, "prf", {"sha": "sha1"})
_DH = value_map(VENDOR, "dh")
_ESP_ENC = value_map(VENDOR, "esp_encryption", {"esp-aes": "esp-aes 128",
                                                  "esp-gcm": "esp-gcm 128"})
_ESP_INT = value_map(VENDOR, "esp_integrity")

#: statements under each block that are read (or carry nothing the check compares)
_KNOWN = {
    "ikev2 proposal": {"encryption", "integrity", "prf", "group"},
    "ikev2 policy": {"proposal", "match", "description"},
    "ikev2 keyring": {"peer"},
    "ikev2 profile": {"match", "identity", "authentication", "keyring", "lifetime", "dpd",
                      "description", "nat"},
    "isakmp policy": {"encryption", "encr", "hash", "authentication", "group", "lifetime"},
    "isakmp profile": {"keyring", "match", "self-identity", "initiate", "keepalive",
                       "description"},
    "keyring": {"pre-shared-key", "description"},
    "ipsec profile": {"set", "description"},
    "transform-set": {"mode"},
    "map": {"set", "match", "description", "reverse-route"},
}
#: top-level crypto statements that change nothing the check compares
_HARMLESS = ("crypto pki", "crypto key", "crypto ca", "crypto engine", "crypto logging",
             "crypto isakmp nat", "crypto isakmp invalid-spi-recovery",
             "crypto isakmp aggressive-mode", "crypto ipsec df-bit",
             "crypto ipsec fragmentation", "crypto ipsec nat-transparency",
             "crypto ipsec security-association replay", "crypto ipsec client",
             "crypto ipsec optional", "crypto ikev2 nat", "crypto ikev2 cookie-challenge",
             "crypto ikev2 limit", "crypto ikev2 window", "crypto ikev2 fragmentation",
             "crypto ikev2 diagnose", "crypto ikev2 http-url", "crypto call")
_DEFAULT_LIFE, _DEFAULT_KB = 3600, 4608000


def _dpd(interval: str, retry: str, action: str) -> Dpd:
    """IOS declares the peer dead after ``interval`` and five retries ``retry`` apart."""
    return Dpd(True, int(interval) + 5 * int(retry), action)


class _Config:
    """One running-config, indexed by what the tunnels refer to."""

    def __init__(self, text: str) -> None:
        self.general = Notes()
        self.notes = Notes()
        self.named: dict[str, dict[str, Node]] = {k: {} for k in (
            "ikev2 proposal", "ikev2 keyring", "ikev2 profile", "isakmp profile", "keyring",
            "transform-set", "ipsec profile", "interface", "object-group")}
        self.ikev2_policies: list[Node] = []
        self.isakmp_policies: list[tuple[int, Node]] = []
        self.isakmp_keys: list[Node] = []
        self.maps: list[Node] = []
        self.map_local: dict[str, str] = {}
        self.acls: dict[str, list[Node]] = {}
        self.globals: dict[str, Node] = {}
        self.hostname = self.domain = ""
        for node in tree(text):
            self._read(node)

    # -- reading the file -------------------------------------------------------------
    def _keep(self, kind: str, name_at: int, node: Node) -> None:
        if len(node.words) <= name_at:
            self.general.add(node, "UnreadableStatement", "this statement names nothing")
            return
        self.named[kind][node.words[name_at]] = node
        self._children(kind, node)

    def _children(self, kind: str, node: Node) -> None:
        known = _KNOWN.get(kind, set())
        for child in node.children:
            if child.words[0].lower() not in known and not child.starts("no"):
                self.general.add(child, "UnsupportedStatement",
                                 f"vpnkit does not read this statement under {kind}: what it "
                                 "changes is not compared", "warning")

    def _read(self, n: Node) -> None:
        w = [x.lower() for x in n.words]
        if n.starts("crypto", "ikev2", "proposal"):
            self._keep("ikev2 proposal", 3, n)
        elif n.starts("crypto", "ikev2", "policy"):
            self.ikev2_policies.append(n)
            self._children("ikev2 policy", n)
        elif n.starts("crypto", "ikev2", "keyring"):
            self._keep("ikev2 keyring", 3, n)
        elif n.starts("crypto", "ikev2", "profile"):
            self._keep("ikev2 profile", 3, n)
        elif n.starts("crypto", "ikev2", "dpd"):
            self.globals["ikev2 dpd"] = n
        elif n.starts("crypto", "isakmp", "policy") and len(w) > 3 and w[3].isdigit():
            self.isakmp_policies.append((int(w[3]), n))
            self._children("isakmp policy", n)
        elif n.starts("crypto", "isakmp", "profile"):
            self._keep("isakmp profile", 3, n)
        elif n.starts("crypto", "isakmp", "key"):
            self.isakmp_keys.append(n)
        elif n.starts("crypto", "isakmp", "keepalive") or n.starts("crypto", "isakmp",
                                                                     "identity"):
            self.globals[f"isakmp {w[2]}"] = n
        elif n.starts("crypto", "keyring"):
            self._keep("keyring", 2, n)
        elif n.starts("crypto", "ipsec", "transform-set"):
            self._keep("transform-set", 3, n)
        elif n.starts("crypto", "ipsec", "profile"):
            self._keep("ipsec profile", 3, n)
        elif n.starts("crypto", "ipsec", "security-association", "lifetime") and len(w) > 5:
            self.globals[f"lifetime {w[4]}"] = n
        elif n.starts("crypto", "map") and len(w) > 4 and w[3] == "local-address":
            self.map_local[n.words[2]] = n.words[4]
        elif n.starts("crypto", "map") and len(w) > 3 and w[3].isdigit():
            if w[4:5] != ["ipsec-isakmp"] or "dynamic" in w:
                self.general.add(n, "UnsupportedCryptoMap", "only 'ipsec-isakmp' entries with "
                                 "a fixed peer are compared (not ipsec-manual, dynamic or "
                                 "gdoi)", "warning")
                return
            self.maps.append(n)
            self._children("map", n)
        elif w[0] == "crypto" and not any(" ".join(w).startswith(h) for h in _HARMLESS):
            self.general.add(n, "UnsupportedStatement", "vpnkit does not read this crypto "
                             "statement: what it changes is not compared", "warning")
        elif n.starts("interface") and len(w) > 1:
            self.named["interface"][n.words[1]] = n
        elif n.starts("ip", "access-list") and len(w) > 3:
            self.acls[n.words[3]] = list(n.children)
            if w[2] != "extended":
                self.general.add(n, "StandardAcl", f"a {w[2]} access list matches sources "
                                 "only; a crypto map needs an extended one", "warning")
        elif n.starts("access-list") and len(w) > 2:
            self.acls.setdefault(n.words[1], []).append(n)
        elif n.starts("object-group", "network") and len(w) > 2:
            self.named["object-group"][n.words[2]] = n
        elif n.starts("hostname") and len(w) > 1:
            self.hostname = n.words[1]
        elif (n.starts("ip", "domain", "name") or n.starts("ip", "domain-name")) and len(w) > 2:
            self.domain = n.words[-1]

    # -- addresses, ACLs, keys -----------------------------------------------------------
    def iface_ip(self, name: str) -> str | None:
        """The primary address of interface ``name`` (or None)."""
        node = self.named["interface"].get(name)
        for ip in node.all("ip", "address") if node else []:
            if len(ip.words) > 3 and is_ip(ip.words[2]) and "secondary" not in ip.words:
                return ip.words[2]
        return None

    def group(self, name: str, seen: tuple[str, ...] = ()) -> list[str]:
        """The CIDRs of ``object-group network NAME`` (KeyError when it is not defined)."""
        node = self.named["object-group"][name]
        if name in seen:
            raise ValueError(f"object-group {name} contains itself")
        out: list[str] = []
        for c in node.children:
            if c.starts("host") and len(c.words) > 1:
                out.append(f"{c.words[1]}/32")
            elif c.starts("group-object") and len(c.words) > 1:
                out += self.group(c.words[1], (*seen, name))
            elif len(c.words) == 2 and is_ip(c.words[0]):
                out += acl_operand(c.words, 0, wildcard=False, groups={})[0]
            elif not c.starts("description"):
                raise ValueError(f"object-group {name}: {c.words[0]} entries are not read")
        return out

    def selectors(self, name: str, ref: Node) -> list[TrafficSelector]:
        """One selector per permit line of ACL ``name`` (source = this side)."""
        if name not in self.acls:
            self.notes.add(ref, "UndefinedReference", f"access list {name} is used here but "
                           "not defined in this file: the crypto map entry is incomplete and "
                           "IOS never negotiates it")
            return []
        groups = _Groups(self)
        out: list[TrafficSelector] = []
        for entry in self.acls[name]:
            words = entry.words[2:] if entry.starts("access-list") else \
                entry.words[1:] if entry.words[0].isdigit() else entry.words
            action = words[0].lower()
            if action == "remark":
                continue
            if action != "permit" or len(words) < 4:
                self.notes.add(entry, "DenyEntry" if action == "deny" else "UnreadableAclEntry",
                               f"ACL {name}: only permit lines are compared; this one is "
                               "not, and it changes which traffic is protected", "warning")
                continue
            if words[1].lower() not in ("ip", "ipv4"):
                self.notes.add(entry, "ProtocolSelector", f"ACL {name}: a {words[1]} selector "
                               "narrows the SA to one protocol; the Tencent gateway proposes "
                               "all protocols: TS_UNACCEPTABLE / no matching proxy identity")
                continue
            try:
                src, i = acl_operand(words, 2, wildcard=True, groups=groups)
                dst, _ = acl_operand(words, i, wildcard=True, groups=groups)
            except KeyError as exc:
                self.notes.add(entry, "UndefinedReference", f"ACL {name} uses object-group "
                               f"{exc.args[0]}, which is not defined in this file")
                continue
            except ValueError as exc:
                self.notes.add(entry, "UnreadableAclEntry", f"ACL {name}: {exc}")
                continue
            out += [TrafficSelector(s, d) for s in src for d in dst]
        return out

    def has_key(self, rings: list[Node], peer: str) -> bool:
        """True when one of ``rings`` (IKEv1 keyrings / ``crypto isakmp key`` lines, or IKEv2
        keyring peers) holds a key for ``peer``. The key itself is never read."""
        for ring in rings:
            lines = [ring] if ring.starts("crypto", "isakmp", "key") else ring.children
            for line in lines:
                if line.starts("peer"):  # IKEv2: address under the peer, key beside it
                    addr = line.args("address") or line.args("identity", "address")
                    if addr and line.first("pre-shared-key") and covers(
                            addr[0], addr[1] if len(addr) > 1 else None, peer):
                        return True
                    continue
                words = [x.lower() for x in line.words]
                if "address" in words:
                    i = words.index("address")
                    mask = line.words[i + 2] if len(words) > i + 2 and is_ip(
                        line.words[i + 2]) else None
                    if len(words) > i + 1 and covers(line.words[i + 1], mask, peer):
                        return True
        return False


class _Groups(dict[str, list[str]]):
    """Object groups resolved on first use (KeyError for an undefined one)."""

    def __init__(self, cfg: _Config) -> None:
        super().__init__()
        self.cfg = cfg

    def __missing__(self, name: str) -> list[str]:
        if name not in self.cfg.named["object-group"]:
            raise KeyError(name)
        self[name] = self.cfg.group(name)
        return self[name]


class _Ike:
    """The IKE half of one tunnel, read from its profile (IKEv2) or policies (IKEv1)."""

    def __init__(self) -> None:
        self.version = "IKEV1"
        self.mode = "MAIN"
        self.offers: list[IkeProposal] = []
        self.lifetime = 86400
        self.local: tuple[IdKind, str] = ("ADDRESS", "")
        self.remote: tuple[IdKind, str] = ("ADDRESS", "%any")
        self.dpd: tuple[str, str] | None = None


def _remote_id(matches: list[Node], at: int, peer: str, cfg: _Config) -> tuple[IdKind, str]:
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


def _local_fqdn(cfg: _Config, node: Node) -> tuple[IdKind, str]:
    if cfg.hostname and cfg.domain:
        return "FQDN", f"{cfg.hostname}.{cfg.domain}"
    cfg.notes.add(node, "FqdnNotInFile", "the FQDN IOS sends is hostname.domain, and this "
                  "file has no 'hostname' and 'ip domain name': the identity is not compared",
                  "warning")
    return "FQDN", ""


def _ikev2(cfg: _Config, name: str, ref: Node, local: str | None, peer: str) -> _Ike:
    ike = _Ike()
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
        elif auth[0].lower() != "pre-share":
            cfg.notes.add(prof.first("authentication", side), "NotPreShared",
                          f"authentication {side} {auth[0]}: the Tencent gateway "
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
        elif not cfg.has_key(rings, peer):
            cfg.notes.add(prof, "NoPreSharedKey", f"no keyring peer of this profile holds a "
                          f"key for {peer}: AUTHENTICATION_FAILED")
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


def _ikev2_proposal(cfg: _Config, p: Node) -> list[IkeProposal]:
    def words(key: str, table: dict[str, str], what: str) -> list[str]:
        return [lookup(table, x, n, cfg.notes, what) for n in p.all(key) for x in n.words[1:]]

    encs = words("encryption", _IKE_ENC, "IKE encryption")
    integs = words("integrity", _IKE_INT, "IKE integrity")
    prfs = words("prf", _PRF, "PRF")
    dhs = words("group", _DH, "DH group")
    if not encs or not dhs or not (integs or prfs):
        cfg.notes.add(p, "IncompleteProposal", "a proposal needs encryption, integrity (or "
                      "prf with GCM) and group: IOS marks it incomplete and does not use it")
    return ike_product(encs, integs, prfs, dhs)


def _profile_for(cfg: _Config, peer: str) -> Node | None:
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


def _ikev1(cfg: _Config, name: str | None, ref: Node, local: str | None, peer: str) -> _Ike:
    ike = _Ike()
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
            lookup(_DH, (pol.args("group") or ("1",))[0], pol, cfg.notes, "DH group")))
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
        if prof.args("initiate", "mode") == ("aggressive",):
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


def _esp(cfg: _Config, sets: Node) -> list[EspProposal]:
    pfs_args = sets.args("set", "pfs")
    pfs = None if pfs_args is None else lookup(
        _DH, (pfs_args[0] if pfs_args else "group1").lower().removeprefix("group"),
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
        if ts.args("mode") == ("transport",):
            cfg.notes.add(ts, "TransportMode", "mode transport: the Tencent gateway uses "
                          "tunnel mode", "warning")
        out += esp_product(encs, integs, pfs)
    return list(dict.fromkeys(out)) or [EspProposal("?", "?", pfs)]


def _lifetimes(cfg: _Config, sets: Node) -> tuple[int, int]:
    def one(unit: str, default: int) -> int:
        own = sets.args("set", "security-association", "lifetime", unit)
        glob = cfg.globals.get(f"lifetime {unit}")
        value = own[0] if own else glob.words[5] if glob else str(default)
        return int(value) if value.isdigit() else default

    return one("seconds", _DEFAULT_LIFE), one("kilobytes", _DEFAULT_KB)


def _tunnel(cfg: _Config, name: str, sets: Node, local: str | None, peer: str, *,
            route_based: bool, selectors: list[TrafficSelector]) -> PeerConfig:
    v2 = sets.args("set", "ikev2-profile")
    v1 = sets.args("set", "isakmp-profile")
    if v2:
        if local is None:
            policy_locals = {m.words[3] for p in cfg.ikev2_policies
                             for m in p.all("match", "address", "local") if len(m.words) > 3}
            local = next(iter(policy_locals)) if len(policy_locals) == 1 else None
        ike = _ikev2(cfg, v2[0], sets, local, peer)
    else:
        ike = _ikev1(cfg, v1[0] if v1 else None, sets, local, peer)
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


def _map_entry(cfg: _Config, entry: Node, gateway_ip: str | None) -> PeerConfig:
    map_name, seq = entry.words[2], entry.words[3]
    peers = [n.words[2] for n in entry.all("set", "peer") if len(n.words) > 2]
    if not peers:
        cfg.notes.add(entry, "IncompleteCryptoMap", "no 'set peer': IOS does not "
                      "negotiate this entry")
    peer = gateway_ip if gateway_ip in peers else peers[0] if peers else ""
    acl = entry.args("match", "address")
    if not acl:
        cfg.notes.add(entry, "IncompleteCryptoMap", "no 'match address ACL': IOS does not "
                      "negotiate this entry: every SPD pair is missing")
    selectors = cfg.selectors(acl[0], entry.first("match", "address") or entry) if acl else []
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


def _vti(cfg: _Config, name: str, iface: Node) -> PeerConfig | None:
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
    cfg = _Config(text)
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

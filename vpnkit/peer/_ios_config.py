"""Cisco IOS / IOS-XE: one running-config indexed by what its tunnels refer to.

:class:`IosConfig` reads the statement tree (:func:`vpnkit.peer._cisco.tree`) once: named
proposals, policies, keyrings, profiles, transform sets, interfaces, ACLs and object groups,
plus the global settings; what matters but is not read is noted in ``general``. It resolves
ACLs to selectors and tells whether a keyring holds a key for an address (never the key).
"""

from __future__ import annotations

from vpnkit.peer._cisco import (
    AclDialect,
    Node,
    Notes,
    acl_operand,
    acl_selectors,
    covers,
    is_ip,
    lowered,
    tree,
)
from vpnkit.peer.model import TrafficSelector

__all__ = ["IosConfig"]

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
#: IOS ACLs: inverse masks; ``ip`` (or ``ipv4``) selects all protocols
_ACL = AclDialect(wildcard=True, protocols=frozenset({"ip", "ipv4"}), compared="permit",
                  reference="object-group")
#: top-level crypto statements that change nothing the check compares
_HARMLESS = ("crypto pki", "crypto key", "crypto ca", "crypto engine", "crypto logging",
             "crypto isakmp nat", "crypto isakmp invalid-spi-recovery",
             "crypto isakmp aggressive-mode", "crypto ipsec df-bit",
             "crypto ipsec fragmentation", "crypto ipsec nat-transparency",
             "crypto ipsec security-association replay", "crypto ipsec client",
             "crypto ipsec optional", "crypto ikev2 nat", "crypto ikev2 cookie-challenge",
             "crypto ikev2 limit", "crypto ikev2 window", "crypto ikev2 fragmentation",
             "crypto ikev2 diagnose", "crypto ikev2 http-url", "crypto call")


class IosConfig:
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
            if len(ip.words) > 3 and is_ip(ip.words[2]) and "secondary" not in lowered(ip.words):
                return ip.words[2]
        return None

    def group(self, name: str, seen: tuple[str, ...] = ()) -> list[str]:
        """The CIDRs of ``object-group network NAME`` (KeyError when it is not defined)."""
        node = self.named["object-group"][name]
        if name in seen:
            raise ValueError(f"object-group {name} contains itself")
        out: list[str] = []
        for c in node.children:
            if c.starts("host"):
                out += acl_operand(c.words, 0, wildcard=False, groups={})[0]
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
        lines: list[tuple[Node, tuple[str, ...]]] = []
        for entry in self.acls[name]:
            words = entry.words[2:] if entry.starts("access-list") else \
                entry.words[1:] if entry.words[0].isdigit() else entry.words
            if not (words and words[0].lower() == "remark"):
                lines.append((entry, words))
        return acl_selectors(self.notes, name, lines, _ACL, _Groups(self))

    def has_key(self, rings: list[Node], peer: str,
                remote_id: tuple[str, str] | None = None) -> bool:
        """True when one of ``rings`` (IKEv1 keyrings / ``crypto isakmp key`` lines, or IKEv2
        keyring peers) holds a key for ``peer``. The key itself is never read.

        An IKEv2 keyring ``peer`` block is found by its ``address`` or by its ``identity``
        (Cisco IOS Security Command Reference, ``crypto ikev2 keyring``: a responder looks
        the peer up by the identity it received): ``identity address A`` / ``identity fqdn
        NAME`` / ``identity fqdn domain D`` are compared with ``remote_id``, the identity the
        profile accepts from the gateway (kind, value; default: its address ``peer``).
        """
        for ring in rings:
            lines = [ring] if ring.starts("crypto", "isakmp", "key") else ring.children
            for line in lines:
                if line.starts("peer"):  # IKEv2: address under the peer, key beside it
                    by = _peer_match(line, peer, remote_id) if line.first(
                        "pre-shared-key") else None
                    if by == "identity":
                        self.notes.add(line, "KeyByIdentityOnly", "this keyring peer has an "
                                       "'identity' and no 'address': IOS finds its key when "
                                       "the gateway starts the negotiation, but looks it up "
                                       f"by address when it starts it itself (add 'address "
                                       f"{peer}')", "warning")
                    if by:
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


def _peer_match(block: Node, peer: str, remote_id: tuple[str, str] | None) -> str | None:
    """How an IKEv2 keyring ``peer`` block is found for this gateway: ``"address"`` (its
    ``address`` covers ``peer``), ``"identity"`` (only its ``identity`` matches), or None."""
    kind, value = remote_id or ("ADDRESS", peer)

    def hits(addr: tuple[str, ...] | None, ip: str) -> bool:
        return addr is not None and len(addr) > 0 and covers(
            addr[0], addr[1] if len(addr) > 1 else None, ip)

    if hits(block.args("address"), peer):
        return "address"
    if kind == "ADDRESS":  # the identity received; not known for 'any': the gateway's IP
        return "identity" if hits(block.args("identity", "address"),
                                  peer if value == "%any" else value) else None
    fqdn = [x.lower().rstrip(".") for x in block.args("identity", "fqdn") or ()]
    if not fqdn or kind != "FQDN":
        return None
    name = value.lower().rstrip(".")
    if value == "%any":  # the profile takes any name in a domain: the name is not known
        return "identity"
    if fqdn[0] == "domain":
        ok = len(fqdn) > 1 and (name == fqdn[1] or name.endswith("." + fqdn[1]))
    else:
        ok = name == fqdn[0]
    return "identity" if ok else None


class _Groups(dict[str, list[str]]):
    """Object groups resolved on first use (KeyError for an undefined one)."""

    def __init__(self, cfg: IosConfig) -> None:
        super().__init__()
        self.cfg = cfg

    def __missing__(self, name: str) -> list[str]:
        if name not in self.cfg.named["object-group"]:
            raise KeyError(name)
        self[name] = self.cfg.group(name)
        return self[name]

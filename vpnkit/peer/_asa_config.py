"""Cisco ASA: one running-config indexed by what its tunnels refer to.

:class:`AsaConfig` reads the statement tree once: IKE policies and the interfaces they are
enabled on, IPsec proposals / transform sets / profiles, crypto map entries (flat lines,
gathered per MAP SEQ), tunnel groups, group policies, interfaces, ACLs, objects and object
groups; what matters but is not read is noted in ``general``. It resolves ACLs to selectors.
"""

from __future__ import annotations

from vpnkit.peer._cisco import AclDialect, Node, Notes, acl_operand, acl_selectors, is_ip, tree
from vpnkit.peer.model import TrafficSelector

__all__ = ["AsaConfig"]

_KNOWN = {
    "ikev2 policy": {"encryption", "integrity", "group", "prf", "lifetime"},
    "ikev1 policy": {"authentication", "encryption", "hash", "group", "lifetime"},
    "ipsec-proposal": {"protocol"},
    "ipsec profile": {"set"},
    "ipsec-attributes": {"ikev1", "ikev2", "isakmp", "peer-id-validate", "chain"},
}
#: ASA ACLs: netmasks; ``ip`` selects all protocols
_ACL = AclDialect(wildcard=False, protocols=frozenset({"ip"}), compared="'extended permit'",
                  reference="object")
_HARMLESS = ("crypto ca", "crypto key", "crypto ikev2 remote-access", "crypto ikev2 cookie",
             "crypto ikev2 limit", "crypto ikev2 fragmentation", "crypto ikev1 am-disable",
             "crypto ipsec df-bit", "crypto ipsec fragmentation", "crypto ipsec ikev2 sa-strength",
             "crypto ipsec security-association replay", "crypto ipsec security-association pmtu",
             "crypto isakmp nat-traversal", "crypto isakmp reload-wait", "crypto isakmp ipsec")


class AsaConfig:
    """One ASA configuration, indexed by what its tunnels refer to."""

    def __init__(self, text: str) -> None:
        self.general = Notes()
        self.notes = Notes()
        self.v2_policies: list[tuple[int, Node]] = []
        self.v1_policies: list[tuple[int, Node]] = []
        self.enabled: dict[str, set[str]] = {"ikev1": set(), "ikev2": set()}
        self.named: dict[str, dict[str, Node]] = {k: {} for k in (
            "ipsec-proposal", "transform-set", "ipsec profile", "interface", "object",
            "object-group", "group-policy")}
        self.maps: dict[tuple[str, str], Node] = {}
        self.map_iface: dict[str, str] = {}
        self.acls: dict[str, list[Node]] = {}
        self.groups: dict[str, dict[str, Node]] = {}
        self.globals: dict[str, Node] = {}
        self.lifetimes: list[Node] = []
        self.hostname = self.domain = ""
        for node in tree(text):
            self._read(node)

    def _children(self, kind: str, node: Node) -> None:
        for child in node.children:
            if child.words[0].lower() not in _KNOWN[kind] and not child.starts("no"):
                self.general.add(child, "UnsupportedStatement", f"vpnkit does not read this "
                                 f"statement under {kind}: what it changes is not compared",
                                 "warning")

    def _read(self, n: Node) -> None:
        w = [x.lower() for x in n.words]
        if n.starts("crypto") and len(w) > 3 and w[1] in ("ikev1", "ikev2") \
                and w[2] == "policy" and w[3].isdigit():
            (self.v2_policies if w[1] == "ikev2" else self.v1_policies).append((int(w[3]), n))
            self._children(f"{w[1]} policy", n)
        elif n.starts("crypto") and len(w) > 3 and w[1] in ("ikev1", "ikev2") \
                and w[2] == "enable":
            self.enabled[w[1]].add(n.words[3])
        elif n.starts("crypto", "ipsec", "ikev2", "ipsec-proposal") and len(w) > 4:
            self.named["ipsec-proposal"][n.words[4]] = n
            self._children("ipsec-proposal", n)
        elif n.starts("crypto", "ipsec", "ikev1", "transform-set") and len(w) > 4:
            self.named["transform-set"][n.words[4]] = n
        elif n.starts("crypto", "ipsec", "profile") and len(w) > 3:
            self.named["ipsec profile"][n.words[3]] = n
            self._children("ipsec profile", n)
        elif n.starts("crypto", "ipsec", "security-association", "lifetime"):
            self.lifetimes.append(n)
        elif n.starts("crypto", "isakmp", "identity") and len(w) > 3:
            self.globals["identity"] = n
        elif n.starts("crypto", "map") and len(w) > 4 and w[3].isdigit():
            entry = self.maps.setdefault((n.words[2], n.words[3]),
                                         Node(tuple(n.words[:4]), n.line))
            entry.children.append(Node(n.words[4:], n.line))
            if w[4] not in ("match", "set"):
                self.general.add(n, "UnsupportedStatement", "vpnkit does not read this "
                                 "crypto map statement: what it changes is not compared",
                                 "warning")
        elif n.starts("crypto", "map") and len(w) > 4 and w[3] == "interface":
            self.map_iface[n.words[2]] = n.words[4]
        elif w[0] == "crypto" and not any(" ".join(w).startswith(h) for h in _HARMLESS):
            self.general.add(n, "UnsupportedStatement", "vpnkit does not read this crypto "
                             "statement: what it changes is not compared", "warning")
        elif n.starts("tunnel-group") and len(w) > 2:
            self.groups.setdefault(n.words[1], {})[w[2]] = n
            if w[2] == "ipsec-attributes":
                self._children("ipsec-attributes", n)
        elif n.starts("group-policy") and len(w) > 2 and w[2] == "attributes":
            self.named["group-policy"][n.words[1]] = n
        elif n.starts("interface") and len(w) > 1:
            self.named["interface"][n.words[1]] = n
        elif n.starts("access-list") and len(w) > 2:
            self.acls.setdefault(n.words[1], []).append(n)
        elif (n.starts("object", "network") or n.starts("object-group", "network")) \
                and len(w) > 2:
            self.named[w[0]][n.words[2]] = n
        elif n.starts("hostname") and len(w) > 1:
            self.hostname = n.words[1]
        elif n.starts("domain-name") and len(w) > 1:
            self.domain = n.words[1]

    # -- addresses and ACLs ------------------------------------------------------------
    def nameif_ip(self, nameif: str) -> str | None:
        """The address of the interface named ``nameif`` (``nameif outside``)."""
        for node in self.named["interface"].values():
            if node.args("nameif") == (nameif,):
                ip = node.args("ip", "address")
                if ip and is_ip(ip[0]):
                    return ip[0]
        return None

    def objects(self, kind: str, name: str, seen: tuple[str, ...] = ()) -> list[str]:
        """The CIDRs of ``object network`` / ``object-group network`` NAME (KeyError)."""
        node = self.named[kind][name]
        if name in seen:
            raise ValueError(f"{kind} {name} contains itself")
        out: list[str] = []
        for c in node.children:
            member = c.starts("network-object")
            body = c.words[1:] if member else c.words
            head = body[0].lower() if body else ""
            if head == "subnet" or (member and body and is_ip(body[0])):
                out += acl_operand(body[1:] if head == "subnet" else body, 0, wildcard=False,
                                   groups={})[0]
            elif head == "host":
                out += acl_operand(body, 0, wildcard=False, groups={})[0]
            elif member and head == "object" and len(body) > 1:
                out += self.objects("object", body[1], (*seen, name))
            elif c.starts("group-object") and len(c.words) > 1:
                out += self.objects("object-group", c.words[1], (*seen, name))
            elif not c.starts("description"):
                raise ValueError(f"{kind} {name}: {c.words[0]} entries are not read")
        return out

    def selectors(self, name: str, ref: Node) -> list[TrafficSelector]:
        """One selector per ``permit ip`` line of ACL ``name`` (source = this side)."""
        if name not in self.acls:
            self.notes.add(ref, "UndefinedReference", f"access list {name} is used here but "
                           "not defined in this file: the ASA never negotiates this entry")
            return []
        lines: list[tuple[Node, tuple[str, ...]]] = []
        for entry in self.acls[name]:
            words = entry.words[2:]
            head = words[0].lower() if words else ""
            if head != "remark":
                lines.append((entry, words[1:] if head == "extended" else words))
        return acl_selectors(self.notes, name, lines, _ACL, _Objects(self))


class _Objects(dict[str, list[str]]):
    """``object`` and ``object-group`` names resolved on first use (KeyError if undefined)."""

    def __init__(self, cfg: AsaConfig) -> None:
        super().__init__()
        self.cfg = cfg

    def __missing__(self, name: str) -> list[str]:
        kind = next((k for k in ("object", "object-group") if name in self.cfg.named[k]), None)
        if kind is None:
            raise KeyError(name)
        self[name] = self.cfg.objects(kind, name)
        return self[name]

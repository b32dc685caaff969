"""What the Cisco IOS-XE and ASA parsers share: the indented block tree, addresses, ACL
entries, a crypto map entry's peer and ACL, vendor words back to Tencent values, and
statements quoted without their key.

A Cisco running-config is a list of statements; a statement indented under another belongs
to it (``crypto ikev2 profile P`` / `` match identity remote ...``). Keywords are matched
case-insensitively, names as written. Nothing here keeps a pre-shared key: :func:`quote` cuts
a statement at the first key word, and the parsers only ever record *that* a key is there.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from vpnkit import options
from vpnkit.peer._parse import reverse
from vpnkit.peer.model import ANY, EspProposal, IkeProposal, Issue, TrafficSelector
from vpnkit.peer.vendors import GCM, VENDORS

__all__ = ["AclConfig", "AclDialect", "Node", "Notes", "acl_operand", "acl_selectors", "covers",
           "esp_product", "ike_product", "is_ip", "lookup", "lowered", "map_peer_and_selectors",
           "quote", "to_cidr", "tree", "value_map"]

#: words after which a statement holds a key (``crypto isakmp key K``, ``pre-shared-key K``,
#: ``ikev2 remote-authentication pre-shared-key K``, ``authentication remote pre-share key K``)
_SECRET_WORDS = frozenset({"key", "pre-shared-key", "password", "secret"})
#: words of a block whose statements may hold a key anywhere
_KEY_BLOCKS = frozenset({"keyring", "ipsec-attributes"})


def lowered(words: Iterable[str] | None) -> tuple[str, ...]:
    """``words`` in lower case (none: empty), to compare keywords in any case."""
    return tuple(w.lower() for w in words or ())


def quote(words: Iterable[str], limit: int = 6) -> str:
    """A statement for a message: at most ``limit`` words, cut after any key word."""
    out: list[str] = []
    for word in words:
        if len(out) == limit:
            out.append("...")
            break
        out.append(word)
        if word.lower() in _SECRET_WORDS:
            out.append("<key not shown>")
            break
    return " ".join(out)


@dataclass
class Node:
    """One statement (its words and line number) and the statements indented under it."""

    words: tuple[str, ...]
    line: int
    children: list[Node] = field(default_factory=list)
    #: inside a block that holds keys (a keyring, a tunnel group's ipsec-attributes): its
    #: statements are quoted by their first word only
    private: bool = False

    def starts(self, *prefix: str) -> bool:
        """True when the first words are ``prefix`` (keywords: any case)."""
        return len(self.words) >= len(prefix) and all(
            w.lower() == p for w, p in zip(self.words, prefix, strict=False))

    def all(self, *prefix: str) -> list[Node]:
        """The children that start with ``prefix``."""
        return [c for c in self.children if c.starts(*prefix)]

    def first(self, *prefix: str) -> Node | None:
        """The first child that starts with ``prefix``."""
        return next(iter(self.all(*prefix)), None)

    def args(self, *prefix: str) -> tuple[str, ...] | None:
        """The words after ``prefix`` of the first child that starts with it."""
        node = self.first(*prefix)
        return None if node is None else node.words[len(prefix):]

    @property
    def where(self) -> str:
        """The statement as an issue path (no key)."""
        return quote(self.words, 1 if self.private else 5)


def tree(text: str) -> list[Node]:
    """The top-level statements of a running-config, each with its indented children.

    ``!`` and ``:`` lines are comments; ``end`` ends the configuration; ``exit`` closes a
    block. Lines are never echoed in an error: one may hold a key.
    """
    root = Node((), 0)
    stack: list[tuple[int, Node]] = [(-1, root)]
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.replace("\t", " ").rstrip()
        body = line.lstrip(" ")
        if not body or body.startswith(("!", ":", "#")):
            continue
        indent = len(line) - len(body)
        words = tuple(body.split())
        if words[0].lower() == "end" and indent == 0:
            break
        if words[0].lower() in ("exit", "exit-address-family"):
            continue
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        node = Node(words, lineno, private=parent.private or any(
            w.lower() in _KEY_BLOCKS for w in parent.words))
        stack[-1][1].children.append(node)
        stack.append((indent, node))
    return root.children


def _ip(text: str) -> int | None:
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts):
        return None
    value = 0
    for p in parts:
        value = value << 8 | int(p)
    return value


def _dotted(value: int) -> str:
    return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def is_ip(text: str) -> bool:
    """True for a dotted IPv4 address."""
    return _ip(text) is not None


def to_cidr(addr: str, mask: str, *, wildcard: bool) -> str:
    """``('198.18.0.0', '0.0.0.255', wildcard=True)`` -> ``'198.18.0.0/24'``.

    ``wildcard``: an IOS ACL's inverse mask; otherwise a netmask (ASA, object groups).
    A mask that is not contiguous has no CIDR: ValueError naming it.
    """
    a, m = _ip(addr), _ip(mask)
    if a is None or m is None:
        raise ValueError(f"not an address and mask: {addr} {mask}")
    netmask = (~m & 0xFFFFFFFF) if wildcard else m
    prefix = bin(netmask).count("1")
    if netmask != (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF:
        raise ValueError(f"the mask {mask} is not contiguous: no CIDR (an SPD range) has it")
    return f"{_dotted(a & netmask)}/{prefix}"


def covers(cidr_or_ip: str, mask: str | None, address: str) -> bool:
    """True when ``address`` is inside ``cidr_or_ip`` [``mask``] (netmask; none: the host)."""
    a, ip = _ip(cidr_or_ip), _ip(address)
    if a is None or ip is None:
        return False
    m = _ip(mask) if mask else 0xFFFFFFFF
    return m is not None and (a & m) == (ip & m)


def acl_operand(words: tuple[str, ...], i: int, *, wildcard: bool,
                groups: Mapping[str, list[str]]) -> tuple[list[str], int]:
    """One source/destination of an ACL entry from ``words[i]``: its CIDRs, and the next i.

    ``any`` / ``any4``, ``host A``, ``A MASK``, ``object N`` / ``object-group N`` (from
    ``groups``). KeyError for an undefined object, ValueError for what is not an operand.
    """
    if i >= len(words):
        raise ValueError("the entry ends before its source or destination")
    w = words[i].lower()
    if w in ("any", "any4"):
        return [ANY], i + 1
    if w == "host" and i + 1 < len(words):
        if not is_ip(words[i + 1]):
            raise ValueError(f"host {words[i + 1]}: not an IPv4 address")
        return [f"{words[i + 1]}/32"], i + 2
    if w in ("object", "object-group", "addrgroup") and i + 1 < len(words):
        return list(groups[words[i + 1]]), i + 2
    if i + 1 < len(words) and is_ip(words[i]) and is_ip(words[i + 1]):
        return [to_cidr(words[i], words[i + 1], wildcard=wildcard)], i + 2
    raise ValueError(f"{words[i]}: not any, host A, A MASK or object(-group) NAME")


class Notes:
    """Issues found while reading; one list per configuration, shared by its tunnels."""

    def __init__(self) -> None:
        self.found: list[Issue] = []

    def add(self, node: Node | None, code: str, message: str,
            severity: str = "error") -> None:
        """Record an issue at ``node``'s statement (the message says the line number)."""
        where = node.where if node else "configuration"
        at = f" (line {node.line})" if node else ""
        issue = Issue(where, code, message + at, "warning" if severity == "warning" else "error")
        if issue not in self.found:
            self.found.append(issue)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.found)


@dataclass(frozen=True)
class AclDialect:
    """Where one vendor's ACL entries differ: masks, protocol words, and how messages say it."""

    #: IOS writes inverse (wildcard) masks, the ASA netmasks
    wildcard: bool
    #: the protocol words that select all traffic (as the Tencent gateway proposes)
    protocols: frozenset[str]
    #: the lines compared, as the message names them: ``permit``, ``'extended permit'``
    compared: str
    #: what an undefined name in an operand is: ``object-group``, ``object``
    reference: str


def acl_selectors(notes: Notes, name: str, lines: Iterable[tuple[Node, tuple[str, ...]]],
                  dialect: AclDialect, groups: Mapping[str, list[str]]
                  ) -> list[TrafficSelector]:
    """One selector per ``permit ip SRC DST`` line of ACL ``name`` (source = this side).

    ``lines``: each entry's node and its words from the action on (the vendor strips the ACL
    name, sequence number or ``extended``, and leaves out remarks). Any other line is an
    issue in ``notes``: a deny line, a protocol other than all, an operand not read.
    """
    out: list[TrafficSelector] = []
    for entry, words in lines:
        action = words[0].lower() if words else ""
        if action != "permit" or len(words) < 4:
            notes.add(entry, "DenyEntry" if action == "deny" else "UnreadableAclEntry",
                      f"ACL {name}: only {dialect.compared} lines are compared; this one is "
                      "not, and it changes which traffic is protected", "warning")
            continue
        if words[1].lower() not in dialect.protocols:
            notes.add(entry, "ProtocolSelector", f"ACL {name}: a {words[1]} selector "
                      "narrows the SA to one protocol; the Tencent gateway proposes "
                      "all protocols: TS_UNACCEPTABLE / no matching proxy identity")
            continue
        try:
            src, i = acl_operand(words, 2, wildcard=dialect.wildcard, groups=groups)
            dst, _ = acl_operand(words, i, wildcard=dialect.wildcard, groups=groups)
        except KeyError as exc:
            notes.add(entry, "UndefinedReference", f"ACL {name} uses {dialect.reference} "
                      f"{exc.args[0]}, which is not defined in this file")
            continue
        except ValueError as exc:
            notes.add(entry, "UnreadableAclEntry", f"ACL {name}: {exc}")
            continue
        out += [TrafficSelector(s, d) for s in src for d in dst]
    return out


class AclConfig(Protocol):
    """A parsed configuration that resolves its ACLs (IosConfig, AsaConfig)."""

    notes: Notes

    def selectors(self, name: str, ref: Node) -> list[TrafficSelector]:
        """One selector per permit line of ACL ``name``; ``ref`` uses it."""
        ...


def map_peer_and_selectors(cfg: AclConfig, entry: Node, peers: list[str],
                           gateway_ip: str | None, device: str
                           ) -> tuple[str, list[TrafficSelector]]:
    """A crypto map entry's peer and its ``match address`` ACL's selectors.

    The peer is ``gateway_ip`` when ``peers`` (its ``set peer`` addresses) lists it, else the
    first. No peer, or no ACL, is an issue: ``device`` (``IOS``, ``the ASA``) does not
    negotiate the entry.
    """
    if not peers:
        cfg.notes.add(entry, "IncompleteCryptoMap", f"no 'set peer': {device} does not "
                      "negotiate this entry")
    peer = gateway_ip if gateway_ip in peers else peers[0] if peers else ""
    acl = entry.args("match", "address")
    if not acl:
        cfg.notes.add(entry, "IncompleteCryptoMap", f"no 'match address ACL': {device} does "
                      "not negotiate this entry: every SPD pair is missing")
    selectors = cfg.selectors(acl[0], entry.first("match", "address") or entry) if acl else []
    return peer, selectors


def value_map(vendor: str, kind: str, aliases: Mapping[str, str] | None = None
              ) -> dict[str, str]:
    """Vendor token -> Tencent value for ``kind`` (ike_encryption, ike_integrity, dh, ...)."""
    v = VENDORS[vendor]
    allowed: tuple[object, ...] = ()
    if kind in ("ike_integrity", "prf", "ike1_integrity"):
        allowed = options.get("ike", "authentication_algorithm").choices
    elif kind in ("esp_integrity", "esp1_integrity"):
        allowed = options.get("ipsec", "integrity_algorithm").choices
    table = getattr(v, kind) or {}
    return reverse(table, aliases, allowed)


def lookup(table: Mapping[str, str], token: str, node: Node, notes: Notes, what: str
           ) -> str:
    """The Tencent value of ``token``; an unknown one is an issue and comes back as ``?tok``."""
    key = token.lower()
    if key in table:
        return table[key]
    notes.add(node, "UnsupportedAlgorithm",
              f"{what} {token!r} has no Tencent equivalent (or is not read by vpnkit): "
              "the gateway never proposes it", "warning")
    return f"?{token}"


def ike_product(encs: list[str], integs: list[str], prfs: list[str], dhs: list[str]
                ) -> list[IkeProposal]:
    """Every (encryption, integrity, DH) a proposal accepts; GCM takes the PRF as integrity
    (the way the tunnel states a GCM IKE proposal)."""
    out: list[IkeProposal] = []
    for enc in encs or ["?"]:
        ints = (prfs or integs) if enc in GCM else (integs or prfs)
        out += [IkeProposal(enc, i, d) for i, d in itertools.product(ints or ["?"], dhs or ["?"])]
    return out


def esp_product(encs: list[str], integs: list[str], pfs: str | None) -> list[EspProposal]:
    """Every (encryption, integrity) one transform set / proposal accepts, with ``pfs``."""
    out: list[EspProposal] = []
    for enc in encs or ["?"]:
        ints = [""] if enc in GCM else (integs or [""])
        out += [EspProposal(enc, i, pfs) for i in ints]
    return out

"""Compare a peer's own configuration with the tunnel: one :class:`Mismatch` per difference.

``expected`` is the tunnel's IDC side (:func:`~vpnkit.peer.model.from_connection`), ``actual``
the parsed peer file (one :class:`PeerConfig` per connection/conn; the ones facing the VPN
gateway are compared, their selectors united). Sets are compared as sets (the order of SPD
pairs or proposals carries no meaning), field by field, as complies / missing / extra /
changed (DESIGN.md rule 12). Each mismatch says which phase fails and what the daemons log
(batfish-style named reasons, rule 14).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from vpnkit.models import VpnConnection
from vpnkit.peer.model import PeerConfig, from_connection
from vpnkit.peer.vendors import GCM

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PARSERS", "CheckReport", "Mismatch", "check", "detect", "parse"]

Kind = Literal["changed", "missing", "extra", "not-mirrored", "unsupported", "undefined"]

#: the vendors :func:`parse` reads (``--vendor`` of ``vpnkit peer-check``)
PARSERS = ("strongswan", "libreswan", "cisco-ios", "cisco-asa")
#: parser notes the check turns into its own mismatches (the others are reported as they are)
_CHECKED_NOTES = frozenset({"AnyIkeVersion", "CombinedSelectors"})


@dataclass(frozen=True)
class Mismatch:
    """One difference: the field, the tunnel's and the peer's value, and what it breaks."""

    field: str
    kind: Kind
    tunnel: str
    peer: str
    phase: str
    symptom: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return (f"{self.field}: tunnel {self.tunnel}, peer {self.peer} ({self.kind}) -> "
                f"{self.phase}: {self.symptom}")


@dataclass(frozen=True)
class CheckReport:
    """The mismatches of one peer configuration against one tunnel."""

    tunnel: str
    peer: str
    mismatches: tuple[Mismatch, ...]
    #: the fields compared that agree (napalm-style "complies")
    complies: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing would stop the tunnel coming up (warnings allowed)."""
        return not any(m.severity == "error" for m in self.mismatches)

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per mismatch (for JSON/CSV)."""
        return [asdict(m) for m in self.mismatches]

    def frame(self) -> pd.DataFrame:
        """The mismatches as a DataFrame (pandas is imported here, not by ``vpnkit.peer``)."""
        import pandas as pd

        cols = ["field", "kind", "tunnel", "peer", "phase", "symptom", "severity"]
        return pd.DataFrame(self.rows(), columns=cols)


P1 = "phase 1 (IKE SA) fails"
P2 = "phase 1 up, phase 2 down"


def _ike_set(cfgs: Iterable[PeerConfig]) -> set[tuple[str, str, str]]:
    return {(p.encryption, p.integrity, p.dh_group) for c in cfgs for p in c.ike_accepts()}


def _esp_key(enc: str, integ: str, pfs: str | None) -> tuple[str, str, str]:
    return enc, "" if enc in GCM else integ, pfs or "none"


def _fmt(values: Iterable[object]) -> str:
    return ", ".join(sorted({str(v) for v in values})) or "(none)"


class _Diff:
    def __init__(self) -> None:
        self.found: list[Mismatch] = []

    def add(self, field: str, kind: Kind, tunnel: object, peer: object, phase: str,
            symptom: str, severity: Literal["error", "warning"] = "error") -> None:
        m = Mismatch(field, kind, str(tunnel), str(peer), phase, symptom, severity)
        if m not in self.found:
            self.found.append(m)


def _phase1(d: _Diff, want: PeerConfig, peers: Sequence[PeerConfig]) -> None:
    v1 = want.ike_version == "IKEV1"
    for p in peers:
        either = any(n.code == "AnyIkeVersion" for n in p.notes)
        if either and v1:
            d.add("ike_options.version", "changed", want.ike_version, "either (starts IKEv2)",
                  "phase 1 fails when the peer starts",
                  "the peer answers IKEv1 but starts with IKEv2, which the gateway does not "
                  "answer: make the peer speak IKEv1 only (swanctl: version = 1)", "warning")
        elif p.ike_version != want.ike_version and not either:
            d.add("ike_options.version", "changed", want.ike_version, p.ike_version, P1,
                  "the two sides speak different IKE versions: no answer to the first "
                  "message, or INVALID_MAJOR_VERSION / NO_PROPOSAL_CHOSEN")
        if v1 and (either or p.ike_version == "IKEV1") \
                and p.exchange_mode != want.exchange_mode:
            d.add("ike_options.exchange_mode", "changed", want.exchange_mode, p.exchange_mode,
                  P1, "main vs aggressive mode: the responder finds no matching config "
                  "(NO_PROPOSAL_CHOSEN / 'no IKE config found')")
        if p.remote.address not in (want.remote.address, "%any", "0.0.0.0"):
            d.add("remote address", "changed", want.remote.address, p.remote.address, P1,
                  "the peer talks to another gateway address: 'no IKE config found' for "
                  "the gateway's packets, no answer to ours")
        for side, w, a, owner in (("local", want.local, p.local, "IDC"),
                                  ("remote", want.remote, p.remote, "Tencent")):
            if a.id_value in ("%any", "") and side == "remote":
                continue  # the peer accepts any identity from the gateway
            if not a.id_value and a.id_kind == w.id_kind:
                continue  # not in the file (e.g. the router's hostname): the parser says so
            if (w.id_kind, w.id_value) != (a.id_kind, a.id_value):
                field = ("ike_options.remote_identity" if side == "local"
                         else "ike_options.local_identity")
                d.add(field, "changed", f"{w.id_kind} {w.id_value}",
                      f"{a.id_kind} {a.id_value}", P1,
                      f"the {owner} side's identity differs: the responder finds no "
                      "matching peer config / pre-shared key: AUTHENTICATION_FAILED")
        if (want.ike_lifetime != p.ike_lifetime):
            d.add("ike_options.sa_lifetime_seconds", "changed", want.ike_lifetime,
                  p.ike_lifetime, "rekey",
                  "both come up; the IKE SA is rekeyed at different times (IKEv1 responders "
                  "may refuse a longer proposed lifetime: NO_PROPOSAL_CHOSEN)", "warning")
    if want.remote.initiation == "none" and all(p.local.initiation == "none" for p in peers):
        d.add("negotiation_type", "changed", "passive (the gateway only answers)",
              "only answers (start_action none / auto=add)", "phase 1 never starts",
              "neither side starts IKE: no log at all on either side; start the tunnel from "
              "the peer (start_action = start or trap, auto=start or route)")
    want_ike = (want.ike.encryption, want.ike.integrity, want.ike.dh_group)
    offered = _ike_set(peers)
    if want_ike not in offered:
        for i, name in enumerate(("encryption_algorithm", "authentication_algorithm",
                                  "dh_group")):
            values = {o[i] for o in offered}
            if want_ike[i] not in values:
                d.add(f"ike_options.{name}", "changed", want_ike[i], _fmt(values), P1,
                      "no common IKE proposal: NO_PROPOSAL_CHOSEN"
                      + (" (a DH group mismatch alone: INVALID_KE_PAYLOAD first)"
                         if name == "dh_group" and not v1 else ""))
        if all(want_ike[i] in {o[i] for o in offered} for i in range(3)):
            d.add("ike_options", "changed", "-".join(want_ike), _fmt("-".join(o) for o in offered),
                  P1, "each algorithm is offered, but not in one proposal: NO_PROPOSAL_CHOSEN")


def _phase2(d: _Diff, want: PeerConfig, peers: Sequence[PeerConfig]) -> None:
    v1 = want.ike_version == "IKEV1"
    w = _esp_key(want.esp.encryption, want.esp.integrity, want.esp.pfs_group)
    wire_pfs = {"none": "NULL"}
    offered = {_esp_key(e.encryption, e.integrity, e.pfs_group)
               for p in peers for e in p.esp_accepts()}
    if w not in offered:
        if w[0] not in {o[0] for o in offered}:
            d.add("ipsec_options.encryption_algorithm", "changed", w[0],
                  _fmt(o[0] for o in offered), P2, "no common ESP proposal: NO_PROPOSAL_CHOSEN")
        if w[0] not in GCM and w[1] not in {o[1] for o in offered}:
            d.add("ipsec_options.integrity_algorithm", "changed", w[1],
                  _fmt(o[1] or "(AEAD)" for o in offered), P2,
                  "no common ESP proposal: NO_PROPOSAL_CHOSEN")
        pfs = {o[2] for o in offered}
        if w[2] not in pfs:
            one_side = (w[2] == "none") != ("none" in pfs)
            when = (P2 if v1 else
                    "phase 1 and the first phase 2 up (IKE_AUTH carries no DH), then "
                    "phase 2 down at the first rekey")
            d.add("ipsec_options.pfs_dh_group", "changed", wire_pfs.get(w[2], f"DH-{w[2]}"),
                  _fmt(wire_pfs.get(g, f"DH-{g}") for g in pfs), when,
                  ("PFS on one side only" if one_side else "different PFS groups")
                  + ": NO_PROPOSAL_CHOSEN" + ("" if v1 else " (or INVALID_KE_PAYLOAD)"))
    for p in peers:
        if p.ipsec_lifetime != want.ipsec_lifetime:
            d.add("ipsec_options.sa_lifetime_seconds", "changed", want.ipsec_lifetime,
                  p.ipsec_lifetime, "rekey",
                  "both come up; the IPsec SAs rekey at different times (IKEv1 responders may "
                  "refuse a longer proposed lifetime)", "warning")
        if p.ipsec_lifetime_kb and p.ipsec_lifetime_kb != want.ipsec_lifetime_kb:
            d.add("ipsec_options.sa_lifetime_traffic", "changed", want.ipsec_lifetime_kb,
                  p.ipsec_lifetime_kb, "rekey",
                  "both come up; volume rekeys happen at different points", "warning")
        if p.dpd.enabled != want.dpd.enabled:
            d.add("dpd_enable", "changed", int(want.dpd.enabled), int(p.dpd.enabled),
                  "after a failure", "DPD on one side only: a dead peer is noticed by one "
                  "side only; the other keeps stale SAs (phase 1 up, phase 2 down) until "
                  "its lifetime ends", "warning")
        elif want.dpd.enabled and p.dpd.action != want.dpd.action:
            d.add("dpd_action", "changed", want.dpd.action, p.dpd.action, "after a failure",
                  "the two sides react differently to a dead peer (one renegotiates, the "
                  "other waits for traffic)", "warning")
        elif want.dpd.enabled and v1 and p.dpd.timeout != want.dpd.timeout:
            d.add("dpd_timeout", "changed", want.dpd.timeout, p.dpd.timeout,
                  "after a failure", "the sides declare the peer dead at different times",
                  "warning")


def _notes(d: _Diff, peers: Sequence[PeerConfig]) -> None:
    """What the parser found in the file itself: a statement it cannot read or compare, a
    name used but not defined (an ACL, a profile, a keyring), a missing key."""
    for note in (n for p in peers for n in p.notes if n.code not in _CHECKED_NOTES):
        d.add(note.path, "undefined" if note.code == "UndefinedReference" else "unsupported",
              "(not compared)", note.code, "the peer's own configuration", note.message,
              note.severity)


def _selectors(d: _Diff, want: PeerConfig, peers: Sequence[PeerConfig]) -> None:
    for note in (n for p in peers for n in p.notes if n.code == "CombinedSelectors"):
        d.add("security_policy_databases", "changed", "one SA per SPD pair", note.path,
              "phase 2 partly down", note.message, "warning")
    expected = want.selector_set()
    actual = frozenset().union(*(p.selector_set() for p in peers))
    def tencent(idc: str, vpc: str) -> str:
        return f"VPC {vpc} <-> IDC {idc}"

    def peer(local: str, remote: str) -> str:
        return f"local {local} <-> remote {remote}"

    for local, remote in sorted(expected - actual):
        if (remote, local) in actual:
            continue
        d.add("security_policy_databases", "missing", tencent(local, remote), "(none)", P2,
              "this SPD pair is never negotiated by the peer; when the gateway proposes it: "
              "TS_UNACCEPTABLE (IKEv1: 'no matching CHILD_SA config' / INVALID_ID_INFORMATION)")
    for local, remote in sorted(actual - expected):
        if (remote, local) in expected:
            d.add("security_policy_databases", "not-mirrored", tencent(remote, local),
                  peer(local, remote), P2,
                  "the peer's local and remote ranges are swapped: TS_UNACCEPTABLE")
        else:
            d.add("security_policy_databases", "extra", "(none)", peer(local, remote), P2,
                  "the gateway has no such SPD pair: TS_UNACCEPTABLE for this child")


def check(expected: VpnConnection | PeerConfig, actual: str | Sequence[PeerConfig], *,
          gateway_ip: str | None = None, customer_ip: str | None = None,
          vendor: str | None = None) -> CheckReport:
    """Every difference between the tunnel's IDC side and the peer's configuration.

    ``expected``: the tunnel (then ``gateway_ip`` and ``customer_ip`` are needed, as for
    :func:`~vpnkit.peer.render`) or its :class:`PeerConfig`. ``actual``: the text of a
    swanctl.conf, a Libreswan ipsec.conf, a Cisco IOS / IOS-XE or ASA running-config (told
    apart by :func:`detect`, or named by ``vendor``, one of :data:`PARSERS`), or parsed
    :class:`PeerConfig` s. What the parser could not read, or found undefined, is reported
    as ``unsupported`` / ``undefined`` mismatches.
    """
    if not isinstance(expected, PeerConfig):
        if not gateway_ip or not customer_ip:
            raise ValueError("gateway_ip and customer_ip are required with a tunnel")
        expected = from_connection(expected, gateway_ip=gateway_ip, customer_ip=customer_ip)
    if isinstance(actual, str):
        actual = parse(actual, gateway_ip=expected.remote.address, vendor=vendor)
    if not actual:
        raise ValueError("the peer configuration holds no connection")
    facing = [p for p in actual if p.remote.address == expected.remote.address] or list(actual)
    d = _Diff()
    _phase1(d, expected, facing)
    _phase2(d, expected, facing)
    _selectors(d, expected, facing)
    _notes(d, facing)
    compared = ["ike_options.version", "remote address", "ike_options.local_identity",
                "ike_options.remote_identity", "ike_options.encryption_algorithm",
                "ike_options.authentication_algorithm", "ike_options.dh_group",
                "ike_options.sa_lifetime_seconds", "ipsec_options.encryption_algorithm",
                "ipsec_options.integrity_algorithm", "ipsec_options.pfs_dh_group",
                "ipsec_options.sa_lifetime_seconds", "ipsec_options.sa_lifetime_traffic",
                "dpd_enable", "negotiation_type", "security_policy_databases"]
    if expected.ike_version == "IKEV1":
        compared.append("ike_options.exchange_mode")
    if expected.dpd.enabled:
        compared += ["dpd_action"] + (["dpd_timeout"] if expected.ike_version == "IKEV1" else [])
    differ = {m.field for m in d.found} | ({"ike_options.encryption_algorithm",
                                             "ike_options.authentication_algorithm",
                                             "ike_options.dh_group"}
                                            if any(m.field == "ike_options" for m in d.found)
                                            else set())
    return CheckReport(expected.name, ", ".join(p.name for p in facing), tuple(d.found),
                       tuple(f for f in compared if f not in differ))


def detect(text: str) -> str | None:
    """Which of :data:`PARSERS` wrote ``text`` (by its syntax), or None."""
    top = [line.split() for line in text.splitlines() if line[:1].isalpha()]
    top = [[w.lower() for w in words] for words in top]
    asa = any(w[0] == "tunnel-group" or w[:2] == ["crypto", "ikev1"]
              or w[:3] in (["crypto", "ipsec", "ikev1"], ["crypto", "ipsec", "ikev2"])
              or (w[:2] == ["crypto", "map"] and len(w) > 4 and w[3].isdigit()
                  and w[4] in ("match", "set"))
              or (w[0] == "access-list" and len(w) > 2 and w[2] == "extended")
              for w in top)
    if asa:
        return "cisco-asa"
    if any(w[0] == "crypto" for w in top):
        return "cisco-ios"
    if "connections" in text and "{" in text:
        return "strongswan"
    if any(line.startswith("conn ") for line in text.splitlines()):
        return "libreswan"
    return None


def parse(text: str, *, gateway_ip: str | None = None, vendor: str | None = None
          ) -> list[PeerConfig]:
    """A peer's configuration -> PeerConfigs: ``vendor`` (one of :data:`PARSERS`) or, when
    None, the one :func:`detect` recognises (swanctl.conf, Libreswan ipsec.conf, Cisco IOS /
    IOS-XE, Cisco ASA)."""
    from vpnkit.peer.parse_cisco_asa import parse_cisco_asa
    from vpnkit.peer.parse_cisco_ios import parse_cisco_ios
    from vpnkit.peer.parse_libreswan import parse_libreswan
    from vpnkit.peer.parse_swanctl import parse_swanctl

    if vendor is not None and vendor not in PARSERS:
        raise ValueError(f"vendor must be one of {', '.join(PARSERS)}; got {vendor!r}")
    found = vendor or detect(text)
    if found == "strongswan":
        return parse_swanctl(text)
    if found == "libreswan":
        return parse_libreswan(text, gateway_ip)
    if found == "cisco-ios":
        return parse_cisco_ios(text, gateway_ip)
    if found == "cisco-asa":
        return parse_cisco_asa(text, gateway_ip)
    raise ValueError("not a strongSwan swanctl.conf (connections { ... }), a Libreswan "
                     "ipsec.conf (conn NAME sections), nor a Cisco IOS / ASA running-config "
                     "(crypto ... statements)")

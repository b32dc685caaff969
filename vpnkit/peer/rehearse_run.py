"""The rehearsal's engine: load both sides, negotiate pair by pair, rekey, send traffic.

Input is a :class:`Setup` (both ``swanctl.conf`` texts, the SPD pairs, who initiates); output
a :class:`~vpnkit.peer.rehearse_result.RehearsalResult`. Initiation is explicit and per pair
(``swanctl --initiate`` from the initiating side, each attempt's log lines kept apart), so a
failing pair gets its own reason; a phase 1 failure ends the attempts (every pair shares it).
IKEv2 negotiates the first CHILD_SA inside IKE_AUTH without a key exchange, so PFS on one side
only shows at its first rekey (RFC 7296 §1.3.1 / §2.8): the rehearsal forces that rekey.
Traffic is a UDP echo from one IDC-range address to one VPC-range address per pair
(:mod:`vpnkit.peer.rehearse_probe`). A route-based ``Setup`` (``route_based``) has one row per
(VPC range, destination route) and its own traffic check (:mod:`vpnkit.peer.rehearse_routes`).
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vpnkit.peer.netns import Lab, Side
from vpnkit.peer.rehearse_probe import ECHOED, probe
from vpnkit.peer.rehearse_reasons import Diagnosis, Status, diagnose
from vpnkit.peer.rehearse_result import PairResult, RehearsalResult

__all__ = ["Child", "Setup", "carried_by_sa", "missing_sas", "parse_conns", "parse_sas", "run"]

_COUNTER = re.compile(r"^(in|out)\s+[0-9a-f]+(?:_i|_o)?(?:\s*\([^)]*\))?,\s+(\d+) bytes")
_ESTABLISHED = re.compile(r"IKE_SA \S+ established between|state change: CONNECTING => "
                          r"ESTABLISHED")


@dataclass(frozen=True)
class Setup:
    """What to rehearse: both sides' ``swanctl.conf`` texts, the SPD pairs, the initiator.

    ``pairs`` are (VPC-side CIDR, IDC-side CIDR) as the tunnel declares them. The texts hold
    the pre-shared key and are never shown.
    """

    tencent_conf: str = field(repr=False)
    idc_conf: str = field(repr=False)
    pairs: tuple[tuple[str, str], ...]
    initiator: str = "tencent"  # or "idc"
    tencent_ip: str = "203.0.113.1"
    idc_ip: str = "203.0.113.2"
    ike_version: str = "IKEV2"
    vpn_connection_id: str = ""
    notes: tuple[str, ...] = ()
    #: IDC children that never start (start_action none) while the Tencent side only answers
    idc_never_starts: frozenset[str] = frozenset()
    #: route-based: ``pairs`` are (VPC range, destination route); each side routes the other
    #: side's ranges into its libipsec TUN device (:mod:`vpnkit.peer.rehearse_routes`)
    route_based: bool = False
    #: route-based: indices of ``pairs`` whose gateway route is disabled (never routed)
    disabled: frozenset[int] = frozenset()
    #: route-based: a host address (/32) on the IDC side that no route covers
    control: str = ""


# -- parsing swanctl's listings ----------------------------------------------------------------
@dataclass(frozen=True)
class Child:
    """One child as swanctl lists it: a configured one (``--list-conns``: its connection,
    name and traffic selectors) or an SA (``--list-sas``: also its state and ESP bytes)."""

    conn: str
    name: str
    local_ts: frozenset[str]
    remote_ts: frozenset[str]
    state: str = ""
    bytes_in: int = 0
    bytes_out: int = 0


def _net(text: str) -> str:
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        return text


def parse_conns(text: str) -> list[Child]:
    """Children of ``swanctl --list-conns`` (connection, name, local and remote TS)."""
    out: list[Child] = []
    conn, child, ts = "", "", {"local": "", "remote": ""}

    def flush() -> None:
        if conn and child:
            out.append(Child(conn, child, frozenset(map(_net, ts["local"].split())),
                              frozenset(map(_net, ts["remote"].split()))))

    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        if indent == 0 and re.match(r"^\S+: IKEv", body):
            flush()
            conn, child, ts = body.split(":")[0], "", {"local": "", "remote": ""}
        elif indent == 2 and re.match(r"^\S+: (TUNNEL|TRANSPORT|PASS|DROP)", body):
            flush()
            child, ts = body.split(":")[0], {"local": "", "remote": ""}
        elif indent == 4 and child and body.startswith(("local:", "remote:")):
            key, _, value = body.partition(":")
            ts[key] = value
    flush()
    return out


def parse_sas(text: str) -> list[Child]:
    """Child SAs of ``swanctl --list-sas`` with their state and traffic selectors."""
    out: list[Child] = []
    conn = ""
    cur: dict[str, Any] | None = None

    def flush() -> None:
        if cur is not None:
            out.append(Child(conn, cur["name"], frozenset(cur["local"]),
                              frozenset(cur["remote"]), cur["state"], cur["in"], cur["out"]))

    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        m = re.match(r"^(\S+): #\d+, (?:reqid \d+, )?(\w+),", body)
        if indent == 0 and m:
            flush()
            cur, conn = None, m.group(1)
        elif indent == 2 and m:
            flush()
            cur = {"name": m.group(1), "state": m.group(2), "local": [], "remote": [],
                   "in": 0, "out": 0}
        elif indent == 4 and cur is not None and body.startswith(("local ", "remote ")):
            key, _, value = body.partition(" ")
            cur[key].extend(_net(v) for v in value.split())
        elif indent == 4 and cur is not None and (c := _COUNTER.match(body)):
            cur[c.group(1)] = int(c.group(2))
    flush()
    return out


# -- the run ----------------------------------------------------------------------------------
def _traffic(lab: Lab, flows: list[tuple[str, str]], attempts: int = 8) -> list[bool]:
    """UDP echo from the IDC address to the VPC address of each (idc, vpc) flow, in parallel."""
    return [s == ECHOED for s in probe(lab, flows, client=lab.idc, server=lab.tencent,
                                       attempts=attempts)]


def _within(cidr: str, selectors: frozenset[str]) -> bool:
    """``cidr`` lies inside one of ``selectors`` (a peer may propose a wider range)."""
    try:
        net = ipaddress.ip_network(cidr, strict=False)
        nets = (ipaddress.ip_network(ts, strict=False) for ts in selectors)
        return any(n.version == net.version and net.subnet_of(n)  # type: ignore[arg-type]
                   for n in nets)
    except ValueError:
        return cidr in selectors


def _covers(child: Child, local: str, remote: str, *, mirrored: bool) -> bool:
    """The child's selectors hold the pair (VPC ``local``, IDC ``remote``), seen from its side."""
    mine, theirs = (remote, local) if mirrored else (local, remote)
    return _within(mine, child.local_ts) and _within(theirs, child.remote_ts)


def carried_by_sa(sas: Sequence[Child], local: str, remote: str) -> bool:
    """A child SA of the pair (VPC ``local``, IDC ``remote``, listed by the Tencent side)
    whose ESP counters moved both ways: traffic crossed the pair's own SA."""
    return any(c.bytes_in and c.bytes_out and _covers(c, local, remote, mirrored=False)
               for c in sas)


def _wait_rekey(side: Side, mark: int, name: str, timeout: float) -> str:
    """Wait (bounded) until the initiator's log shows the rekey of ``name`` end; its log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = side.log(mark)
        if "rekeying failed" in text or re.search(rf"closing CHILD_SA {re.escape(name)}\{{",
                                                    text):
            return text
        time.sleep(0.05)
    return side.log(mark)


def _config_error(setup: Setup, err: Exception, started: float) -> RehearsalResult:
    d = Diagnosis(Status.CONFIG_ERROR, "CONFIG_NOT_LOADED", str(err)[:300])
    return _result(setup, {i: d for i in range(len(setup.pairs))}, started)


def _result(setup: Setup, outcome: dict[int, Diagnosis], started: float,
            notes: Sequence[str] = ()) -> RehearsalResult:
    pairs = tuple(
        PairResult(i + 1, local, remote, d.status, d.reason, d.detail, d.evidence)
        for i, (local, remote) in enumerate(setup.pairs)
        for d in [outcome.get(i, Diagnosis(Status.UP, "", ""))])
    return RehearsalResult(setup.vpn_connection_id, pairs, setup.initiator, setup.ike_version,
                           time.monotonic() - started, (*setup.notes, *notes),
                           route_based=setup.route_based)


def run(setup: Setup, *, timeout: float = 5.0) -> RehearsalResult:
    """Run the rehearsal ``setup`` describes in a fresh lab and report every pair."""
    started = time.monotonic()
    tencent_ranges = [local for local, _ in setup.pairs]
    idc_ranges = [remote for _, remote in setup.pairs]
    routes = None
    if setup.route_based:
        routes = {"tencent": [r for i, (_, r) in enumerate(setup.pairs)
                              if i not in setup.disabled], "idc": tencent_ranges}
        idc_ranges += [setup.control] if setup.control else []
    with Lab(tencent_ranges, idc_ranges, tencent_ip=setup.tencent_ip,
             idc_ip=setup.idc_ip, routes=routes) as lab:
        for side, text in ((lab.tencent, setup.tencent_conf), (lab.idc, setup.idc_conf)):
            try:
                side.load(text)
            except RuntimeError as err:
                return _config_error(setup, err, started)
        return _negotiate(lab, setup, started, timeout)


def _negotiate(lab: Lab, setup: Setup, started: float, timeout: float) -> RehearsalResult:
    init = lab.tencent if setup.initiator == "tencent" else lab.idc
    mirrored = init is lab.idc
    children = parse_conns(init.swanctl("--list-conns")[1])
    outcome: dict[int, Diagnosis] = {}
    if setup.route_based:
        from vpnkit.peer.rehearse_routes import disabled_outcome

        outcome.update(disabled_outcome(setup))
    notes: list[str] = []
    covered: set[int] = set()
    by: dict[int, Child] = {}  # pair -> the initiator's child that covers it
    ike_up, ike_failure, auth_child = False, None, None
    for child in children:
        mine = {i for i, (lo, re_) in enumerate(setup.pairs)
                if _covers(child, lo, re_, mirrored=mirrored)}
        if not mine:
            notes.append(f"the {init.name} side's child {child.name} matches no SPD pair; "
                         "not initiated")
            continue
        covered |= mine
        by.update({i: child for i in mine})
        if mirrored and child.name in setup.idc_never_starts:
            outcome.update({i: Diagnosis(
                Status.IPSEC_PHASE2_FAILED, "NOT_INITIATED",
                f"the tunnel is passive (Tencent only answers) and the IDC side's {child.name} "
                "has start_action none, so nobody starts it") for i in mine if i not in outcome})
            continue
        if ike_failure is not None:
            outcome.update({i: ike_failure for i in mine if i not in outcome})
            continue
        marks = (lab.tencent.log_size(), lab.idc.log_size())
        code, out = init.swanctl("--initiate", "--ike", child.conn, "--child", child.name,
                                 "--timeout", f"{timeout:g}", timeout=timeout + 3)
        logs = {"tencent": lab.tencent.log(marks[0]), "idc": lab.idc.log(marks[1])}
        came_up = not ike_up and bool(_ESTABLISHED.search(logs[init.name]))
        if code == 0:
            if came_up and setup.ike_version.upper() == "IKEV2":
                auth_child = child
            ike_up = True
            continue
        diag = diagnose(logs, ike_up=ike_up or came_up) or Diagnosis(
            Status.IPSEC_PHASE2_FAILED if (ike_up or came_up) else Status.IKE_PHASE1_FAILED,
            "NO_RESPONSE" if code == 124 else "UNKNOWN",
            (out.strip().splitlines() or ["swanctl failed"])[-1][:200])
        ike_up = ike_up or came_up
        if not ike_up:
            ike_failure = diag  # every later pair would fail the same phase 1
        outcome.update({i: diag for i in mine if i not in outcome})
    for i in range(len(setup.pairs)):
        if i not in covered:
            outcome[i] = Diagnosis(
                Status.IPSEC_PHASE2_FAILED, "NOT_INITIATED",
                f"the {init.name} side (the initiator) has no child for this pair, so it is "
                "never negotiated")
    if auth_child is not None:
        _rekey(lab, init, auth_child, setup, outcome, mirrored)
    if setup.route_based:
        from vpnkit.peer.rehearse_routes import check_routes

        notes += check_routes(lab, setup, outcome, by, mirrored)
    else:
        _check_traffic(lab, setup, outcome, by, mirrored)
    return _result(setup, outcome, started, notes)


def _rekey(lab: Lab, init: Side, child: Child, setup: Setup, outcome: dict[int, Diagnosis],
           mirrored: bool) -> None:
    """Rekey IKEv2's first CHILD_SA: its PFS group is first negotiated then (RFC 7296 1.3)."""
    marks = (lab.tencent.log_size(), lab.idc.log_size())
    code, _ = init.swanctl("--rekey", "--ike", child.conn, "--child", child.name, timeout=5)
    if code != 0:
        return
    init_log = _wait_rekey(init, marks[0 if init is lab.tencent else 1], child.name, 3.0)
    if "rekeying failed" not in init_log:
        return
    logs = {"tencent": lab.tencent.log(marks[0]), "idc": lab.idc.log(marks[1])}
    diag = diagnose(logs, ike_up=True) or Diagnosis(Status.IPSEC_PHASE2_FAILED, "UNKNOWN", "")
    diag = Diagnosis(Status.IPSEC_PHASE2_FAILED, diag.reason,
                     f"comes up, but its first rekey fails: {diag.detail}", diag.evidence)
    for i, (local, remote) in enumerate(setup.pairs):
        if i not in outcome and _covers(child, local, remote, mirrored=mirrored):
            outcome[i] = diag


def missing_sas(lab: Lab, setup: Setup, outcome: dict[int, Diagnosis],
                by: dict[int, Child], mirrored: bool) -> list[int]:
    """Mark the pairs no installed CHILD_SA of the Tencent side covers; the others' indices."""
    installed = [c for c in parse_sas(lab.tencent.swanctl("--list-sas")[1])
                 if c.state == "INSTALLED"]
    todo = [i for i in range(len(setup.pairs)) if i not in outcome]
    for i in list(todo):
        local, remote = setup.pairs[i]
        if not any(_covers(c, local, remote, mirrored=False) for c in installed):
            child = by.get(i)
            mine, theirs = (remote, local) if mirrored else (local, remote)
            if child is not None and (child.local_ts, child.remote_ts) != (
                    frozenset({_net(mine)}), frozenset({_net(theirs)})):
                ts = f"{' '.join(sorted(child.local_ts))} === {' '.join(sorted(child.remote_ts))}"
                outcome[i] = Diagnosis(
                    Status.IPSEC_PHASE2_FAILED, "TS_NARROWED",
                    f"the initiator's child {child.name} proposes {ts}; the responder narrows "
                    "that to ranges of its own, which do not hold this one, so it gets no SA")
            else:
                outcome[i] = Diagnosis(Status.IPSEC_PHASE2_FAILED, "NOT_INSTALLED",
                                       "negotiated, but no CHILD_SA for this pair is installed "
                                       "on the Tencent side")
            todo.remove(i)
    return todo


def _check_traffic(lab: Lab, setup: Setup, outcome: dict[int, Diagnosis],
                   by: dict[int, Child], mirrored: bool) -> None:
    todo = missing_sas(lab, setup, outcome, by, mirrored)
    flows = [(lab.idc.addresses[setup.pairs[i][1]], lab.tencent.addresses[setup.pairs[i][0]])
             for i in todo]
    echoed = _traffic(lab, flows)
    # the echo must have crossed the pair's own SA: its ESP counters moved both ways
    after = parse_sas(lab.tencent.swanctl("--list-sas")[1])
    for n, (i, ok) in enumerate(zip(todo, echoed, strict=True)):
        local, remote = setup.pairs[i]
        src, dst = flows[n]
        if not ok:
            outcome[i] = Diagnosis(Status.NO_TRAFFIC, "NO_TRAFFIC",
                                   f"the SAs are up but no UDP echo came back between {src} "
                                   f"and {dst}")
        elif not carried_by_sa(after, local, remote):
            outcome[i] = Diagnosis(Status.NO_TRAFFIC, "NOT_THROUGH_THE_SA",
                                   f"the echo between {src} and {dst} came back, but not "
                                   "through this pair's SA (its ESP counters did not move)")

"""Desired state vs live state: a plan of changes, reviewed, then applied in place.

>>> p = vpnkit.plan(client, "branches.csv")          # doctest: +SKIP
>>> p.frame                # one row per tunnel: create / modify / replace / unchanged / delete
>>> p.details              # one row per changed field: before -> after (a key never shown)
>>> p.apply()              # modifies in place, creates the rest; a second plan is empty

Like ``terraform plan`` (and napalm's ``compliance_report``): the desired state is the batch
layout (:mod:`vpnkit.batch.io`: CSV, JSON, DataFrame, records or specs); tunnels are matched
with the live ones by (gateway, name), which the API keeps unique.

What is compared (and why)
--------------------------
* **Only what the desired state sets.** An option left empty (``None``) is not managed: the
  live value stands. vpnkit's own specs now carry every option of a named profile, so a row
  built by vpnkit sets them all; a hand-written row with empty cells leaves them alone.
* **Live placeholders are "not set", never a value.** Responses carry ``DpdEnable: -1`` and
  ``""`` for unset NegotiationType, DpdAction and health-check IPs (ref §2.1 notes, §1.2). A
  desired value against an unset live one is a change: vpnkit sends it, so what the gateway
  runs no longer depends on which source's default is right (ref §2.3).
* **SPDs are sets** of (VPC range, IDC range) pairs: the order the API returns is no change.
  An empty desired SPD is not managed (route-based tunnels report any-any selectors, §2.1).
* **The pre-shared key** is compared in constant time and shown only as ``changed`` or
  ``unchanged``. A row without a key keeps the live one (``not managed``); creating needs one.
* **Tags** are reported but not applied: ModifyVpnConnectionAttribute has no Tags (§3.6).

Change kinds
------------
``modify``: everything ModifyVpnConnectionAttribute can change (§3.6), sent as one Modify per
tunnel, in place: the tunnel keeps its id, addresses and (unless asked) its key. ``replace``:
a difference Modify cannot make (VPC, route type; the customer gateway on a gateway older than
4.0). The plan shows it; applying it deletes and re-creates the tunnel, so it needs
``replace=True`` and the confirmation phrase. ``delete``: live tunnels on the planned gateways
that the desired state does not list, only with ``prune=True``, behind the same phrase as
:func:`vpnkit.batch.delete_many`'s runbook: ``delete N tunnels``.

Before anything is sent, the desired state passes the batch pre-flight (references, every
:func:`vpnkit.validate.issues` rule, conflicts between tunnels of a gateway) against the
state it will produce; any error raises :class:`~vpnkit.batch.BatchInvalid`.
"""

from __future__ import annotations

import hmac
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from vpnkit import options
from vpnkit.errors import VpnkitError
from vpnkit.models import (
    BgpConfig,
    HealthCheckConfig,
    IkeOptions,
    IpsecOptions,
    SpdRule,
    VpnConnection,
    VpnConnectionSpec,
)
from vpnkit.validate import Issue, errors

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.batch.io import RowInput
    from vpnkit.batch.preflight import Targets
    from vpnkit.client import VpcClient

__all__ = ["ACTIONS", "ApplyResult", "Change", "FieldChange", "Plan", "PlanError", "compare",
           "diff", "plan", "spd_pairs"]

ACTIONS = ("create", "modify", "replace", "delete", "unchanged")
#: what Modify can never change (§3.6); the gateway is part of the match key
IMMUTABLE = ("vpc_id", "route_type")
_SECTIONS: dict[str, tuple[str, type[Any]]] = {
    "ike_options": ("ike", IkeOptions),
    "ipsec_options": ("ipsec", IpsecOptions),
    "health_check_config": ("health_check_config", HealthCheckConfig),
}
#: tunnel-level options compared one by one (the key and the SPD have their own rules)
_TOP = tuple(o.name for o in options.by_section("spec") if not o.secret)
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its path, and before/after as shown (a key is never shown)."""

    path: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.path}: {self.before} -> {self.after}"


@dataclass
class Change:
    """One row of a plan: what happens to one tunnel."""

    action: str
    vpn_gateway_id: str
    name: str
    vpn_connection_id: str | None = None
    row: int | None = None
    fields: tuple[FieldChange, ...] = ()
    #: the pre-shared key: new, changed, unchanged, not managed, unknown ("" for a delete)
    key: str = ""
    notes: tuple[str, ...] = ()
    spec: VpnConnectionSpec | None = field(default=None, repr=False)
    live: VpnConnection | None = field(default=None, repr=False)
    #: the ModifyVpnConnectionAttribute change (spec attribute -> model value)
    modify: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key_tuple(self) -> tuple[str, str]:
        """(gateway, name): the match key."""
        return self.vpn_gateway_id, self.name

    def describe(self) -> str:
        """The changed fields on one line (``path: before -> after; ...``)."""
        return "; ".join(str(f) for f in self.fields)


# --- comparing one tunnel -----------------------------------------------------------------

def _unset(value: Any) -> Any:
    """A live value with the API's placeholders read as "not set" (§2.1 notes, §1.2)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have or (have is not None and bool(want) == bool(have)
                                and type(want) is type(have))
    if isinstance(want, int) and isinstance(have, str) and have.strip().lstrip("-").isdigit():
        return want == int(have)  # old responses carry integers as strings (§2.4)
    return bool(want == have)


def _show(value: Any) -> str:
    return "(not set)" if value is None else str(value)


def spd_pairs(rules: Sequence[SpdRule]) -> frozenset[tuple[str, str]]:
    """An SPD as the set of (VPC range, IDC range) pairs it negotiates (§2.1)."""
    return frozenset((r.local_cidr_block, remote) for r in rules
                     for remote in r.remote_cidr_blocks)


def _pairs_text(pairs: frozenset[tuple[str, str]]) -> str:
    return ", ".join(f"{a}={b}" for a, b in sorted(pairs)) or "(none)"


def _live_top(live: VpnConnection, name: str) -> Any:
    value = _unset(getattr(live, name, None))
    if name == "dpd_enable" and value not in (0, 1):
        return None  # DpdEnable -1 in the official examples means "not set" (§1.2)
    return value


def _live_section(live: VpnConnection, attr: str) -> Any:
    if attr == "bgp_config":
        bgp = live.bgp_config
        if not bgp:
            return None
        return BgpConfig(str(bgp.get("TunnelCidr", "")), str(bgp.get("LocalBgpIp", "")),
                         str(bgp.get("RemoteBgpIp", "")))
    return getattr(live, attr)


def _section_changes(attr: str, want: Any, have: Any) -> tuple[list[FieldChange], Any]:
    """Changed options of one nested section, and the section to send (live + desired)."""
    found = []
    for f in fields(want):
        value = getattr(want, f.name)
        if value is None:
            continue
        current = _unset(getattr(have, f.name)) if have is not None else None
        if not _same(value, current):
            found.append(FieldChange(f"{attr}.{f.name}", _show(current), _show(value)))
    if not found:
        return [], None
    if attr == "bgp_config" or have is None:
        return found, want
    # Send the whole section, live values overlaid by the desired ones: what the gateway
    # runs is then stated in full, whatever the API does with a partial section.
    base = {f.name: _unset(getattr(have, f.name)) for f in fields(have)}
    base.update({f.name: getattr(want, f.name) for f in fields(want)
                 if getattr(want, f.name) is not None})
    return found, type(want)(**base)


def diff(spec: VpnConnectionSpec, live: VpnConnection, *,
         gateway_version: str | None = None) -> tuple[str, list[FieldChange], dict[str, Any],
                                                      str, list[str]]:
    """Compare a desired spec with the live tunnel of the same (gateway, name).

    Returns ``(action, fields, modify, key, notes)``: ``action`` is ``unchanged``,
    ``modify`` or ``replace``; ``modify`` is the ModifyVpnConnectionAttribute change
    (spec attributes -> values); ``key`` says ``changed`` / ``unchanged`` / ``not managed`` /
    ``unknown`` without ever holding the key.
    """
    found: list[FieldChange] = []
    modify: dict[str, Any] = {}
    notes: list[str] = []
    immutable: list[FieldChange] = []
    for name in (*IMMUTABLE, "customer_gateway_id"):
        want = getattr(spec, name)
        have = _unset(getattr(live, name))
        if want is None or (name == "vpc_id" and not want and not have):
            continue
        if not _same(want, have):
            change = FieldChange(name, _show(have), _show(want))
            if name == "customer_gateway_id" and (gateway_version or "").startswith(
                    ("4", "5", "6")):
                found.append(change)  # §3.6: updatable on gateways of version >= 4.0
                modify[name] = want
            else:
                immutable.append(change)
    for name in _TOP:
        if name in IMMUTABLE:
            continue
        want = getattr(spec, name)
        if want is None:
            continue
        have = _live_top(live, name)
        if not _same(want, have):
            found.append(FieldChange(name, _show(have), _show(want)))
            modify[name] = want
    if spec.security_policy_databases:
        want_pairs = spd_pairs(spec.security_policy_databases)
        have_pairs = spd_pairs(live.security_policy_databases)
        if want_pairs != have_pairs:
            added, removed = want_pairs - have_pairs, have_pairs - want_pairs
            found.append(FieldChange(
                "security_policy_databases", _pairs_text(have_pairs), _pairs_text(want_pairs)
                + f" (+{len(added)} -{len(removed)})"))
            modify["security_policy_databases"] = spec.security_policy_databases
    for attr in (*_SECTIONS, "bgp_config"):
        want_section = getattr(spec, attr)
        if want_section is None:
            continue
        changed, send = _section_changes(attr, want_section, _live_section(live, attr))
        if changed:
            found += changed
            modify[attr] = send
    key = _key_status(spec.pre_share_key, live.pre_share_key)
    if key == "changed":
        found.append(FieldChange("pre_share_key", HIDDEN, "(changed, not shown)"))
        modify["pre_share_key"] = spec.pre_share_key
    elif key == "unknown":
        notes.append("the API did not return the pre-shared key, so it was not compared")
    if spec.tags:
        want_tags = {(t.key, t.value) for t in spec.tags}
        have_tags = {(t.key, t.value) for t in live.tags}
        if want_tags != have_tags:
            notes.append("tags differ and are not applied (ModifyVpnConnectionAttribute has "
                         "no Tags, §3.6; use the Tag service)")
    if immutable:
        notes.append("Modify cannot change " + ", ".join(c.path for c in immutable)
                     + ": applying deletes and re-creates the tunnel (replace=True)")
        return "replace", immutable + found, {}, key, notes
    return ("modify" if modify else "unchanged"), found, modify, key, notes


def _key_status(want: str | None, have: str | None) -> str:
    if not want:
        return "not managed"
    if have is None:
        return "unknown"
    same = hmac.compare_digest(want.encode("utf-8"), have.encode("utf-8"))
    return "unchanged" if same else "changed"


# --- the plan -------------------------------------------------------------------------------

def plan(client: VpcClient, desired: Any, *, prune: bool = False,
         workers: int = 8) -> Plan:
    """Compare ``desired`` with the live tunnels of the gateways it names (see the module).

    ``prune``: also plan to delete the live tunnels of those gateways that ``desired`` does
    not list. Raises :class:`~vpnkit.batch.BatchInvalid` (nothing sent) when the desired
    state fails validation or pre-flight, and :class:`PlanError` when the live state cannot
    be read (a failed lookup is never taken for "no tunnels").
    """
    from vpnkit.batch.io import read_rows
    from vpnkit.batch.preflight import lookup_targets

    inputs, batch_issues = read_rows(desired, require_key=False)
    gateways = sorted({r.vpn_gateway_id for r in inputs if r.vpn_gateway_id})
    targets, lookup_issues = lookup_targets(client, gateways, workers)
    if not targets.known:
        raise PlanError("could not read the live state, so no plan was made: "
                        + "; ".join(i.message for i in lookup_issues))
    return compare(inputs, targets, client=client, prune=prune,
                   batch_issues=[*batch_issues, *lookup_issues])


def compare(inputs: Sequence[RowInput], targets: Targets, *, client: VpcClient | None = None,
            prune: bool = False, batch_issues: Sequence[Issue] = ()) -> Plan:
    """The plan for desired ``inputs`` (:func:`vpnkit.batch.io.read_rows`) against the live
    ``targets`` (:func:`vpnkit.batch.preflight.lookup_targets`): no I/O, the CPU part of
    :func:`plan`. Raises :class:`~vpnkit.batch.BatchInvalid` like :func:`plan`."""
    from vpnkit.batch.preflight import Targets, check_rows
    from vpnkit.wire import connection_from_wire

    live = {gw: {name: connection_from_wire(raw) for name, raw in tunnels.items()}
            for gw, tunnels in targets.tunnels.items()}
    keyless = set()
    for r in inputs:
        if r.spec is not None and not r.spec.pre_share_key:
            conn = live.get(r.vpn_gateway_id, {}).get(r.name)
            if conn is not None and conn.pre_share_key:
                r.spec = with_live_key(r.spec, conn)
                keyless.add(r.key)
            else:
                r.issues.append(Issue("pre_share_key", "MissingParameter",
                                      "is required to create a tunnel (set pre_share_key_env)"))
    managed = {r.key for r in inputs}
    # Pre-flight against the state the plan produces: the rows stand for the tunnels they
    # manage (their new SPDs are what may conflict), pruned tunnels are gone.
    final = Targets(targets.vpcs, targets.gateways, targets.customer_gateways,
                    {gw: {n: t for n, t in tunnels.items()
                          if (gw, n) not in managed and not prune}
                     for gw, tunnels in targets.tunnels.items()}, known=True)
    check_rows(inputs, final)
    _refuse_invalid(inputs, batch_issues)
    changes: list[Change] = []
    for r in inputs:
        assert r.spec is not None
        conn = live.get(r.vpn_gateway_id, {}).get(r.name)
        if conn is None:
            changes.append(Change("create", r.vpn_gateway_id, r.name, row=r.row, key="new",
                                  spec=r.spec))
            continue
        version = targets.gateways.get(r.vpn_gateway_id, {}).get("Version")
        action, found, modify, key, notes = diff(r.spec, conn, gateway_version=(
            str(version) if version is not None else None))
        if r.key in keyless:
            key = "not managed"
        changes.append(Change(action, r.vpn_gateway_id, r.name, conn.vpn_connection_id,
                              r.row, tuple(found), key, tuple(notes), r.spec, conn, modify))
    if prune:
        for gw, tunnels in live.items():
            for name, conn in tunnels.items():
                if (gw, name) not in managed:
                    changes.append(Change("delete", gw, name, conn.vpn_connection_id,
                                          live=conn))
    versions = {gw: str(g["Version"]) for gw, g in targets.gateways.items() if "Version" in g}
    return Plan(changes, client=client, prune=prune,
                warnings=_warnings(inputs, batch_issues),
                vpc_cidrs=targets.vpcs, gateway_versions=versions)


class PlanError(VpnkitError):
    """The plan could not be made or applied (the message says why; nothing was sent)."""


def _refuse_invalid(inputs: Sequence[Any], batch_issues: Sequence[Issue]) -> None:
    from vpnkit.batch.create import BatchInvalid, _issues_frame

    bad = errors(batch_issues) + [Issue(f"row {r.row} ({r.name or '?'}) {i.path}", i.code,
                                        i.message) for r in inputs for i in errors(r.issues)]
    if bad:
        frame = _issues_frame(inputs, batch_issues)
        raise BatchInvalid(bad, frame[frame["severity"] == "error"].reset_index(drop=True))


def _warnings(inputs: Sequence[Any], batch_issues: Sequence[Issue]) -> pd.DataFrame:
    from vpnkit.batch.create import _issues_frame

    frame = _issues_frame(inputs, batch_issues)
    return frame[frame["severity"] == "warning"].reset_index(drop=True)


class Plan:
    """The changes that would bring the live tunnels to the desired state."""

    def __init__(self, changes: Sequence[Change], *, client: VpcClient | None, prune: bool,
                 warnings: pd.DataFrame | None = None,
                 vpc_cidrs: Mapping[str, str] | None = None,
                 gateway_versions: Mapping[str, str] | None = None) -> None:
        self.changes = sorted(changes, key=lambda c: (c.vpn_gateway_id, c.name))
        self.client = client
        self.prune = prune
        #: warning-level issues of the desired state (weak crypto, ...): never block
        self.warnings = warnings
        self.vpc_cidrs = dict(vpc_cidrs or {})
        self.gateway_versions = dict(gateway_versions or {})

    # --- reading it -------------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        """Changes per action (every action listed, zeros included)."""
        out = dict.fromkeys(ACTIONS, 0)
        for c in self.changes:
            out[c.action] += 1
        return out

    @property
    def pending(self) -> list[Change]:
        """The changes that would send something (everything but ``unchanged``)."""
        return [c for c in self.changes if c.action != "unchanged"]

    @property
    def empty(self) -> bool:
        """True when the live state already is the desired state."""
        return not self.pending

    @property
    def confirmation(self) -> str | None:
        """The phrase :meth:`apply` needs when the plan deletes tunnels, else None."""
        doomed = sum(1 for c in self.changes if c.action in ("delete", "replace"))
        return f"delete {doomed} tunnel{'s' if doomed != 1 else ''}" if doomed else None

    def summary(self) -> str:
        """One line: ``plan: 1 to create, 2 to modify, 0 to replace, 0 to delete, 5 unchanged``."""
        n = self.counts
        return (f"plan: {n['create']} to create, {n['modify']} to modify, {n['replace']} to "
                f"replace, {n['delete']} to delete, {n['unchanged']} unchanged")

    @property
    def frame(self) -> pd.DataFrame:
        """One row per tunnel: action, gateway, name, id, number of fields, key, changes."""
        import pandas as pd

        cols = ["action", "vpn_gateway_id", "name", "vpn_connection_id", "fields", "key",
                "changes", "notes"]
        df = pd.DataFrame([{
            "action": c.action, "vpn_gateway_id": c.vpn_gateway_id, "name": c.name,
            "vpn_connection_id": c.vpn_connection_id, "fields": len(c.fields), "key": c.key,
            "changes": c.describe(), "notes": "; ".join(c.notes)} for c in self.changes],
            columns=cols)
        df["action"] = pd.Categorical(df["action"], categories=list(ACTIONS))
        df["fields"] = df["fields"].astype("int64")
        for col in cols[1:4] + cols[5:]:
            df[col] = df[col].astype("string")
        return df

    @property
    def details(self) -> pd.DataFrame:
        """One row per changed field: action, gateway, name, id, field, before, after."""
        import pandas as pd

        cols = ["action", "vpn_gateway_id", "name", "vpn_connection_id", "field", "before",
                "after"]
        df = pd.DataFrame([{
            "action": c.action, "vpn_gateway_id": c.vpn_gateway_id, "name": c.name,
            "vpn_connection_id": c.vpn_connection_id, "field": f.path, "before": f.before,
            "after": f.after} for c in self.changes for f in c.fields], columns=cols)
        return df.astype("string")

    def records(self) -> list[dict[str, Any]]:
        """The plan as JSON-ready records (one per tunnel, with its changed fields)."""
        return [{"action": c.action, "vpn_gateway_id": c.vpn_gateway_id, "name": c.name,
                 "vpn_connection_id": c.vpn_connection_id, "key": c.key,
                 "fields": [{"field": f.path, "before": f.before, "after": f.after}
                            for f in c.fields], "notes": list(c.notes)}
                for c in self.changes]

    def __repr__(self) -> str:
        return f"Plan({self.summary()})"

    def _repr_html_(self) -> str:
        shown = self.frame.drop(columns=["notes"]) if not any(c.notes for c in self.changes) \
            else self.frame
        return f"<p><b>{self.summary()}</b></p>" + str(shown.to_html(index=False))

    # --- applying it -------------------------------------------------------------------

    def apply(self, *, confirm: str | None = None, replace: bool = False, workers: int = 8,
              progress: bool = False, audit: Any = None, state: Any = None,
              wait: bool = True, wait_timeout: float = 600.0) -> ApplyResult:
        """Make the changes: Modify in place, then replace, create, and prune-delete.

        Deleting (``delete`` rows, and ``replace`` rows with ``replace=True``) needs
        ``confirm`` equal to :attr:`confirmation`; otherwise :class:`PlanError` is raised and
        nothing is sent. Each change is journaled (intent before, outcome after; the batch
        journal, ``state=`` or its default) and audited, at the client's rate limit, in a
        pool of ``workers`` threads. Interrupted (even by ``kill -9``)? Plan again and apply:
        the new plan holds only what is not done yet, so each change is made once.
        ``wait``: wait until created tunnels are AVAILABLE and deleted ones gone.
        """
        return _apply(self, confirm=confirm, replace=replace, workers=workers,
                      progress=progress, audit=audit, state=state, wait=wait,
                      wait_timeout=wait_timeout)


def with_live_key(spec: VpnConnectionSpec, live: VpnConnection | None) -> VpnConnectionSpec:
    """A keyless desired spec matched to a live tunnel keeps the live key (not managed)."""
    if spec.pre_share_key or live is None or not live.pre_share_key:
        return spec
    return replace(spec, pre_share_key=live.pre_share_key)


def modify_body(change: Change) -> Mapping[str, Any]:
    """The spec attributes a Modify of ``change`` sends (for dry runs; values not shown)."""
    return {k: (HIDDEN if k == "pre_share_key" else v) for k, v in change.modify.items()}


# --- applying -------------------------------------------------------------------------------

APPLY_COLUMNS = ("action", "vpn_gateway_id", "name", "vpn_connection_id", "status",
                 "error_code", "message", "request_id")
_RATE_ROUNDS = 8  # extra rounds after the client's own RequestLimitExceeded retries


@dataclass
class ApplyResult:
    """What :meth:`Plan.apply` did: one row per change (``.frame``), and the journal id."""

    apply_id: str
    rows: list[tuple[str, Any]]  # (action, vpnkit.batch.execute.BatchRow)
    elapsed: float = 0.0

    @property
    def frame(self) -> pd.DataFrame:
        """action, gateway, name, id, status, error_code, message, request_id per change."""
        import pandas as pd

        df = pd.DataFrame([{**r.record(), "action": a} for a, r in self.rows],
                          columns=list(APPLY_COLUMNS))
        return df.astype("string")

    @property
    def counts(self) -> dict[str, int]:
        """Changes per final status."""
        out: dict[str, int] = {}
        for _, r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    @property
    def ok(self) -> bool:
        """True when every change was made."""
        return all(r.status not in ("failed", "pending", "skipped") for _, r in self.rows)

    def summary(self) -> str:
        """One line: the apply id, counts per status, time taken."""
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        return f"apply {self.apply_id}: {counts or 'nothing to do'} in {self.elapsed:.1f} s"

    def __repr__(self) -> str:
        return f"ApplyResult({self.summary()})"

    def _repr_html_(self) -> str:
        return f"<p><b>{self.summary()}</b></p>" + str(self.frame.to_html(index=False))


def _sender(p: Plan, kind: str) -> Any:
    """The per-row sender :func:`vpnkit.batch.execute.run` calls for a Modify or a Delete."""
    import random
    import time

    from vpnkit.errors import ApiError, SpecError, TransportError

    by_key = {c.key_tuple: c for c in p.changes}

    def send(client: VpcClient, row: Any, journaled_before: bool) -> None:
        change = by_key[row.src.key]
        assert change.vpn_connection_id is not None
        rounds = 0
        while True:
            try:
                if kind == "modify":
                    live = change.live
                    result = client.modify_vpn_connection(
                        change.vpn_connection_id, current=live,
                        vpc_cidr=p.vpc_cidrs.get(live.vpc_id) if live else None,
                        gateway_version=p.gateway_versions.get(change.vpn_gateway_id),
                        **change.modify)
                    row.status, row.request_id = "modified", result.request_id
                    if result.outcome == "reconciled":
                        row.message = "the answer was lost; a read showed the change applied"
                else:
                    row.request_id = client.delete_vpn_connection(change.vpn_connection_id,
                                                                  change.vpn_gateway_id)
                    row.status = "deleting"
                row.vpn_connection_id = change.vpn_connection_id
                row.sent = True
                return
            except ApiError as exc:
                row.error_code, row.message = exc.code, exc.message
                row.request_id = exc.request_id or None
                if exc.retryable and rounds < _RATE_ROUNDS:  # refused unexecuted: safe
                    rounds += 1
                    time.sleep(random.uniform(0.05, min(2.0, 0.1 * 2 ** rounds)))
                    continue
                row.status = "failed"
                return
            except SpecError as exc:
                row.status, row.error_code = "failed", "InvalidParameter"
                row.message = "; ".join(str(i) for i in exc.issues[:3])
                return
            except TransportError as exc:  # OutcomeUnknownError: the client could not tell
                row.status, row.error_code, row.message = "failed", "OutcomeUnknown", str(exc)
                return

    return send


def _apply(p: Plan, *, confirm: str | None, replace: bool, workers: int, progress: bool,
           audit: Any, state: Any, wait: bool, wait_timeout: float) -> ApplyResult:
    import time

    from vpnkit.batch.create import new_batch_id
    from vpnkit.batch.execute import BatchAudit, BatchRow, run, wait_available
    from vpnkit.batch.io import RowInput
    from vpnkit.batch.journal import Journal, default_state_path

    started = time.monotonic()
    if p.client is None:
        raise PlanError("this plan has no client to apply it with")
    replaces = [c for c in p.changes if c.action == "replace"]
    if replaces and not replace:
        raise PlanError(
            f"{len(replaces)} tunnel(s) need a replace (Modify cannot change "
            f"{replaces[0].describe()} of {replaces[0].name}): pass replace=True "
            "(--replace) to delete and re-create them; nothing was sent")
    if p.confirmation is not None and confirm != p.confirmation:
        raise PlanError(f"this plan deletes tunnels: confirm with the phrase "
                        f"{p.confirmation!r}; nothing was sent")
    apply_id = "a" + new_batch_id()[1:]
    sink = audit if audit is not None else p.client.audit
    tagged = BatchAudit(sink, apply_id)
    client = p.client.with_audit(tagged)
    journal = Journal(state or default_state_path(sink))

    def rows(action: str) -> list[Any]:
        return [BatchRow(RowInput(c.row if c.row is not None else -1, c.name,
                                  c.vpn_gateway_id, c.spec)) for c in p.changes
                if c.action == action]

    out: list[tuple[str, Any]] = []

    def tag(batch: list[Any], action: str) -> list[Any]:
        out.extend((action, r) for r in batch)
        return batch

    try:
        done = [BatchRow(RowInput(c.row if c.row is not None else -1, c.name,
                                  c.vpn_gateway_id, c.spec), status="unchanged",
                         vpn_connection_id=c.vpn_connection_id)
                for c in p.changes if c.action == "unchanged"]
        tag(done, "unchanged")
        modifies = tag(rows("modify"), "modify")
        run(client, modifies, {}, journal, apply_id, workers, progress, tagged,
            send=_sender(p, "modify"), desc="modify")
        replaced = tag(rows("replace"), "replace")
        if replaced:
            run(client, replaced, {}, journal, apply_id, workers, progress, tagged,
                send=_sender(p, "delete"), desc="delete (replace)")
            for r in replaced:
                if r.status == "deleting":
                    client.wait_vpn_connection(str(r.vpn_connection_id), "DELETED",
                                               timeout=wait_timeout, interval=0.5)
            replaced = [r for r in replaced if r.status == "deleting"]
            for r in replaced:
                r.status, r.vpn_connection_id = "pending", None
        creates = tag(rows("create"), "create")
        run(client, [*creates, *replaced], {}, journal, apply_id, workers, progress, tagged)
        for r in replaced:
            r.status = "replaced" if r.status == "created" else r.status
        if wait:
            wait_available(client, [r for r in [*creates, *replaced]
                                    if r.status in ("created", "replaced", "exists",
                                                    "reconciled")],
                           wait_timeout, 0.5, progress)
        deletes = tag(rows("delete"), "delete")
        run(client, deletes, {}, journal, apply_id, workers, progress, tagged,
            send=_sender(p, "delete"), desc="delete")
        if wait:
            for r in deletes:
                if r.status == "deleting":
                    client.wait_vpn_connection(str(r.vpn_connection_id), "DELETED",
                                               timeout=wait_timeout, interval=0.5)
                    r.status = "deleted"
    except KeyboardInterrupt:
        for _, r in out:
            if r.status == "pending":
                r.status, r.message = "skipped", "not sent: the apply was interrupted"
        raise
    finally:
        journal.close()
    return ApplyResult(apply_id, out, time.monotonic() - started)


class _CallableModule(types.ModuleType):
    """``vpnkit.plan`` is both this module and :func:`plan`: calling the module plans."""

    def __call__(self, client: VpcClient, desired: Any, **kw: Any) -> Plan:
        return plan(client, desired, **kw)


sys.modules[__name__].__class__ = _CallableModule

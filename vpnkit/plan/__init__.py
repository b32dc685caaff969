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
* **Only what the desired state sets.** An option left empty (``None``, an empty cell) is
  not managed: the live value stands. Specs built in Python carry every option of their
  named profile, so they set them all. A *new* tunnel (create, replace) is never left to the
  API's weak defaults: the ``profile`` (default ``"strong"``) fills what its row leaves empty.
* **Live placeholders are "not set", never a value.** Responses carry ``DpdEnable: -1`` and
  ``""`` for unset NegotiationType, DpdAction and health-check IPs (ref §2.1 notes, §1.2). A
  desired value against an unset live one is a change: vpnkit sends it, so what the gateway
  runs no longer depends on which source's default is right (ref §2.3).
* **SPDs are sets** of (VPC range, IDC range) pairs: the order the API returns is no change.
  An empty desired SPD is not managed (route-based tunnels report any-any selectors, §2.1).
* **The pre-shared key** is compared in constant time and shown only as ``changed`` or
  ``unchanged``. A row without a key keeps the live one (``not managed``); creating needs one.
* **Tags**, when the desired state sets some, are kept exactly as declared (live keys it
  lacks are unbound, system ``qcs:`` keys excepted). ModifyVpnConnectionAttribute has no
  Tags (§3.6), so apply sends them to Tencent's Tag service (``ModifyResourceTags`` on
  ``qcs::vpc:<region>:uin/:vpnx/<id>``, :mod:`vpnkit.tags`) after the Modify, as the
  Terraform provider does; a new tunnel carries them in its CreateVpnConnection.

Change kinds
------------
``modify``: everything ModifyVpnConnectionAttribute can change (§3.6), sent as one Modify per
tunnel, in place: the tunnel keeps its id, addresses and (unless asked) its key; then its
tags, if they differ, through the Tag service (at most 10 per request). ``replace``:
a difference Modify cannot make (VPC, route type; the customer gateway on a gateway older than
4.0). The plan shows it; applying it deletes and re-creates the tunnel, so it needs
``replace=True`` and the confirmation phrase. ``delete``: live tunnels on the planned gateways
that the desired state does not list, only with ``prune=True``, behind the same phrase as
:func:`vpnkit.batch.delete_many`'s runbook: ``delete N tunnels`` (one already ``DELETING`` is
nothing to do: ``unchanged``, noted "being deleted").

Between plan and apply (a review, a prompt, a notebook cell) a tunnel may change. Apply
therefore re-reads the plan's tunnels first (:mod:`vpnkit.plan.fresh`) and never sends a
stale row: a change whose tunnel appeared, went, was re-created, is being deleted or has a
configured field that differs from what the plan saw ends ``stale`` ("plan again"), and the
apply is not ``ok``. A replace journals its intent before its delete, so a crash between the
delete and the create is finished by the next plan and apply (a ``create`` with a note).
An unfinished replace whose (gateway, name) the desired state no longer lists is left as it
is, nothing sent, and told: a warning ``UnfinishedReplace`` naming it and the apply that began
it, with the ways out (list it again, or :func:`drop_replace`).

Before anything is sent, the desired state passes the batch pre-flight (references, every
:func:`vpnkit.validate.issues` rule, conflicts between tunnels of a gateway) against the
state it will produce; any error raises :class:`~vpnkit.batch.BatchInvalid`.

The rooms: this module reads the desired and live states and holds :class:`Plan`;
:mod:`vpnkit.plan.changes` compares one tunnel (pure); :mod:`vpnkit.plan.fresh` checks that
the live state is still the planned one; :mod:`vpnkit.plan.apply` sends the changes through
the batch journal and executor (:mod:`vpnkit.batch.execute`).
"""


from __future__ import annotations

import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit import options
from vpnkit.models import VpnConnection, VpnConnectionSpec
from vpnkit.plan.changes import (
    ACTIONS,
    Change,
    FieldChange,
    PlanError,
    diff,
    spd_pairs,
    tag_change,
)
from vpnkit.validate import Issue

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.batch.io import RowInput
    from vpnkit.batch.journal import Replacing
    from vpnkit.batch.preflight import Targets
    from vpnkit.client import VpcClient
    from vpnkit.plan.apply import ApplyResult

__all__ = ["ACTIONS", "Change", "FieldChange", "Plan", "PlanError", "compare", "diff",
           "drop_replace", "plan", "spd_pairs"]


def plan(client: VpcClient, desired: Any, *, prune: bool = False, workers: int = 8,
         profile: str | None = options.DEFAULT_PROFILE, state: Any = None) -> Plan:
    """Compare ``desired`` with the live tunnels of the gateways it names (see the module).

    ``prune``: also plan to delete the live tunnels of those gateways that ``desired`` does
    not list. ``profile``: what a *new* tunnel (create, replace) gets for the options its
    row leaves empty (:data:`vpnkit.options.PROFILES`, default ``"strong"``), so vpnkit never
    creates on the API's weak defaults; specs passed as objects keep their own profile.
    ``state``: the batch journal (default: beside the client's audit log, or
    ``$VPNKIT_BATCH_STATE``), read for replaces an interrupted apply left unfinished: their
    tunnel is planned as a create that finishes the replace. Raises
    :class:`~vpnkit.batch.BatchInvalid` (nothing sent) when the desired state fails
    validation or pre-flight, and :class:`PlanError` when the live state cannot
    be read (a failed lookup is never taken for "no tunnels").
    """
    from vpnkit.batch.io import read_rows
    from vpnkit.batch.journal import Journal, default_state_path
    from vpnkit.batch.preflight import lookup_targets

    # empty cells are "not managed" here (see the module), so no profile fills them
    inputs, batch_issues = read_rows(desired, require_key=False, profile=None)
    gateways = sorted({r.vpn_gateway_id for r in inputs if r.vpn_gateway_id})
    targets, lookup_issues = lookup_targets(client, gateways, workers)
    if not targets.known:
        raise PlanError("could not read the live state, so no plan was made: "
                        + "; ".join(i.message for i in lookup_issues))
    specs = isinstance(desired, list | tuple) and bool(desired) and all(
        isinstance(s, VpnConnectionSpec) for s in desired)
    path = Path(state) if state is not None else default_state_path(client.audit)
    replacing = {}
    if str(path) != ":memory:" and path.is_file():  # planning never creates the journal
        journal = Journal(path)
        try:
            replacing = journal.replacing()  # all: one the desired state dropped is told
        finally:
            journal.close()
    return compare(inputs, targets, client=client, prune=prune,
                   batch_issues=[*batch_issues, *lookup_issues],
                   profile=None if specs else profile, replacing=replacing, state=state,
                   journal=str(path))


def drop_replace(vpn_gateway_id: str, name: str, state: str | Path) -> bool:
    """Forget the journal's unfinished replace of (gateway, name) in the journal ``state``
    (the path a plan's ``UnfinishedReplace`` warning names). Nothing is sent: the old tunnel
    stays deleted and none is created. True when there was one."""
    from vpnkit.batch.journal import Journal

    journal = Journal(state)
    try:
        found = (vpn_gateway_id, name) in journal.replacing([vpn_gateway_id])
        journal.end_replace((vpn_gateway_id, name))
    finally:
        journal.close()
    return found


def _unfinished(key: tuple[str, str], intent: Replacing, conn: Any, read: bool,
                journal: str | None) -> Issue:
    """The warning for a replace the desired state no longer lists: nothing is sent for it."""
    gw, name = key
    gone = ("was deleted" if conn is None else "is being deleted (DELETING)") if read else \
        "was deleted (its gateway is not in the desired state, so its live state was not read)"
    drop = f"vpnkit.plan.drop_replace({gw!r}, {name!r}, state={journal!r})" if journal else \
        f"vpnkit.plan.drop_replace({gw!r}, {name!r}, state=<the journal>)"
    return Issue(f"{gw}/{name}", "UnfinishedReplace",
                 f"apply {intent.apply_id} began replacing {gw}/{name}: its old tunnel "
                 f"{intent.old_id} {gone} and its replacement was never created; the desired "
                 f"state no longer lists it, so this plan creates nothing for it. To finish "
                 f"it, list {gw}/{name} again (with its pre-shared key) and plan and apply; "
                 f"to drop it, {drop}", "warning")


def compare(inputs: Sequence[RowInput], targets: Targets, *, client: VpcClient | None = None,
            prune: bool = False, batch_issues: Sequence[Issue] = (),
            profile: str | None = None,
            replacing: Mapping[tuple[str, str], Replacing] | None = None,
            state: Any = None, journal: str | None = None) -> Plan:
    """The plan for desired ``inputs`` (:func:`vpnkit.batch.io.read_rows` with
    ``profile=None``) against the live ``targets``
    (:func:`vpnkit.batch.preflight.lookup_targets`): no I/O, the CPU part of :func:`plan`.
    ``profile`` fills what new tunnels leave unset; ``replacing`` are the journal's
    unfinished replaces (:meth:`vpnkit.batch.journal.Journal.replacing`): one whose
    (gateway, name) ``inputs`` do not list is a warning (``UnfinishedReplace``, naming the
    ``journal`` path to drop it from), unless the live state made it moot. Raises
    :class:`~vpnkit.batch.BatchInvalid` like :func:`plan`."""
    from vpnkit.batch.preflight import Targets, check_quota, check_rows
    from vpnkit.wire import connection_from_wire

    live = {gw: {name: connection_from_wire(raw) for name, raw in tunnels.items()}
            for gw, tunnels in targets.tunnels.items()}
    resumed, moot, orphans = _sort_replaces(replacing or {}, live, {r.key for r in inputs},
                                            journal)
    keyless = set()
    for r in inputs:
        if r.spec is not None and not r.spec.pre_share_key:
            conn = live.get(r.vpn_gateway_id, {}).get(r.name)
            if conn is not None and conn.pre_share_key:
                r.spec = replace(r.spec, pre_share_key=conn.pre_share_key)  # not managed
                keyless.add(r.key)
            else:
                why = "is required to create a tunnel (set pre_share_key_env)"
                if r.key in resumed:
                    why += (f": apply {resumed[r.key].apply_id} deleted "
                            f"{resumed[r.key].old_id} to replace it, and vpnkit never "
                            "stores a key")
                r.issues.append(Issue("pre_share_key", "MissingParameter", why))
    if profile is not None:
        # A new tunnel is never created on the API's (weak) defaults: the profile fills
        # what its row leaves empty; an existing tunnel's empty cells stay unmanaged.
        for r in inputs:
            exists = r.name in live.get(r.vpn_gateway_id, {}) and r.key not in resumed
            if r.spec is not None and not exists and r.spec.profile is None:
                r.spec = replace(r.spec, profile=profile)
    managed = {r.key for r in inputs}
    # Pre-flight against the state the plan produces: the rows stand for the tunnels they
    # manage (their new SPDs are what may conflict), pruned tunnels are gone.
    final = Targets(targets.vpcs, targets.gateways, targets.customer_gateways,
                    {gw: {n: t for n, t in tunnels.items()
                          if (gw, n) not in managed and not prune}
                     for gw, tunnels in targets.tunnels.items()}, known=True)
    check_rows(inputs, final)  # final has no limits: the quotas count the live tunnels,
    check_quota(inputs, targets, moves=True)  # since apply creates before it deletes (prune)
    waves = _move_order(inputs, live, targets)
    warnings = _refuse_invalid(inputs, [*batch_issues, *orphans])
    changes: list[Change] = []
    for r in inputs:
        assert r.spec is not None
        conn = live.get(r.vpn_gateway_id, {}).get(r.name)
        if r.key in resumed:
            intent = resumed[r.key]
            note = f"finishes the replace of {intent.old_id} begun by apply {intent.apply_id}"
            changes.append(Change(
                "create", r.vpn_gateway_id, r.name, row=r.row, spec=r.spec, live=conn,
                key="not managed" if r.key in keyless else "new", replaces=intent.old_id,
                notes=(note + ("; waits until it is gone" if conn else ""),)))
            continue
        if conn is None:
            changes.append(Change("create", r.vpn_gateway_id, r.name, row=r.row, key="new",
                                  spec=r.spec))
            continue
        action, found, modify, key, notes = _diff(r, conn, targets)
        if r.key in keyless:
            key = "not managed"
        if conn.state == "DELETING" and action != "unchanged":
            notes.append("the tunnel is being deleted: plan again once it is gone")
        elif conn.state == "PENDING" and action == "modify":
            notes.append("the tunnel is still being created: apply waits until AVAILABLE")
        spec = r.spec
        if action == "replace" and profile is not None and spec.profile is None:
            spec = replace(spec, profile=profile)  # re-created: a new tunnel's defaults
        wave = waves.get(r.key, 0)
        if wave:
            notes.append(f"sent after the Modify(s) that free room on customer gateway "
                         f"{modify.get('customer_gateway_id')} (its tunnel quota; step "
                         f"{wave + 1})")
        tags = tag_change(r.spec, conn) if action == "modify" else None
        if tags:
            _refuse_tags(r, tags)
        changes.append(Change(action, r.vpn_gateway_id, r.name, conn.vpn_connection_id,
                              r.row, tuple(found), key, tuple(notes), spec, conn, modify,
                              wave=wave, tags=tags or None))
    if prune:
        changes += _prune(live, managed)
    versions = {gw: str(g["Version"]) for gw, g in targets.gateways.items() if "Version" in g}
    return Plan(changes, client=client, prune=prune,
                warnings=warnings,
                vpc_cidrs=targets.vpcs, gateway_versions=versions, state=state, moot=moot)


def _diff(r: RowInput, conn: VpnConnection, targets: Targets
          ) -> tuple[str, list[FieldChange], dict[str, Any], str, list[str]]:
    """:func:`~vpnkit.plan.changes.diff` of row ``r`` against its live tunnel ``conn``, with
    the version of the row's gateway (what Modify may change depends on it, ref §3.6)."""
    assert r.spec is not None
    version = targets.gateways.get(r.vpn_gateway_id, {}).get("Version")
    return diff(r.spec, conn, gateway_version=str(version) if version is not None else None)


def _sort_replaces(replacing: Mapping[tuple[str, str], Replacing],
                   live: Mapping[str, Mapping[str, Any]], listed: set[tuple[str, str]],
                   journal: str | None
                   ) -> tuple[dict[tuple[str, str], Replacing], list[tuple[str, str]],
                              list[Issue]]:
    """The journal's unfinished replaces (delete sent, create not made), sorted:
    ``(resumed, moot, warnings)``. One is finished by a create (resumed) while its old
    tunnel is gone or still DELETING; any other live tunnel of that name makes it moot. One
    the desired state no longer ``listed`` is left alone, but said (``UnfinishedReplace``)."""
    resumed: dict[tuple[str, str], Replacing] = {}
    moot: list[tuple[str, str]] = []
    orphans: list[Issue] = []
    for k, intent in replacing.items():
        read = k[0] in live
        conn = live.get(k[0], {}).get(k[1])
        if read and conn is not None and not (conn.vpn_connection_id == intent.old_id
                                              and conn.state == "DELETING"):
            moot.append(k)
        elif k not in listed:
            orphans.append(_unfinished(k, intent, conn, read, journal))
        else:
            resumed[k] = intent
    return resumed, moot, orphans


def _prune(live: Mapping[str, Mapping[str, Any]], managed: set[tuple[str, str]]
           ) -> list[Change]:
    """A delete for each live tunnel the desired state does not manage (one already
    DELETING is on its way out: ``unchanged``, nothing to send)."""
    out: list[Change] = []
    for gw, tunnels in live.items():
        for name, conn in tunnels.items():
            if (gw, name) in managed:
                continue
            if conn.state == "DELETING":
                out.append(Change("unchanged", gw, name, conn.vpn_connection_id,
                                  live=conn, notes=("being deleted",)))
            else:
                out.append(Change("delete", gw, name, conn.vpn_connection_id, live=conn))
    return out


def _move_order(inputs: Sequence[RowInput], live: Mapping[str, Mapping[str, Any]],
                targets: Targets) -> dict[tuple[str, str], int]:
    """The wave of each Modify that moves its tunnel to another customer gateway, so that
    apply never passes that customer gateway's quota on the way (the plan's pre-flight counts
    the state *after* the moves). Moves no order fits (a swap between full customer gateways)
    get ``LimitExceeded``, as the API answers whichever Modify goes first."""
    from vpnkit.quotas import CODE, PER_CUSTOMER_GATEWAY, customer_gateway_counts, move_waves
    from vpnkit.validate import errors

    moves = []
    for r in inputs:
        conn = live.get(r.vpn_gateway_id, {}).get(r.name)
        if r.spec is None or conn is None or errors(r.issues):
            continue
        action, _, modify, _, _ = _diff(r, conn, targets)
        if action == "modify" and "customer_gateway_id" in modify:
            moves.append((r.key, str(conn.customer_gateway_id),
                          str(modify["customer_gateway_id"])))
    if not moves:
        return {}
    limit = (targets.limits or {}).get(PER_CUSTOMER_GATEWAY)
    waves, stuck = move_waves(
        moves, customer_gateway_counts(targets.customer_gateways.values()), limit)
    by_key = {r.key: r for r in inputs}
    for key in stuck:
        _, old, new = next(m for m in moves if m[0] == key)
        others = ", ".join(k[1] for k in stuck if k != key)
        quota = f"the quota of {limit} ({PER_CUSTOMER_GATEWAY}, DescribeVpcLimits)"
        if others:
            why = (f"only another move of this plan frees ({others}), and no order of these "
                   f"Modifies stays within {quota}: whichever goes first is LimitExceeded. "
                   "Free a slot on one of these customer gateways first")
        else:
            why = (f"no Modify of this plan frees first (apply sends replaces and deletes "
                   f"after the Modifies): the Modify would pass {quota}, LimitExceeded. Free "
                   f"a slot on {new} first")
        by_key[key].issues.append(Issue(
            "customer_gateway_id", CODE,
            f"moving the tunnel from customer gateway {old} to {new} needs room there that "
            f"{why}, or move the tunnel in two steps (through a third customer gateway, or "
            "another apply)"))
    return waves


def _refuse_tags(r: RowInput, change: Any) -> None:
    """:class:`PlanError` (nothing sent) when the Tag service would refuse a tag change."""
    from vpnkit.tags import issues

    bad = [i for replace, delete in change.batches() for i in issues(replace, delete)]
    if bad:
        raise PlanError(f"{r.name} on {r.vpn_gateway_id}: the Tag service would refuse its "
                        f"tags ({'; '.join(str(i) for i in bad[:3])}); nothing was sent")


def _refuse_invalid(inputs: Sequence[Any], batch_issues: Sequence[Issue]) -> pd.DataFrame:
    """Raise :class:`~vpnkit.batch.BatchInvalid` on any error; else the warnings' frame."""
    from vpnkit.batch.create import BatchInvalid, _all_errors, _issues_frame

    frame = _issues_frame(inputs, batch_issues)
    bad = _all_errors(inputs, batch_issues)
    if bad:
        raise BatchInvalid(bad, frame[frame["severity"] == "error"].reset_index(drop=True))
    return frame[frame["severity"] == "warning"].reset_index(drop=True)


class Plan:
    """The changes that would bring the live tunnels to the desired state."""

    def __init__(self, changes: Sequence[Change], *, client: VpcClient | None, prune: bool,
                 warnings: pd.DataFrame | None = None,
                 vpc_cidrs: Mapping[str, str] | None = None,
                 gateway_versions: Mapping[str, str] | None = None, state: Any = None,
                 moot: Sequence[tuple[str, str]] = ()) -> None:
        self.changes = sorted(changes, key=lambda c: (c.vpn_gateway_id, c.name))
        self.client = client
        self.prune = prune
        #: warning-level issues of the desired state (weak crypto, ...): never block
        self.warnings = warnings
        self.vpc_cidrs = dict(vpc_cidrs or {})
        self.gateway_versions = dict(gateway_versions or {})
        #: the id of the apply that used this plan (a plan is applied once: plan again)
        self.applied: str | None = None
        #: the journal ``plan(state=...)`` named (apply's default ``state``; None: the
        #: default beside the audit log apply writes to)
        self.state = state
        #: unfinished replaces in the journal that the live state made moot (apply clears)
        self.moot = list(moot)

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
        from vpnkit.batch.delete import confirmation_phrase

        doomed = sum(1 for c in self.changes if c.action in ("delete", "replace"))
        return confirmation_phrase(doomed) if doomed else None

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
        journal: ``state=``, else the plan's ``state=``, else beside the audit log) and
        audited, at the client's rate limit, in a pool of ``workers`` threads. Interrupted
        (even by ``kill -9``)? Plan again and apply: the new plan holds only what is not
        done yet, so each change is made once; a replace cut between its delete and its
        create is planned as the create that finishes it (its intent is journaled before
        the delete).

        **Stale rows are never sent.** The plan was read at one moment; before sending,
        apply re-reads the tunnels of the plan's gateways (one describe per 5 gateways) and
        any change whose tunnel differs from what the plan saw (appeared, gone, re-created,
        being deleted, or a configured field changed; not the state or statuses the gateway
        changes itself) ends ``stale``, with a message to plan again, and makes
        :attr:`ApplyResult.ok` False; the other changes go ahead. If the re-read fails,
        :class:`PlanError` is raised, nothing is sent, and the plan can be applied later.

        ``wait``: wait until created tunnels are AVAILABLE and deleted ones gone (a replace
        always waits for its old tunnel to go). A delete is sent, waited for and reported
        by :func:`vpnkit.batch.delete.delete_one`, as :func:`~vpnkit.batch.delete_many`
        does: ``deleted``, or ``deleting`` (accepted, gone not confirmed: the message says
        why), ``failed`` (refused), ``unknown`` (answer lost, read-back unsure).
        """
        from vpnkit.plan.apply import apply

        return apply(self, confirm=confirm, replace=replace, workers=workers,
                     progress=progress, audit=audit, state=state, wait=wait,
                     wait_timeout=wait_timeout)


class _CallableModule(types.ModuleType):
    """``vpnkit.plan`` is both this module and :func:`plan`: calling the module plans."""

    def __call__(self, client: VpcClient, desired: Any, **kw: Any) -> Plan:
        return plan(client, desired, **kw)


sys.modules[__name__].__class__ = _CallableModule

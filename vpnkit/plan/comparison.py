"""The comparison: desired rows against the live tunnels -> the :class:`~vpnkit.plan.Plan`.

:func:`compare` is the CPU part of :func:`vpnkit.plan.plan` (no I/O): it fills what a row
leaves unmanaged (a live key; a new tunnel's profile), runs the batch pre-flight against the
state the plan produces, orders the Modifies that move tunnels between customer gateways
(:func:`vpnkit.quotas.move_waves`), sorts the journal's unfinished replaces, and turns each
row's :func:`vpnkit.plan.changes.diff` into a :class:`~vpnkit.plan.changes.Change`. What is
compared, and why, is told in :mod:`vpnkit.plan`'s docstring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vpnkit.models import VpnConnection
from vpnkit.plan.changes import Change, FieldChange, PlanError, diff, tag_change
from vpnkit.validate import Issue

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.batch.io import RowInput
    from vpnkit.batch.journal import Replacing
    from vpnkit.batch.preflight import Targets
    from vpnkit.client import VpcClient
    from vpnkit.plan import Plan

__all__ = ["compare"]


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
    from vpnkit.plan import Plan
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
    from vpnkit.batch.create import BatchInvalid, batch_errors, batch_issues_frame

    frame = batch_issues_frame(inputs, batch_issues)
    bad = batch_errors(inputs, batch_issues)
    if bad:
        raise BatchInvalid(bad, frame[frame["severity"] == "error"].reset_index(drop=True))
    return frame[frame["severity"] == "warning"].reset_index(drop=True)

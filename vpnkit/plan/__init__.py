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
:mod:`vpnkit.plan.comparison` compares them (:func:`compare`, no I/O: the pre-flight, the
order of moves, the journal's unfinished replaces); :mod:`vpnkit.plan.changes` compares one
tunnel (pure); :mod:`vpnkit.plan.fresh` checks that the live state is still the planned one;
:mod:`vpnkit.plan.apply` sends the changes through the batch journal and executor
(:mod:`vpnkit.batch.execute`).
"""


from __future__ import annotations

import sys
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit import options
from vpnkit.models import VpnConnectionSpec
from vpnkit.plan.changes import (
    ACTIONS,
    Change,
    FieldChange,
    PlanError,
    diff,
    spd_pairs,
)
from vpnkit.plan.comparison import compare

if TYPE_CHECKING:
    import pandas as pd

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

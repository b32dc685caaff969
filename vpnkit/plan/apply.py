"""Applying a plan: Modify in place, then replace, create and delete, each change once.

A modify's tags go after its Modify, through the Tag service (ModifyResourceTags,
:meth:`~vpnkit.client.VpcClient.set_vpn_connection_tags`), as one row of the journal.

First the plan's tunnels are re-read (:mod:`vpnkit.plan.fresh`): a change whose tunnel moved
since the plan is ``stale`` and not sent. The sending is :func:`vpnkit.batch.execute.run`
(thread pool, journal intent and outcome, progress) with this module's senders: Modify;
Delete through :func:`vpnkit.batch.delete.delete_one`, so prune and replace wait and report
exactly as :func:`~vpnkit.batch.delete_many` does; creates through the batch's own.
Modifies that move tunnels between customer gateways go in the plan's waves
(:attr:`~vpnkit.plan.Change.wave`): each once the moves that free its room are done, so none
passes a customer gateway's tunnel quota on the way.

A replace journals its intent (:meth:`~vpnkit.batch.journal.Journal.intend_replace`) before
its delete and clears it once the new tunnel exists. Killed in between, the next plan reads
the intent and plans the create (waiting for the old tunnel to go if it is still
``DELETING``); that apply sends it under the batch's exactly-once rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vpnkit.errors import ApiError, SpecError, TransportError, WaitTimeout
from vpnkit.plan.changes import PlanError

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.client import VpcClient
    from vpnkit.plan import Plan

__all__ = ["APPLY_COLUMNS", "ApplyResult", "apply"]

#: statuses of a change that was not (or not known to be) made
_NOT_DONE = ("failed", "unknown", "pending", "skipped", "stale")
APPLY_COLUMNS = ("action", "vpn_gateway_id", "name", "vpn_connection_id", "status",
                 "error_code", "message", "request_id")


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

        from vpnkit.redact import scrub

        df = pd.DataFrame([{**r.record(), "action": a} for a, r in self.rows],
                          columns=list(APPLY_COLUMNS))
        # an API message may echo a value it refused: the backstop for known secrets
        df["message"] = df["message"].map(lambda m: scrub(m) if isinstance(m, str) else m)
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
        """True when every change was made (a prune's accepted delete counts, as in
        :func:`~vpnkit.batch.delete_many`; a replace is made once its new tunnel exists)."""
        return all(r.status not in _NOT_DONE and (a == "delete" or r.status != "deleting")
                   for a, r in self.rows)

    def summary(self) -> str:
        """One line: the apply id, counts per status, time taken."""
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        return f"apply {self.apply_id}: {counts or 'nothing to do'} in {self.elapsed:.1f} s"

    def __repr__(self) -> str:
        return f"ApplyResult({self.summary()})"

    def _repr_html_(self) -> str:
        return f"<p><b>{self.summary()}</b></p>" + str(self.frame.to_html(index=False))


def _ready(client: VpcClient, change: Any, row: Any) -> bool:
    """A tunnel still being created takes no change yet (VpnConnInvalidState, §3.6): wait."""
    if change.live is None or change.live.state != "PENDING":
        return True
    try:
        client.wait_vpn_connection(change.vpn_connection_id, timeout=300.0, interval=0.5)
    except (ApiError, TransportError, WaitTimeout) as exc:
        row.status, row.error_code, row.message = "failed", type(exc).__name__, \
            f"not AVAILABLE, so not changed: {exc}"
        return False
    return True


def _modifier(p: Plan) -> Any:
    """The per-row sender :func:`vpnkit.batch.execute.run` calls for a Modify."""
    from vpnkit.batch.retry import RateLimitRetries

    by_key = {c.key_tuple: c for c in p.changes}

    def send(client: VpcClient, row: Any, journaled_before: bool) -> None:
        change = by_key[row.src.key]
        assert change.vpn_connection_id is not None
        if not _ready(client, change, row):
            return
        if change.modify and not modify(client, change, row):
            return
        if change.tags:
            _send_tags(client, change, row)

    def modify(client: VpcClient, change: Any, row: Any) -> bool:
        """The ModifyVpnConnectionAttribute part; True once it is made."""
        rate = RateLimitRetries()
        while True:
            try:
                live = change.live
                result = client.modify_vpn_connection(
                    change.vpn_connection_id, current=live,
                    vpc_cidr=p.vpc_cidrs.get(live.vpc_id) if live else None,
                    gateway_version=p.gateway_versions.get(change.vpn_gateway_id),
                    **change.modify)
                row.status, row.request_id = "modified", result.request_id
                if result.outcome == "reconciled":
                    row.message = "the answer was lost; a read showed the change applied"
                row.vpn_connection_id = change.vpn_connection_id
                row.sent = True
                return True
            except ApiError as exc:
                row.error_code, row.message = exc.code, exc.message
                row.request_id = exc.request_id or None
                if rate.sleep_if_retryable(exc):  # refused unexecuted: safe
                    continue
                row.status = "failed"
                return False
            except SpecError as exc:
                row.status, row.error_code = "failed", "InvalidParameter"
                row.message = "; ".join(str(i) for i in exc.issues[:3])
                return False
            except TransportError as exc:  # OutcomeUnknownError: the client could not tell
                row.status, row.error_code = "unknown", "OutcomeUnknown"
                row.message = f"{exc}; plan again to see whether it landed"
                return False

    return send


def _send_tags(client: VpcClient, change: Any, row: Any) -> None:
    """The Tag-service part of a modify (after its Modify, if any): ModifyResourceTags in
    requests of at most 10 tags, each never blindly twice (the client reads the tunnel back
    after an unknown outcome). A failure leaves the row ``failed``/``unknown`` with the
    Modify, if one was made, named in the message."""
    done = "the Modify was made, but " if row.sent else ""
    try:
        results = client.set_vpn_connection_tags(change.vpn_connection_id, change.tags)
    except ApiError as exc:
        row.status, row.error_code = "failed", exc.code
        row.message = f"{done}the tags were refused: {exc.message}"
        row.request_id = exc.request_id or row.request_id
        return
    except SpecError as exc:
        row.status, row.error_code = "failed", "InvalidParameter"
        row.message = f"{done}the tags were refused: " + "; ".join(
            str(i) for i in exc.issues[:3])
        return
    except TransportError as exc:  # OutcomeUnknownError
        row.status, row.error_code = "unknown", "OutcomeUnknown"
        row.message = f"{done}the tags' outcome is unknown: {exc}; plan again to see"
        return
    row.status, row.sent = "modified", True
    row.vpn_connection_id = change.vpn_connection_id
    row.request_id = row.request_id or (results[0].request_id if results else None)
    if any(r.outcome == "reconciled" for r in results):
        lost = "the tags' answer was lost; a read showed them applied"
        row.message = f"{row.message}; {lost}" if row.message else lost


def _deleter(p: Plan, *, wait: bool, timeout: float) -> Any:
    """The sender for a Delete: :func:`vpnkit.batch.delete.delete_one`, delete_many's path."""
    from vpnkit.batch.delete import delete_one

    by_key = {c.key_tuple: c for c in p.changes}

    def send(client: VpcClient, row: Any, journaled_before: bool) -> None:
        change = by_key[row.src.key]
        assert change.vpn_connection_id is not None
        row.vpn_connection_id = change.vpn_connection_id
        if not _ready(client, change, row):
            return
        out = delete_one(client, change.vpn_connection_id, change.vpn_gateway_id, wait=wait,
                         timeout=timeout)
        row.status, row.error_code, row.message = out.status, out.error_code, out.message
        row.request_id, row.sent = out.request_id, out.status != "failed"

    return send


def _creator(p: Plan, timeout: float) -> Any:
    """The batch's create; one that finishes a replace first waits for its old tunnel to go."""
    from vpnkit.batch.delete import confirm_gone
    from vpnkit.batch.execute import create_one

    by_key = {c.key_tuple: c for c in p.changes}

    def send(client: VpcClient, row: Any, journaled_before: bool) -> None:
        change = by_key[row.src.key]
        if change.action == "create" and change.live is not None:  # still DELETING
            why = confirm_gone(client, change.live.vpn_connection_id, timeout)
            if why is not None:  # the name is not free: creating now would be refused
                row.status, row.vpn_connection_id = "deleting", change.live.vpn_connection_id
                row.message = f"{why}; not re-created yet: apply again to finish the replace"
                return
        create_one(client, row, journaled_before)

    return send


def apply(p: Plan, *, confirm: str | None, replace: bool, workers: int, progress: bool,
           audit: Any, state: Any, wait: bool, wait_timeout: float) -> ApplyResult:
    """See :meth:`vpnkit.plan.Plan.apply`."""
    from vpnkit.batch.create import new_batch_id
    from vpnkit.batch.execute import BatchAudit, BatchRow, run, wait_available
    from vpnkit.batch.io import RowInput
    from vpnkit.batch.journal import Journal, default_state_path
    from vpnkit.plan.fresh import reread, stale_changes

    started = time.monotonic()
    if p.client is None:
        raise PlanError("this plan has no client to apply it with")
    if p.applied is not None:
        raise PlanError(f"this plan was applied already (apply {p.applied}); plan again to "
                        "see what is left")
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
    # the live state now, not at plan time (PlanError, nothing sent, if it cannot be read)
    stale = stale_changes(p.changes, reread(client, sorted(
        {c.vpn_gateway_id for c in p.changes}), workers))
    p.applied = apply_id
    journal = Journal(state or p.state or default_state_path(sink))
    by_key = {c.key_tuple: c for c in p.changes}

    def row_of(c: Any, **kw: Any) -> Any:
        return BatchRow(RowInput(c.row if c.row is not None else -1, c.name,
                                 c.vpn_gateway_id, c.spec), **kw)

    def rows(action: str) -> list[Any]:
        return [row_of(c) for c in p.changes if c.action == action and c.key_tuple not in stale]

    out: list[tuple[str, Any]] = [
        (c.action, row_of(c, status="stale", vpn_connection_id=c.vpn_connection_id,
                          message=f"{stale[c.key_tuple]}: not sent; plan again"))
        for c in p.changes if c.key_tuple in stale]

    def tag(batch: list[Any], action: str) -> list[Any]:
        out.extend((action, r) for r in batch)
        return batch

    try:
        for key in p.moot:  # the live state shows these replaces over (or never begun)
            journal.end_replace(key)
        tag([row_of(c, status="unchanged", vpn_connection_id=c.vpn_connection_id)
             for c in p.changes if c.action == "unchanged" and c.key_tuple not in stale],
            "unchanged")
        modifies = tag(rows("modify"), "modify")
        # moves between customer gateways in waves: each once the room it needs is freed
        for wave in sorted({by_key[r.src.key].wave for r in modifies}):
            run(client, [r for r in modifies if by_key[r.src.key].wave == wave], {}, journal,
                apply_id, workers, progress, tagged, send=_modifier(p), desc="modify")
        replaced = tag(rows("replace"), "replace")
        for r in replaced:  # the intent, committed before the delete leaves
            journal.intend_replace(apply_id, r.src.key, str(by_key[r.src.key].vpn_connection_id))
        run(client, replaced, {}, journal, apply_id, workers, progress, tagged,
            send=_deleter(p, wait=True, timeout=wait_timeout), desc="delete (replace)")
        for r in replaced:
            if r.status == "failed":
                journal.end_replace(r.src.key)  # refused: nothing was deleted
            elif r.status != "deleted":  # deleting (unconfirmed) or unknown: intent kept
                r.message = f"{r.message}; not re-created yet: apply again to finish the replace"
        ready = [r for r in replaced if r.status == "deleted"]
        replace_keys = {r.src.key for r in ready}
        for r in ready:
            r.status, r.vpn_connection_id = "pending", None
        creates = tag(rows("create"), "create")
        run(client, [*creates, *ready], {}, journal, apply_id, workers, progress, tagged,
            send=_creator(p, wait_timeout))
        finished = {r.src.key for r in [*creates, *ready]
                    if r.status in ("created", "reconciled", "exists")}
        for key in finished:
            if by_key[key].replaces is not None or key in replace_keys:
                journal.end_replace(key)  # the new tunnel exists: the replace is done
        for r in ready:
            r.status = "replaced" if r.status == "created" else r.status
            if r.src.key not in finished:
                r.message = (f"{r.message}; {by_key[r.src.key].vpn_connection_id} was deleted: "
                             "plan and apply again to finish the replace")
        if wait:
            wait_available(client, [r for r in [*creates, *ready]
                                    if r.status in ("created", "replaced", "exists",
                                                    "reconciled")],
                           wait_timeout, 0.5, progress)
        deletes = tag(rows("delete"), "delete")
        run(client, deletes, {}, journal, apply_id, workers, progress, tagged,
            send=_deleter(p, wait=wait, timeout=wait_timeout), desc="delete")
    except KeyboardInterrupt:
        for _, r in out:
            if r.status == "pending":
                r.status, r.message = "skipped", "not sent: the apply was interrupted"
        raise
    finally:
        journal.close()
    return ApplyResult(apply_id, out, time.monotonic() - started)

"""Many tunnels at once: validated up front, rate-limited, resumable, never created twice.

>>> result = create_many(client, "branches.csv", audit=log)       # doctest: +SKIP
>>> result.frame                      # one row per tunnel: status, id, error, RequestId, state
>>> create_many(client, "branches.csv", batch_id=result.batch_id)  # resume: creates only the rest

The input layout (CSV, DataFrame, JSON, specs) is documented in :mod:`vpnkit.batch.io`.

1. **Validate everything first.** Every row is checked (:mod:`vpnkit.validate`, with the
   VPC CIDR and gateway version looked up via the client) and the batch as a whole
   (:mod:`vpnkit.batch.preflight`: duplicate names, SPD overlaps between tunnels of a gateway,
   the account's tunnel quotas per gateway, customer gateway and account, read with one
   DescribeVpcLimits call: ``LimitExceeded`` on the rows past one, a ``QuotaNotChecked``
   warning when they cannot be read). Any error-level issue **raises** :class:`BatchInvalid`
   before anything is sent; its ``.frame`` lists every issue (row, name, path, code, message,
   severity). With ``skip_invalid=True`` those rows get status ``invalid`` and the rest go
   ahead.
2. **Exactly once.** Each row is keyed by (batch id, gateway, tunnel name); a SQLite journal
   (:mod:`vpnkit.batch.journal`) records the intent before each create and the outcome after.
   A pre-pass lists the tunnels already on every involved gateway, so on a re-run (same
   ``batch_id``, e.g. after a crash, Ctrl-C or ``kill -9``) a row whose tunnel exists is not
   sent again: ``exists`` (created earlier or by someone else) or ``reconciled`` (the journal
   had sent it but never learnt the outcome). Lost answers during a run are reconciled by
   :meth:`VpcClient.create_vpn_connection` and, for ``InternalError`` (which may have
   committed), by looking the tunnel up before any retry. Names are unique per gateway, so
   the API itself refuses a second tunnel with the same name.
3. **Fast, never rate-limited in the user's face.** A thread pool shares the client; its
   limiter keeps each action under 100 requests/s, and ``RequestLimitExceeded`` is retried
   (by the client, then here) with jitter.
4. **Wait** (``wait=True``): one paged describe per gateway per tick until every created
   tunnel is ``AVAILABLE`` (or ``wait_timeout`` passes; the row keeps its last state).

Statuses: ``created``, ``exists``, ``reconciled``, ``unknown`` (a lookup failed, so whether
the tunnel exists is not known; it is not sent again until a lookup that succeeds shows it
absent: resume with the same ``batch_id``), ``failed``, ``invalid``, ``skipped`` (not sent
because the run was interrupted or the live state could not be read), ``dry-run``.
``dry_run=True`` validates, looks up the targets and returns the exact request bodies (secrets
masked) in ``.requests``, sending nothing. :func:`delete_many` is the cleanup counterpart (a
dry run unless ``confirm=True``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vpnkit import options
from vpnkit.batch.delete import delete_many
from vpnkit.batch.execute import BatchAudit, BatchRow, rows_to_send, run, wait_available
from vpnkit.batch.io import RowInput, read_rows
from vpnkit.batch.journal import Journal, default_state_path
from vpnkit.batch.preflight import check_rows, lookup_targets
from vpnkit.client import AuditSink, VpcClient
from vpnkit.errors import SpecError
from vpnkit.redact import redact
from vpnkit.validate import Issue, errors

__all__ = ["STATUSES", "BatchInterrupted", "BatchInvalid", "BatchResult", "batch_errors",
           "batch_issues_frame", "create_many", "delete_many"]

STATUSES = ("created", "exists", "reconciled", "unknown", "failed", "invalid", "skipped",
            "dry-run")
COLUMNS = ("row", "name", "vpn_gateway_id", "status", "vpn_connection_id", "error_code",
           "message", "request_id", "state")
ISSUE_COLUMNS = ("row", "name", "path", "code", "message", "severity")


class BatchInvalid(SpecError):
    """The batch failed validation and nothing was sent; ``.frame`` lists every error and
    ``.warnings`` what is accepted but risky (weak crypto, options without effect, ...)."""

    def __init__(self, issues: Sequence[Issue], frame: pd.DataFrame,
                 warnings: pd.DataFrame | None = None) -> None:
        super().__init__(issues)
        self.frame = frame
        self.warnings = warnings if warnings is not None else frame.iloc[0:0]

    def __str__(self) -> str:
        rows = self.frame["row"].dropna().nunique()
        head = (f"batch refused, nothing sent: {len(self.frame)} problem"
                f"{'s' if len(self.frame) != 1 else ''} in {rows} row{'s' if rows != 1 else ''}")
        if len(self.warnings):
            head += f" (and {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''})"
        return head + "\n" + "\n".join(f"  {i}" for i in self.issues[:30]) + (
            f"\n  ... and {len(self.issues) - 30} more" if len(self.issues) > 30 else "")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.issues, self.frame, self.warnings))


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: in-flight creates finished and were journaled; ``.result``."""

    def __init__(self, result: BatchResult) -> None:
        super().__init__(f"batch {result.batch_id} interrupted; resume with the same batch_id")
        self.result = result


@dataclass
class BatchResult:
    """The outcome of :func:`create_many`: ``.frame`` (one row per tunnel), ``.issues``."""

    batch_id: str
    frame: pd.DataFrame
    issues: pd.DataFrame
    requests: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0
    sent: int = 0  # create requests that got an answer or were reconciled

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status."""
        return {str(k): int(v) for k, v in self.frame["status"].value_counts().items() if v}

    @property
    def ok(self) -> bool:
        """True when no row failed, was invalid, was skipped or has an unknown outcome."""
        return not self.frame["status"].isin(["unknown", "failed", "invalid", "skipped"]).any()

    def summary(self) -> str:
        """One line: batch id, counts per status, time taken."""
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        return f"batch {self.batch_id}: {counts or 'no rows'} in {self.elapsed:.1f} s"

    def __repr__(self) -> str:
        return f"BatchResult({self.summary()})"

    def _repr_html_(self) -> str:
        html: str = self.frame.to_html(index=False)
        return f"<p><b>{self.summary()}</b></p>{html}"


def _frame(rows: Iterable[BatchRow]) -> pd.DataFrame:
    df = pd.DataFrame([r.record() for r in rows], columns=list(COLUMNS))
    df["row"] = df["row"].astype("int64")
    df["status"] = pd.Categorical(df["status"], categories=list(STATUSES))
    for col in COLUMNS[4:]:
        df[col] = df[col].astype("string")
    return df.sort_values("row", kind="stable").reset_index(drop=True)


def batch_issues_frame(rows: Sequence[RowInput],
                       batch_issues: Sequence[Issue]) -> pd.DataFrame:
    """Every issue of a batch as a frame (:data:`ISSUE_COLUMNS`: row, name, path, code,
    message, severity): the batch-wide ones first (no row), then each row's, as ``rows`` come.
    :class:`BatchInvalid`'s ``.frame`` and ``.warnings`` and :func:`vpnkit.plan.plan`'s
    warnings are cut from it."""
    records: list[dict[str, Any]] = [{"row": None, "name": None, "path": i.path, "code": i.code,
                "message": i.message, "severity": i.severity} for i in batch_issues]
    records += [{"row": r.row, "name": r.name, "path": i.path, "code": i.code,
                 "message": i.message, "severity": i.severity}
                for r in rows for i in r.issues]
    df = pd.DataFrame(records, columns=list(ISSUE_COLUMNS))
    df["row"] = df["row"].astype("Int64")
    return df


def batch_errors(rows: Sequence[RowInput], batch_issues: Sequence[Issue]) -> list[Issue]:
    """Every error-level issue of a batch, the batch-wide ones as they are and a row's with
    its path as ``row N (name) path``: the issues :class:`BatchInvalid` carries (create_many
    and the plan raise it when this is not empty)."""
    return errors(batch_issues) + [Issue(f"row {r.row} ({r.name or '?'}) {i.path}", i.code,
                                         i.message) for r in rows for i in errors(r.issues)]


def new_batch_id() -> str:
    """A fresh batch id: ``b`` + UTC time + 6 random hex digits (sortable, readable)."""
    return time.strftime("b%Y%m%d-%H%M%S-", time.gmtime()) + uuid.uuid4().hex[:6]


def create_many(
    client: VpcClient,
    specs: Any,
    *,
    audit: AuditSink | None = None,
    workers: int = 8,
    wait: bool = True,
    batch_id: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: bool = True,
    wait_timeout: float = 600.0,
    wait_interval: float = 0.5,
    state: str | Path | None = None,
    profile: str | None = options.DEFAULT_PROFILE,
) -> BatchResult:
    """Create every tunnel in ``specs`` exactly once (see the module docstring).

    ``specs``: a DataFrame, a CSV/JSON path or a list of VpnConnectionSpec/records.
    ``audit``: where calls are logged (default: the client's own audit sink).
    ``batch_id``: pass a previous result's id to resume it. ``state``: the journal file.
    ``profile``: the named profile (:data:`vpnkit.options.PROFILES`) for the IKE/IPsec/DPD
    options a row leaves empty (a row's ``profile`` cell wins); ``None`` leaves them unset.
    Raises :class:`BatchInvalid` (nothing sent) unless ``skip_invalid``.
    """
    started = time.monotonic()
    batch_id = batch_id or new_batch_id()
    inputs, batch_issues = read_rows(specs, profile=profile)
    gateways = sorted({r.vpn_gateway_id for r in inputs if r.spec is not None})
    targets, lookup_issues = lookup_targets(client, gateways, workers)
    batch_issues = [*batch_issues, *lookup_issues]
    check_rows(inputs, targets)
    issues_df = batch_issues_frame(inputs, batch_issues)
    bad = batch_errors(inputs, batch_issues)
    if bad and (not skip_invalid or errors(batch_issues)):
        error = issues_df["severity"] == "error"
        raise BatchInvalid(bad, issues_df[error].reset_index(drop=True),
                           issues_df[~error].reset_index(drop=True))
    rows = [BatchRow(r) for r in inputs]
    for row in rows:
        row_errors = errors(row.src.issues)
        if row_errors:
            first = row_errors[0]
            row.status, row.error_code = "invalid", first.code
            row.message = f"{first.path}: {first.message}"
    if dry_run:
        requests = []
        for row in rows:
            if row.status == "pending" and row.src.spec is not None:
                existing = targets.tunnels.get(row.src.vpn_gateway_id, {}).get(row.src.name)
                row.status = "dry-run"
                row.message = ("exists: " + str(existing.get("VpnConnectionId"))
                               if existing is not None else "would create" if targets.known
                               else "not checked against live state (lookups failed)")
                body = redact(row.src.spec.to_wire())
                requests.append({"row": row.src.row, "action": "CreateVpnConnection",
                                 "region": client.region, "endpoint": client.endpoint,
                                 "body": body})
        return BatchResult(batch_id, _frame(rows), issues_df, requests,
                           time.monotonic() - started)
    sink = audit if audit is not None else client.audit
    tagged = BatchAudit(sink, batch_id)
    journal = Journal(state or default_state_path(sink))
    client = client.with_audit(tagged)  # the caller's client is left as it was
    try:
        known = journal.load(batch_id)
        todo = rows_to_send(rows, targets, known)
        for row in rows:
            entry = known.get(row.src.key)
            if row.status not in ("exists", "reconciled") or (
                    entry is not None and entry.status in ("created", "exists")):
                continue  # nothing new to record
            if sink is not None:
                tagged.note(client, row, row.status)
            journal.record(batch_id, row.src.key, row.src.row,
                           "created" if row.status == "reconciled" else "exists",
                           vpn_connection_id=row.vpn_connection_id, message=row.message)
        run(client, todo, known, journal, batch_id, workers, progress, tagged)
        if wait:
            wait_available(client, [r for r in rows if r.status in ("created", "exists",
                                                               "reconciled")],
                      wait_timeout, wait_interval, progress)
    except KeyboardInterrupt:
        for row in rows:
            if row.status == "pending":
                row.status, row.message = "skipped", "not sent: the batch was interrupted"
        raise BatchInterrupted(BatchResult(batch_id, _frame(rows), issues_df,
                                           elapsed=time.monotonic() - started)) from None
    finally:
        journal.close()
    return BatchResult(batch_id, _frame(rows), issues_df, [], time.monotonic() - started,
                       sum(r.sent for r in todo))



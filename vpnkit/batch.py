"""Many tunnels at once: validated up front, rate-limited, resumable, never created twice.

>>> result = create_many(client, "branches.csv", audit=log)       # doctest: +SKIP
>>> result.frame                      # one row per tunnel: status, id, error, RequestId, state
>>> create_many(client, "branches.csv", batch_id=result.batch_id)  # resume: creates only the rest

The input layout (CSV, DataFrame, JSON, specs) is documented in :mod:`vpnkit.batch_io`.

1. **Validate everything first.** Every row is checked (:mod:`vpnkit.validate`, with the
   VPC CIDR and gateway version looked up via the client) and the batch as a whole
   (:mod:`vpnkit.batch_check`: duplicate names, SPD overlaps between tunnels of a gateway,
   quotas). Any error-level issue **raises** :class:`BatchInvalid` before anything is sent;
   its ``.frame`` lists every issue (row, name, path, code, message, severity). With
   ``skip_invalid=True`` those rows get status ``invalid`` and the rest go ahead.
2. **Exactly once.** Each row is keyed by (batch id, gateway, tunnel name); a SQLite journal
   (:mod:`vpnkit.batch_journal`) records the intent before each create and the outcome after.
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

Statuses: ``created``, ``exists``, ``reconciled``, ``failed``, ``invalid``, ``skipped`` (not
sent because the run was interrupted), ``dry-run``. ``dry_run=True`` validates, looks up the
targets and returns the exact request bodies (secrets masked) in ``.requests``, sending
nothing. :func:`delete_many` is the cleanup counterpart (a dry run unless ``confirm=True``).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vpnkit.batch_check import Targets, check_rows, lookup_targets
from vpnkit.batch_delete import delete_many
from vpnkit.batch_io import RowInput, read_rows
from vpnkit.batch_journal import Journal, default_state_path
from vpnkit.client import AuditSink, VpcClient
from vpnkit.errors import ApiError, SpecError, TransportError
from vpnkit.models import VpnConnection
from vpnkit.redact import redact
from vpnkit.validate import Issue

__all__ = ["STATUSES", "BatchInterrupted", "BatchInvalid", "BatchResult", "create_many",
           "delete_many"]

STATUSES = ("created", "exists", "reconciled", "failed", "invalid", "skipped", "dry-run")
COLUMNS = ("row", "name", "vpn_gateway_id", "status", "vpn_connection_id", "error_code",
           "message", "request_id", "state")
ISSUE_COLUMNS = ("row", "name", "path", "code", "message", "severity")
_RATE_RETRIES = 8      # extra rounds after the client's own retries gave up
_INTERNAL_RETRIES = 2  # re-sends after an InternalError whose tunnel was not found


class BatchInvalid(SpecError):
    """The batch failed validation and nothing was sent; ``.frame`` lists every issue."""

    def __init__(self, issues: Sequence[Issue], frame: pd.DataFrame) -> None:
        super().__init__(issues)
        self.frame = frame

    def __str__(self) -> str:
        rows = self.frame["row"].dropna().nunique()
        head = (f"batch refused, nothing sent: {len(self.frame)} problem"
                f"{'s' if len(self.frame) != 1 else ''} in {rows} row{'s' if rows != 1 else ''}")
        return head + "\n" + "\n".join(f"  {i}" for i in self.issues[:30]) + (
            f"\n  ... and {len(self.issues) - 30} more" if len(self.issues) > 30 else "")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.issues, self.frame))


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
        """True when no row failed, was invalid or was skipped."""
        return not self.frame["status"].isin(["failed", "invalid", "skipped"]).any()

    def summary(self) -> str:
        """One line: batch id, counts per status, time taken."""
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        return f"batch {self.batch_id}: {counts or 'no rows'} in {self.elapsed:.1f} s"

    def __repr__(self) -> str:
        return f"BatchResult({self.summary()})"

    def _repr_html_(self) -> str:
        html: str = self.frame.to_html(index=False)
        return f"<p><b>{self.summary()}</b></p>{html}"


@dataclass
class _Row:
    src: RowInput
    status: str = "pending"
    vpn_connection_id: str | None = None
    error_code: str | None = None
    message: str | None = None
    request_id: str | None = None
    state: str | None = None
    sent: bool = False

    def record(self) -> dict[str, Any]:
        return {"row": self.src.row, "name": self.src.name,
                "vpn_gateway_id": self.src.vpn_gateway_id, "status": self.status,
                "vpn_connection_id": self.vpn_connection_id, "error_code": self.error_code,
                "message": self.message, "request_id": self.request_id, "state": self.state}


def _frame(rows: Iterable[_Row]) -> pd.DataFrame:
    df = pd.DataFrame([r.record() for r in rows], columns=list(COLUMNS))
    df["row"] = df["row"].astype("int64")
    df["status"] = pd.Categorical(df["status"], categories=list(STATUSES))
    for col in COLUMNS[4:]:
        df[col] = df[col].astype("string")
    return df.sort_values("row", kind="stable").reset_index(drop=True)


def _issues_frame(rows: Sequence[RowInput], batch_issues: Sequence[Issue]) -> pd.DataFrame:
    records: list[dict[str, Any]] = [{"row": None, "name": None, "path": i.path, "code": i.code,
                "message": i.message, "severity": i.severity} for i in batch_issues]
    records += [{"row": r.row, "name": r.name, "path": i.path, "code": i.code,
                 "message": i.message, "severity": i.severity}
                for r in rows for i in r.issues]
    df = pd.DataFrame(records, columns=list(ISSUE_COLUMNS))
    df["row"] = df["row"].astype("Int64")
    return df


def _errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def new_batch_id() -> str:
    """A fresh batch id: ``b`` + UTC time + 6 random hex digits (sortable, readable)."""
    return time.strftime("b%Y%m%d-%H%M%S-", time.gmtime()) + uuid.uuid4().hex[:6]


class _Progress:
    """A tqdm.auto bar with created/failed/pending counts, or nothing."""

    def __init__(self, total: int, enabled: bool, desc: str) -> None:
        self.bar: Any = None
        self.counts: Counter[str] = Counter()
        self.total = total
        self._lock = threading.Lock()
        if enabled and total:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="tunnel", leave=True)
            self._postfix()

    def _postfix(self) -> None:
        done = sum(self.counts.values())
        self.bar.set_postfix(created=self.counts["ok"], failed=self.counts["failed"],
                             pending=self.total - done, refresh=False)

    def step(self, outcome: str) -> None:
        with self._lock:
            self.counts["failed" if outcome == "failed" else "ok"] += 1
            if self.bar is not None:
                self.bar.update(1)
                self._postfix()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _BatchAudit:
    """The client's audit sink for the batch's duration: tags rows with the batch id (when the
    sink's ``begin`` accepts one) and remembers each thread's last create RequestId."""

    def __init__(self, sink: AuditSink | None, batch_id: str) -> None:
        import inspect

        self.sink, self.batch_id = sink, batch_id
        self.local = threading.local()
        try:
            self.tag = sink is not None and "batch_id" in inspect.signature(
                sink.begin).parameters
        except (TypeError, ValueError):
            self.tag = False

    def begin(self, **kw: Any) -> Any:
        inner = None
        if self.sink is not None:
            begin: Any = self.sink.begin
            inner = begin(**kw, batch_id=self.batch_id) if self.tag else begin(**kw)
        return kw.get("action"), inner

    def finish(self, token: Any, **kw: Any) -> None:
        action, inner = token
        if action == "CreateVpnConnection":
            self.local.request_id = kw.get("request_id")
        if self.sink is not None:
            self.sink.finish(inner, **kw)

    def last_request_id(self) -> str | None:
        """The RequestId of this thread's last create (None if it was reconciled)."""
        value = getattr(self.local, "request_id", None)
        return str(value) if value else None

    def note(self, client: VpcClient, row: _Row, outcome: str) -> None:
        """An audit row for an outcome reached without a create call (exists/reconciled)."""
        spec = row.src.spec
        params = redact(spec.to_wire()) if spec is not None else {}
        token = self.begin(action="CreateVpnConnection", region=client.region,
                           endpoint=client.endpoint, params=params)
        self.finish(token, outcome=outcome, resource_id=row.vpn_connection_id,
                    error_message=row.message)


def _sleep_jitter(attempt: int) -> None:
    time.sleep(random.uniform(0.05, min(2.0, 0.1 * 2 ** attempt)))


def _create_one(client: VpcClient, row: _Row, journaled_before: bool) -> None:
    """Create one tunnel exactly once; fills ``row`` (never raises for API problems)."""
    spec = row.src.spec
    assert spec is not None
    rate_rounds = internal = 0
    while True:
        try:
            conn = client.create_vpn_connection(spec)
            row.status, row.sent = "created", True
            row.error_code = row.message = row.request_id = None
            _fill(row, conn)
            return
        except ApiError as exc:
            row.request_id, row.error_code, row.message = exc.request_id or None, exc.code, \
                exc.message
            if exc.retryable and rate_rounds < _RATE_RETRIES:
                rate_rounds += 1
                _sleep_jitter(rate_rounds)
                continue
            maybe_sent = exc.code.startswith("InternalError") or \
                exc.code == "InvalidParameterValue.Duplicate"
            found = _lookup(client, row) if maybe_sent else None
            if found is not None:
                row.status = "reconciled" if (journaled_before or internal or
                                              exc.code.startswith("InternalError")) else "exists"
                row.error_code = row.message = None
                _fill(row, found)
                return
            if exc.code.startswith("InternalError") and internal < _INTERNAL_RETRIES:
                internal += 1
                _sleep_jitter(internal)
                continue
            row.status = "failed"
            return
        except TransportError as exc:  # OutcomeUnknownError: the client's lookup failed too
            found = _lookup(client, row)
            if found is not None:
                row.status, row.error_code, row.message = "reconciled", None, None
                _fill(row, found)
                return
            row.status, row.error_code, row.message = "failed", "OutcomeUnknown", str(exc)
            return


def _lookup(client: VpcClient, row: _Row) -> VpnConnection | None:
    try:
        return client.find_vpn_connection(row.src.vpn_gateway_id, row.src.name)
    except (ApiError, TransportError):
        return None


def _fill(row: _Row, conn: VpnConnection) -> None:
    row.vpn_connection_id = conn.vpn_connection_id or row.vpn_connection_id
    row.state = conn.state


def _plan(rows: list[_Row], targets: Targets, known: dict[tuple[str, str], Any]) -> list[_Row]:
    """Decide, from the pre-pass and the journal, which rows still need a create."""
    todo = []
    for row in rows:
        if row.status != "pending":
            continue
        existing = targets.tunnels.get(row.src.vpn_gateway_id, {}).get(row.src.name)
        entry = known.get(row.src.key)
        if existing is not None:
            row.vpn_connection_id = str(existing.get("VpnConnectionId") or "") or None
            row.state = existing.get("State")
            if entry is not None and entry.status in ("sending", "unknown"):
                row.status, row.message = "reconciled", "outcome was unknown; found on the " \
                    "gateway"
            elif entry is not None and entry.status == "created":
                row.status, row.message = "exists", "created earlier in this batch"
                row.request_id = entry.request_id
            else:
                row.status, row.message = "exists", "already on the gateway (not sent)"
        elif entry is not None and entry.status == "created" and targets.known:
            row.status, row.error_code = "failed", "ResourceNotFound"
            row.vpn_connection_id = entry.vpn_connection_id
            row.message = (f"created earlier in this batch as {entry.vpn_connection_id}, but "
                           "it no longer exists; not re-created")
        else:
            todo.append(row)
    return todo


def _wait_all(client: VpcClient, rows: Sequence[_Row], timeout: float, interval: float,
              progress: bool) -> None:
    pending = {r.vpn_connection_id: r for r in rows if r.vpn_connection_id and
               r.state != "AVAILABLE"}
    bar = _Progress(len(pending), progress, "AVAILABLE")
    deadline = time.monotonic() + timeout
    try:
        while pending:
            for gw in sorted({r.src.vpn_gateway_id for r in pending.values()}):
                try:
                    seen = client.describe_vpn_connections_raw(filters={"vpn-gateway-id": gw})
                except (ApiError, TransportError):
                    continue  # try again next tick
                for t in seen:
                    row = pending.get(str(t.get("VpnConnectionId")))
                    if row is not None:
                        row.state = t.get("State")
                        if row.state == "AVAILABLE":
                            del pending[str(t["VpnConnectionId"])]
                            bar.step("ok")
            if not pending or time.monotonic() + interval > deadline:
                break
            time.sleep(interval)
    finally:
        bar.close()
    for row in pending.values():
        row.message = f"not AVAILABLE after {timeout:.0f} s (last state {row.state})"


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
) -> BatchResult:
    """Create every tunnel in ``specs`` exactly once (see the module docstring).

    ``specs``: a DataFrame, a CSV/JSON path or a list of VpnConnectionSpec/records.
    ``audit``: where calls are logged (default: the client's own audit sink).
    ``batch_id``: pass a previous result's id to resume it. ``state``: the journal file.
    Raises :class:`BatchInvalid` (nothing sent) unless ``skip_invalid``.
    """
    started = time.monotonic()
    batch_id = batch_id or new_batch_id()
    inputs, batch_issues = read_rows(specs)
    gateways = sorted({r.vpn_gateway_id for r in inputs if r.spec is not None})
    targets, lookup_issues = lookup_targets(client, gateways, workers)
    batch_issues = [*batch_issues, *lookup_issues]
    check_rows(inputs, targets)
    issues_df = _issues_frame(inputs, batch_issues)
    bad = _errors(batch_issues) + [Issue(f"row {r.row} ({r.name or '?'}) {i.path}", i.code,
                                         i.message) for r in inputs for i in _errors(r.issues)]
    if bad and (not skip_invalid or _errors(batch_issues)):
        raise BatchInvalid(bad, issues_df[issues_df["severity"] == "error"]
                           .reset_index(drop=True))
    rows = [_Row(r) for r in inputs]
    for row in rows:
        if _errors(row.src.issues):
            first = _errors(row.src.issues)[0]
            row.status, row.error_code = "invalid", first.code
            row.message = f"{first.path}: {first.message}"
    if dry_run:
        requests = []
        for row in rows:
            if row.status == "pending" and row.src.spec is not None:
                existing = targets.tunnels.get(row.src.vpn_gateway_id, {}).get(row.src.name)
                row.status = "dry-run"
                row.message = ("exists: " + str(existing.get("VpnConnectionId"))
                               if existing is not None else "would create")
                body = redact(row.src.spec.to_wire())
                requests.append({"row": row.src.row, "action": "CreateVpnConnection",
                                 "region": client.region, "endpoint": client.endpoint,
                                 "body": body})
        return BatchResult(batch_id, _frame(rows), issues_df, requests,
                           time.monotonic() - started)
    sink = audit if audit is not None else client.audit
    tagged = _BatchAudit(sink, batch_id)
    journal = Journal(state or default_state_path(sink))
    saved_audit = client.audit
    client.audit = tagged
    try:
        known = journal.load(batch_id)
        todo = _plan(rows, targets, known)
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
        _run(client, todo, known, journal, batch_id, workers, progress, tagged)
        if wait:
            _wait_all(client, [r for r in rows if r.status in ("created", "exists",
                                                               "reconciled")],
                      wait_timeout, wait_interval, progress)
    except KeyboardInterrupt:
        for row in rows:
            if row.status == "pending":
                row.status, row.message = "skipped", "not sent: the batch was interrupted"
        raise BatchInterrupted(BatchResult(batch_id, _frame(rows), issues_df,
                                           elapsed=time.monotonic() - started)) from None
    finally:
        client.audit = saved_audit
        journal.close()
    return BatchResult(batch_id, _frame(rows), issues_df, [], time.monotonic() - started,
                       sum(r.sent for r in todo))


def _run(client: VpcClient, todo: Sequence[_Row], known: dict[tuple[str, str], Any],
         journal: Journal, batch_id: str, workers: int, progress: bool,
         audit: _BatchAudit) -> None:
    bar = _Progress(len(todo), progress, "create")

    def one(row: _Row) -> None:
        entry = known.get(row.src.key)
        journal.record(batch_id, row.src.key, row.src.row, "sending")
        audit.local.request_id = None
        _create_one(client, row, entry is not None and entry.status in ("sending",
                                                                        "unknown"))
        if row.status == "created":
            row.request_id = audit.last_request_id()
        status = {"created": "created", "reconciled": "created", "exists": "created"}.get(
            row.status, "unknown" if row.error_code == "OutcomeUnknown" else "failed")
        journal.record(batch_id, row.src.key, row.src.row, status,
                       vpn_connection_id=row.vpn_connection_id, request_id=row.request_id,
                       error_code=row.error_code, message=row.message)
        bar.step("failed" if row.status == "failed" else "ok")

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="vpnkit-batch")
    futures: set[Future[None]] = set()
    try:
        for row in todo:
            futures.add(pool.submit(one, row))
        while futures:
            done, futures = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in done:
                f.result()
    except BaseException:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        bar.close()
    pool.shutdown(wait=True)

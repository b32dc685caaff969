"""Running a planned batch: each row's create exactly once, progress, and the final wait.

:func:`vpnkit.batch.create_many` validates and plans; this module does the sending. Each row
is a :class:`BatchRow`; :func:`run` creates the rows to do in a thread pool (journaling intent
and outcome around each create), :func:`wait_available` polls until they are ``AVAILABLE``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from vpnkit.batch.io import RowInput
from vpnkit.batch.journal import Journal
from vpnkit.batch.preflight import Targets
from vpnkit.batch.retry import RateLimitRetries, sleep_jitter
from vpnkit.client import AuditSink, VpcClient
from vpnkit.errors import ApiError, TransportError
from vpnkit.models import VpnConnection
from vpnkit.redact import redact

__all__ = ["BatchAudit", "BatchRow", "LookupFailed", "create_one", "lookup", "rows_to_send", "run",
           "wait_available"]

_INTERNAL_RETRIES = 2  # re-sends after an InternalError whose tunnel was not found


@dataclass
class BatchRow:
    """One input row as the run sees it: its status and what the API said."""

    src: RowInput
    status: str = "pending"
    vpn_connection_id: str | None = None
    error_code: str | None = None
    message: str | None = None
    request_id: str | None = None
    state: str | None = None
    sent: bool = False

    def record(self) -> dict[str, Any]:
        """The row of the result frame."""
        return {"row": self.src.row, "name": self.src.name,
                "vpn_gateway_id": self.src.vpn_gateway_id, "status": self.status,
                "vpn_connection_id": self.vpn_connection_id, "error_code": self.error_code,
                "message": self.message, "request_id": self.request_id, "state": self.state}


class _Progress:
    """A tqdm.auto bar with <done>/failed/pending counts, or nothing: ``created`` while
    creating, ``available`` while waiting (where nothing counts as failed)."""

    def __init__(self, total: int, enabled: bool, desc: str, done: str = "created") -> None:
        self.bar: Any = None
        self.done = done
        self.counts: Counter[str] = Counter()
        self.total = total
        self._lock = threading.Lock()
        if enabled and total:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="tunnel", leave=True,
                            postfix=self._counts())  # the first line has the counts too

    def _counts(self) -> dict[str, int]:
        counts = {self.done: self.counts["ok"], "failed": self.counts["failed"],
                  "pending": self.total - sum(self.counts.values())}
        if self.done != "created":
            del counts["failed"]
        return counts

    def _postfix(self) -> None:
        self.bar.set_postfix(self._counts(), refresh=False)

    def step(self, outcome: str) -> None:
        with self._lock:
            self.counts["failed" if outcome == "failed" else "ok"] += 1
            if self.bar is not None:
                self._postfix()  # before update(), which draws: the counts match the bar
                self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class BatchAudit:
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

    def note(self, client: VpcClient, row: BatchRow, outcome: str) -> None:
        """An audit row for an outcome reached without a create call (exists/reconciled)."""
        spec = row.src.spec
        params = redact(spec.to_wire()) if spec is not None else {}
        token = self.begin(action="CreateVpnConnection", region=client.region,
                           endpoint=client.endpoint, params=params)
        self.finish(token, outcome=outcome, resource_id=row.vpn_connection_id,
                    error_message=row.message)


class LookupFailed(Exception):
    """Looking a tunnel up failed: its existence is unknown (never read as "not found")."""


def lookup(client: VpcClient, vpn_gateway_id: str, name: str) -> VpnConnection | None:
    """The tunnel ``name`` on a gateway; None only when a lookup that *succeeded* shows it
    absent. A failed lookup raises :class:`LookupFailed`."""
    try:
        return client.find_vpn_connection(vpn_gateway_id, name)
    except (ApiError, TransportError) as exc:
        raise LookupFailed(str(exc)) from exc


def _unknown(row: BatchRow, why: str) -> None:
    row.status, row.error_code = "unknown", "OutcomeUnknown"
    row.message = f"{why}; not sent again: resume with the same batch id once lookups answer"


_MAY_HAVE_SENT = ("InternalError", "InvalidParameterValue.Duplicate")


def create_one(client: VpcClient, row: BatchRow, journaled_before: bool) -> None:
    """Create one tunnel exactly once; fills ``row`` (never raises for API problems). The
    default sender of :func:`run`, and the plan's creates (:mod:`vpnkit.plan.apply`).

    ``journaled_before``: the journal says an earlier run may have sent this create. A
    ``Duplicate`` answer to a create vpnkit may have sent (journaled before, or re-sent in
    this run after an ``InternalError``) is reconciled by a lookup. Whenever a lookup fails,
    the row ends ``unknown`` and nothing more is sent for it.
    """
    spec = row.src.spec
    assert spec is not None
    rate, internal = RateLimitRetries(), 0  # one budget for the row, across InternalError re-sends
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
            if rate.sleep_if_retryable(exc):
                continue
            if not exc.code.startswith(_MAY_HAVE_SENT):
                row.status = "failed"
                return
            ours = journaled_before or internal > 0 or exc.code.startswith("InternalError")
            try:
                found = lookup(client, row.src.vpn_gateway_id, row.src.name)
            except LookupFailed as failed:
                _unknown(row, f"the create answered {exc.code} and the lookup failed ({failed})")
                return
            if found is not None:
                row.status = "reconciled" if ours else "exists"
                row.error_code = row.message = None
                _fill(row, found)
                return
            if exc.code.startswith("InternalError") and internal < _INTERNAL_RETRIES:
                internal += 1  # a lookup that succeeded shows it absent: one more is safe
                sleep_jitter(internal)
                continue
            if ours and exc.code == "InvalidParameterValue.Duplicate":
                _unknown(row, "the create answered Duplicate but the tunnel is not listed")
                return
            row.status = "failed"
            return
        except TransportError as exc:  # OutcomeUnknownError: lost answer(s), lookups unsure
            try:
                found = lookup(client, row.src.vpn_gateway_id, row.src.name)
            except LookupFailed as failed:
                _unknown(row, f"{exc}; the lookup failed too ({failed})")
                return
            if found is not None:
                row.status, row.error_code, row.message = "reconciled", None, None
                _fill(row, found)
                return
            _unknown(row, str(exc))  # may still land: resume looks again before any re-send
            return


def _fill(row: BatchRow, conn: VpnConnection) -> None:
    row.vpn_connection_id = conn.vpn_connection_id or row.vpn_connection_id
    row.state = conn.state


def rows_to_send(rows: list[BatchRow], targets: Targets,
                 known: dict[tuple[str, str], Any]) -> list[BatchRow]:
    """Decide, from the pre-pass and the journal, which rows still need a create.

    A row journaled ``sending``/``unknown``/``created`` is sent again only when the pre-pass
    succeeded and shows its tunnel absent (``created`` ones are then reported, not re-sent).
    When the pre-pass failed (``targets.known`` is False) nothing is sent: journaled rows end
    ``unknown``, the others ``skipped``, each saying how to resume.
    """
    todo = []
    for row in rows:
        if row.status != "pending":
            continue
        existing = targets.tunnels.get(row.src.vpn_gateway_id, {}).get(row.src.name)
        entry = known.get(row.src.key)
        if not targets.known:
            why = "the gateways' tunnels could not be read"
            if entry is not None and entry.status in ("sending", "unknown", "created"):
                row.vpn_connection_id = entry.vpn_connection_id
                row.request_id = entry.request_id
                _unknown(row, f"journaled {entry.status!r} and {why}")
            else:
                row.status = "skipped"
                row.message = (f"not sent: {why}, so exactly-once and the pre-flight checks "
                               "cannot be guaranteed; resume with the same batch id")
            continue
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
        elif entry is not None and entry.status == "created":
            row.status, row.error_code = "failed", "ResourceNotFound"
            row.vpn_connection_id = entry.vpn_connection_id
            row.message = (f"created earlier in this batch as {entry.vpn_connection_id}, but "
                           "it no longer exists; not re-created")
        else:
            todo.append(row)
    return todo


def wait_available(client: VpcClient, rows: Sequence[BatchRow], timeout: float, interval: float,
              progress: bool) -> None:
    pending = {r.vpn_connection_id: r for r in rows if r.vpn_connection_id and
               r.state != "AVAILABLE"}
    bar = _Progress(len(pending), progress, "AVAILABLE", done="available")
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


#: a row's final status -> what the journal records (anything else: failed)
JOURNAL_STATUS = {"created": "created", "reconciled": "created", "exists": "created",
                  "unknown": "unknown", "modified": "modified", "deleting": "deleting",
                  "deleted": "deleted"}


def run(client: VpcClient, todo: Sequence[BatchRow], known: dict[tuple[str, str], Any],
         journal: Journal, batch_id: str, workers: int, progress: bool,
         audit: BatchAudit, *,
         send: Callable[[VpcClient, BatchRow, bool], None] | None = None,
         desc: str = "create") -> None:
    """Send every row of ``todo`` once (intent journaled before, outcome after).

    ``send(client, row, journaled_before)`` does one row's change and fills ``row``; the
    default creates the tunnel. :mod:`vpnkit.plan` passes its Modify and Delete senders.
    """
    bar = _Progress(len(todo), progress, desc)
    send_one = send or create_one

    def one(row: BatchRow) -> None:
        entry = known.get(row.src.key)
        journal.record(batch_id, row.src.key, row.src.row, "sending")
        audit.local.request_id = None
        send_one(client, row, entry is not None and entry.status in ("sending", "unknown"))
        if row.status == "created":
            row.request_id = audit.last_request_id()
        status = JOURNAL_STATUS.get(row.status, "failed")
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

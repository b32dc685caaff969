"""Deleting tunnels: ``delete_many`` (the cleanup runbook's bulk delete, a dry run unless
explicitly confirmed) and :func:`delete_one`, the one send-wait-report path it shares with
:mod:`vpnkit.plan`'s prune and replace.

Statuses, the same wherever a delete is made: ``failed`` (the API refused it: nothing was
deleted), ``unknown`` (the answer was lost and a read-back could not tell), ``deleting`` (the
API accepted it; with a wait, that it finished could not be confirmed, and the message says
why), ``deleted`` (a read showed the tunnel gone).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from vpnkit.batch.retry import RateLimitRetries
from vpnkit.client import VpcClient
from vpnkit.errors import ApiError, TransportError, WaitTimeout

__all__ = ["DeleteOutcome", "confirm_gone", "confirmation_phrase", "delete_many", "delete_one"]


def confirmation_phrase(count: int) -> str:
    """What a person types to confirm deleting ``count`` tunnels (runbook 04, plan's prune).

    It names the number, so a plan that changed since it was read is refused.
    """
    return f"delete {count} tunnel{'' if count == 1 else 's'}"


@dataclass
class DeleteOutcome:
    """What one delete came to (the statuses are in the module docstring)."""

    status: str
    error_code: str | None = None
    message: str | None = None
    request_id: str | None = None


def confirm_gone(client: VpcClient, vpn_connection_id: str, timeout: float) -> str | None:
    """Wait until the tunnel is gone: None once a read shows it, else why that could not be
    confirmed (a failed or slow read-back never undoes an accepted delete)."""
    try:
        client.wait_vpn_connection(vpn_connection_id, "DELETED", timeout=timeout, interval=0.5)
    except (ApiError, TransportError, WaitTimeout) as exc:
        return f"delete accepted; could not confirm that it finished: {exc}"
    return None


def _read_back(client: VpcClient, vpn_connection_id: str, lost: TransportError) -> DeleteOutcome:
    """The delete's answer was lost: accepted if a read shows the tunnel deleting or gone."""
    try:
        found = client.describe_vpn_connections([vpn_connection_id])
    except ApiError as exc:
        if exc.code != "ResourceNotFound":
            return DeleteOutcome("unknown", "OutcomeUnknown",
                                 f"{lost}; the read-back failed too ({exc}): plan again")
        found = []
    except TransportError as exc:
        return DeleteOutcome("unknown", "OutcomeUnknown",
                             f"{lost}; the read-back failed too ({exc}): plan again")
    state = found[0].state if found else "DELETED"
    if state in ("DELETING", "DELETED"):
        return DeleteOutcome("deleting", message="the answer was lost; a read showed the "
                             "delete accepted")
    return DeleteOutcome("unknown", "OutcomeUnknown",
                         f"{lost}; the tunnel is still {state}: plan again to see whether "
                         "the delete landed")


def delete_one(client: VpcClient, vpn_connection_id: str, vpn_gateway_id: str, *,
               wait: bool, timeout: float) -> DeleteOutcome:
    """Delete one tunnel and, with ``wait``, confirm it gone (statuses: the module docstring).

    A rate-limit refusal (the API did not run it) is retried with jitter after the client's
    own retries; a lost answer is read back, never sent again blindly.
    """
    rate = RateLimitRetries()
    while True:
        try:
            out = DeleteOutcome("deleting", request_id=client.delete_vpn_connection(
                vpn_connection_id, vpn_gateway_id) or None)
            break
        except ApiError as exc:
            if rate.sleep_if_retryable(exc):
                continue
            return DeleteOutcome("failed", exc.code, exc.message, exc.request_id or None)
        except TransportError as exc:
            out = _read_back(client, vpn_connection_id, exc)
            if out.status != "deleting":
                return out
            break
    if wait:  # the delete was accepted: a failed or slow read-back does not undo that
        why = confirm_gone(client, vpn_connection_id, timeout)
        if why is None:
            out.status = "deleted"
        else:
            out.message = why
    return out


def delete_many(
    client: VpcClient,
    ids_or_frame: Any,
    *,
    dry_run: bool = True,
    confirm: bool = False,
    wait: bool = False,
    workers: int = 4,
    timeout: float = 300.0,
) -> pd.DataFrame:
    """Delete tunnels by id (a list, or a frame with ``vpn_connection_id``); a dry run by default.

    Nothing is deleted unless ``dry_run=False`` **and** ``confirm=True``. Returns one row per
    id: vpn_connection_id, name, vpn_gateway_id, status (``would-delete``, ``missing``, or
    :func:`delete_one`'s ``deleting``, ``deleted``, ``failed``, ``unknown``), error_code,
    message, request_id. ``failed`` means the API refused the delete; a delete it accepted
    whose wait could not be confirmed (the read-back failed or timed out) stays ``deleting``
    and says why.
    """
    if hasattr(ids_or_frame, "columns"):
        ids = [str(i) for i in ids_or_frame["vpn_connection_id"].dropna() if str(i)]
    else:
        ids = [str(i) for i in ids_or_frame]
    if not dry_run and not confirm:
        raise ValueError("delete_many deletes only with dry_run=False and confirm=True")
    wanted = set(ids)
    by_id = {c.vpn_connection_id: c for c in client.describe_vpn_connections()
             if c.vpn_connection_id in wanted}

    def one(vid: str) -> dict[str, Any]:
        conn = by_id.get(vid)
        rec: dict[str, Any] = {"vpn_connection_id": vid, "name": conn.vpn_connection_name
                               if conn else None, "vpn_gateway_id": conn.vpn_gateway_id
                               if conn else None, "status": "missing", "error_code": None,
                               "message": None, "request_id": None}
        if conn is None:
            rec["message"] = "no such tunnel"
            return rec
        if dry_run:
            rec["status"] = "would-delete"
            return rec
        out = delete_one(client, vid, conn.vpn_gateway_id, wait=wait, timeout=timeout)
        rec.update(status=out.status, error_code=out.error_code, message=out.message,
                   request_id=out.request_id)
        return rec

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        records = list(pool.map(one, ids))
    return pd.DataFrame(records, columns=["vpn_connection_id", "name", "vpn_gateway_id",
                                          "status", "error_code", "message", "request_id"])

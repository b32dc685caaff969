"""``delete_many``: the cleanup runbook's bulk delete (a dry run unless explicitly confirmed)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from vpnkit.client import VpcClient
from vpnkit.errors import ApiError, TransportError, WaitTimeout

__all__ = ["confirmation_phrase", "delete_many"]


def confirmation_phrase(count: int) -> str:
    """What a person types to confirm deleting ``count`` tunnels (runbook 04, plan's prune).

    It names the number, so a plan that changed since it was read is refused.
    """
    return f"delete {count} tunnel{'' if count == 1 else 's'}"


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
    id: vpn_connection_id, name, vpn_gateway_id, status (``would-delete``, ``deleting``,
    ``deleted``, ``missing``, ``failed``), error_code, message, request_id. ``failed`` means
    the API refused the delete; a delete it accepted whose wait could not be confirmed (the
    read-back failed or timed out) stays ``deleting`` and says why.
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
        try:
            rec["request_id"] = client.delete_vpn_connection(vid, conn.vpn_gateway_id)
        except ApiError as exc:
            rec.update(status="failed", error_code=exc.code, message=exc.message,
                       request_id=exc.request_id or None)
            return rec
        except TransportError as exc:
            rec.update(status="failed", error_code=type(exc).__name__, message=str(exc))
            return rec
        rec["status"] = "deleting"
        if wait:  # the delete was accepted: a failed or slow read-back does not undo that
            try:
                client.wait_vpn_connection(vid, "DELETED", timeout=timeout, interval=0.5)
                rec["status"] = "deleted"
            except (ApiError, TransportError, WaitTimeout) as exc:
                rec["message"] = f"delete accepted; could not confirm that it finished: {exc}"
        return rec

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        records = list(pool.map(one, ids))
    return pd.DataFrame(records, columns=["vpn_connection_id", "name", "vpn_gateway_id",
                                          "status", "error_code", "message", "request_id"])

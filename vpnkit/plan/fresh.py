"""Before apply sends anything: is each tunnel still the one the plan saw?

A plan is made from the live state at one moment; a review, a confirmation prompt or a
notebook cell may stand between it and :meth:`vpnkit.plan.Plan.apply`, and someone (a
console user, another runbook) may change a tunnel meanwhile. Applying the old diff then
would undo their change or fail halfway. So apply first re-reads the tunnels of the plan's
gateways (one paged describe per 5 gateways,
:func:`vpnkit.batch.preflight.tunnels_by_gateway`) and compares each change's tunnel with
what the plan saw: a row that differs is **stale**, and is not sent; the message names what
moved (field names only: a key is never shown).

What counts as a difference: the tunnel appeared (a planned create), disappeared, has
another id (re-created), is now being deleted, or any configured field differs: name,
references, the key, SPD pairs (as sets, so order is no change), crypto, DPD, health check,
BGP, tags. Not a difference: what the gateway changes by itself (state PENDING -> AVAILABLE,
net status, health-check status). A re-read that fails raises :class:`PlanError` with
nothing sent: a failed lookup is never "unchanged".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from vpnkit.errors import ApiError, TransportError
from vpnkit.models import VpnConnection
from vpnkit.plan.changes import Change, PlanError, spd_pairs

if TYPE_CHECKING:
    from vpnkit.client import VpcClient

__all__ = ["VOLATILE", "reread", "stale", "stale_changes"]

#: what the gateway changes on its own: never a reason to call a plan stale
VOLATILE = frozenset({"state", "net_status", "health_check_status", "created_time"})


def reread(client: VpcClient, gateways: Sequence[str],
           workers: int = 8) -> dict[tuple[str, str], VpnConnection]:
    """The tunnels of ``gateways`` now, by (gateway, name); :class:`PlanError` if unreadable."""
    from vpnkit.batch.preflight import tunnels_by_gateway
    from vpnkit.wire import connection_from_wire

    try:
        listing = tunnels_by_gateway(client, gateways, workers)
    except (ApiError, TransportError) as exc:
        raise PlanError(f"could not re-read the live state before applying ({exc}); nothing "
                        "was sent: apply again once lookups answer") from exc
    return {(gw, name): connection_from_wire(dict(raw))
            for gw, tunnels in listing.items() for name, raw in tunnels.items()}


def _comparable(conn: VpnConnection, name: str) -> Any:
    value = getattr(conn, name)
    if name == "security_policy_databases":
        return spd_pairs(value)
    if name == "tags":
        return frozenset((t.key, t.value) for t in value)
    return value


def _moved(seen: VpnConnection, now: VpnConnection) -> list[str]:
    """The configured fields that differ (names only)."""
    return [f.name for f in fields(VpnConnection) if f.name not in VOLATILE
            and _comparable(seen, f.name) != _comparable(now, f.name)]


def stale(change: Change, now: VpnConnection | None) -> str | None:
    """Why ``change`` no longer fits the live tunnel ``now`` (None: it still does)."""
    seen = change.live
    if seen is None:  # the plan saw no tunnel of this name: a create
        if now is None:
            return None
        return f"a tunnel of this name appeared since the plan ({now.vpn_connection_id})"
    if change.replaces is not None:  # finishing a replace: the old tunnel going, or gone
        if now is None or (now.vpn_connection_id == seen.vpn_connection_id
                           and now.state == "DELETING"):
            return None
        if now.vpn_connection_id == seen.vpn_connection_id:
            return f"{seen.vpn_connection_id} is no longer being deleted"
    if now is None:
        if change.spec is None and seen.state == "DELETING":
            return None  # not desired, and already on its way out when planned
        return f"{seen.vpn_connection_id} is gone since the plan"
    if now.vpn_connection_id != seen.vpn_connection_id:
        return (f"re-created since the plan ({seen.vpn_connection_id} -> "
                f"{now.vpn_connection_id})")
    if now.state == "DELETING" and seen.state != "DELETING":
        return "is being deleted since the plan"
    moved = _moved(seen, now)
    if moved:
        return "changed since the plan (" + ", ".join(moved) + ")"
    return None


def stale_changes(changes: Sequence[Change],
                  now: Mapping[tuple[str, str], VpnConnection]) -> dict[tuple[str, str], str]:
    """(gateway, name) -> why, for every change that no longer fits the live state."""
    out = {}
    for c in changes:
        why = stale(c, now.get(c.key_tuple))
        if why is not None:
            out[c.key_tuple] = why
    return out

"""``vpnkit describe`` and ``vpnkit delete``: the tunnels that exist."""

from __future__ import annotations

import argparse
from typing import Any

from vpnkit.cli._common import (
    FORMATS,
    TABLE_COLUMNS,
    client_from_args,
    emit,
    in_utc,
    resource_id,
)
from vpnkit.errors import ApiError
from vpnkit.redact import redact

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add ``describe`` and ``delete`` to the subcommands."""
    p = sub.add_parser("describe", help="list tunnels (table, CSV or JSON)",
                       description="List the region's tunnels; the pre-shared key is never "
                       "shown.")
    p.add_argument("--id", dest="ids", nargs="+", metavar="ID", type=resource_id("vpnx"),
                   help="only these tunnels (vpnx-xxxxxxxx; default: all)")
    p.add_argument("--gateway", metavar="VPNGW_ID", type=resource_id("vpngw"),
                   help="only tunnels of this VPN gateway (vpngw-xxxxxxxx; default: all)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output format (default: %(default)s)")
    p.set_defaults(func=cmd_describe)
    p = sub.add_parser("delete", help="delete one tunnel (shows it first; --yes deletes)",
                       description="Delete one tunnel. Without --yes it only says what "
                       "would be deleted.")
    p.add_argument("id", metavar="ID", type=resource_id("vpnx"), help="the tunnel, "
                   "vpnx-xxxxxxxx")
    p.add_argument("--yes", action="store_true", help="really delete (default: only show "
                   "what would be deleted)")
    p.add_argument("--wait", action="store_true", help="wait until it is gone (default: "
                   "return once the API accepted the delete)")
    p.set_defaults(func=cmd_delete)


def cmd_describe(args: argparse.Namespace) -> int:
    """describe: tunnels as a table, CSV or JSON (the pre-shared key is never shown)."""
    from vpnkit.frames import connections_frame

    client = client_from_args(args)
    filters = {"vpn-gateway-id": args.gateway} if args.gateway else None
    raw = client.describe_vpn_connections_raw(args.ids, filters=filters)
    frame = in_utc(connections_frame(raw))
    if args.format == "json":
        emit(frame, "json", records={"TotalCount": len(raw),
                                      "VpnConnectionSet": redact(raw)})
    else:
        emit(frame if args.format == "csv" else frame[[c for c in TABLE_COLUMNS
                                                        if c in frame.columns]], args.format)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """delete ID: shows what would go; deletes only with --yes."""
    client = client_from_args(args)
    found = client.describe_vpn_connections(filters={"vpn-connection-id": args.id})
    if not found:
        raise ApiError("ResourceNotFound", f"{args.id} does not exist in {client.region}", "",
                       "DeleteVpnConnection")
    conn = found[0]
    what = f"{conn.vpn_connection_id} ({conn.vpn_connection_name}) on {conn.vpn_gateway_id}"
    if not args.yes:
        print(f"would delete {what}; re-run with --yes to delete it")
        return 0
    request_id = client.delete_vpn_connection(conn.vpn_connection_id, conn.vpn_gateway_id)
    if args.wait:
        client.wait_vpn_connection(conn.vpn_connection_id, "DELETED", interval=0.5)
    print(f"deleting {what} [RequestId {request_id}]" if not args.wait else f"deleted {what}")
    return 0

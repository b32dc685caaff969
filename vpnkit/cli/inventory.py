"""``vpnkit inventory``: every tunnel of the account in every region, one table or file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vpnkit.cli._common import FORMATS, add_workers, client_from_args, emit

__all__ = ["SHOWN", "register"]

#: the table format's columns (csv, json and --output carry every column)
SHOWN = ["region", "vpn_connection_id", "vpn_connection_name", "vpn_gateway_id",
         "customer_gateway_ip", "route_type", "state", "net_status", "health_check_status",
         "ike_version", "ike_encryption_algorithm", "ipsec_encryption_algorithm", "spd_count",
         "weak_crypto_count"]


def register(sub: Any) -> None:
    """Add ``inventory`` to the subcommands."""
    p = sub.add_parser("inventory", help="every tunnel in every region (table, CSV, JSON, "
                       "Parquet)", description="Every tunnel of the account in every "
                       "region, read in parallel under each region's rate limit.")
    p.add_argument("--regions", default="all", metavar="all|LIST",
                   help="'all' (default) or a comma-separated list of regions")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output format on stdout (default: table)")
    p.add_argument("--output", metavar="FILE", help="also write every column to FILE.csv "
                   "or FILE.parquet (Parquet needs the 'parquet' extra)")
    add_workers(p, "regions read in parallel")
    p.set_defaults(func=cmd_inventory)


def cmd_inventory(args: argparse.Namespace) -> int:
    """inventory: 0 when every region was read, 1 when some could not be (rows shown)."""
    from vpnkit.inventory import export, flat, inventory, resolve_regions

    client = client_from_args(args)
    regions = resolve_regions(args.regions, client.region)
    frame = inventory(client, regions, workers=args.workers, partial=True)
    failed: dict[str, str] = frame.attrs.get("failed_regions", {})
    if args.output:
        written = export(frame, args.output)
        print(f"wrote {len(frame)} tunnels to {written}", file=sys.stderr)
    shown = frame[[c for c in SHOWN if c in frame.columns]] if args.format == "table" \
        else flat(frame)
    emit(shown, args.format)
    n_regions = len(regions) - len(failed)
    print(f"{len(frame)} tunnel{'s' if len(frame) != 1 else ''} in {n_regions} region"
          f"{'s' if n_regions != 1 else ''}", file=sys.stderr)
    for region, message in frame.attrs.get("unavailable_regions", {}).items():
        print(f"note: {region}: not served there ({message})", file=sys.stderr)
    for region, message in failed.items():
        print(f"error: {region}: {message}", file=sys.stderr)
    return 1 if failed else 0

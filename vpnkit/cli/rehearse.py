"""``vpnkit rehearse VPNX_ID [--config FILE] [--psk-env VAR]``: negotiate and send traffic, offline.

Runs :func:`vpnkit.peer.rehearse` (two strongSwan daemons in private network namespaces; needs
root and strongSwan) and prints the per-pair table: one row per SPD pair of a policy-based
tunnel, or per destination route of a StaticRoute tunnel (its gateway's routes to it,
DescribeVpnGatewayRoutes, from its VPC's CidrBlock). BGP tunnels are not rehearsed. Exit codes:
0 every pair (route) carried traffic, 1 one is down (or the tunnel cannot be rehearsed),
2 usage, 3 the rehearsal cannot run on this machine (not root, strongSwan missing: the message
says what to install).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from vpnkit.cli._common import FORMATS, UsageError, client_from_args

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add ``rehearse`` to the subcommands."""
    text = ("negotiate the tunnel between two local strongSwan daemons and send traffic per SPD "
            "pair (policy-based) or per destination route (StaticRoute; not BGP)")
    more = ("A StaticRoute tunnel is rehearsed per route of its VPN gateway that points at it "
            "(DescribeVpnGatewayRoutes), from an address of its VPC (DescribeVpcs CidrBlock). "
            "The userspace ESP used here has no XFRM interface: the if_id_in/if_id_out lines "
            "are dropped and each side routes the other's ranges into its TUN device instead "
            "(the result says so). Exit 0 every pair/route up, 1 not, 2 usage, 3 cannot run here.")
    p = sub.add_parser("rehearse", help=text, description=f"{text}. {more}")
    p.add_argument("id", metavar="VPNX_ID", help="the tunnel (vpnx-...)")
    p.add_argument("--config", metavar="FILE", help="the IDC side's own strongSwan "
                   "swanctl.conf (default: the configuration vpnkit peer-config generates)")
    p.add_argument("--psk-env", metavar="VAR", help="environment variable holding the "
                   "pre-shared key of the Tencent side (default: the key in --config, else a "
                   "random key for both sides)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per negotiation "
                   "(default: 5)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output format (default: table)")
    p.set_defaults(func=cmd_rehearse)


def cmd_rehearse(args: argparse.Namespace) -> int:
    """rehearse VPNX_ID: 0 when every pair is up, 1 when not, 3 when it cannot run here."""
    from vpnkit.peer.netns import LabUnavailable
    from vpnkit.peer.rehearse import rehearse

    psk = None
    if args.psk_env:
        psk = os.environ.get(args.psk_env)
        if not psk:
            raise UsageError(f"--psk-env {args.psk_env}: that environment variable is not set")
    config = None
    if args.config:
        config = Path(args.config).expanduser()
        if not config.is_file():
            raise UsageError(f"--config: no such file: {config}")
    client = client_from_args(args)
    try:
        result = rehearse(args.id, client=client, idc_config=config, psk=psk,
                          timeout=args.timeout)
    except LabUnavailable as exc:
        print(f"vpnkit rehearse: {exc}", file=sys.stderr)
        return 3
    if args.format == "json":
        print(json.dumps({"vpn_connection_id": result.vpn_connection_id, "ok": result.ok,
                          "initiator": result.initiator, "ike_version": result.ike_version,
                          "seconds": round(result.seconds, 3), "route_based": result.route_based,
                          "pairs": result.rows(),
                          "notes": list(result.notes)}, indent=2))
    elif args.format == "csv":
        sys.stdout.write(result.frame().to_csv(index=False))
    else:
        print(result.table())
    return 0 if result.ok else 1

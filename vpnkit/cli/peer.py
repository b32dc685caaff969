"""``vpnkit peer-config`` and ``vpnkit peer-check``: the IDC side of one tunnel.

``peer-config VPNX_ID --vendor V [--psk-env VAR]`` prints the customer gateway's configuration
(the pre-shared key only when ``--psk-env`` names an environment variable holding it; the
tunnel's own key is never fetched into the output). Exit 0, or 1 when the vendor cannot
express a setting of the tunnel (the config is still printed, with ERROR comments).

``peer-check VPNX_ID --config FILE [--vendor V] [--format table|json|csv]`` compares a
strongSwan swanctl.conf, a Libreswan ipsec.conf or a Cisco IOS / IOS-XE or ASA
running-config (recognised by its syntax, or named by ``--vendor``) with the tunnel: exit 0
when compatible (warnings such as lifetimes that differ are shown), 1 with the mismatches that
stop the tunnel.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from vpnkit.cli._common import FORMATS, UsageError, client_from_args, emit, resource_id

__all__ = ["PARSER_NAMES", "VENDOR_NAMES", "lookup", "register"]

#: what ``--vendor`` accepts: the keys of :data:`vpnkit.peer.vendors.VENDORS`, in its order
#: (a test keeps the two equal). Written out so that building the parser (every ``vpnkit``
#: command does) imports none of ``vpnkit.peer``.
VENDOR_NAMES = ("strongswan", "libreswan", "cisco-ios", "cisco-asa", "junos", "fortios",
                "panos", "huawei")
#: what ``peer-check --vendor`` accepts: :data:`vpnkit.peer.check.PARSERS` (a test keeps them
#: equal), written out for the same reason
PARSER_NAMES = ("strongswan", "libreswan", "cisco-ios", "cisco-asa")


def register(sub: Any) -> None:
    """Add ``peer-config`` and ``peer-check`` to the subcommands."""
    p = sub.add_parser("peer-config", help="print the IDC side's configuration for a tunnel",
                       description="Render the customer gateway's configuration for one "
                       "tunnel (strongSwan, Libreswan, Cisco IOS-XE/ASA, Junos, FortiOS, "
                       "PAN-OS, Huawei VRP) on stdout. The pre-shared key is a placeholder "
                       "unless --psk-env names a variable that holds it. Exit 1 when the "
                       "vendor cannot express a setting of the tunnel (ERROR lines).")
    p.add_argument("vpn_connection_id", metavar="VPNX_ID", type=resource_id("vpnx"),
                   help="the tunnel, vpnx-xxxxxxxx")
    p.add_argument("--vendor", required=True, choices=VENDOR_NAMES)
    p.add_argument("--psk-env", metavar="VAR", help="environment variable holding the "
                   "pre-shared key to write into the configuration")
    p.set_defaults(func=cmd_peer_config)
    c = sub.add_parser("peer-check", help="check a peer's strongSwan/Libreswan/Cisco config "
                       "against a tunnel", description="Compare a swanctl.conf, a Libreswan "
                       "ipsec.conf or a Cisco IOS/IOS-XE/ASA running-config with the tunnel: exit "
                       "0 when compatible (warnings, such as lifetimes that differ, are listed "
                       "too), 1 with mismatches that stop the tunnel (field, both values, what "
                       "fails and what the peer logs). Statements vpnkit cannot read and names "
                       "used but not defined are listed as 'unsupported' / 'undefined'. The "
                       "pre-shared key in the file is never printed.")
    c.add_argument("vpn_connection_id", metavar="VPNX_ID", type=resource_id("vpnx"),
                   help="the tunnel, vpnx-xxxxxxxx")
    c.add_argument("--config", required=True, metavar="FILE",
                   help="the peer's swanctl.conf, ipsec.conf or Cisco running-config")
    c.add_argument("--vendor", choices=PARSER_NAMES, default=None,
                   help="read FILE as this vendor's format (default: recognised by its "
                   "syntax)")
    c.add_argument("--format", choices=FORMATS, default="table",
                   help="output format on stdout (default: table)")
    c.set_defaults(func=cmd_peer_check)


def lookup(args: argparse.Namespace) -> tuple[Any, str, str]:
    """The tunnel, its VPN gateway's public IP and its customer gateway's IP (via the API)."""
    from vpnkit.peer.rehearse import lookup_tunnel

    return lookup_tunnel(args.vpn_connection_id, client_from_args(args))


def cmd_peer_config(args: argparse.Namespace) -> int:
    """peer-config: the configuration on stdout, issues on stderr."""
    from vpnkit.peer import render

    if args.psk_env and not os.environ.get(args.psk_env):
        raise UsageError(f"--psk-env {args.psk_env}: that environment variable is not "
                         "set or empty")
    conn, gateway_ip, customer_ip = lookup(args)
    out = render(conn, args.vendor, gateway_ip=gateway_ip, customer_ip=customer_ip,
                 psk_env=args.psk_env or None)
    sys.stdout.write(out.text)
    for issue in out.issues:
        print(f"{issue.severity}: {issue}", file=sys.stderr)
    return 0 if out.ok else 1


def cmd_peer_check(args: argparse.Namespace) -> int:
    """peer-check: the mismatch table; 0 compatible, 1 not."""
    from vpnkit.peer import check

    path = Path(args.config).expanduser()
    if not path.is_file():
        raise UsageError(f"--config: no such file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"--config: {path} is not UTF-8 text") from None
    conn, gateway_ip, customer_ip = lookup(args)
    try:
        report = check(conn, text, gateway_ip=gateway_ip, customer_ip=customer_ip,
                       vendor=args.vendor)
    except ValueError as exc:
        raise UsageError(f"--config {path}: {exc}") from None
    emit(report.frame(), args.format, records=report.rows())
    errors = sum(m.severity == "error" for m in report.mismatches)
    verdict = "compatible" if report.ok else "NOT compatible"
    print(f"{conn.vpn_connection_id} vs {path.name}: {verdict} ({len(report.complies)} "
          f"fields comply; {errors} blocking, {len(report.mismatches) - errors} warning "
          "mismatch(es))", file=sys.stderr)
    return 0 if report.ok else 1

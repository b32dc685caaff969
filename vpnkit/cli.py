"""``vpnkit ...`` (also ``python -m vpnkit``): the command line.

::

    vpnkit [--region R] [--profile P] [--endpoint URL] [--audit DB] COMMAND ...

    emulator     run the local API emulator (same options as ``python -m vpnkit.emulator``)
    create       create one tunnel from a request JSON (tccli --cli-input-json shape)
    batch        create many tunnels from a CSV/JSON file (resumable, never twice)
    describe     list tunnels (table, csv or json)
    delete       delete one tunnel (asks for --yes)
    audit        show the audit log
    skeleton     print a CreateVpnConnection request skeleton (like tccli's)
    lab          start JupyterLab on the runbooks
    demo         the main job against an embedded emulator, no credentials needed

Which API is reached follows :func:`vpnkit.connect`: ``--endpoint``/``VPNKIT_ENDPOINT``, else
configured credentials (the real account), else an embedded emulator; a banner on stderr
says which. Exit codes: 0 ok, 1 API or validation failure, 2 usage. Errors are one line on
stderr (code, message, RequestId): never a traceback, never a secret. This module imports
nothing heavy; each command imports what it needs (``create`` never loads pandas).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]

FORMATS = ("table", "csv", "json")


class UsageError(Exception):
    """A command was used wrongly (exit status 2)."""


def _global(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="region, e.g. ap-guangzhou (default: configured, "
                        "else ap-guangzhou)")
    parser.add_argument("--profile", help="tccli / ~/.tencentcloud profile")
    parser.add_argument("--endpoint", help="API base URL, e.g. an emulator's "
                        "(default: $VPNKIT_ENDPOINT, else the region's Tencent endpoint)")
    parser.add_argument("--audit", metavar="DB", help="audit log path (default: $VPNKIT_AUDIT "
                        "or vpnkit's default)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vpnkit`` (all subcommands)."""
    parser = argparse.ArgumentParser(prog="vpnkit", description="Create and audit Tencent "
                                     "Cloud VPN tunnels (CreateVpnConnection).")
    _global(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("emulator", help="run the local API emulator", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)

    p = sub.add_parser("create", help="create one tunnel from a request JSON file")
    p.add_argument("--spec", "--cli-input-json", dest="spec", required=True, metavar="FILE",
                   help="request JSON (tccli --cli-input-json shape; file:// prefix allowed)")
    p.add_argument("--wait", action="store_true", help="wait until the tunnel is AVAILABLE")
    p.add_argument("--timeout", type=float, default=300.0, help="--wait limit, seconds")

    p = sub.add_parser("batch", help="create many tunnels from a CSV/JSON file")
    p.add_argument("file", help="CSV (layout: see vpnkit.batch_io) or JSON file")
    p.add_argument("--dry-run", action="store_true", help="validate and show the requests "
                   "(secrets masked); send nothing")
    p.add_argument("--resume", metavar="BATCH_ID", help="resume this batch")
    p.add_argument("--workers", type=int, default=8, help="parallel creates (default 8)")
    p.add_argument("--no-wait", action="store_true", help="do not wait for AVAILABLE")
    p.add_argument("--skip-invalid", action="store_true", help="create the valid rows even "
                   "if some rows are invalid")
    p.add_argument("--state", metavar="DB", help="batch journal (default: beside the audit "
                   "log, or $VPNKIT_BATCH_STATE)")
    p.add_argument("--wait-timeout", type=float, default=600.0, metavar="S")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--format", choices=FORMATS, default="table")

    p = sub.add_parser("describe", help="list tunnels")
    p.add_argument("--id", dest="ids", nargs="+", metavar="ID", help="only these tunnels")
    p.add_argument("--gateway", help="only tunnels of this VPN gateway")
    p.add_argument("--format", choices=FORMATS, default="table")

    p = sub.add_parser("delete", help="delete a tunnel")
    p.add_argument("id", metavar="ID", help="vpnx-... id")
    p.add_argument("--yes", action="store_true", help="really delete (else: show what would "
                   "be deleted)")
    p.add_argument("--wait", action="store_true", help="wait until it is gone")

    p = sub.add_parser("audit", help="show the audit log")
    p.add_argument("--since", help="ISO time (2024-05-01, 2024-05-01T10:00) or age (30m, 2h, "
                   "7d)")
    p.add_argument("--action", help="only this action, e.g. CreateVpnConnection")
    p.add_argument("--outcome", help="only this outcome, e.g. ok, error, reconciled")
    p.add_argument("--format", choices=FORMATS, default="table")

    sub.add_parser("skeleton", help="print a CreateVpnConnection request skeleton")

    p = sub.add_parser("lab", help="start JupyterLab on the runbooks")
    p.add_argument("--dry-run", action="store_true", help="print the command, do not run it")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed to jupyter lab")

    p = sub.add_parser("demo", help="the main job against an embedded emulator")
    p.add_argument("--create-delay", type=float, default=0.5, metavar="S",
                   help="seconds a demo tunnel stays PENDING")
    return parser


def _emulator(argv: Sequence[str]) -> int:
    from vpnkit.emulator.__main__ import main as emulator_main

    return emulator_main(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vpnkit`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    head = argparse.ArgumentParser(add_help=False)
    _global(head)
    _, rest = head.parse_known_args(args_list)
    if rest[:1] == ["emulator"]:  # its own parser, shared with python -m vpnkit.emulator
        return _emulator(rest[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    from vpnkit import cli_commands

    try:
        return cli_commands.run(args)
    except UsageError as exc:
        print(f"vpnkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        result = getattr(exc, "result", None)
        hint = f"; resume with --resume {result.batch_id}" if result is not None else ""
        print(f"vpnkit: interrupted{hint}", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place that turns errors into a line
        if os.environ.get("VPNKIT_DEBUG"):
            raise
        print(cli_commands.error_line(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

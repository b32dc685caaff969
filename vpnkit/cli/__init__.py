"""``vpnkit ...`` (also ``python -m vpnkit``): the command line.

::

    vpnkit [--region R] [--profile P] [--endpoint URL] [--audit DB] COMMAND ...

    emulator     run the local API emulator (same options as ``python -m vpnkit.emulator``)
    create       create one tunnel from a request JSON (tccli --cli-input-json shape)
    skeleton     print a CreateVpnConnection request skeleton (like tccli's)
    batch        create many tunnels from a CSV/JSON file (resumable, never twice)
    plan         show what apply would change (exit 2 if anything)
    apply        change the live tunnels to match a desired-state file (needs --yes)
    inventory    every tunnel in every region (table, CSV, JSON, Parquet)
    describe     list tunnels (table, csv or json)
    delete       delete one tunnel (asks for --yes)
    peer-config  print the IDC side's configuration for a tunnel
    peer-check   check a peer's strongSwan/Libreswan/Cisco config against a tunnel
    rehearse     negotiate a tunnel between two local strongSwan daemons, traffic per pair or route
    audit        show the audit log
    lab          start JupyterLab on the runbooks
    demo         the main job against an embedded emulator, no credentials needed

Which API is reached follows :func:`vpnkit.connect`: ``--endpoint``/``VPNKIT_ENDPOINT``, else
configured credentials (the real account), else an embedded emulator; a banner on stderr
says which, decided by the host actually contacted, and names the audit log (calls signed
with the emulator's demo keys go to ``emulator-audit.sqlite3``, never the real log). Exit
codes: 0 ok, 1 API or validation failure, 2 usage (also an unknown profile, batch id or
resource id, and a file that is not what it should be, found before connecting). Errors are
one line on stderr naming the file, field or host (code, message, RequestId for the API):
never a traceback, a Python class name or a secret. This module imports nothing heavy; each
command imports what it needs (``create`` never loads pandas).

Layout: one module per command group, each with ``register(sub)`` adding its subparsers
(each sets ``func``); :data:`GROUPS` lists them in help order with the commands each adds, so
running one command builds (and imports) only its own group; ``--help`` builds them all.
Shared helpers (the one-line error, the client from the global options, output formats) live
in :mod:`vpnkit.cli._common`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from vpnkit.cli._common import UsageError, error_line

__all__ = ["GROUPS", "build_parser", "main", "run"]

#: the command-group modules (``vpnkit.cli.<name>``), in the order ``--help`` lists them,
#: each with the commands its ``register`` adds (a test keeps the two in step)
GROUPS: dict[str, tuple[str, ...]] = {
    "create": ("create", "skeleton"),
    "batch": ("batch",),
    "plan": ("plan", "apply"),
    "inventory": ("inventory",),
    "tunnels": ("describe", "delete"),
    "peer": ("peer-config", "peer-check"),
    "rehearse": ("rehearse",),
    "audit": ("audit",),
    "local": ("lab", "demo"),
}


def _global(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="region, e.g. ap-guangzhou (default: "
                        "$TENCENTCLOUD_REGION or the profile's, else ap-guangzhou)")
    parser.add_argument("--profile", help="~/.tencentcloud/credentials section or tccli "
                        "profile; one that does not exist is an error (default: the "
                        "environment's keys, else 'default', else the embedded emulator)")
    parser.add_argument("--endpoint", help="API host or base URL, e.g. an emulator's "
                        "http://127.0.0.1:PORT; used with the configured keys, or the "
                        "emulator's demo keys if none (default: $VPNKIT_ENDPOINT, else the "
                        "region's Tencent endpoint)")
    parser.add_argument("--audit", metavar="DB", help="audit log file (default: "
                        "$VPNKIT_AUDIT or ~/.local/share/vpnkit/audit.sqlite3; calls signed "
                        "with the emulator's demo keys go to emulator-audit.sqlite3 beside "
                        "it)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``vpnkit``: all subcommands, or with ``command`` (one of
    :data:`GROUPS`' commands) only the group that adds it, all that is needed to run it."""
    parser = argparse.ArgumentParser(prog="vpnkit", description="Create and audit Tencent "
                                     "Cloud VPN tunnels (CreateVpnConnection).")
    _global(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("emulator", help="run the local API emulator (see vpnkit emulator "
                       "--help)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    chosen = [g for g, commands in GROUPS.items() if command in commands] or list(GROUPS)
    for name in chosen:
        importlib.import_module(f"vpnkit.cli.{name}").register(sub)
    return parser


def _emulator(argv: Sequence[str]) -> int:
    from vpnkit.emulator.__main__ import main as emulator_main

    return emulator_main(list(argv), prog="vpnkit emulator")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vpnkit`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    head = argparse.ArgumentParser(add_help=False)
    _global(head)
    _, rest = head.parse_known_args(args_list)
    if rest[:1] == ["emulator"]:  # its own parser, shared with python -m vpnkit.emulator
        return _emulator(rest[1:])
    # plan/apply keep terraform's -detailed-exitcode meaning: 2 is "changes pending" only,
    # so their usage errors exit 1
    usage = 1 if rest[:1] in (["plan"], ["apply"]) else 2
    parser = build_parser(rest[0] if rest else None)  # --help, a typo, ...: every group
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        code = int(exc.code or 0)
        return usage if code == 2 else code
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"vpnkit {args.command}: error: {exc}", file=sys.stderr)
        return usage
    except KeyboardInterrupt as exc:
        result = getattr(exc, "result", None)
        hint = f"; resume with --resume {result.batch_id}" if result is not None else ""
        print(f"vpnkit: interrupted{hint}", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place that turns errors into a line
        if os.environ.get("VPNKIT_DEBUG"):
            raise
        print(error_line(exc, getattr(args, "endpoint_used", None)), file=sys.stderr)
        return 1


def run() -> NoReturn:
    """The ``vpnkit`` process (console script, ``python -m vpnkit``): :func:`main` on the
    command line, then exit with its status.

    What is still alive when the command is done (modules, classes, functions) lives until
    the process ends, and the interpreter's exit would walk and free it all again (about
    20 ms of a ``vpnkit create``). So one collection first, which finalizes what the
    command left behind (the audit log's SQLite connection closes and checkpoints, as
    before), then ``gc.freeze()``: the exit skips the rest. Only here, never in
    :func:`main`, which a notebook or test may call in a process that goes on.
    """
    status = main()
    gc.collect()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()

"""``vpnkit batch``: many tunnels from a CSV/JSON file, validated first, resumable."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit.cli._common import FORMATS, UsageError, client_from_args, emit

if TYPE_CHECKING:
    from vpnkit.client import VpcClient

__all__ = ["register", "run_batch"]


def register(sub: Any) -> None:
    """Add ``batch`` to the subcommands."""
    p = sub.add_parser("batch", help="create many tunnels from a CSV/JSON file")
    p.add_argument("file", help="CSV (layout: see vpnkit.batch.io) or JSON file")
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
    p.set_defaults(func=cmd_batch)


def run_batch(client: VpcClient, source: Any, args: argparse.Namespace,
              **kw: Any) -> int:
    """Run (or dry-run) a batch and print its table and summary; the exit status."""
    from vpnkit.batch import BatchInvalid, create_many

    try:
        result = create_many(client, source, workers=args.workers, wait=not args.no_wait,
                             batch_id=args.resume, skip_invalid=args.skip_invalid,
                             dry_run=args.dry_run, progress=not args.no_progress,
                             wait_timeout=args.wait_timeout, state=args.state, **kw)
    except BatchInvalid as exc:
        print(exc.frame.to_string(index=False))
        n = len(exc.frame)
        print(f"error: batch refused, nothing sent: {n} problem{'s' if n != 1 else ''} "
              "(table above); fix them or pass --skip-invalid", file=sys.stderr)
        return 1
    if args.dry_run:
        if args.format == "json":
            print(json.dumps(result.requests, ensure_ascii=False, indent=2))
        else:
            emit(result.frame, args.format)
            for req in result.requests:
                print(f"# row {req['row']}: {req['action']} -> {req['endpoint']}")
                print(json.dumps(req["body"], ensure_ascii=False))
    else:
        emit(result.frame, args.format)
    warnings = result.issues[result.issues["severity"] == "warning"]
    for _, w in warnings.iterrows():
        where = f"row {w['row']} " if w["row"] is not None and str(w["row"]) != "<NA>" else ""
        print(f"warning: {where}{w['path']}: {w['message']} ({w['code']})", file=sys.stderr)
    print(result.summary() + ("" if result.ok or args.dry_run else
                              f"; resume with --resume {result.batch_id}"), file=sys.stderr)
    return 0 if result.ok else 1


def cmd_batch(args: argparse.Namespace) -> int:
    """batch FILE: many tunnels, validated first, resumable."""
    path = Path(args.file.removeprefix("file://")).expanduser()
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    return run_batch(client_from_args(args), path, args)

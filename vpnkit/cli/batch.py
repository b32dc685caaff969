"""``vpnkit batch``: many tunnels from a CSV/JSON file, validated first, resumable."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit.cli._common import (
    FORMATS,
    UsageError,
    add_crypto_profile,
    add_workers,
    client_from_args,
    crypto_profile,
    emit,
    input_path,
    read_json,
    seconds,
    warn_rows,
)

if TYPE_CHECKING:
    from vpnkit.client import VpcClient

__all__ = ["check_file", "register", "run_batch", "summary"]


def register(sub: Any) -> None:
    """Add ``batch`` to the subcommands."""
    p = sub.add_parser("batch", help="create many tunnels from a CSV/JSON file (resumable, "
                       "never twice)", description="Create many tunnels from a CSV (one row "
                       "per tunnel, keys named by the pre_share_key_env column) or a JSON "
                       "list of request bodies. Everything is validated before anything is "
                       "sent; a resumed batch creates only what is missing.")
    p.add_argument("file", help="CSV (layout: see vpnkit.batch.io) or JSON file")
    p.add_argument("--dry-run", action="store_true", help="validate and show the requests "
                   "(secrets masked); send nothing (default: create)")
    p.add_argument("--resume", metavar="BATCH_ID", help="resume this batch (an id printed "
                   "by an earlier run; unknown ids are refused; default: a new batch)")
    p.add_argument("--batch-id", metavar="BATCH_ID", help="id for a new batch (or an "
                   "existing one, to resume it); default: a fresh b<UTC time>-<hex>")
    add_workers(p, "parallel creates")
    add_crypto_profile(p, "a row (without a profile cell)")
    p.add_argument("--no-wait", action="store_true", help="do not wait for AVAILABLE "
                   "(default: wait)")
    p.add_argument("--skip-invalid", action="store_true", help="create the valid rows even "
                   "if some rows are invalid (default: refuse the whole batch)")
    p.add_argument("--state", metavar="DB", help="batch journal (default: "
                   "$VPNKIT_BATCH_STATE, else batches.sqlite3 beside the audit log; "
                   "emulator-batches.sqlite3 for an emulator)")
    p.add_argument("--wait-timeout", type=seconds, default=600.0, metavar="S",
                   help="how long to wait for AVAILABLE, seconds (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr "
                   "(default: shown)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format of "
                   "the result and of the issue table (default: %(default)s)")
    p.set_defaults(func=cmd_batch)


def run_batch(client: VpcClient, source: Any, args: argparse.Namespace,
              **kw: Any) -> int:
    """Run (or dry-run) a batch and print its table and summary; the exit status."""
    from vpnkit.batch import BatchInvalid, create_many

    try:
        result = create_many(client, source, workers=args.workers, wait=not args.no_wait,
                             batch_id=args.resume or args.batch_id,
                             skip_invalid=args.skip_invalid,
                             dry_run=args.dry_run, progress=not args.no_progress,
                             wait_timeout=args.wait_timeout, state=args.state,
                             profile=crypto_profile(args), **kw)
    except BatchInvalid as exc:
        emit(exc.frame, args.format)
        warn_rows(exc.warnings)
        n = len(exc.frame)
        print(f"error: batch refused, nothing sent: {n} problem{'s' if n != 1 else ''} "
              f"({'listed above' if args.format == 'table' else 'on stdout'}); fix them "
              "or pass --skip-invalid", file=sys.stderr)
        return 1
    if args.dry_run:
        if args.format == "json":
            print(json.dumps(result.requests, ensure_ascii=False, indent=2))
        else:
            emit(result.frame, args.format)
            for req in result.requests if args.format == "table" else ():  # CSV stays CSV
                print(f"# row {req['row']}: {req['action']} -> {req['endpoint']}")
                print(json.dumps(req["body"], ensure_ascii=False))
    else:
        emit(result.frame, args.format)
    warn_rows(result.issues[result.issues["severity"] == "warning"])
    print(summary(result) + ("" if result.ok or args.dry_run else
                             f"; resume with --resume {result.batch_id}"), file=sys.stderr)
    return 0 if result.ok else 1


#: how a row status reads after a count ("12 exist", "1 failed")
_WORDS = {"exists": "exist", "dry-run": "dry-run"}


def summary(result: Any) -> str:
    """One line: batch id, rows per status in plain words, time taken."""
    counts = ", ".join(f"{n} {_WORDS.get(s, s) if n != 1 else s}"
                       for s, n in sorted(result.counts.items()))
    return f"batch {result.batch_id}: {counts or 'no rows'} in {result.elapsed:.1f} s"


def check_file(path: Path) -> None:
    """Read the batch file once before anything connects: a file that is not JSON/CSV is a
    usage error naming it (and where it is wrong), never a parser's exception."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    if path.suffix.lower() == ".json":
        data = read_json(str(path))
        items = [data] if isinstance(data, dict) else data
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise UsageError(f"{path} must hold a JSON list of request objects ([{{...}}, ...])")
        return
    import pandas as pd

    try:
        pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = " ".join(str(exc).replace("C error: ", "").split())
        raise UsageError(f"{path} is not a readable CSV: {reason}") from None


def _check_resume(args: argparse.Namespace, client: VpcClient) -> None:
    """--resume names a batch the journal knows; anything else is a usage error."""
    from vpnkit.batch.journal import Journal, default_state_path

    path = Path(args.state) if args.state else default_state_path(client.audit)
    known = []
    if path.is_file():
        journal = Journal(path)
        try:
            known = [b for b, _, _ in journal.batches()]
        finally:
            journal.close()
    if args.resume not in known:
        recent = ", ".join(known[:3]) or "none"
        raise UsageError(f"--resume {args.resume}: no such batch in the journal {path} "
                         f"(most recent: {recent}); to start a batch with this id use "
                         "--batch-id")


def cmd_batch(args: argparse.Namespace) -> int:
    """batch FILE: many tunnels, validated first, resumable."""
    path = input_path(args.file)
    if args.resume and args.batch_id:
        raise UsageError("give --resume (an existing batch) or --batch-id (a new one), "
                         "not both")
    check_file(path)
    client = client_from_args(args)
    if args.resume:
        _check_resume(args, client)
    return run_batch(client, path, args)

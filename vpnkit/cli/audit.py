"""``vpnkit audit``: the call log, filtered."""

from __future__ import annotations

import argparse
from typing import Any

from vpnkit.cli._common import FORMATS, UsageError, audit_log, emit

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add ``audit`` to the subcommands."""
    p = sub.add_parser("audit", help="show the audit log")
    p.add_argument("--since", help="ISO time (2024-05-01, 2024-05-01T10:00) or age (30m, 2h, "
                   "7d)")
    p.add_argument("--action", help="only this action, e.g. CreateVpnConnection")
    p.add_argument("--outcome", help="only this outcome, e.g. ok, error, reconciled")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_audit)


def _since(text: str) -> Any:
    import re

    import pandas as pd

    m = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
        return pd.Timestamp.now(tz="UTC") - pd.Timedelta(**{unit[m[2]]: int(m[1])})
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise UsageError(f"--since {text!r}: give an ISO time or an age like 30m, 2h, 7d") \
            from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def cmd_audit(args: argparse.Namespace) -> int:
    """audit: the call log, filtered (secrets were redacted before they were written)."""
    import pandas as pd

    log = audit_log(args)
    if log is None:
        raise UsageError("the audit log (vpnkit.audit) is not available in this install")
    frame = log.frame()
    if args.since:
        cutoff = _since(args.since)
        col = next((c for c in ("time", "started", "started_at", "timestamp", "ts")
                    if c in frame.columns), None)
        if col is not None:
            times = pd.to_datetime(frame[col], utc=True, errors="coerce")
            frame = frame[times >= cutoff]
    if args.action:
        frame = frame[frame["action"] == args.action]
    if args.outcome:
        frame = frame[frame["outcome"] == args.outcome]
    frame = frame.reset_index(drop=True)
    if args.format == "table":
        frame = frame[[c for c in frame.columns if c not in ("params", "response")]]
    emit(frame, args.format)
    return 0
